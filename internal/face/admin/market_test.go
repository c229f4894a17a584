package admin_test

import (
	"net/http"
	"strconv"
	"testing"

	"plaza/internal/plazatest"
)

func TestGoodsAndExchangeProducts(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		g := a.ok("POST", "/admin/v1/goods", map[string]any{"name": "Bone", "price": 30, "picture": "b.png", "desc": "A bone"}, 201)
		sameKeys(t, "goods", g, "created_at", "desc", "id", "name", "picture", "price", "updated_at")
		gp := "/admin/v1/goods/" + idStr(t, g)
		if got := a.ok("PATCH", gp, map[string]any{"desc": "Two\nlines"}, 200); got["desc"] != "Two\nlines" || num(t, got["price"]) != 30 {
			t.Fatalf("patched goods %v", got)
		}
		for field, body := range map[string]map[string]any{"name": {"price": 1}, "price": {"name": "x", "price": -1}, "cost": {"name": "x", "cost": 1}} {
			a.fail("POST", "/admin/v1/goods", body, 400, "invalid", field)
		}
		a.fail("POST", "/admin/v1/goods", map[string]any{"name": "x", "price": 1.5}, 400, "invalid", "price")
		a.fail("POST", "/admin/v1/goods", map[string]any{"name": "x", "price": "1"}, 400, "invalid", "price")
		a.ok("DELETE", gp, nil, http.StatusNoContent)
		a.fail("GET", gp, nil, 404, "not_found", "")

		virtual := map[string]any{"name": "Frame", "content": "A frame", "image": "f.png", "diamond": 300, "product_type": 1,
			"category": map[string]any{"name": "Avatar", "desc": "", "style": "avatar_2", "action": "avatar"}}
		p := a.ok("POST", "/admin/v1/exchange-products", virtual, 201)
		sameKeys(t, "exchange product", p, "bought", "category", "content", "created_at", "diamond", "id", "image", "name", "product_type", "stock", "updated_at")
		if p["stock"] != nil || num(t, p["bought"]) != 0 || p["category"].(map[string]any)["action"] != "avatar" {
			t.Fatalf("product %v", p)
		}
		pp := "/admin/v1/exchange-products/" + idStr(t, p)
		got := a.ok("PATCH", pp, map[string]any{"stock": 5, "category": map[string]any{"action": "background"}}, 200)
		if num(t, got["stock"]) != 5 || got["category"].(map[string]any)["action"] != "background" || got["category"].(map[string]any)["style"] != "" {
			t.Fatalf("patched %v", got)
		}
		if got := a.ok("PATCH", pp, map[string]any{"stock": nil}, 200); got["stock"] != nil {
			t.Fatalf("unlimited again %v", got)
		}
		physical := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Tea", "diamond": 100, "stock": 0}, 201)
		if physical["category"] != nil || num(t, physical["product_type"]) != 0 || num(t, physical["stock"]) != 0 {
			t.Fatalf("physical %v", physical)
		}
		cases := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "x"}, "diamond"},
			{map[string]any{"name": "x", "diamond": 0}, "diamond"},
			{map[string]any{"name": "x", "diamond": -5}, "diamond"},
			{map[string]any{"name": "x", "diamond": 1e300}, "diamond"},
			{map[string]any{"name": "x", "diamond": 9007199254740992}, "diamond"},
			{map[string]any{"name": "x", "diamond": 1.5}, "diamond"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 2}, "product_type"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 1}, "category"},
			{map[string]any{"name": "x", "diamond": 1, "category": map[string]any{"action": "avatar"}}, "category"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 1, "category": map[string]any{"action": "hat"}}, "category.action"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 1, "category": map[string]any{"name": "n"}}, "category.action"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 1, "category": map[string]any{"action": "avatar", "colour": "red"}}, "category.colour"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 1, "category": map[string]any{"action": "avatar", "style": 3}}, "category.style"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 1, "category": map[string]any{"action": "avatar", "name": "a\x00b"}}, "category"},
			{map[string]any{"name": "x", "diamond": 1, "product_type": 1, "category": "avatar"}, "category"},
			{map[string]any{"name": "x", "diamond": 1, "stock": -1}, "stock"},
			{map[string]any{"name": "x", "diamond": 1, "stock": "5"}, "stock"},
			{map[string]any{"name": "x", "diamond": 1, "bought": 3}, "bought"},
			{map[string]any{"name": "x", "diamond": 1, "price": 3}, "price"},
		}
		for _, c := range cases {
			a.fail("POST", "/admin/v1/exchange-products", c.body, 400, "invalid", c.field)
		}
		a.fail("PATCH", pp, map[string]any{"bought": 10}, 400, "invalid", "bought")
		a.fail("PATCH", pp, map[string]any{"product_type": 0}, 400, "invalid", "category")
		a.fail("PATCH", pp, map[string]any{"category": nil}, 400, "invalid", "category")
		if got := a.ok("PATCH", pp, map[string]any{"product_type": 0, "category": nil}, 200); got["category"] != nil {
			t.Fatalf("made physical %v", got)
		}
		if n := total(t, a, "/admin/v1/exchange-products"); n != 2 {
			t.Fatalf("%d products", n)
		}
		// A product with orders stays (409); one without goes.
		tok, uid := register(t, e, "13800138000")
		a.ok("POST", "/admin/v1/users/"+strconv.FormatInt(uid, 10)+"/wallet", map[string]any{"currency": "diamond", "amount": 300, "reason": "gift"}, 201)
		if res := e.Do("GET", "/market/exchange_products/purchase/"+idStr(t, p)+"/", nil, "Authorization", "Token "+tok); res.Status != 200 {
			t.Fatalf("purchase %d %s", res.Status, res.Body)
		}
		if got := a.ok("GET", pp, nil, 200); num(t, got["bought"]) != 1 {
			t.Fatalf("bought %v", got["bought"])
		}
		a.fail("DELETE", pp, nil, 409, "conflict", "")
		a.ok("DELETE", "/admin/v1/exchange-products/"+idStr(t, physical), nil, http.StatusNoContent)
	})
}

func TestAdminWallet(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		_, uid := register(t, e, "13800138000")
		w := "/admin/v1/users/" + strconv.FormatInt(uid, 10) + "/wallet"
		l := "/admin/v1/users/" + strconv.FormatInt(uid, 10) + "/ledger"
		grant := map[string]any{"currency": "diamond", "amount": 100, "reason": "prize", "idempotency_key": "g1"}
		m := a.ok("POST", w, grant, 201)
		sameKeys(t, "adjust", m, "balance", "replayed", "transaction")
		if num(t, m["balance"]) != 100 || m["replayed"] != false {
			t.Fatalf("grant %v", m)
		}
		first := m["transaction"].(map[string]any)
		if first["kind"] != "grant" || num(t, first["amount"]) != 100 || first["reason"] != "prize" {
			t.Fatalf("transaction %v", first)
		}
		// The same key again: nothing changes, the first result.
		again := a.ok("POST", w, grant, 200)
		if again["replayed"] != true || num(t, again["transaction"].(map[string]any)["id"]) != num(t, first["id"]) || num(t, again["balance"]) != 100 {
			t.Fatalf("replay %v", again)
		}
		a.fail("POST", w, with(grant, "amount", 5), 409, "conflict", "")
		m = a.ok("POST", w, map[string]any{"currency": "diamond", "amount": -40, "reason": "fix"}, 201)
		if num(t, m["balance"]) != 60 || m["transaction"].(map[string]any)["kind"] != "take" {
			t.Fatalf("take %v", m)
		}
		// Never below zero, and refusals write nothing.
		a.fail("POST", w, map[string]any{"currency": "diamond", "amount": -61, "reason": "fix"}, 409, "insufficient_funds", "")
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"currency": "diamond", "amount": 0, "reason": "x"}, "amount"},
			{map[string]any{"currency": "diamond", "amount": 1.5, "reason": "x"}, "amount"},
			{map[string]any{"currency": "diamond", "amount": "10", "reason": "x"}, "amount"},
			{map[string]any{"currency": "diamond", "amount": nil, "reason": "x"}, "amount"},
			{map[string]any{"currency": "diamond", "reason": "x"}, "amount"},
			{map[string]any{"currency": "diamond", "amount": 9007199254740992, "reason": "x"}, "amount"},
			{map[string]any{"currency": "diamond", "amount": -9007199254740992, "reason": "x"}, "amount"},
			{map[string]any{"currency": "diamond", "amount": 1e30, "reason": "x"}, "amount"},
			{map[string]any{"currency": "ruby", "amount": 1, "reason": "x"}, "currency"},
			{map[string]any{"currency": 1, "amount": 1, "reason": "x"}, "currency"},
			{map[string]any{"amount": 1, "reason": "x"}, "currency"},
			{map[string]any{"currency": "diamond", "amount": 1}, "reason"},
			{map[string]any{"currency": "diamond", "amount": 1, "reason": "a\nb"}, "reason"},
			{map[string]any{"currency": "diamond", "amount": 1, "reason": "x", "idempotency_key": "has space"}, "idempotency_key"},
			{map[string]any{"currency": "diamond", "amount": 1, "reason": "x", "user_id": 2}, "user_id"},
		} {
			a.fail("POST", w, c.body, 400, "invalid", c.field)
		}
		a.fail("POST", w, `{"currency": "diamond", "amount": 1e3, "reason": "x"}`, 400, "invalid", "amount")
		a.fail("POST", w, `{"currency": "diamond", "amount": 10.0, "reason": "x"}`, 400, "invalid", "amount")
		a.fail("POST", "/admin/v1/users/999999/wallet", map[string]any{"currency": "diamond", "amount": 1, "reason": "x"}, 404, "not_found", "")
		a.fail("GET", "/admin/v1/users/999999/ledger?currency=diamond", nil, 404, "not_found", "")
		a.api0(t, e).fail("POST", w, grant, 401, "unauthenticated", "")

		// The ledger, cursor paged.
		for i := 0; i < 3; i++ {
			a.ok("POST", w, map[string]any{"currency": "diamond", "amount": 1, "reason": "r" + strconv.Itoa(i)}, 201)
		}
		page := a.ok("GET", l+"?currency=diamond&limit=2", nil, 200)
		sameKeys(t, "ledger", page, "items", "next_cursor")
		items := page["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["reason"] != "r2" || page["next_cursor"] == "" {
			t.Fatalf("ledger %v", page)
		}
		var all []any
		for cur := ""; ; {
			p := a.ok("GET", l+"?currency=diamond&limit=2&cursor="+cur, nil, 200)
			all = append(all, p["items"].([]any)...)
			if cur = p["next_cursor"].(string); cur == "" {
				break
			}
		}
		if len(all) != 5 || num(t, all[0].(map[string]any)["balance"]) != 63 || num(t, all[4].(map[string]any)["amount"]) != 100 {
			t.Fatalf("whole ledger %v", all)
		}
		a.fail("GET", l+"?currency=diamond&cursor=garbage", nil, 400, "invalid", "cursor")
		a.fail("GET", l+"?currency=diamond&limit=0", nil, 400, "invalid", "limit")
		a.fail("GET", l+"?currency=diamond&limit=101", nil, 400, "invalid", "limit")
		a.fail("GET", l+"?currency=ruby", nil, 400, "invalid", "currency")
		a.fail("GET", l+"?currency=%ff", nil, 400, "invalid", "currency")
		a.fail("GET", l+"?currency=diamond%00", nil, 400, "invalid", "currency")
		a.fail("GET", l, nil, 400, "invalid", "currency")
		if n := rows(t, e, "wallet_transactions"); n != 5 {
			t.Fatalf("%d transactions", n)
		}
	})
}

// api0 is the face without a token.
func (a api) api0(t *testing.T, e *plazatest.Env) api { return api{t: t, e: e} }
