package catalog

import (
	"strings"

	"plaza/internal/errs"
)

// Canonical returns the body in with every field given under one of its
// Aliases renamed to the field's Name; other keys stay as they are. A body
// that names one field twice (its name and an alias, or two aliases) is
// refused, naming the field.
func Canonical(fields []Field, in map[string]any) (map[string]any, error) {
	var out map[string]any
	for _, f := range fields {
		if len(f.Aliases) == 0 {
			continue
		}
		var given []string
		for _, n := range append([]string{f.Name}, f.Aliases...) {
			if _, ok := in[n]; ok {
				given = append(given, n)
			}
		}
		if len(given) > 1 {
			return nil, errs.InvalidField(f.Name, strings.Join(given, " and ")+" are names of one field, "+f.Name+"; give it once")
		}
		if len(given) == 0 || given[0] == f.Name {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(in))
			for k, v := range in {
				out[k] = v
			}
		}
		out[f.Name] = out[given[0]]
		delete(out, given[0])
	}
	if out == nil {
		return in, nil
	}
	return out, nil
}

// checkNames panics when two fields of a collection share a name or an
// alias (a declaration error).
func checkNames(c *Collection) {
	seen := map[string]bool{"id": true, "created_at": true, "updated_at": true}
	for _, f := range c.Fields {
		for _, n := range append([]string{f.Name}, f.Aliases...) {
			if seen[n] {
				panic("catalog: " + c.Name + " names " + n + " twice")
			}
			seen[n] = true
		}
		if f.RefPublic != "" && f.Kind != Ref {
			panic("catalog: " + c.Name + "." + f.Name + " has RefPublic but is no Ref")
		}
	}
}
