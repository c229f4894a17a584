package admin_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/market"
	"plaza/internal/plazatest"
	"plaza/internal/support"
	"plaza/internal/wallet"
)

// The console's part of the admin face (issue 10): the dashboard, the
// user search and profile, refunds.

func verifyWallet(t *testing.T, e *plazatest.Env) {
	t.Helper()
	rep, err := wallet.Verify(context.Background(), e.App.DB)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var b strings.Builder
		rep.Write(&b)
		t.Fatalf("wallet.Verify: %s", b.String())
	}
}

func balance(t *testing.T, e *plazatest.Env, user int64, currency string) int64 {
	t.Helper()
	b, err := e.App.Wallet.Balance(context.Background(), user, currency)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// buyProduct buys a product through the market face as the user of tok.
func buyProduct(t *testing.T, e *plazatest.Env, tok string, product int64) market.Order {
	t.Helper()
	if res := e.Do("GET", "/market/exchange_products/purchase/"+s64(product)+"/", nil, "Authorization", "Token "+tok); res.Status != 200 {
		t.Fatalf("purchase %d %s", res.Status, res.Body)
	}
	return latestExchange(t, e, tok)
}

func latestExchange(t *testing.T, e *plazatest.Env, tok string) market.Order {
	t.Helper()
	u, err := e.App.Accounts.Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	os, _, err := e.App.Market.Orders(context.Background(), u.ID, 0, 1)
	if err != nil || len(os) != 1 {
		t.Fatal(os, err)
	}
	return os[0]
}

func TestDashboard(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		const path = "/admin/v1/dashboard"
		empty := a.ok("GET", path, nil, 200)
		sameKeys(t, "dashboard", empty, "days", "time_zone", "users_total", "signups_per_day", "active_rooms", "orders_per_day", "open_feedback", "pushes_sent")
		if num(t, empty["days"]) != 30 || empty["time_zone"] != "Asia/Shanghai" || num(t, empty["users_total"]) != 0 ||
			len(empty["signups_per_day"].([]any)) != 30 || len(empty["orders_per_day"].([]any)) != 60 {
			t.Fatalf("empty dashboard %v", empty)
		}

		// Day 1 (2026-03-01 in Shanghai): two users, a ticket order paid by
		// the sandbox, feedback; day 2: a third user, a wallet order, an
		// exchange order, an open room, a push.
		tok1, u1 := register(t, e, "13800138000")
		_, u2 := register(t, e, "13800138001")
		tk := tickets(t, a, 1999, 500)
		o1, err := e.App.Orders.Create(ctx, u1, []int64{tk[0]}, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Orders.Pay(ctx, u1, o1.ID, "sandbox"); err != nil {
			t.Fatal(err)
		}
		f1, err := e.App.Support.CreateFeedback(ctx, u1, support.NewFeedback{Content: "slow"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Support.CreateFeedback(ctx, u2, support.NewFeedback{Content: "broken"}); err != nil {
			t.Fatal(err)
		}
		a.ok("POST", "/admin/v1/feedback/"+s64(f1.ID)+"/replies", map[string]any{"content": "thanks"}, 201)

		e.Clock.Advance(24 * time.Hour)
		a = login(t, e) // the first session has expired
		register(t, e, "13800138002")
		a.ok("POST", "/admin/v1/users/"+s64(u2)+"/wallet", map[string]any{"currency": "cny", "amount": 500, "reason": "gift"}, 201)
		o2, err := e.App.Orders.Create(ctx, u2, []int64{tk[1]}, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Orders.Pay(ctx, u2, o2.ID, "wallet"); err != nil {
			t.Fatal(err)
		}
		a.ok("POST", "/admin/v1/users/"+s64(u1)+"/wallet", map[string]any{"currency": "diamond", "amount": 300, "reason": "gift"}, 201)
		tea := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Tea", "diamond": 120}, 201)
		buyProduct(t, e, tok1, num(t, tea["id"]))
		if _, _, err := e.App.Rooms.Open(ctx, u1, "live"); err != nil {
			t.Fatal(err)
		}
		a.ok("POST", "/admin/v1/pushes", map[string]any{"title": "hi", "user_ids": []int64{u1}}, 201)
		sent := int64(0)
		for _, p := range items(t, a.ok("GET", "/admin/v1/pushes", nil, 200)) {
			if num(t, p["status"]) == 1 {
				sent++
			}
		}

		d := a.ok("GET", path+"?days=2", nil, 200)
		if num(t, d["days"]) != 2 || num(t, d["users_total"]) != 3 || num(t, d["active_rooms"]) != 1 || num(t, d["open_feedback"]) != 1 ||
			num(t, d["pushes_sent"]) != sent {
			t.Fatalf("dashboard %v", d)
		}
		type dc struct {
			Day   string
			Count int64
		}
		var signups []dc
		for _, v := range d["signups_per_day"].([]any) {
			m := v.(map[string]any)
			sameKeys(t, "signups of a day", m, "day", "count")
			signups = append(signups, dc{m["day"].(string), num(t, m["count"])})
		}
		if want := []dc{{"2026-03-01", 2}, {"2026-03-02", 1}}; !reflect.DeepEqual(signups, want) {
			t.Fatalf("signups %v, want %v", signups, want)
		}
		type doc struct {
			Day, Currency  string
			Count, Revenue int64
		}
		orders := func(d map[string]any) []doc {
			var out []doc
			for _, v := range d["orders_per_day"].([]any) {
				m := v.(map[string]any)
				sameKeys(t, "orders of a day", m, "day", "currency", "count", "revenue")
				out = append(out, doc{m["day"].(string), m["currency"].(string), num(t, m["count"]), num(t, m["revenue"])})
			}
			return out
		}
		want := []doc{{"2026-03-01", "cny", 1, 1999}, {"2026-03-01", "diamond", 0, 0}, {"2026-03-02", "cny", 1, 500}, {"2026-03-02", "diamond", 1, 120}}
		if got := orders(d); !reflect.DeepEqual(got, want) {
			t.Fatalf("orders %v, want %v", got, want)
		}
		// A refunded order counts on no day.
		a.ok("POST", "/admin/v1/orders/"+s64(o1.ID)+"/refund", map[string]any{"reason": "test"}, 200)
		want[0] = doc{"2026-03-01", "cny", 0, 0}
		if got := orders(a.ok("GET", path+"?days=2", nil, 200)); !reflect.DeepEqual(got, want) {
			t.Fatalf("orders after a refund %v, want %v", got, want)
		}
		one := a.ok("GET", path+"?days=1", nil, 200)
		if s := one["signups_per_day"].([]any); len(s) != 1 || s[0].(map[string]any)["day"] != "2026-03-02" {
			t.Fatalf("one day %v", one)
		}
		if n := len(a.ok("GET", path+"?days=90", nil, 200)["signups_per_day"].([]any)); n != 90 {
			t.Fatalf("90 days: %d", n)
		}
		badQuery(a, path, "days", "days", "0", "91", "-1", "01", "1.5", "x", "%2B1", "1%00", "99999999999999999999")
		wantError(t, e.Do("GET", path, nil), path, 401, "unauthenticated", "")
	})
}

func TestUserSearch(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		_, u1 := register(t, e, "13800138000")
		_, u2 := register(t, e, "13800138001")
		_, u3 := register(t, e, "13900000000")
		set := func(id int64, col, v string) {
			t.Helper()
			if _, err := e.App.DB.Exec(ctx, "UPDATE users SET "+col+" = ? WHERE id = ?", v, id); err != nil {
				t.Fatal(err)
			}
		}
		set(u1, "nickname", "小明")
		set(u2, "nickname", "Alice")
		set(u3, "nickname", "alina")
		set(u2, "email", "alice@example.com")
		uid3, err := e.App.Accounts.User(ctx, u3)
		if err != nil {
			t.Fatal(err)
		}
		const list = "/admin/v1/users"
		found := func(q string) []int64 {
			t.Helper()
			return ids(t, items(t, a.ok("GET", list+"?q="+q, nil, 200)))
		}
		for _, c := range []struct {
			q    string
			want []int64
		}{
			{"", []int64{u3, u2, u1}},
			{"138", []int64{u2, u1}},     // a phone's prefix
			{"13800138001", []int64{u2}}, // a whole phone
			{"139", []int64{u3}},         //
			{s64(u2), []int64{u2}},       // the id (no phone starts with it)
			{"%E5%B0%8F", []int64{u1}},   // 小: a nickname's prefix
			{"Ali", []int64{u2}},         // case-sensitive
			{"ali", []int64{u3}},         //
			{"ALICE@EX", []int64{u2}},    // an e-mail's prefix, any case
			{uid3.UID, []int64{u3}},      // the uid
			{strings.ToUpper(uid3.UID), []int64{u3}},
			{"%20138%20", []int64{u2, u1}}, // spaces around are dropped
			{"nobody", []int64{}},
			{"13800138000x", []int64{}},
			{"%25", []int64{}}, // % is no wildcard
			{"_", []int64{}},
		} {
			if got := found(c.q); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("q=%s: %v, want %v", c.q, got, c.want)
			}
		}
		if got := ids(t, page(t, a.ok("GET", list+"?q=138&page_size=1&page=2", nil, 200), 2, 2, 1)); !reflect.DeepEqual(got, []int64{u1}) {
			t.Fatalf("page 2: %v", got)
		}
		badQuery(a, list, "q", "q", "a%00b", "a%0Ab", "%FF", strings.Repeat("x", 101))
		badQuery(a, list, "page_size", "page_size", "0", "101")
		wantError(t, e.Do("GET", list+"?q=138", nil), list, 401, "unauthenticated", "")
	})
}

func TestUserProfile(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		tok1, u1 := register(t, e, "13800138000")
		_, u2 := register(t, e, "13800138001")
		if _, err := e.App.Notify.Bind(ctx, u1, "client-1", "ios"); err != nil {
			t.Fatal(err)
		}
		a.ok("POST", "/admin/v1/users/"+s64(u1)+"/wallet", map[string]any{"currency": "cny", "amount": 5000, "reason": "gift"}, 201)
		a.ok("POST", "/admin/v1/users/"+s64(u1)+"/wallet", map[string]any{"currency": "diamond", "amount": 9000, "reason": "gift"}, 201)
		tk := tickets(t, a, 100, 200)
		for _, ticket := range tk {
			o, err := e.App.Orders.Create(ctx, u1, []int64{ticket}, false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.App.Orders.Pay(ctx, u1, o.ID, "wallet"); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(time.Second)
		}
		tea := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Tea", "diamond": 100}, 201)
		for range 20 {
			buyProduct(t, e, tok1, num(t, tea["id"]))
			e.Clock.Advance(time.Second)
		}
		for i := range 22 {
			if _, err := e.App.Support.CreateFeedback(ctx, u1, support.NewFeedback{Content: "note " + s64(int64(i))}); err != nil {
				t.Fatal(err)
			}
		}
		p := a.ok("GET", "/admin/v1/users/"+s64(u1)+"/profile", nil, 200)
		sameKeys(t, "profile", p, "user", "balances", "devices", "orders", "feedback")
		if user := p["user"].(map[string]any); num(t, user["id"]) != u1 || user["phone"] != "13800138000" {
			t.Fatalf("user %v", user)
		}
		bal := map[string]int64{}
		for _, v := range p["balances"].([]any) {
			m := v.(map[string]any)
			sameKeys(t, "balance", m, "currency", "balance")
			bal[m["currency"].(string)] = num(t, m["balance"])
		}
		if bal["cny"] != 5000-300 || bal["diamond"] != 9000-2000 {
			t.Fatalf("balances %v", bal)
		}
		devs := p["devices"].([]any)
		if len(devs) != 1 || devs[0].(map[string]any)["client_id"] != "client-1" || devs[0].(map[string]any)["client_type"] != "ios" {
			t.Fatalf("devices %v", devs)
		}
		sameKeys(t, "device", devs[0].(map[string]any), "id", "client_id", "client_type", "switch", "created_at", "updated_at")
		os := p["orders"].([]any)
		if len(os) != 20 {
			t.Fatalf("%d orders", len(os))
		}
		// The 20 newest: the exchange orders (made after the ticket orders).
		first := os[0].(map[string]any)
		sameKeys(t, "profile order", first, "kind", "id", "order_number", "currency", "amount", "status", "title", "refunded_at", "created_at")
		if first["kind"] != "exchange_order" || first["currency"] != "diamond" || num(t, first["amount"]) != 100 || first["title"] != "Tea" {
			t.Fatalf("order %v", first)
		}
		fb := p["feedback"].([]any)
		if len(fb) != 20 || fb[0].(map[string]any)["content"] != "note 21" {
			t.Fatalf("feedback %v", fb)
		}
		// With fewer exchange orders, the ticket orders show, newest first.
		p2 := a.ok("GET", "/admin/v1/users/"+s64(u2)+"/profile", nil, 200)
		for _, k := range []string{"devices", "orders", "feedback"} {
			if l, ok := p2[k].([]any); !ok || len(l) != 0 {
				t.Fatalf("%s of a new user: %v", k, p2[k])
			}
		}
		a.fail("GET", "/admin/v1/users/999999/profile", nil, 404, "not_found", "")
		a.fail("GET", "/admin/v1/users/abc/profile", nil, 404, "not_found", "")
		wantError(t, e.Do("GET", "/admin/v1/users/"+s64(u1)+"/profile", nil, "Authorization", "Token "+tok1), "profile", 401, "unauthenticated", "")
	})
}

func TestRefundTicketOrders(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		_, u1 := register(t, e, "13800138000")
		_, u2 := register(t, e, "13800138001")
		tk := tickets(t, a, 700, 1999, 0, 300, 400)
		a.ok("POST", "/admin/v1/users/"+s64(u1)+"/wallet", map[string]any{"currency": "cny", "amount": 1000, "reason": "gift"}, 201)
		order := func(user, ticket int64, method string) int64 {
			t.Helper()
			o, err := e.App.Orders.Create(ctx, user, []int64{ticket}, false)
			if err != nil {
				t.Fatal(err)
			}
			if method != "" {
				if _, err := e.App.Orders.Pay(ctx, user, o.ID, method); err != nil {
					t.Fatal(err)
				}
			}
			return o.ID
		}
		byWallet := order(u1, tk[0], "wallet")
		bySandbox := order(u1, tk[1], "sandbox")
		free := order(u1, tk[2], "sandbox")
		pending := order(u1, tk[3], "")
		cancelled := order(u1, tk[4], "")
		if err := e.App.Orders.Cancel(ctx, u1, cancelled); err != nil {
			t.Fatal(err)
		}
		if balance(t, e, u1, "cny") != 300 {
			t.Fatal("wallet payment")
		}
		refund := func(id int64) string { return "/admin/v1/orders/" + s64(id) + "/refund" }

		// Bad input first: nothing changes.
		for _, bad := range []struct {
			body  any
			field string
		}{
			{map[string]any{}, "reason"},
			{map[string]any{"reason": ""}, "reason"},
			{map[string]any{"reason": "   "}, "reason"},
			{map[string]any{"reason": 5}, "reason"},
			{map[string]any{"reason": "a\x00b"}, "reason"},
			{map[string]any{"reason": "a\nb"}, "reason"},
			{map[string]any{"reason": strings.Repeat("x", 201)}, "reason"},
			{map[string]any{"reason": "ok", "amount": 5}, "amount"},
			{"[1]", ""},
			{"{", ""},
		} {
			res := a.do("POST", refund(byWallet), bad.body)
			wantError(t, res, "refund with a bad body", 400, "invalid", bad.field)
		}
		a.fail("POST", refund(999999), map[string]any{"reason": "x"}, 404, "not_found", "")
		a.fail("POST", "/admin/v1/orders/abc/refund", map[string]any{"reason": "x"}, 404, "not_found", "")
		a.fail("POST", refund(pending), map[string]any{"reason": "x"}, 409, "conflict", "")
		a.fail("POST", refund(cancelled), map[string]any{"reason": "x"}, 409, "conflict", "")

		// Paid from the wallet: a ledger reversal, the ticket on sale again.
		r := a.ok("POST", refund(byWallet), map[string]any{"reason": "客户要求"}, 200)
		if num(t, r["status"]) != 3 || r["refund_reason"] != "客户要求" || r["refunded_at"] != rfc(0) || num(t, r["price"]) != 700 {
			t.Fatalf("refunded %v", r)
		}
		if balance(t, e, u1, "cny") != 1000 {
			t.Fatal("no refund in the wallet")
		}
		led := a.ok("GET", "/admin/v1/users/"+s64(u1)+"/ledger?currency=cny", nil, 200)["items"].([]any)
		if len(led) == 0 || led[0].(map[string]any)["kind"] != "refund" || !strings.Contains(led[0].(map[string]any)["reason"].(string), "客户要求") {
			t.Fatalf("ledger %v", led)
		}
		if _, err := e.App.Orders.Create(ctx, u2, []int64{tk[0]}, false); err != nil {
			t.Fatalf("the refunded ticket cannot be ordered again: %v", err)
		}
		// Twice: 409, nothing changed.
		a.fail("POST", refund(byWallet), map[string]any{"reason": "again"}, 409, "conflict", "")
		if balance(t, e, u1, "cny") != 1000 {
			t.Fatal("refunded twice")
		}
		if d := a.ok("GET", "/admin/v1/orders/"+s64(byWallet), nil, 200); d["refund_reason"] != "客户要求" || num(t, d["status"]) != 3 {
			t.Fatalf("order after a second refund %v", d)
		}

		// Paid through the payment core: the payment is marked refunded.
		a.ok("POST", refund(bySandbox), map[string]any{"reason": "vendor refund done"}, 200)
		d := a.ok("GET", "/admin/v1/orders/"+s64(bySandbox), nil, 200)
		if pays := d["payments"].([]any); len(pays) != 1 || pays[0].(map[string]any)["status"] != "refunded" {
			t.Fatalf("payments %v", d["payments"])
		}
		if balance(t, e, u1, "cny") != 1000 {
			t.Fatal("a vendor payment's refund touched the wallet")
		}
		// A free order: nothing to give back.
		a.ok("POST", refund(free), map[string]any{"reason": "x"}, 200)
		if got := ids(t, items(t, a.ok("GET", "/admin/v1/orders?status=3", nil, 200))); !reflect.DeepEqual(got, []int64{free, bySandbox, byWallet}) {
			t.Fatalf("refunded orders %v", got)
		}
		verifyWallet(t, e)
	})
}

func TestRefundExchangeOrders(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		tok1, u1 := register(t, e, "13800138000")
		a.ok("POST", "/admin/v1/users/"+s64(u1)+"/wallet", map[string]any{"currency": "diamond", "amount": 1000, "reason": "gift"}, 201)
		frame := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Frame", "diamond": 100, "product_type": 1, "stock": 5,
			"category": map[string]any{"name": "Avatar", "action": "avatar"}}, 201)
		tea := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Tea", "diamond": 50}, 201)
		o1 := buyProduct(t, e, tok1, num(t, frame["id"]))
		e.Clock.Advance(time.Second)
		o2 := buyProduct(t, e, tok1, num(t, tea["id"]))
		refund := func(no string) string { return "/admin/v1/exchange-orders/" + no + "/refund" }
		stock := func() (int64, int64) {
			p, err := e.App.Market.Product(ctx, num(t, frame["id"]))
			if err != nil {
				t.Fatal(err)
			}
			return *p.Stock, p.Bought
		}
		if s, b := stock(); s != 4 || b != 1 || balance(t, e, u1, "diamond") != 850 {
			t.Fatal("purchase", s, b)
		}

		a.fail("POST", refund(strings.Repeat("1", 26)), map[string]any{"reason": "x"}, 404, "not_found", "")
		a.fail("POST", refund("123"), map[string]any{"reason": "x"}, 400, "invalid", "order_number")
		a.fail("POST", refund(o1.Number), map[string]any{}, 400, "invalid", "reason")
		a.fail("POST", refund(o1.Number), map[string]any{"reason": "x", "y": 1}, 400, "invalid", "y")

		// The frame is on: refused until the user takes it off.
		ups, _, err := e.App.Market.UserProducts(ctx, u1, market.Filter{}, 0, 10)
		if err != nil || len(ups) != 1 {
			t.Fatal(ups, err)
		}
		if _, err := e.App.Market.Use(ctx, u1, ups[0].ID); err != nil {
			t.Fatal(err)
		}
		a.fail("POST", refund(o1.Number), map[string]any{"reason": "x"}, 409, "conflict", "")
		if s, b := stock(); s != 4 || b != 1 || balance(t, e, u1, "diamond") != 850 {
			t.Fatal("a refused refund changed something", s, b)
		}
		if _, err := e.App.Market.Unuse(ctx, u1, ups[0].ID); err != nil {
			t.Fatal(err)
		}
		r := a.ok("POST", refund(o1.Number), map[string]any{"reason": "mistake"}, 200)
		if num(t, r["status"]) != market.OrderRefunded || r["refund_reason"] != "mistake" || r["refunded_at"] != rfc(time.Second) {
			t.Fatalf("refunded %v", r)
		}
		if s, b := stock(); s != 5 || b != 0 || balance(t, e, u1, "diamond") != 950 {
			t.Fatal("refund", s, b)
		}
		if ups, _, _ := e.App.Market.UserProducts(ctx, u1, market.Filter{}, 0, 10); len(ups) != 0 {
			t.Fatalf("user products after the refund %v", ups)
		}
		a.fail("POST", refund(o1.Number), map[string]any{"reason": "x"}, 409, "conflict", "")
		if balance(t, e, u1, "diamond") != 950 {
			t.Fatal("refunded twice")
		}
		// A physical product (unlimited stock).
		a.ok("POST", refund(o2.Number), map[string]any{"reason": "x"}, 200)
		if balance(t, e, u1, "diamond") != 1000 {
			t.Fatal("tea refund")
		}
		verifyWallet(t, e)
	})
}

// Two refunds of one order at once: one refunds, the other is told it is
// refunded already; the money moved once.
func TestRefundRaces(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		tok1, u1 := register(t, e, "13800138000")
		a.ok("POST", "/admin/v1/users/"+s64(u1)+"/wallet", map[string]any{"currency": "cny", "amount": 10000, "reason": "gift"}, 201)
		a.ok("POST", "/admin/v1/users/"+s64(u1)+"/wallet", map[string]any{"currency": "diamond", "amount": 100000, "reason": "gift"}, 201)
		tk := tickets(t, a, 100, 100, 100)
		frame := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Frame", "diamond": 100, "product_type": 1,
			"category": map[string]any{"name": "Avatar", "action": "avatar"}}, 201)
		race := func(n int, fn func(i int) int) map[int]int {
			var wg sync.WaitGroup
			var mu sync.Mutex
			out := map[int]int{}
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := fn(i)
					mu.Lock()
					out[s]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			return out
		}
		post := func(path string) int {
			return e.Do("POST", path, map[string]any{"reason": "race"}, "Authorization", "Bearer "+a.token).Status
		}
		for _, ticket := range tk {
			o, err := e.App.Orders.Create(ctx, u1, []int64{ticket}, false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.App.Orders.Pay(ctx, u1, o.ID, "wallet"); err != nil {
				t.Fatal(err)
			}
			before := balance(t, e, u1, "cny")
			got := race(4, func(int) int { return post("/admin/v1/orders/" + s64(o.ID) + "/refund") })
			if got[200] != 1 || got[409] != 3 {
				t.Fatalf("statuses %v", got)
			}
			if balance(t, e, u1, "cny") != before+100 {
				t.Fatal("refunded other than once")
			}
		}
		for range 3 {
			o := buyProduct(t, e, tok1, num(t, frame["id"]))
			before := balance(t, e, u1, "diamond")
			got := race(4, func(int) int { return post("/admin/v1/exchange-orders/" + o.Number + "/refund") })
			if got[200] != 1 || got[409] != 3 {
				t.Fatalf("statuses %v", got)
			}
			if balance(t, e, u1, "diamond") != before+100 {
				t.Fatal("refunded other than once")
			}
		}

		// A refund racing the user's putting the product on: either the use
		// comes first and the refund is refused (the product stays, on), or
		// the refund comes first and the use finds no product.
		outcomes := map[string]int{}
		for range 8 {
			o := buyProduct(t, e, tok1, num(t, frame["id"]))
			ups, _, err := e.App.Market.UserProducts(ctx, u1, market.Filter{}, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var up int64
			for _, u := range ups {
				if u.OrderID == o.ID {
					up = u.ID
				}
			}
			before := balance(t, e, u1, "diamond")
			var useErr error
			got := race(2, func(i int) int {
				if i == 0 {
					_, useErr = e.App.Market.Use(ctx, u1, up)
					return 0
				}
				return post("/admin/v1/exchange-orders/" + o.Number + "/refund")
			})
			left, _, _ := e.App.Market.UserProducts(ctx, u1, market.Filter{}, 0, 100)
			has := false
			for _, u := range left {
				has = has || u.ID == up
			}
			switch {
			case got[200] == 1 && useErr != nil && !has && balance(t, e, u1, "diamond") == before+100:
				outcomes["refund first"]++
			case got[409] == 1 && useErr == nil && has && balance(t, e, u1, "diamond") == before:
				outcomes["use first"]++
				// Taken off, then refunded, to leave the next round alone.
				if _, err := e.App.Market.Unuse(ctx, u1, up); err != nil {
					t.Fatal(err)
				}
				if s := post("/admin/v1/exchange-orders/" + o.Number + "/refund"); s != 200 {
					t.Fatalf("refund after unuse: %d", s)
				}
			default:
				t.Fatalf("refund %v, use %v, product left %v", got, useErr, has)
			}
		}
		t.Logf("refund vs use: %v", outcomes)
		verifyWallet(t, e)
	})
}
