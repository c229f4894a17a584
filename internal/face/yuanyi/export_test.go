package yuanyi

import (
	"sort"

	"plaza/internal/content"
	"plaza/internal/showcase"
)

// MethodNames lists every function the face serves (aliases included), so
// that tests can go through all of them.
func MethodNames() []string {
	f := &face{Deps: Deps{Content: &content.Service{}, Showcase: &showcase.Service{}}}
	var out []string
	for name := range f.table() {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
