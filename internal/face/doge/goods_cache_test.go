package doge_test

import (
	"context"
	"fmt"
	"testing"

	"plaza/internal/catalog"
	"plaza/internal/plazatest"
)

// The goods pages are kept encoded while no goods change: an admin's
// create, edit and delete each show at once, and a page is never another
// page's (PLAZA_PAGE_CACHE forced on for PostgreSQL too: one node here).
func TestGoodsPagesCacheIsExact(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_PAGE_CACHE": "true"}, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		p := signUp(t, e, "device-cache", "阿黄")
		var first int64
		for i := range 21 {
			rec, err := e.App.Catalog.Create(ctx, catalog.Goods, map[string]any{"name": fmt.Sprint("骨头", i), "price": 1})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = rec.ID()
			}
		}
		names := func(page string) []string {
			t.Helper()
			b := call(t, e, "GET", p.q("/api/v1/goods/?page="+page), nil, 200, 1)
			var out []string
			for _, g := range b["goods_list"].([]any) {
				out = append(out, g.(map[string]any)["name"].(string))
			}
			return out
		}
		for range 2 { // the second read is the kept one
			if n1, n2 := names("1"), names("2"); len(n1) != 20 || len(n2) != 1 {
				t.Fatalf("pages of %d and %d goods", len(n1), len(n2))
			}
		}
		if _, err := e.App.Catalog.Update(ctx, catalog.Goods, first, map[string]any{"name": "大骨头"}); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, pg := range []string{"1", "2"} {
			for _, n := range names(pg) {
				found = found || n == "大骨头"
			}
		}
		if !found {
			t.Fatal("an edit did not show")
		}
		if _, err := e.App.Catalog.Create(ctx, catalog.Goods, map[string]any{"name": "肉干", "price": 2}); err != nil {
			t.Fatal(err)
		}
		if n := len(names("2")); n != 2 {
			t.Fatalf("after a create, page 2 has %d goods", n)
		}
		if err := e.App.Catalog.Delete(ctx, catalog.Goods, first); err != nil {
			t.Fatal(err)
		}
		if n := len(names("2")); n != 1 {
			t.Fatalf("after a delete, page 2 has %d goods", n)
		}
	})
}
