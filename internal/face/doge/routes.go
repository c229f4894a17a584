package doge

import (
	"net/http"
	"strings"

	"plaza/internal/httpx"
)

// Prefix is the face's path.
const Prefix = "/api/v1/"

// Routes registers the whole doge face on rt. Every path under Prefix,
// known or not, answers in this face's envelope: the catch-all here is
// more specific than the member face's /api/.
func Routes(rt *httpx.Router, d Deps) {
	f := &face{Deps: d}
	handle := func(path string, methods map[string]handler) {
		h := f.route(methods)
		rt.Handle(Prefix+path+"{$}", h)
		rt.Handle(Prefix+strings.TrimSuffix(path, "/"), h) // without the trailing slash too
	}
	handle("user/", map[string]handler{"GET": f.readUser, "POST": f.writeUser})
	handle("user/pet/", map[string]handler{"GET": f.auth(f.heartbeat), "POST": f.auth(f.createPet)})
	handle("pick/", map[string]handler{"GET": f.auth(f.pick), "POST": f.auth(f.pick)})
	handle("pet/action/", map[string]handler{"GET": f.auth(f.action), "POST": f.auth(f.action)})
	handle("goods/", map[string]handler{"GET": f.auth(f.goods)})
	handle("goods/{gid}/", map[string]handler{"POST": f.auth(f.buy)})
	handle("gifts/", map[string]handler{"GET": f.auth(f.gifts), "POST": f.auth(f.gifts)})
	handle("gift/", map[string]handler{"GET": f.auth(f.carry), "POST": f.auth(f.carry)})
	handle("upload/", map[string]handler{"POST": f.auth(f.upload)})
	handle("encounters/", map[string]handler{"GET": f.auth(f.encounters)})
	handle("encounter/{mid}/", map[string]handler{"GET": f.auth(f.encounter)})

	// Anything else under /api/v1/: status 7, HTTP 404.
	rt.Handle(Prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.write(w, r, http.StatusNotFound, envelope{stNotFound, "不存在: no such path", empty})
	}))
}
