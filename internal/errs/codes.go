package errs

import "sort"

// Codes is a face's one table from core errors to its own codes: the code
// of every kind, and for every reason declared by any core either a code of
// its own (Reasons) or the code of its error's kind (ByKind). A reason the
// table names in neither is Missing, and each face has a test that nothing
// is, so that a reason a core adds is mapped on purpose.
type Codes[C any] struct {
	Kinds   map[Kind]C
	Reasons map[Reason]C
	ByKind  []Reason
	// Default answers an error whose kind is not in Kinds (a table whose
	// test passes has none).
	Default C
}

// Of is the code of err.
func (t Codes[C]) Of(err error) C {
	if c, ok := t.Reasons[ReasonOf(err)]; ok {
		return c
	}
	if c, ok := t.Kinds[KindOf(err)]; ok {
		return c
	}
	return t.Default
}

// Missing names the kinds and the declared reasons the table does not map.
func (t Codes[C]) Missing() []string {
	var out []string
	for _, k := range Kinds() {
		if _, ok := t.Kinds[k]; !ok {
			out = append(out, "kind "+k.String())
		}
	}
	byKind := map[Reason]bool{}
	for _, r := range t.ByKind {
		byKind[r] = true
	}
	for _, r := range Reasons() {
		if _, own := t.Reasons[r]; !own && !byKind[r] {
			out = append(out, "reason "+r.String())
		}
	}
	for r := range t.Reasons {
		if byKind[r] {
			out = append(out, "reason "+r.String()+" both has a code and keeps its kind's")
		}
	}
	sort.Strings(out)
	return out
}
