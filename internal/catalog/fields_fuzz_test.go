package catalog

import (
	"errors"
	"strings"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// FuzzCollectionInput: every collection's check of an admin body (its
// JSON as the admin face decodes it) reads anything without a panic; it
// refuses with an Invalid error naming a field of the body or of the
// collection, or answers values of the field's kind for fields the
// collection has and may be written, every one on create.
func FuzzCollectionInput(f *testing.F) {
	for _, s := range []string{
		`{"title":"Q","content":"A","category":"c","external_link":"https://example.com/"}`,
		`{"name":"app","description":"d"}`,
		`{"name":"达人","birthday":"1990-01-02","recommended":true,"user_id":"0123456789abcdef0123456789abcdef","sort":3}`,
		`{"name":"Shop","email":"shop@example.com","phone":"+86 138-0013-8000","logo":"a.jpeg"}`,
		`{"kind":"merchant","name":"hex","merchant":1,"images":["a.jpeg","b.png"],"price":100}`,
		`{"kind":"design_circle","name":"设计","merchant_id":null,"images":[]}`,
		`{"name":"Go","image":"a.jpeg","intro":"x","recommended":false}`,
		`{"master_id":1,"name":"项目","intro":"[\"段落\"]"}`,
		`{"project_id":1,"name":"票","price":1999,"intro":"票简介"}`,
		`{"placement":"home","image":"a.jpeg","url":"https://example.com/x?y=1","sort":-1}`,
		`{"name":"Bone","price":30,"picture":"b.png","desc":"A bone"}`,
		`{"name":"Avatar","diamond":2,"product_type":1,"category":{"name":"A","desc":"","style":"avatar_2","action":"avatar"},"stock":null}`,
		`{"name":"Tea","diamond":1e3,"stock":1.5}`, `{"id":1}`, `{"created_at":"x"}`, `{"title":"a\u0000"}`, `{"push_title":"t","title":"t"}`,
	} {
		for i := range Collections() {
			f.Add([]byte(s), uint8(i), true)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8, create bool) {
		in, err := httpx.DecodeObject(body)
		if err != nil {
			return
		}
		all := Collections()
		c := all[int(which)%len(all)]
		out, err := c.check(in, create)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid {
				t.Fatalf("%s: check of %s: %v, want an Invalid error naming a field", c.Name, body, err)
			}
			name, _, _ := strings.Cut(e.Field, ".")
			if _, inBody := in[e.Field]; !inBody && !hasField(c, name) {
				t.Fatalf("%s: check of %s names %q, neither in the body nor a field", c.Name, body, e.Field)
			}
			return
		}
		for _, fd := range c.Fields {
			v, ok := out[fd.Name]
			if fd.ReadOnly {
				if ok {
					t.Fatalf("%s: read-only %s written from %s", c.Name, fd.Name, body)
				}
				continue
			}
			if !ok {
				if create {
					t.Fatalf("%s: create of %s without %s", c.Name, body, fd.Name)
				}
				continue
			}
			if !kindOK(fd, v) {
				t.Fatalf("%s: %s = %#v (%T) of %s", c.Name, fd.Name, v, v, body)
			}
		}
		for k := range out {
			if !hasField(c, k) {
				t.Fatalf("%s: check of %s answers %s, no field", c.Name, body, k)
			}
		}
	})
}

func hasField(c *Collection, name string) bool {
	for _, fd := range c.Fields {
		if fd.Name == name {
			return true
		}
	}
	return false
}

// kindOK tells whether v is a value of fd's kind as check answers it.
func kindOK(fd Field, v any) bool {
	switch fd.Kind {
	case Int:
		n, ok := v.(int64)
		return v == nil && fd.Null || ok && n >= fd.Min && (fd.Max == 0 || n <= fd.Max) || fd.Default != nil && v == fd.Default
	case Bool:
		_, ok := v.(bool)
		return ok
	case Ref:
		switch x := v.(type) {
		case nil, publicRef:
			return true
		case int64:
			return x >= 1
		}
		return false
	case List:
		_, ok := v.([]string)
		return ok
	case Object:
		if v == nil {
			return true
		}
		_, ok := v.(map[string]any)
		return ok
	}
	_, ok := v.(string)
	return ok
}
