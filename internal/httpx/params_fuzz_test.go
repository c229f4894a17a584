package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"plaza/internal/errs"
)

// FuzzParse: Parse reads any request without a panic; what it refuses is
// an Invalid error; what it accepts holds only the value types Params
// documents, every text of it valid (CheckText), and every typed getter
// reads it without a panic and answers a type error naming the parameter.
func FuzzParse(f *testing.F) {
	for _, c := range []struct{ ct, query, body string }{
		{"application/json", "", `{"a":"1","n":2}`},
		{"application/json", "a=query&b=q", `{"a":"body"}`},
		{"application/x-www-form-urlencoded", "", "a=1&l=2&l=3"},
		{"application/x-www-form-urlencoded", "", `{"a":"1"}`},
		{"multipart/form-data; boundary=XX", "", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XX--\r\n"},
		{"", "", `{"a":"1"}`},
		{"application/json", "q=1", "  "},
		{"", "ids[]=1&ids[]=2", ""},
		{"application/json", "", `{"a":`},
		{"application/json", "", `[1]`},
		{"application/json", "", `{"a":1}]`},
		{"application/json", "", `{"a":1}{"b":2}`},
		{"multipart/form-data; boundary=XX", "", "garbage"},
		{"application/json", "", `{"method":"article_del","article_id_list":[1,2],"token":"t","ver":"1","ts":1,"app":"yuanyi-app"}`},
		{"application/json", "", `{"f":1.5,"b":true,"n":null,"o":{"a":1},"big":1e21,"l":[1,null,"a"],"s":"a\u0000b"}`},
		{"text/plain", "page=2&token=x", "hello"},
		{"application/json; charset=utf-8", "push_ids=1,2,3", `{"ids":"[1, 2]","switch":"TRUE","gender":"1"}`},
	} {
		f.Add(c.ct, c.query, []byte(c.body))
	}
	f.Fuzz(func(t *testing.T, ct, query string, body []byte) {
		r := httptest.NewRequest("POST", "/x", bytes.NewReader(body))
		r.URL.RawQuery = query
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		p, err := Parse(httptest.NewRecorder(), r)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Parse refused with %v (kind %s), want Invalid", err, errs.KindOf(err))
			}
			return
		}
		if err := CheckText(p.v); err != nil {
			t.Fatalf("Parse accepted what CheckText refuses: %v", err)
		}
		for name, v := range p.v {
			checkShape(t, name, v)
			getters(t, p, name)
		}
	})
}

// checkShape requires v to be one of the types Params holds.
func checkShape(t *testing.T, name string, v any) {
	t.Helper()
	switch x := v.(type) {
	case string, bool, nil:
	case json.Number:
		if _, err := strconv.ParseFloat(x.String(), 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			t.Fatalf("%s: %q is no number", name, x)
		}
	case []any:
		for _, it := range x {
			checkShape(t, name, it)
		}
	case map[string]any:
		for _, it := range x {
			checkShape(t, name, it)
		}
	default:
		t.Fatalf("%s: a value of type %T", name, v)
	}
}

// getters reads name every way and checks what the getters promise.
func getters(t *testing.T, p *Params, name string) {
	t.Helper()
	v := p.Raw(name)
	fieldErr := func(what string, err error) {
		t.Helper()
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != name {
			t.Fatalf("%s(%q) of %#v: %v, want an Invalid error naming the field", what, name, v, err)
		}
	}
	if !p.Has(name) {
		t.Fatalf("Has(%q) false for a parameter given", name)
	}
	s, ok, err := p.String(name)
	switch {
	case err != nil:
		fieldErr("String", err)
	case ok:
		switch x := v.(type) {
		case string:
			if s != x {
				t.Fatalf("String(%q) = %q of %q", name, s, x)
			}
		case json.Number:
			if s != x.String() {
				t.Fatalf("String(%q) = %q of the number %s", name, s, x)
			}
		default:
			t.Fatalf("String(%q) read %#v", name, v)
		}
	case v != nil:
		t.Fatalf("String(%q): absent for %#v", name, v)
	}
	n, ok, err := p.Int(name)
	switch {
	case err != nil:
		fieldErr("Int", err)
	case ok:
		switch x := v.(type) {
		case string:
			if m, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil || m != n {
				t.Fatalf("Int(%q) = %d of %q", name, n, x)
			}
		case json.Number:
			fl, err := strconv.ParseFloat(x.String(), 64)
			if m, ierr := strconv.ParseInt(x.String(), 10, 64); ierr == nil {
				if m != n {
					t.Fatalf("Int(%q) = %d of %s", name, n, x)
				}
			} else if err != nil || fl != float64(n) || math.Abs(fl) >= 1<<53 {
				t.Fatalf("Int(%q) = %d of %s", name, n, x)
			}
		default:
			t.Fatalf("Int(%q) read %#v", name, v)
		}
	}
	if b, ok, err := p.Bool(name); err != nil {
		fieldErr("Bool", err)
	} else if ok {
		want := map[string]bool{"true": true, "1": true, "false": false, "0": false}
		switch x := v.(type) {
		case bool:
			if b != x {
				t.Fatalf("Bool(%q) = %v of %v", name, b, x)
			}
		case json.Number, string:
			text := strings.ToLower(strings.TrimSpace(jsonText(x)))
			if w, known := want[text]; !known || w != b {
				t.Fatalf("Bool(%q) = %v of %#v", name, b, x)
			}
		default:
			t.Fatalf("Bool(%q) read %#v", name, v)
		}
	}
	for _, max := range []int{1, 3, 1000} {
		list, ok, err := p.IntList(name, max)
		if err != nil {
			fieldErr("IntList", err)
			continue
		}
		if ok && len(list) > max {
			t.Fatalf("IntList(%q, %d) answered %d items", name, max, len(list))
		}
		if !ok && v != nil {
			t.Fatalf("IntList(%q): absent for %#v", name, v)
		}
	}
}

func jsonText(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return v.(string)
}

// FuzzDecodeObject: DecodeObject accepts exactly one JSON object with
// valid texts; what it accepts survives a round trip through encoding/json
// unchanged, and Parse reads the same body as JSON into the same values.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{"email":"ops@example.com","password":"ops-password"}`,
		`{"title":"Q","content":"A","category":"c","external_link":"https://x.example/"}`,
		`{"currency":"diamond","amount":100,"reason":"grant","idempotency_key":"k1"}`,
		`{"amount":1.5}`, `{"amount":1e3}`, `{"amount":"10"}`, `{"amount":9007199254740993}`,
		`{"kind":"merchant","name":"c","images":["a.jpeg","b.png"],"price":100,"recommended":true}`,
		`{"category":{"name":"n","desc":"d","style":"s","action":"avatar"},"stock":null}`,
		`{"id":1}`, `{}`, ` {"a":1} `, `{"a":1}]`, `{"a":1} {"b":2}`, `[]`, `null`, `{"a":"\u0001"}`, "{\"\xff\":1}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := DecodeObject(body)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("DecodeObject refused with %v, want Invalid", err)
			}
			return
		}
		if obj == nil {
			t.Fatal("DecodeObject accepted and answered nil")
		}
		for k, v := range obj {
			if !utf8.ValidString(k) {
				t.Fatalf("name %q is not UTF-8", k)
			}
			checkShape(t, k, v)
		}
		again, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("an accepted object does not encode: %v", err)
		}
		back, err := DecodeObject(again)
		if err != nil || !reflect.DeepEqual(back, obj) {
			t.Fatalf("round trip of %s: %s -> %#v (%v), want %#v", body, again, back, err, obj)
		}
		r := httptest.NewRequest("POST", "/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		p, err := Parse(httptest.NewRecorder(), r)
		if err != nil || !reflect.DeepEqual(p.v, obj) {
			t.Fatalf("Parse of an object DecodeObject accepts: %v %#v, want %#v", err, p, obj)
		}
	})
}
