package admin_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
)

// merged is a copy of base with the keys of more.
func merged(base, more map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// TestOpenAPIScenario calls every operation of the admin API's document
// at least once through the real server, with valid input and some
// invalid, and checks every exchange against the document (checked). A
// new route in the document fails this test until a call of it is added
// here (or to another test using checked and unseen).
func TestOpenAPIScenario(t *testing.T) {
	plazatest.Each(t, shopEnv(t), func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		anon := check(api{t: t, e: e})

		// Session.
		anon.fail("POST", "/admin/v1/login", map[string]any{"email": adminEmail}, 400, "invalid", "")
		anon.fail("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": "wrong-password"}, 401, "unauthenticated", "")
		anon.fail("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword, "role": "root"}, 400, "invalid", "role")
		anon.fail("POST", "/admin/v1/login", "{", 400, "invalid", "")
		tok, _ := anon.ok("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, 200)["token"].(string)
		a := anon.with(tok)
		anon.fail("GET", "/admin/v1/users", nil, 401, "unauthenticated", "")
		anon.with("not-a-token").fail("GET", "/admin/v1/faqs", nil, 401, "unauthenticated", "")

		// The document and its page.
		if res := anon.do("GET", "/admin/v1/openapi.json", nil); res.Status != 200 {
			t.Fatalf("openapi.json: %d", res.Status)
		}
		for _, p := range []string{"/admin/v1/reference", "/admin/v1/reference/reference.js", "/admin/v1/reference/reference.css"} {
			if res := anon.do("GET", p, nil); res.Status != 200 {
				t.Fatalf("%s: %d", p, res.Status)
			}
		}

		// The catalog: a record of every collection, read, listed, changed,
		// refused.
		merchant := a.ok("POST", "/admin/v1/merchants", map[string]any{"name": "Shop", "email": "shop@example.com", "phone": "+86 138-0013-8000", "logo": "a.jpeg"}, 201)
		master := a.ok("POST", "/admin/v1/masters", map[string]any{"name": "达人", "birthday": "1990-01-02", "recommended": true}, 201)
		project := a.ok("POST", "/admin/v1/projects", map[string]any{"master_id": master["master_id"], "name": "项目"}, 201)
		bodies := []struct {
			name      string
			create    map[string]any
			update    map[string]any
			bad       map[string]any
			badField  string
			deletable bool
		}{
			{"goods", map[string]any{"name": "Bone", "price": 5, "desc": "a\nbone"}, map[string]any{"price": 6}, map[string]any{"price": -1}, "price", true},
			{"exchange-products", map[string]any{"name": "Frame", "diamond": 10, "product_type": 1, "stock": nil,
				"category": map[string]any{"name": "Frames", "action": "avatar"}}, map[string]any{"stock": 5}, map[string]any{"diamond": 0}, "diamond", false},
			{"banners", map[string]any{"placement": "home", "image": "b.jpeg", "url": "https://example.com/x"}, map[string]any{"sort": 2},
				map[string]any{"placement": "nowhere"}, "placement", true},
			{"faqs", map[string]any{"title": "Why?", "content": "Because."}, map[string]any{"category": "general"}, map[string]any{"title": ""}, "title", true},
			{"feedback-categories", map[string]any{"name": "Bugs"}, map[string]any{"description": "Things that broke"}, map[string]any{"id": 5}, "id", false},
			{"masters", map[string]any{"name": "Other master"}, map[string]any{"intro": "Hi"}, map[string]any{"birthday": "yesterday"}, "birthday", true},
			{"merchants", map[string]any{"name": "Other shop"}, map[string]any{"address": "Road 1"}, map[string]any{"email": "not-mail"}, "email", true},
			{"clothes", map[string]any{"kind": "merchant", "name": "Robe", "merchant_id": merchant["merchant_id"], "images": []any{"c.jpeg", "d.jpeg"}},
				map[string]any{"merchant": merchant["id"]}, map[string]any{"kind": "design_circle"}, "merchant_id", false},
			{"games", map[string]any{"name": "Go"}, map[string]any{"recommended": true}, map[string]any{"recommended": "yes"}, "recommended", true},
			{"projects", map[string]any{"master_id": master["id"], "name": "Other project"}, map[string]any{"name": "Renamed"}, map[string]any{"master_id": "00000000000000000000000000000000"}, "master_id", true},
			{"tickets", map[string]any{"project_id": project["id"], "name": "Ticket", "price": 100}, map[string]any{"price": 200}, map[string]any{"project_id": 999999}, "project_id", false},
		}
		recs := map[string]map[string]any{}
		for _, b := range bodies {
			base := "/admin/v1/" + b.name
			rec := a.ok("POST", base, b.create, 201)
			recs[b.name] = rec
			id := base + "/" + idStr(t, rec)
			a.ok("GET", base, nil, 200)
			a.ok("GET", base+"?page=1&page_size=5", nil, 200)
			a.fail("GET", base+"?page_size=101", nil, 400, "invalid", "page_size")
			a.ok("GET", id, nil, 200)
			a.ok("PATCH", id, b.update, 200)
			a.fail("POST", base, merged(b.create, b.bad), 400, "invalid", b.badField)
			a.fail("PATCH", id, map[string]any{"unknown_field": 1}, 400, "invalid", "unknown_field")
			a.fail("GET", base+"/999999", nil, 404, "not_found", "")
			a.fail("PATCH", base+"/999999", b.update, 404, "not_found", "")
			a.fail("DELETE", base+"/999999", nil, 404, "not_found", "")
			a.fail("GET", base+"/abc", nil, 404, "not_found", "")
			if b.deletable {
				a.ok("DELETE", id, nil, 204)
			}
		}
		a.fail("DELETE", "/admin/v1/merchants/"+idStr(t, merchant), nil, 409, "conflict", "") // the robe is its

		// Users.
		utok, uid := register(t, e, "13800138000")
		_, uid2 := register(t, e, "13800138001")
		u, u2 := strconv.FormatInt(uid, 10), strconv.FormatInt(uid2, 10)
		a.ok("GET", "/admin/v1/users", nil, 200)
		a.ok("GET", "/admin/v1/users/"+u, nil, 200)
		a.fail("GET", "/admin/v1/users/999999", nil, 404, "not_found", "")
		a.ok("PATCH", "/admin/v1/users/"+u2, map[string]any{"is_active": false}, 200)
		a.fail("PATCH", "/admin/v1/users/"+u2, map[string]any{"is_active": "no"}, 400, "invalid", "is_active")
		a.fail("PATCH", "/admin/v1/users/"+u2, map[string]any{"nickname": "x"}, 400, "invalid", "nickname")
		a.ok("POST", "/admin/v1/users/"+u2+"/unban", nil, 200)
		a.ok("POST", "/admin/v1/users/"+u2+"/ban", nil, 200)
		a.fail("POST", "/admin/v1/users/999999/ban", nil, 404, "not_found", "")
		a.fail("POST", "/admin/v1/users/999999/unban", nil, 404, "not_found", "")

		// Wallet and ledger.
		w := "/admin/v1/users/" + u + "/wallet"
		grant := map[string]any{"currency": "diamond", "amount": 100, "reason": "prize", "idempotency_key": "g1"}
		a.ok("POST", w, grant, 201)
		a.ok("POST", w, grant, 200)
		a.fail("POST", w, with(grant, "amount", 5), 409, "conflict", "")
		a.ok("POST", w, map[string]any{"currency": "cny", "amount": 1000, "reason": "top"}, 201)
		a.ok("POST", w, map[string]any{"currency": "diamond", "amount": -1, "reason": "fix"}, 201)
		a.fail("POST", w, map[string]any{"currency": "diamond", "amount": -1000, "reason": "fix"}, 409, "insufficient_funds", "")
		a.fail("POST", w, map[string]any{"currency": "diamond", "amount": 1.5, "reason": "x"}, 400, "invalid", "amount")
		a.fail("POST", "/admin/v1/users/999999/wallet", grant, 404, "not_found", "")
		l := "/admin/v1/users/" + u + "/ledger"
		p := a.ok("GET", l+"?currency=diamond&limit=1", nil, 200)
		a.ok("GET", l+"?currency=diamond&limit=1&cursor="+p["next_cursor"].(string), nil, 200)
		a.fail("GET", l, nil, 400, "invalid", "currency")
		a.fail("GET", l+"?currency=diamond&limit=0", nil, 400, "invalid", "limit")
		a.fail("GET", "/admin/v1/users/999999/ledger?currency=diamond", nil, 404, "not_found", "")

		// Ticket orders and payments.
		tk := num(t, recs["tickets"]["id"])
		o, err := e.App.Orders.Create(ctx, uid, []int64{tk}, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Orders.Pay(ctx, uid, o.ID, "sandbox"); err != nil {
			t.Fatal(err)
		}
		a.ok("GET", "/admin/v1/orders", nil, 200)
		a.ok("GET", "/admin/v1/orders?status=1&user_id="+u, nil, 200)
		a.fail("GET", "/admin/v1/orders?status=7", nil, 400, "invalid", "status")
		a.fail("GET", "/admin/v1/orders?user_id=x", nil, 400, "invalid", "user_id")
		a.ok("GET", "/admin/v1/orders/"+strconv.FormatInt(o.ID, 10), nil, 200)
		a.fail("GET", "/admin/v1/orders/999999", nil, 404, "not_found", "")
		pays := items(t, a.ok("GET", "/admin/v1/payments", nil, 200))
		if len(pays) != 1 {
			t.Fatalf("payments %v", pays)
		}
		a.ok("GET", "/admin/v1/payments?status=paid&method=sandbox&user_id="+u, nil, 200)
		a.fail("GET", "/admin/v1/payments?status=lost", nil, 400, "invalid", "status")
		a.ok("GET", "/admin/v1/payments/"+pays[0]["out_trade_no"].(string), nil, 200)
		a.fail("GET", "/admin/v1/payments/nope", nil, 404, "not_found", "")

		// Exchange orders.
		xo, err := e.App.Market.Purchase(ctx, uid, num(t, recs["exchange-products"]["id"]))
		if err != nil {
			t.Fatal(err)
		}
		a.ok("GET", "/admin/v1/exchange-orders", nil, 200)
		a.ok("GET", "/admin/v1/exchange-orders?user_id="+u, nil, 200)
		a.fail("GET", "/admin/v1/exchange-orders?user_id=0", nil, 400, "invalid", "user_id")
		a.ok("GET", "/admin/v1/exchange-orders/"+xo.Number, nil, 200)
		a.fail("GET", "/admin/v1/exchange-orders/999999", nil, 400, "invalid", "order_number")
		a.fail("GET", "/admin/v1/exchange-orders/"+strings.Repeat("1", 26), nil, 404, "not_found", "")

		// The console's reads: the dashboard, a user's profile.
		a.ok("GET", "/admin/v1/dashboard?days=7", nil, 200)
		a.fail("GET", "/admin/v1/dashboard?days=0", nil, 400, "invalid", "days")
		a.ok("GET", "/admin/v1/users/"+u+"/profile", nil, 200)
		a.fail("GET", "/admin/v1/users/999999/profile", nil, 404, "not_found", "")
		a.ok("GET", "/admin/v1/users?q=138", nil, 200)

		// Refunds: the paid order and the exchange, once each.
		oid := strconv.FormatInt(o.ID, 10)
		a.fail("POST", "/admin/v1/orders/"+oid+"/refund", map[string]any{}, 400, "invalid", "reason")
		a.ok("POST", "/admin/v1/orders/"+oid+"/refund", map[string]any{"reason": "asked"}, 200)
		a.fail("POST", "/admin/v1/orders/"+oid+"/refund", map[string]any{"reason": "again"}, 409, "conflict", "")
		a.ok("GET", "/admin/v1/orders/"+oid, nil, 200)
		a.ok("GET", "/admin/v1/orders?status=3", nil, 200)
		a.ok("POST", "/admin/v1/exchange-orders/"+xo.Number+"/refund", map[string]any{"reason": "asked"}, 200)
		a.fail("POST", "/admin/v1/exchange-orders/"+xo.Number+"/refund", map[string]any{"reason": "again"}, 409, "conflict", "")
		a.fail("POST", "/admin/v1/exchange-orders/"+strings.Repeat("1", 26)+"/refund", map[string]any{"reason": "x"}, 404, "not_found", "")

		// Pushes.
		push := a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "Hello", "push_body": "World", "user_ids": []any{uid}}, 201)
		a.ok("POST", "/admin/v1/pushes", map[string]any{"title": "Hello all", "body": "World"}, 201)
		a.fail("POST", "/admin/v1/pushes", map[string]any{"push_title": "T", "push_body": "B", "user_ids": []any{}}, 400, "invalid", "user_ids")
		a.fail("POST", "/admin/v1/pushes", map[string]any{"push_title": "T", "title": "T"}, 400, "invalid", "push_title")
		a.ok("GET", "/admin/v1/pushes", nil, 200)
		a.ok("GET", "/admin/v1/pushes/"+idStr(t, push), nil, 200)
		a.ok("GET", "/admin/v1/pushes/"+idStr(t, push)+"/deliveries?state=due&limit=5", nil, 200)
		a.fail("GET", "/admin/v1/pushes/"+idStr(t, push)+"/deliveries?state=lost", nil, 400, "invalid", "state")
		a.fail("GET", "/admin/v1/pushes/999999/deliveries", nil, 404, "not_found", "")
		a.ok("DELETE", "/admin/v1/pushes/"+idStr(t, push), nil, 204)
		a.fail("GET", "/admin/v1/pushes/"+idStr(t, push), nil, 404, "not_found", "")
		a.fail("DELETE", "/admin/v1/pushes/999999", nil, 404, "not_found", "")

		// Feedback.
		fb := strconv.FormatInt(num(t, memberOK(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "It broke", "contact_phone": "13800138000"}, utok)["id"]), 10)
		a.ok("GET", "/admin/v1/feedback", nil, 200)
		a.ok("GET", "/admin/v1/feedback/"+fb, nil, 200)
		a.ok("POST", "/admin/v1/feedback/"+fb+"/replies", map[string]any{"content": "Fixed"}, 201)
		a.ok("POST", "/admin/v1/feedback/"+fb+"/replies", map[string]any{"reply_content": "Really"}, 201)
		a.ok("GET", "/admin/v1/feedback/"+fb, nil, 200)
		a.fail("POST", "/admin/v1/feedback/"+fb+"/replies", map[string]any{}, 400, "invalid", "content")
		a.fail("POST", "/admin/v1/feedback/999999/replies", map[string]any{"content": "x"}, 404, "not_found", "")
		a.fail("GET", "/admin/v1/feedback/999999", nil, 404, "not_found", "")

		// The service's inbox.
		a.ok("POST", "/admin/v1/service-conversations/"+u+"/messages", map[string]any{"content": "Can we help?"}, 201)
		a.ok("GET", "/admin/v1/service-conversations", nil, 200)
		a.ok("GET", "/admin/v1/service-conversations/"+u+"/messages", nil, 200)
		a.fail("POST", "/admin/v1/service-conversations/"+u+"/messages", map[string]any{"content": 5}, 400, "invalid", "content")
		a.fail("GET", "/admin/v1/service-conversations/999999/messages", nil, 404, "not_found", "")

		// The session, the admins, a second factor.
		a.ok("GET", "/admin/v1/session", nil, 200)
		anon.fail("GET", "/admin/v1/session", nil, 401, "unauthenticated", "")
		a.ok("GET", "/admin/v1/admins", nil, 200)
		second := a.ok("POST", "/admin/v1/admins", map[string]any{"email": "second@example.com", "password": "second-password"}, 201)
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "second@example.com", "password": "second-password"}, 409, "conflict", "")
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "third@example.com", "password": "short"}, 400, "invalid", "password")
		a.ok("PATCH", "/admin/v1/admins/"+idStr(t, second), map[string]any{"disabled": true}, 200)
		a.fail("PATCH", "/admin/v1/admins/999999", map[string]any{"disabled": true}, 404, "not_found", "")
		a.fail("POST", "/admin/v1/admins/me/password", map[string]any{"old_password": "not-it-at-all", "new_password": "another-password"}, 400, "invalid", "old_password")
		a.ok("POST", "/admin/v1/admins/me/password", map[string]any{"old_password": adminPassword, "new_password": adminPassword + "-2"}, 204)
		a.fail("POST", "/admin/v1/admins/me/totp", map[string]any{"password": adminPassword}, 400, "invalid", "password") // the old one
		en := a.ok("POST", "/admin/v1/admins/me/totp", map[string]any{"password": adminPassword + "-2"}, 200)
		a.fail("POST", "/admin/v1/admins/me/totp/confirm", map[string]any{"code": "000000x"}, 400, "invalid", "code")
		a.ok("POST", "/admin/v1/admins/me/totp/confirm", map[string]any{"code": totpCode(t, e, en["secret"].(string))}, 200)
		e.Clock.Advance(30 * time.Second)
		a.ok("DELETE", "/admin/v1/admins/me/totp", map[string]any{"code": totpCode(t, e, en["secret"].(string))}, 204)

		// Uploads for image fields, and the catalog's description.
		a.ok("GET", "/admin/v1/catalog", nil, 200)
		img, imgType := multipartBody(t, "file", "a.png", mediatest.PNG(3, 2))
		if res := a.do("POST", "/admin/v1/media", img, "Content-Type", imgType); res.Status != 201 {
			t.Fatalf("upload: %d %s", res.Status, res.Body)
		}
		txt, txtType := multipartBody(t, "file", "a.txt", []byte("not an image"))
		if res := a.do("POST", "/admin/v1/media", txt, "Content-Type", txtType); res.Status != 400 {
			t.Fatalf("text upload: %d %s", res.Status, res.Body)
		}

		// The audit log of all that.
		log := a.ok("GET", "/admin/v1/audit?limit=5", nil, 200)
		a.ok("GET", "/admin/v1/audit?cursor="+log["next_cursor"].(string), nil, 200)
		a.fail("GET", "/admin/v1/audit?limit=x", nil, 400, "invalid", "limit")

		// Unknown routes answer 404 (the catch-all, not in the document).
		a.fail("GET", "/admin/v1/nowhere", nil, 404, "not_found", "")

		// Signing out ends the session.
		a.ok("POST", "/admin/v1/logout", nil, 204)
		a.fail("POST", "/admin/v1/logout", nil, 401, "unauthenticated", "")
		a.fail("GET", "/admin/v1/users", nil, 401, "unauthenticated", "")

		if missing := a.unseen(); len(missing) > 0 {
			t.Errorf("operations of the document no call of this test checked: %v", missing)
		}
	})
}
