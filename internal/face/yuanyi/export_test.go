package yuanyi

import (
	"maps"
	"slices"

	"plaza/internal/content"
	"plaza/internal/showcase"
)

// MethodNames lists every function the face serves (aliases included), for
// tests that must cover them all.
func MethodNames() []string {
	f := &face{Deps: Deps{Content: &content.Service{}, Showcase: &showcase.Service{}}}
	return slices.Sorted(maps.Keys(f.table()))
}

// The face's table and mapping, for the test that checks it is whole.
var (
	Codes  = codes
	CodeOf = codeOf
)
