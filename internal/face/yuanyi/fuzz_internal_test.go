package yuanyi

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/valid"
)

// FuzzYuanyiParams: the face's typed readers of a call's parameters (page,
// id, ids, hexID, need) read any decoded call without a panic and answer
// either a value within their bounds or an Invalid error naming the field.
func FuzzYuanyiParams(f *testing.F) {
	for _, s := range []string{
		`{"method":"article_list","limit":1,"offset":1}`,
		`{"method":"master_list","limit":"100","offset":"3"}`,
		`{"method":"my_follower","offset":10000}`,
		`{"method":"article_del","article_id_list":[1,2]}`,
		`{"method":"article_comment_del","article_comment_id_list":"3,4"}`,
		`{"method":"ticket_comment_del","ticket_comment_id_list":"[5, 999999]"}`,
		`{"method":"article_detail","article_id":"7"}`,
		`{"method":"article_detail","article_id":7.0}`,
		`{"method":"article_detail","article_id":-1}`,
		`{"method":"article_detail","article_id":1e300}`,
		`{"method":"user_info","to_uid":"0123456789abcdef0123456789abcdef"}`,
		`{"method":"master_detail","master_id":"0123456789ABCDEF0123456789ABCDEF"}`,
		`{"method":"send_message","to_uid":["x"],"content":{"a":1}}`,
		`{"limit":0}`, `{"limit":101}`, `{"offset":10001}`, `{"limit":9223372036854775808}`,
	} {
		f.Add([]byte(s))
	}
	known := []string{"article_id", "article_id_list", "article_comment_id_list", "ticket_comment_id_list", "to_uid", "master_id", "content", "method", "limit", "offset"}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := httpx.DecodeObject(body)
		if err != nil {
			return
		}
		c := &call{p: httpx.NewParams(obj)}
		invalid := func(what string, err error, fields ...string) {
			t.Helper()
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || !slices.Contains(fields, e.Field) {
				t.Fatalf("%s of %s: %v, want an Invalid error naming %v", what, body, err, fields)
			}
		}
		if off, lim, err := c.page(); err != nil {
			invalid("page", err, "limit", "offset")
		} else if off < 0 || off > maxOffset || lim < 1 || lim > maxLimit {
			t.Fatalf("page of %s: offset %d limit %d", body, off, lim)
		}
		names := slices.Clone(known)
		for k := range obj {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
		for _, name := range names {
			if id, err := c.id(name); err != nil {
				invalid("id "+name, err, name)
			} else if id < 1 {
				t.Fatalf("id(%s) of %s = %d", name, body, id)
			}
			for _, max := range []int{1, 100} {
				if ids, err := c.ids(name, max); err != nil {
					invalid("ids "+name, err, name)
				} else if len(ids) == 0 || len(ids) > max || slices.Min(ids) < 1 {
					t.Fatalf("ids(%s, %d) of %s = %v", name, max, body, ids)
				}
			}
			if h, err := c.hexID(name); err != nil {
				invalid("hexID "+name, err, name)
			} else if !valid.IsHexID(h) {
				t.Fatalf("hexID(%s) of %s = %q", name, body, h)
			}
			if v, err := c.need(name); err != nil {
				invalid("need "+name, err, name)
			} else if v == "" {
				t.Fatalf("need(%s) of %s answered empty", name, body)
			}
		}
	})
}

// FuzzSignature: for any call's fields and any secret, the signature a
// client makes of the fields (JavaScript's printing, and Python's)
// verifies, in either case of its hex digits; a signature with one digit
// changed does not, nor the right one under another secret, nor after a
// field changed.
func FuzzSignature(f *testing.F) {
	for _, s := range []string{
		`{"method":"send_sms_code","country":"86","phone":"18682222222","ver":"1","ts":1699708371203,"app":"yuanyi-app"}`,
		`{"method":"article_del","article_id_list":[1,2],"token":"t","ver":"1","ts":1,"app":"yuanyi-app"}`,
		`{"method":"x","f":1.5,"b":true,"n":null,"o":{"a":1},"big":1e21,"l":[1,null,"a"],"ver":"1","ts":1,"app":"yuanyi-app"}`,
		`{"method":"x","b":true,"n":null,"names":["a","b"],"ver":"1","ts":1,"app":"yuanyi-app"}`,
		`{"method":"article_publish","content":"a&b=c","images":"x.jpeg,y.jpeg","ts":"1","sig":"00"}`,
		`{"small":1e-7,"neg":-0,"huge":1e400,"exp":1E5,"frac":0.1000}`,
		`{"nested":[[1,2],{"k":"it's"},"say \"hi\""]}`,
		`{}`,
	} {
		f.Add([]byte(s), testSecret, uint16(0))
	}
	f.Add([]byte(`{"method":"current_time"}`), "", uint16(7))
	f.Fuzz(func(t *testing.T, body []byte, secret string, at uint16) {
		fields, err := httpx.DecodeObject(body)
		if err != nil {
			return
		}
		sig := Sign(fields, secret)
		fields["sig"] = sig
		if !signatureOK(fields, secret, sig) {
			t.Fatalf("the signature of %s does not verify", body)
		}
		if !signatureOK(fields, secret, strings.ToUpper(sig)) {
			t.Fatalf("the upper-case signature of %s does not verify", body)
		}
		if py := sign(fields, secret, pyString); !signatureOK(fields, secret, py) {
			t.Fatalf("the Python client's signature of %s does not verify", body)
		}
		i := int(at) % len(sig)
		d := "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", sig[i])+1+int(at>>8)%15)%16]
		if flipped := sig[:i] + string(d) + sig[i+1:]; signatureOK(fields, secret, flipped) {
			t.Fatalf("%s verifies with a digit of its signature changed (%s)", body, flipped)
		}
		if signatureOK(fields, secret+"x", sig) {
			t.Fatalf("%s verifies under another secret", body)
		}
		if len(fields) == 1 {
			return
		}
		keys := make([]string, 0, len(fields))
		flat := true
		for k, v := range fields {
			if k != "sig" {
				keys = append(keys, k)
			}
			switch v.(type) {
			case []any, map[string]any:
				flat = false
			}
		}
		slices.Sort(keys)
		k := keys[int(at)%len(keys)]
		orig := fields[k]
		fields[k] = jsString(orig) + "x"
		if sign(fields, secret, jsString) == sig {
			t.Fatalf("%s: the signature does not change with field %s", body, k)
		}
		// Python's printing of a nested value may be shorter than
		// JavaScript's: only flat fields are sure to print differently.
		if flat && signatureOK(fields, secret, sig) {
			t.Fatalf("%s verifies with field %s changed", body, k)
		}
		fields[k] = orig
	})
}
