package yuanyi

import (
	"maps"
	"slices"

	"plaza/internal/content"
)

// MethodNames lists every function the face serves (aliases included),
// for tests that must cover them all.
func MethodNames() []string {
	f := &face{Deps: Deps{Content: &content.Service{}}}
	return slices.Sorted(maps.Keys(f.table()))
}
