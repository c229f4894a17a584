package admin

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// FuzzAdminDecode: the face's readers of a request (decode, only, page)
// read any body and query without a panic: decode is DecodeObject over
// the capped body, only refuses exactly the names it was not given, page
// answers a page within its bounds, and every refusal is Invalid.
func FuzzAdminDecode(f *testing.F) {
	for _, c := range []struct{ body, query string }{
		{`{"email":"ops@example.com","password":"ops-password"}`, ""},
		{`{"email":"ops@example.com","password":"ops-password","totp":"123456","cookie":true}`, ""},
		{`{"currency":"diamond","amount":100,"reason":"grant","idempotency_key":"k1"}`, "page=2&page_size=100"},
		{`{"title":"Q","id":1}`, "page=0"},
		{`{"disabled":true,"password":"x","totp":false}`, "page_size=101"},
		{`{"content":"thanks"}`, "page=1000001&page_size=1"},
		{`[]`, "page=-1"}, {`{"a":1}x`, "page=abc"}, {``, "page=%201"}, {`{"a":"\u0000"}`, "page=1&page=2"},
	} {
		f.Add([]byte(c.body), c.query)
	}
	names := []string{"email", "password", "totp", "recovery_code", "cookie", "currency", "amount", "reason", "idempotency_key", "content"}
	f.Fuzz(func(t *testing.T, body []byte, query string) {
		r := httptest.NewRequest("POST", "/admin/v1/x", bytes.NewReader(body))
		r.URL.RawQuery = query
		in, err := decode(r)
		want, werr := httpx.DecodeObject(body)
		if (err == nil) != (werr == nil) || (err == nil && !reflect.DeepEqual(in, want)) {
			t.Fatalf("decode of %q: %v %v, DecodeObject: %v %v", body, in, err, want, werr)
		}
		if err != nil && !errs.Is(err, errs.Invalid) {
			t.Fatalf("decode of %q: %v, want Invalid", body, err)
		}
		if err == nil {
			for n := 0; n <= len(names); n++ {
				allowed := names[:n]
				err := only(in, allowed...)
				var unknown []string
				for k := range in {
					if !slices.Contains(allowed, k) {
						unknown = append(unknown, k)
					}
				}
				var e *errs.Error
				switch {
				case len(unknown) == 0 && err != nil:
					t.Fatalf("only(%v) of %s: %v", allowed, body, err)
				case len(unknown) > 0 && (!errors.As(err, &e) || e.Kind != errs.Invalid || !slices.Contains(unknown, e.Field)):
					t.Fatalf("only(%v) of %s: %v, want a refusal naming one of %v", allowed, body, err, unknown)
				}
			}
		}
		no, size, err := page(r)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || (e.Field != "page" && e.Field != "page_size") {
				t.Fatalf("page of %q: %v", query, err)
			}
		} else if no < 1 || no > 1_000_000 || size < 1 || size > 100 || (no-1)*size < 0 {
			t.Fatalf("page of %q: %d %d", query, no, size)
		}
	})
}
