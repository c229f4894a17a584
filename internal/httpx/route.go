package httpx

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"plaza/internal/errs"
)

// Handler serves a request whose parameters Parse has read: the body of a
// success, or an error.
type Handler func(r *http.Request, p *Params) (any, error)

// Face is how a face answers the requests of its Routes: OK a success's
// body, Fail an error, NotAllowed a method the path does not serve (the
// Allow header is set by then).
type Face struct {
	Log        *slog.Logger
	OK         func(w http.ResponseWriter, r *http.Request, body any)
	Fail       func(w http.ResponseWriter, r *http.Request, err error)
	NotAllowed func(w http.ResponseWriter, r *http.Request)
}

// Route serves one path with a handler per method: it reads the
// parameters (Parse), runs the method's handler and answers through the
// face; a panic is answered as an internal error (Recover).
func (f Face) Route(methods map[string]Handler) http.Handler {
	allow := make([]string, 0, len(methods))
	for m := range methods {
		allow = append(allow, m)
	}
	slices.Sort(allow)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer Recover(f.Log, r, func() { f.Fail(w, r, errs.E(errs.Internal, "internal error")) })
		h, ok := methods[r.Method]
		if !ok {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			f.NotAllowed(w, r)
			return
		}
		p, err := Parse(w, r)
		if err != nil {
			f.Fail(w, r, err)
			return
		}
		body, err := h(r, p)
		if err != nil {
			f.Fail(w, r, err)
			return
		}
		f.OK(w, r, body)
	})
}
