package yuanyi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The client signs every call: sig = sha256_hex(sorted "k=v" of every
// field but sig, joined by "&", then "&" + secret), where v is the value as
// JavaScript's String(v) prints it. Python clients print lists as "[1, 2]";
// both forms are accepted.

// sign computes the signature of fields with a value printer.
func sign(fields map[string]any, secret string, print func(any) string) string {
	parts := make([]string, 0, len(fields))
	for k, v := range fields {
		if k == "sig" {
			continue
		}
		parts = append(parts, k+"="+print(v))
	}
	sort.Strings(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "&") + "&" + secret))
	return hex.EncodeToString(sum[:])
}

// signatureOK checks sig against both printings.
func signatureOK(fields map[string]any, secret, sig string) bool {
	sig = strings.ToLower(sig)
	for _, print := range []func(any) string{jsString, pyString} {
		if subtle.ConstantTimeCompare([]byte(sign(fields, secret, print)), []byte(sig)) == 1 {
			return true
		}
	}
	return false
}

// jsString prints v as JavaScript's String(v) does.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return jsNumber(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil { // null and undefined print as "" inside an array
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return ""
}

func jsNumber(n json.Number) string {
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil {
		return n.String()
	}
	if f == 0 {
		return "0"
	}
	if math.Abs(f) >= 1e21 || math.Abs(f) < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+21, 1.5e-7
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		return mant + "e" + string(sign) + exp
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// pyString prints v as Python's str(v) does for JSON-decoded values.
func pyString(v any) string {
	return pyRepr(v, false)
}

func pyRepr(v any, nested bool) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		if nested {
			return pyQuote(x)
		}
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case json.Number:
		s := x.String()
		if strings.ContainsAny(s, ".eE") {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				r := strconv.FormatFloat(f, 'g', -1, 64)
				if !strings.ContainsAny(r, ".e") {
					r += ".0"
				}
				return r
			}
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e, true)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // Python keeps insertion order; JSON order is lost here
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyQuote(k) + ": " + pyRepr(x[k], true)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return ""
}

func pyQuote(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// Sign returns the signature a JavaScript client computes for fields (for
// tests and tools that call the face).
func Sign(fields map[string]any, secret string) string { return sign(fields, secret, jsString) }
