package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"plaza/internal/errs"
)

func parse(t *testing.T, ct, body, query string) (*Params, error) {
	t.Helper()
	r := httptest.NewRequest("POST", "/x?"+query, strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	return Parse(httptest.NewRecorder(), r)
}

func TestParseSources(t *testing.T) {
	cases := []struct {
		name, ct, body, query string
		want                  map[string]any
		bad                   bool
	}{
		{"json", "application/json", `{"a":"1","n":2}`, "", map[string]any{"a": "1", "n": json.Number("2")}, false},
		{"json wins over query", "application/json", `{"a":"body"}`, "a=query&b=q", map[string]any{"a": "body", "b": "q"}, false},
		{"form", "application/x-www-form-urlencoded", "a=1&l=2&l=3", "", map[string]any{"a": "1", "l": []any{"2", "3"}}, false},
		{"json under form type", "application/x-www-form-urlencoded", `{"a":"1"}`, "", map[string]any{"a": "1"}, false},
		{"multipart", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XX--\r\n", "", map[string]any{"a": "v"}, false},
		{"no content type", "", `{"a":"1"}`, "", map[string]any{"a": "1"}, false},
		{"empty body", "application/json", "  ", "q=1", map[string]any{"q": "1"}, false},
		{"brackets in query names", "", "", "ids[]=1&ids[]=2", map[string]any{"ids": []any{"1", "2"}}, false},
		{"malformed json", "application/json", `{"a":`, "", nil, true},
		{"json list", "application/json", `[1]`, "", nil, true},
		{"trailing junk", "application/json", `{"a":1}]`, "", nil, true},
		{"two objects", "application/json", `{"a":1}{"b":2}`, "", nil, true},
		{"bad multipart", "multipart/form-data; boundary=XX", "garbage", "", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := parse(t, c.ct, c.body, c.query)
			if c.bad {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want invalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.v, c.want) {
				t.Fatalf("got %#v, want %#v", p.v, c.want)
			}
		})
	}
	big := `{"a":"` + strings.Repeat("x", MaxBody) + `"}`
	if _, err := parse(t, "application/json", big, ""); !errs.Is(err, errs.Invalid) {
		t.Fatalf("oversized body: %v", err)
	}
}

func TestTypedGetters(t *testing.T) {
	p := NewParams(map[string]any{
		"s": "text", "num": json.Number("42"), "fnum": json.Number("3.0"), "frac": json.Number("1.5"),
		"big": json.Number("99999999999999999999"), "strnum": " 7 ", "obj": map[string]any{}, "t": true,
		"one": json.Number("1"), "yes": "TRUE", "list": []any{json.Number("1"), "2"}, "csv": "1, 2,3",
		"brackets": "[4,5]", "badlist": "1,x", "empty": "",
	})
	if s, ok, err := p.String("s"); s != "text" || !ok || err != nil {
		t.Fatal("String(s)")
	}
	if s, _, err := p.String("num"); s != "42" || err != nil {
		t.Fatal("a number is read as its text")
	}
	if _, _, err := p.String("obj"); err == nil {
		t.Fatal("an object is not a string")
	}
	if _, ok, err := p.String("absent"); ok || err != nil {
		t.Fatal("absent")
	}
	for name, want := range map[string]int64{"num": 42, "fnum": 3, "strnum": 7} {
		if n, ok, err := p.Int(name); n != want || !ok || err != nil {
			t.Fatalf("Int(%s) = %d %v %v", name, n, ok, err)
		}
	}
	for _, name := range []string{"frac", "big", "s", "obj", "t"} {
		if _, _, err := p.Int(name); err == nil {
			t.Fatalf("Int(%s) accepted", name)
		}
	}
	if _, ok, err := p.Int("empty"); ok || err != nil {
		t.Fatal(`"" is absent for Int`)
	}
	for _, name := range []string{"t", "one", "yes"} {
		if b, ok, err := p.Bool(name); !b || !ok || err != nil {
			t.Fatalf("Bool(%s)", name)
		}
	}
	if _, _, err := p.Bool("s"); err == nil {
		t.Fatal("Bool(text) accepted")
	}
	for name, want := range map[string][]int64{"list": {1, 2}, "csv": {1, 2, 3}, "brackets": {4, 5}, "num": {42}, "empty": {}} {
		if l, ok, err := p.IntList(name, 10); !reflect.DeepEqual(l, want) || !ok || err != nil {
			t.Fatalf("IntList(%s) = %v %v %v", name, l, ok, err)
		}
	}
	if _, _, err := p.IntList("badlist", 10); err == nil {
		t.Fatal("IntList(1,x) accepted")
	}
	if _, _, err := p.IntList("csv", 2); err == nil {
		t.Fatal("IntList over its cap accepted")
	}
}

func TestBearerTokenAndClientIP(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	for h, want := range map[string]string{"Token abc": "abc", "Bearer  xyz": "xyz", "bearer q": "q", "Basic abc": "", "abc": ""} {
		r.Header.Set("Authorization", h)
		if got := BearerToken(r); got != want {
			t.Errorf("BearerToken(%q) = %q, want %q", h, got, want)
		}
	}
	r.RemoteAddr = "10.0.0.9:1234"
	r.Header.Set("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
	if ip := ClientIP(r, false); ip != "10.0.0.9" {
		t.Errorf("untrusted proxy: %s", ip)
	}
	if ip := ClientIP(r, true); ip != "203.0.113.7" {
		t.Errorf("trusted proxy: %s", ip)
	}
	// A client cannot choose its address by writing the header itself:
	// what the operator's proxy appended wins.
	for xff, want := range map[string]string{
		"1.2.3.4, 198.51.100.9":             "198.51.100.9",
		"1.2.3.4, 198.51.100.9, 10.0.0.1":   "198.51.100.9",
		"198.51.100.9, 127.0.0.1, 10.0.0.1": "198.51.100.9",
		"10.1.2.3":                          "10.1.2.3",
		"10.9.9.9, 10.1.2.3":                "10.9.9.9",
		"garbage, 198.51.100.9":             "198.51.100.9",
		"198.51.100.9, garbage":             "10.0.0.9",
	} {
		r.Header.Set("X-Forwarded-For", xff)
		if ip := ClientIP(r, true); ip != want {
			t.Errorf("X-Forwarded-For %q: %s, want %s", xff, ip, want)
		}
	}
}

// What no text may hold is refused from every source, naming the
// parameter, wherever in the value it is; tabs and line ends pass (a field
// that must be one line is its core's check).
func TestControlCharacters(t *testing.T) {
	cases := []struct {
		name, ct, body, query, field string
	}{
		{"json value", "application/json", `{"a":"x\u0000y"}`, "", "a"},
		{"json C1", "application/json", `{"a":"x\u0085y"}`, "", "a"},
		{"json DEL", "application/json", `{"a":"x\u007fy"}`, "", "a"},
		{"json list item", "application/json", `{"l":["ok","x\u001by"]}`, "", "l"},
		{"json object value", "application/json", `{"o":{"k":"x\u0000"}}`, "", "o"},
		{"json object name", "application/json", `{"o":{"k\u0000":1}}`, "", "o"},
		{"json name", "application/json", `{"a\u0000":"x"}`, "", "a\x00"},
		{"query", "", "", "a=x%00y", "a"},
		{"query invalid UTF-8", "", "", "a=x%FFy", "a"},
		{"query with a body", "application/json", `{"b":"ok"}`, "a=%1B", "a"},
		{"form", "application/x-www-form-urlencoded", "a=1&b=x%00", "", "b"},
		{"form list", "application/x-www-form-urlencoded", "l=1&l=%7F", "", "l"},
		{"json under form type", "application/x-www-form-urlencoded", `{"a":"\u0000"}`, "", "a"},
		{"multipart", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\x00\r\n--XX--\r\n", "", "a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, c.ct, c.body, c.query)
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != c.field {
				t.Fatalf("err = %#v, want Invalid naming %q", err, c.field)
			}
		})
	}
	p, err := parse(t, "application/json", `{"a":"line\r\nline\ttab","n":1,"l":[true,null]}`, "q=a%0Ab")
	if err != nil || p.v["a"] != "line\r\nline\ttab" || p.v["q"] != "a\nb" {
		t.Fatalf("tabs and line ends: %v %v", p, err)
	}
	if _, err := DecodeObject([]byte(`{"a":["\u0000"]}`)); !errs.Is(err, errs.Invalid) {
		t.Fatalf("DecodeObject: %v", err)
	}
}

func TestPathID(t *testing.T) {
	for path, want := range map[string]int64{"/x/1": 1, "/x/123": 123, "/x/+1": 0, "/x/01": 0, "/x/%201": 0, "/x/-1": 0, "/x/0": 0, "/x/1%00": 0} {
		r := httptest.NewRequest("GET", path, nil)
		mux := http.NewServeMux()
		var got int64
		var err error
		mux.HandleFunc("GET /x/{id}", func(_ http.ResponseWriter, r *http.Request) { got, err = PathID(r, "id") })
		mux.ServeHTTP(httptest.NewRecorder(), r)
		if want == 0 {
			if !errs.Is(err, errs.NotFound) {
				t.Errorf("%s: %d, %v; want NotFound", path, got, err)
			}
		} else if got != want || err != nil {
			t.Errorf("%s: %d, %v; want %d", path, got, err, want)
		}
	}
}
