package market_test

import (
	"context"
	"testing"

	"plaza/internal/catalog"
	"plaza/internal/plazatest"
)

// The product list is served from memory while no product changes: a
// purchase, an admin's create, edit and delete each show at once, on both
// prefixes and with the filters, and a page is never another query's.
func TestProductListCacheIsExact(t *testing.T) {
	plazatest.Each(t, with(testOTP, "PLAZA_PAGE_CACHE", "true"), func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		tea := product(t, e, "Tea", 10, "", nil)
		frame := product(t, e, "Frame", 10, "avatar", nil)
		u := newUser(t, e, 1, "U")
		u.grant(t, 100)
		list := func(path string) []map[string]any {
			t.Helper()
			return results(t, want(t, e.Do("GET", path, nil), path, 200))
		}
		bought := func(path string, pk int64) int64 {
			t.Helper()
			for _, p := range list(path) {
				if number(p["pk"]) == pk {
					return number(p["bought"])
				}
			}
			t.Fatalf("%s lacks %d", path, pk)
			return 0
		}
		for _, path := range []string{"/market/exchange_products/", "/program_face2face/market/exchange_products/"} {
			for range 2 { // the second read is the cached one
				if n := len(list(path)); n != 2 || bought(path, tea) != 0 {
					t.Fatalf("%s: %d products", path, n)
				}
			}
		}
		if n := len(list("/market/exchange_products/?_type=1")); n != 1 {
			t.Fatalf("a filter answered another page: %d", n)
		}
		want(t, u.do("GET", "/market/exchange_products/purchase/"+id(tea)+"/"), "purchase", 200)
		for _, path := range []string{"/market/exchange_products/", "/program_face2face/market/exchange_products/"} {
			if b := bought(path, tea); b != 1 {
				t.Fatalf("%s after a purchase: bought %d", path, b)
			}
		}
		if _, err := e.App.Catalog.Update(ctx, catalog.ExchangeProducts, tea, map[string]any{"name": "Green tea"}); err != nil {
			t.Fatal(err)
		}
		if got := list("/market/exchange_products/?_type=0"); len(got) != 1 || got[0]["name"] != "Green tea" {
			t.Fatalf("after an edit: %v", got)
		}
		product(t, e, "Milk", 5, "", nil)
		if n := len(list("/market/exchange_products/")); n != 3 {
			t.Fatalf("after a create: %d", n)
		}
		if err := e.App.Catalog.Delete(ctx, catalog.ExchangeProducts, frame); err != nil {
			t.Fatal(err)
		}
		if n := len(list("/market/exchange_products/?_type=1")); n != 0 {
			t.Fatalf("after a delete: %d", n)
		}
	})
}
