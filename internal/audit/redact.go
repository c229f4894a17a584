package audit

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Redacted is what an entry keeps of a secret's value.
const Redacted = "[redacted]"

// Secret tells whether a field of that name holds a secret whose value an
// entry never keeps: passwords, secrets, TOTP and other codes, tokens.
func Secret(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"password", "secret", "totp", "token"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return n == "code" || n == "codes" || strings.HasSuffix(n, "_code") || strings.HasSuffix(n, "_codes")
}

// Redact returns the JSON document body with the value of every secret
// field (Secret), at any depth, replaced by Redacted; nil when body is
// empty or not JSON.
func Redact(body []byte) json.RawMessage {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return nil
	}
	out, err := json.Marshal(redact(v))
	if err != nil {
		return nil
	}
	return out
}

func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if Secret(k) {
				v[k] = Redacted
			} else {
				v[k] = redact(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = redact(x)
		}
	}
	return v
}
