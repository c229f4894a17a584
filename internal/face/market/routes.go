package market

import (
	"net/http"

	"plaza/internal/httpx"
)

// Prefixes the face is served under: the app's, and the same routes
// without its /program_face2face part.
var prefixes = []string{"/program_face2face", ""}

// Routes registers the whole market face on rt.
func Routes(rt *httpx.Router, d Deps) {
	f := &face{Deps: d}
	if d.Cache {
		f.pages = &httpx.PageCache{}
	}
	for _, pre := range prefixes {
		m := pre + "/market/"
		// The purchase is a GET in the document; POST does the same.
		rt.Handle(m+"exchange_products/{$}", f.route(map[string]handler{"GET": f.products}))
		rt.Handle(m+"exchange_products/{pk}/{$}", f.route(map[string]handler{"GET": f.product}))
		rt.Handle(m+"exchange_products/purchase/{pk}/{$}", f.route(map[string]handler{"GET": f.auth(f.purchase), "POST": f.auth(f.purchase)}))
		rt.Handle(m+"exchange_product_order/{$}", f.route(map[string]handler{"GET": f.auth(f.orders)}))
		rt.Handle(m+"exchange_product_order/{number}/{$}", f.route(map[string]handler{"GET": f.auth(f.order)}))
		rt.Handle(m+"user_products/{$}", f.route(map[string]handler{"GET": f.auth(f.userProducts)}))
		// PUT in the document's table, GET in its cURL example.
		rt.Handle(m+"use_product/{pk}/{$}", f.route(map[string]handler{"PUT": f.auth(f.use), "POST": f.auth(f.use), "GET": f.auth(f.use)}))
		rt.Handle(m+"unuse_product/{pk}/{$}", f.route(map[string]handler{"PUT": f.auth(f.unuse), "POST": f.auth(f.unuse), "GET": f.auth(f.unuse)}))

		u := pre + "/userinfo/"
		rt.Handle(u+"{$}", f.route(map[string]handler{"GET": f.auth(f.userInfo)}))
		rt.Handle(u+"diamond_records/{$}", f.route(map[string]handler{"GET": f.auth(f.diamondRecords)}))

		// Anything else under the face's paths: DRF's 404.
		notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.write(w, r, http.StatusNotFound, map[string]string{"detail": detailNotFound})
		})
		rt.Handle(m, notFound)
		rt.Handle(u, notFound)
	}
}
