package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/valid"
)

// check validates input against the fields. On create, absent fields get
// their defaults and required ones must be there.
func (c *Collection) check(in map[string]any, create bool) (map[string]any, error) {
	in, err := Canonical(c.Fields, in)
	if err != nil {
		return nil, err
	}
	known := map[string]Field{}
	for _, f := range c.Fields {
		known[f.Name] = f
	}
	for name := range in {
		f, ok := known[name]
		if !ok {
			// id, created_at and updated_at too: they are read-only.
			return nil, errs.InvalidField(name, "unknown field "+name)
		}
		if f.ReadOnly {
			return nil, errs.InvalidField(name, name+" is read-only")
		}
	}
	out := map[string]any{}
	for _, f := range c.Fields {
		if f.ReadOnly {
			continue
		}
		raw, given := in[f.Name]
		if !given {
			if create {
				if f.Required && f.Kind != PublicID {
					return nil, errs.InvalidField(f.Name, f.Name+" is required")
				}
				out[f.Name] = f.zero()
			}
			continue
		}
		v, err := f.value(raw)
		if err != nil {
			return nil, err
		}
		out[f.Name] = v
	}
	return out, nil
}

// publicRef is a Ref given by the public id of its row; the writing
// transaction looks the row's id up.
type publicRef string

func (f Field) zero() any {
	if f.Default != nil {
		return f.Default
	}
	switch f.Kind {
	case Int:
		if f.Null {
			return nil
		}
		return int64(0)
	case Object:
		return nil
	case Bool:
		return false
	case Ref:
		return nil
	case List:
		return []string{}
	}
	return ""
}

func (f Field) value(raw any) (any, error) {
	bad := func(want string) error { return errs.InvalidField(f.Name, f.Name+" must be "+want) }
	switch f.Kind {
	case Int:
		if raw == nil && f.Null {
			if f.Required {
				return nil, errs.InvalidField(f.Name, f.Name+" is required")
			}
			return nil, nil
		}
		n, ok := integer(raw)
		if !ok {
			if f.Null {
				return nil, bad("an integer or null")
			}
			return nil, bad("an integer")
		}
		if n < f.Min || (f.Max != 0 && n > f.Max) {
			if f.Max == 0 {
				return nil, errs.InvalidField(f.Name, fmt.Sprintf("%s must be %d or more", f.Name, f.Min))
			}
			return nil, errs.InvalidField(f.Name, fmt.Sprintf("%s must be %d to %d", f.Name, f.Min, f.Max))
		}
		return n, nil
	case Bool:
		b, ok := raw.(bool)
		if !ok {
			return nil, bad("true or false")
		}
		return b, nil
	case Ref:
		if raw == nil {
			if f.Required {
				return nil, errs.InvalidField(f.Name, f.Name+" is required")
			}
			return nil, nil
		}
		want := "the id of a " + f.refName() + " (a positive integer) or null"
		if f.RefPublic != "" {
			if s, ok := raw.(string); ok && valid.IsHexID(s) {
				return publicRef(s), nil
			}
			want = "the id of a " + f.refName() + " (a positive integer, or its " + f.RefPublic + ": 32 lowercase hexadecimal digits) or null"
		}
		n, ok := integer(raw)
		if !ok || n < 1 {
			return nil, bad(want)
		}
		return n, nil
	case List:
		return f.list(raw)
	case Object:
		return f.object(raw)
	case PublicID:
		s, ok := raw.(string)
		if !ok || !valid.IsHexID(s) {
			return nil, bad("32 lowercase hexadecimal digits")
		}
		return s, nil
	}
	s, ok := raw.(string)
	if !ok {
		return nil, bad("a string")
	}
	return s, f.text(f.Name, s, f.Max, f.Required)
}

// text checks one text value: UTF-8, control characters (tabs and line
// breaks only in a Multiline field), length, required, options, Check.
func (f Field) text(name, s string, max int64, required bool) error {
	if max == 0 {
		max = 255
	}
	if required && s == "" {
		return errs.InvalidField(name, name+" is required")
	}
	check := valid.Line
	if f.Multiline {
		check = valid.Text
	}
	if err := check(name, s, int(max)); err != nil {
		return err
	}
	if f.Kind == Enum {
		for _, o := range f.Options {
			if s == o {
				return nil
			}
		}
		return errs.InvalidField(f.Name, f.Name+" must be one of "+strings.Join(f.Options, ", "))
	}
	if s != "" && f.Check != nil {
		return f.Check(name, s)
	}
	return nil
}

// object reads a JSON object of the Sub fields (or null): every sub-field
// is a text checked as a field of its own, named "<field>.<sub>"; absent
// ones are empty (or their Default).
func (f Field) object(raw any) (any, error) {
	if raw == nil {
		if f.Required {
			return nil, errs.InvalidField(f.Name, f.Name+" is required")
		}
		return nil, nil
	}
	in, ok := raw.(map[string]any)
	if !ok {
		return nil, errs.InvalidField(f.Name, f.Name+" must be an object or null")
	}
	known := map[string]bool{}
	for _, sf := range f.Sub {
		known[sf.Name] = true
	}
	for k := range in {
		if !known[k] {
			return nil, errs.InvalidField(f.Name+"."+k, "unknown field "+f.Name+"."+k)
		}
	}
	out := make(map[string]any, len(f.Sub))
	for _, sf := range f.Sub {
		name := f.Name + "." + sf.Name
		v, given := in[sf.Name]
		if !given {
			if sf.Required {
				return nil, errs.InvalidField(name, name+" is required")
			}
			d, _ := sf.Default.(string)
			out[sf.Name] = d
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, errs.InvalidField(name, name+" must be a string")
		}
		sf.Name = name
		if err := sf.text(name, s, sf.Max, sf.Required); err != nil {
			return nil, err
		}
		out[sf.Name[len(f.Name)+1:]] = s
	}
	return out, nil
}

// list reads a JSON list of texts.
func (f Field) list(raw any) ([]string, error) {
	items, ok := raw.([]any)
	if !ok {
		return nil, errs.InvalidField(f.Name, f.Name+" must be a list of strings")
	}
	max := f.Max
	if max == 0 {
		max = 20
	}
	if int64(len(items)) > max {
		return nil, errs.InvalidField(f.Name, fmt.Sprintf("%s holds at most %d items", f.Name, max))
	}
	if f.Required && len(items) == 0 {
		return nil, errs.InvalidField(f.Name, f.Name+" needs at least one item")
	}
	out := make([]string, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, errs.InvalidField(f.Name, f.Name+" must be a list of strings")
		}
		if err := f.text(f.Name, s, int64(f.ItemMax), true); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// integer reads a JSON number (or a Go integer) that is a whole number.
func integer(raw any) (int64, bool) {
	switch v := raw.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return i, true
		}
		f, err := v.Float64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		return int64(f), true
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, false
		}
		return int64(v), true
	case int64:
		return v, true
	case int:
		return int64(v), true
	}
	return 0, false
}
