package catalog

import (
	"errors"
	"reflect"
	"testing"

	"plaza/internal/errs"
)

func TestCanonical(t *testing.T) {
	fields := []Field{{Name: "push_title", Aliases: []string{"title", "subject"}}, {Name: "user_ids"}}
	in := map[string]any{"title": "t", "user_ids": nil, "other": 1}
	got, err := Canonical(fields, in)
	if err != nil || !reflect.DeepEqual(got, map[string]any{"push_title": "t", "user_ids": nil, "other": 1}) {
		t.Fatalf("Canonical = %v, %v", got, err)
	}
	if _, ok := in["push_title"]; ok {
		t.Fatal("Canonical changed its input")
	}
	for _, body := range []map[string]any{
		{"title": "a", "push_title": "b"},
		{"title": "a", "subject": "b"},
		{"push_title": nil, "subject": "b"},
	} {
		_, err := Canonical(fields, body)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != "push_title" {
			t.Fatalf("%v: %v, want invalid naming push_title", body, err)
		}
	}
}

func TestCollectionsNameEachFieldOnce(t *testing.T) {
	for _, c := range Collections() {
		checkNames(c) // register did it too; panics on a clash
	}
	defer func() {
		if recover() == nil {
			t.Fatal("an alias equal to another field's name was accepted")
		}
	}()
	checkNames(&Collection{Name: "x", Fields: []Field{{Name: "a"}, {Name: "b", Aliases: []string{"a"}}}})
}
