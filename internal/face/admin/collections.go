package admin

import (
	"net/http"
	"time"

	"plaza/internal/admins"
	"plaza/internal/catalog"
)

// wireRecord shows a record with RFC 3339 times.
func wireRecord(rec catalog.Record) map[string]any {
	out := make(map[string]any, len(rec))
	for k, v := range rec {
		if t, ok := v.(time.Time); ok {
			v = ts(t)
		}
		out[k] = v
	}
	return out
}

// collection registers list, create, read, update and delete of c.
func (f *face) collection(rt interface {
	Handle(string, http.Handler)
}, c *catalog.Collection) {
	base := "/admin/v1/" + c.Name
	rt.Handle("GET "+base, f.serve(func(r *http.Request, _ admins.Admin) (int, any, error) {
		no, size, err := page(r)
		if err != nil {
			return 0, nil, err
		}
		q := r.URL.Query()
		recs, total, err := f.Catalog.List(r.Context(), c, catalog.Query{Q: q.Get("q"), Sort: q.Get("sort"), Offset: (no - 1) * size, Limit: size})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, listOf(recs, total, no, size, wireRecord), nil
	}))
	rt.Handle("POST "+base, f.serve(func(r *http.Request, _ admins.Admin) (int, any, error) {
		in, err := decode(r)
		if err != nil {
			return 0, nil, err
		}
		rec, err := f.Catalog.Create(r.Context(), c, in)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, wireRecord(rec), nil
	}))
	read := func(r *http.Request) (any, error) {
		id, err := idOf(r)
		if err != nil {
			return nil, err
		}
		rec, err := f.Catalog.Get(r.Context(), c, id)
		if err != nil {
			return nil, err
		}
		return wireRecord(rec), nil
	}
	rt.Handle("GET "+base+"/{id}", f.serve(func(r *http.Request, _ admins.Admin) (int, any, error) {
		rec, err := read(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, rec, nil
	}))
	rt.Handle("PATCH "+base+"/{id}", f.serve(before(read, func(r *http.Request, _ admins.Admin) (int, any, error) {
		id, err := idOf(r)
		if err != nil {
			return 0, nil, err
		}
		in, err := decode(r)
		if err != nil {
			return 0, nil, err
		}
		rec, err := f.Catalog.Update(r.Context(), c, id, in)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, wireRecord(rec), nil
	})))
	rt.Handle("DELETE "+base+"/{id}", f.serve(before(read, func(r *http.Request, _ admins.Admin) (int, any, error) {
		id, err := idOf(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, f.Catalog.Delete(r.Context(), c, id)
	})))
}
