package live

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// FuzzLiveDispatch: a shared path's dispatch reads any parameters without
// a panic and runs the operation whose marker is exactly "1" when it is
// the only one, the path's default when none is, and refuses anything
// else (0009); phone and gender read any value as the document allows.
func FuzzLiveDispatch(f *testing.F) {
	for _, q := range []string{
		"search=1&token=t&userId=13800138001", "add=1&delete=1", "add=0", "add=true", "add=%201", "dealMessage=1&behaviour=accept&verifyId=13800138001,1796137635173",
		"friendlist=1", "messagelist=1&friendlist=0", "live=1&title=hello", "leave=1", "refill=1&money=10元", "send_gift=1&value=5&object=13800138000",
		"userId=13800138000", "userId=1380013800", "userId=23800138000", "userId=+8613800138000", "gender=0", "gender=1", "gender=2", "gender=",
		"register=1&userId=13800138000&password=abc12345&gender=1&nickname=Anchor", "add=1&add=1", "add[]=1",
	} {
		f.Add(q, []byte(nil))
	}
	f.Add("", []byte(`{"add":1,"userId":13800138001,"token":"t"}`))
	f.Add("add=1", []byte(`{"add":"0","search":"1"}`))
	f.Add("", []byte(`{"live":true,"gender":0}`))
	markers := []string{"search", "add", "dealMessage", "delete"}
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		r := httptest.NewRequest("POST", "/friend", bytes.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/json")
		p, err := httpx.Parse(httptest.NewRecorder(), r)
		if err != nil {
			return
		}
		picked, noneRan := "", false
		var ops []op
		for _, m := range markers {
			m := m
			ops = append(ops, op{m, func(*http.Request, *httpx.Params, account.User) (any, error) { picked = m; return nil, nil }})
		}
		none := func(*http.Request, *httpx.Params, account.User) (any, error) { noneRan = true; return nil, nil }
		ones, bad := 0, false
		for _, m := range markers {
			v, err := p.Str(m)
			if err != nil {
				bad = true
			}
			if v == "1" {
				ones++
			}
		}
		for _, withNone := range []bool{false, true} {
			picked, noneRan = "", false
			var d handler
			if withNone {
				d = dispatch(none, ops...)
			} else {
				d = dispatch(nil, ops...)
			}
			_, err := d(r, p)
			switch {
			case err != nil:
				if !errs.Is(err, errs.Invalid) || picked != "" || noneRan {
					t.Fatalf("dispatch of %q %s: %v, after running %q/%v", query, body, err, picked, noneRan)
				}
				if !bad && ones == 1 || !bad && ones == 0 && withNone {
					t.Fatalf("dispatch of %q %s refused: %v", query, body, err)
				}
			case picked != "":
				if v, _ := p.Str(picked); v != "1" || ones != 1 || bad {
					t.Fatalf("dispatch of %q %s ran %s", query, body, picked)
				}
			case noneRan:
				if !withNone || ones != 0 || bad {
					t.Fatalf("dispatch of %q %s ran the default", query, body)
				}
			default:
				t.Fatalf("dispatch of %q %s ran nothing and refused nothing", query, body)
			}
		}
		if a, err := phone(p, "userId"); err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != "userId" {
				t.Fatalf("phone of %q %s: %v", query, body, err)
			}
		} else if a.Area != account.DefaultArea || len(a.Phone) != 11 || a.Phone[0] != '1' {
			t.Fatalf("phone of %q %s = %+v", query, body, a)
		}
		if g, err := gender(p); err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("gender of %q %s: %v", query, body, err)
			}
		} else if g == nil || *g < 0 || *g > 2 {
			t.Fatalf("gender of %q %s = %v", query, body, g)
		}
	})
}
