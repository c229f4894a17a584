package member

import (
	"errors"
	"testing"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// FuzzMemberDecode: the member face's decoders of a JSON body (or query)
// read any parameters without a panic: accountOf answers an account that
// reads back the same, or an Invalid error naming a field; pageOf a page
// within its bounds whose offset does not overflow.
func FuzzMemberDecode(f *testing.F) {
	for _, s := range []string{
		`{"account":"13800138000"}`,
		`{"area":"86","account":"13800138000","code":"664156","password":"correct-horse-9"}`,
		`{"account":"LI.LEI@example.com","password":"secret123"}`,
		`{"area":"+852","account":" 61234567 "}`,
		`{"area":86,"account":13800138000}`,
		`{"account":"a@b"}`, `{"account":"@example.com"}`, `{"account":["13800138000"]}`,
		`{"page_no":"2","page_size":"100"}`, `{"page_no":1000001}`, `{"page_no":1e6,"page_size":1.0}`,
		`{"page_no":"-1"}`, `{"page_size":"0"}`, `{"page_no":9223372036854775807,"page_size":100}`,
		`{"refresh_token":"hkcs","client_id":"cid","client_type":"ios","switch":true,"ids":[1,2]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := httpx.DecodeObject(body)
		if err != nil {
			return
		}
		p := httpx.NewParams(obj)
		invalid := func(what string, err error) {
			t.Helper()
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field == "" {
				t.Fatalf("%s of %s: %v, want an Invalid error naming a field", what, body, err)
			}
		}
		if a, err := accountOf(p); err != nil {
			invalid("accountOf", err)
		} else if a.IsEmail() {
			if b, err := account.ParseAccount("", a.Email); err != nil || b != a {
				t.Fatalf("account %+v of %s reads back as %+v, %v", a, body, b, err)
			}
		} else if b, err := account.ParseAccount(a.Area, a.Phone); err != nil || b != a || a.Phone == "" || a.Area == "" {
			t.Fatalf("account %+v of %s reads back as %+v, %v", a, body, b, err)
		}
		if pg, err := pageOf(p); err != nil {
			invalid("pageOf", err)
		} else if pg.no < 1 || pg.no > maxPageNo || pg.size < 1 || pg.size > maxPageSize || pg.offset() < 0 {
			t.Fatalf("page %+v of %s", pg, body)
		}
		for _, name := range []string{"code", "password", "refresh_token", "client_id", "client_type"} {
			if v, err := required(p, name); err != nil {
				invalid("required "+name, err)
			} else if v == "" {
				t.Fatalf("required(%s) answered empty", name)
			}
		}
	})
}
