package doge

import (
	"errors"
	"net/http/httptest"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// FuzzDogeDecode: the face's readers of its parameters (pageNo, choice,
// token) read any decoded request without a panic: a page whose offset
// stays within the bounds every list reads, a choice within int32, a bad
// value an error of the kind the face maps to its statuses.
func FuzzDogeDecode(f *testing.F) {
	for _, s := range []string{
		`{"page":"2"}`, `{"page":"0"}`, `{"page":"-1"}`, `{"page":"abc"}`, `{"page":"501"}`, `{"page":"9223372036854775807"}`,
		`{"page":2}`, `{"page":true}`, `{"type":1,"sex":0,"character":8,"wish":"8"}`, `{"type":"4294967297"}`,
		`{"action":"1"}`, `{"action":2.0}`, `{"action":-2147483649}`, `{"token":"abc"}`, `{"token":["abc"]}`, `{"token":12}`,
	} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte(`{}`), "Token abc")
	f.Fuzz(func(t *testing.T, body []byte, authorization string) {
		obj, err := httpx.DecodeObject(body)
		if err != nil {
			return
		}
		p := httpx.NewParams(obj)
		if n, err := pageNo(p); err != nil {
			if !errors.Is(err, errBadPage) {
				t.Fatalf("pageNo of %s: %v", body, err)
			}
		} else if n < 1 || (n-1)*pageSize > maxOffset {
			t.Fatalf("pageNo of %s = %d", body, n)
		}
		for _, name := range []string{"type", "sex", "character", "wish", "action"} {
			if n, err := choice(p, name, 3); err != nil {
				var e *errs.Error
				if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != name {
					t.Fatalf("choice(%s) of %s: %v", name, body, err)
				}
			} else if n < -1<<31 || n > 1<<31 {
				t.Fatalf("choice(%s) of %s = %d", name, body, n)
			}
		}
		r := httptest.NewRequest("GET", "/api/v1/user/", nil)
		if authorization != "" {
			r.Header["Authorization"] = []string{authorization}
		}
		if tok, err := token(r, p); err != nil {
			if !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("token of %s: %v", body, err)
			}
		} else if s, _ := p.Str("token"); s != "" && tok != s {
			t.Fatalf("token of %s = %q", body, tok)
		}
	})
}
