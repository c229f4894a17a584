package admin_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"plaza/internal/market"
	"plaza/internal/payment"
	"plaza/internal/plazatest"
	"plaza/internal/provider/pay"
	"plaza/internal/provider/pay/paytest"
)

// shopEnv is withAdmin with WeChat Pay configured against a local fake of
// its API, and the sandbox kept on.
func shopEnv(t *testing.T) map[string]string {
	wx := paytest.NewWeChat(t)
	env := map[string]string{
		"PLAZA_PAY_SANDBOX":       "true",
		"PLAZA_PAY_WECHAT_MCH_ID": wx.Config.MchID, "PLAZA_PAY_WECHAT_APP_ID": wx.Config.AppID,
		"PLAZA_PAY_WECHAT_SERIAL_NO": wx.Config.SerialNo, "PLAZA_PAY_WECHAT_PRIVATE_KEY_FILE": wx.Config.PrivateKeyFile,
		"PLAZA_PAY_WECHAT_API_V3_KEY": wx.Config.APIv3Key, "PLAZA_PAY_WECHAT_PLATFORM_KEY_FILE": wx.Config.PlatformKeyFile,
		"PLAZA_PAY_WECHAT_PLATFORM_KEY_ID": wx.Config.PlatformKeyID, "PLAZA_PAY_WECHAT_BASE_URL": wx.Config.BaseURL,
		"PLAZA_PAY_WECHAT_NOTIFY_URL": "https://plaza.example/pay/notify/wechat",
	}
	for k, v := range withAdmin {
		env[k] = v
	}
	return env
}

// tickets makes a master, a project and tickets of the prices (fen)
// through the admin face and returns their ids.
func tickets(t *testing.T, a api, prices ...int64) []int64 {
	t.Helper()
	m := a.ok("POST", "/admin/v1/masters", map[string]any{"name": "达人"}, 201)
	p := a.ok("POST", "/admin/v1/projects", map[string]any{"master_id": num(t, m["id"]), "name": "项目"}, 201)
	var out []int64
	for i, price := range prices {
		tk := a.ok("POST", "/admin/v1/tickets", map[string]any{"project_id": num(t, p["id"]), "name": "票" + strconv.Itoa(i), "price": price}, 201)
		out = append(out, num(t, tk["id"]))
	}
	return out
}

// items checks a list answer of any total and page, and returns its items.
func items(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	return page(t, m, num(t, m["total"]), num(t, m["page"]), num(t, m["page_size"]))
}

func s64(n int64) string { return strconv.FormatInt(n, 10) }

// query fails with 400 naming field for each value of name on path.
func badQuery(a api, path, name, field string, values ...string) {
	a.t.Helper()
	for _, v := range values {
		a.fail("GET", path+"?"+name+"="+v, nil, 400, "invalid", field)
	}
}

// Ticket orders and their payments as an operator sees them: every
// user's, newest first, filtered by status (as the user sees it: a
// pending order past its deadline is cancelled) and user, paged; one with
// its items, its user, its pay method, its times and its payments, among
// them the one paid after the order had expired (unsettled: owed back).
func TestAdminTicketOrders(t *testing.T) {
	plazatest.Each(t, shopEnv(t), func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		tok1, u1 := register(t, e, "13800138000")
		_, u2 := register(t, e, "13800138001")
		tk := tickets(t, a, 1999, 2999, 500, 700, 0)
		create := func(user, ticket int64) int64 {
			t.Helper()
			o, err := e.App.Orders.Create(ctx, user, []int64{ticket}, false)
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		payWith := func(user, order int64, method string) string {
			t.Helper()
			c, err := e.App.Orders.Pay(ctx, user, order, method)
			if err != nil {
				t.Fatalf("pay %d by %s: %v", order, method, err)
			}
			return c.OutTradeNo
		}
		o1 := create(u1, tk[0])
		payWith(u1, o1, "sandbox")
		o2 := create(u1, tk[1]) // left pending: it expires
		a.ok("POST", "/admin/v1/users/"+s64(u2)+"/wallet", map[string]any{"currency": "cny", "amount": 500, "reason": "gift"}, 201)
		o3 := create(u2, tk[2])
		payWith(u2, o3, "wallet")
		o4 := create(u2, tk[3])
		no4 := payWith(u2, o4, "wechat")
		e.Clock.Advance(16 * time.Minute)
		// The money for o4 comes after the sweep closed o4 (a pending order
		// past its deadline would still be paid): kept, unsettled.
		if _, err := e.App.Orders.ExpireDue(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Payments.Accept(ctx, payment.WeChat, pay.Trade{OutTradeNo: no4, VendorTxn: "wx-4", Amount: 700, State: pay.Paid}); err != nil {
			t.Fatal(err)
		}
		o5 := create(u1, tk[4]) // pending

		const list = "/admin/v1/orders"
		all := page(t, a.ok("GET", list, nil, 200), 5, 1, 20)
		if got := ids(t, all); !reflect.DeepEqual(got, []int64{o5, o4, o3, o2, o1}) {
			t.Fatalf("orders %v", got)
		}
		sameKeys(t, "order in a list", all[4], "id", "user_id", "price", "status", "pay_method", "ticket_name", "expires_at", "paid_at", "created_at", "updated_at", "refunded_at", "refund_reason")
		if all[4]["ticket_name"] != "票0" || num(t, all[4]["user_id"]) != u1 || num(t, all[4]["price"]) != 1999 || all[4]["paid_at"] != rfc(0) {
			t.Fatalf("order %v", all[4])
		}
		for _, c := range []struct {
			query string
			want  []int64
		}{
			{"status=0", []int64{o5}},
			{"status=1", []int64{o3, o1}},
			{"status=2", []int64{o4, o2}}, // o2 expired
			{"user_id=" + s64(u1), []int64{o5, o2, o1}},
			{"user_id=" + s64(u2) + "&status=1", []int64{o3}},
			{"user_id=" + s64(u1) + "&status=2&page_size=1", []int64{o2}},
			{"user_id=999999", []int64{}},
			{"status=", []int64{o5, o4, o3, o2, o1}},
		} {
			if got := ids(t, items(t, a.ok("GET", list+"?"+c.query, nil, 200))); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("%s: %v, want %v", c.query, got, c.want)
			}
		}
		// Paging.
		if got := ids(t, page(t, a.ok("GET", list+"?page_size=2", nil, 200), 5, 1, 2)); !reflect.DeepEqual(got, []int64{o5, o4}) {
			t.Fatalf("page 1: %v", got)
		}
		if got := ids(t, page(t, a.ok("GET", list+"?page=3&page_size=2", nil, 200), 5, 3, 2)); !reflect.DeepEqual(got, []int64{o1}) {
			t.Fatalf("page 3: %v", got)
		}
		if got := page(t, a.ok("GET", list+"?page=4&page_size=2", nil, 200), 5, 4, 2); len(got) != 0 {
			t.Fatalf("page 4: %v", got)
		}
		if got := page(t, a.ok("GET", list+"?status=1&page=2&page_size=1", nil, 200), 2, 2, 1); num(t, got[0]["id"]) != o1 {
			t.Fatalf("paid, page 2: %v", got)
		}
		// Bad filters: 400 naming the field.
		badQuery(a, list, "status", "status", "4", "-1", "x", "01", "+1", "1.0", "%201", "1%00", "99999999999999999999", "pending")
		badQuery(a, list, "user_id", "user_id", "abc", "0", "-1", "01", "%2B1", "1.5", "99999999999999999999", "1%00", "%EF%BC%91")
		badQuery(a, list, "page", "page", "0", "x", "-1")
		badQuery(a, list, "page_size", "page_size", "0", "101", "x")

		// One order: its items, payments, times.
		d := a.ok("GET", list+"/"+s64(o1), nil, 200)
		sameKeys(t, "order", d, "id", "user_id", "price", "status", "pay_method", "expires_at", "paid_at", "created_at", "updated_at", "refunded_at", "refund_reason", "items", "payments")
		if num(t, d["status"]) != 1 || d["pay_method"] != "sandbox" || d["paid_at"] != rfc(0) || d["expires_at"] != rfc(15*time.Minute) ||
			d["created_at"] != rfc(0) || num(t, d["user_id"]) != u1 {
			t.Fatalf("order %v", d)
		}
		its := d["items"].([]any)
		if len(its) != 1 {
			t.Fatalf("items %v", its)
		}
		it := its[0].(map[string]any)
		sameKeys(t, "item", it, "ticket_id", "name", "image", "price")
		if num(t, it["ticket_id"]) != tk[0] || it["name"] != "票0" || num(t, it["price"]) != 1999 {
			t.Fatalf("item %v", it)
		}
		pays := d["payments"].([]any)
		if len(pays) != 1 {
			t.Fatalf("payments %v", pays)
		}
		p1 := pays[0].(map[string]any)
		if p1["status"] != "paid" || p1["method"] != "sandbox" || p1["purpose"] != "order" || p1["ref"] != s64(o1) || num(t, p1["amount"]) != 1999 {
			t.Fatalf("payment %v", p1)
		}
		if d := a.ok("GET", list+"/"+s64(o3), nil, 200); d["pay_method"] != "wallet" || len(d["payments"].([]any)) != 0 {
			t.Fatalf("wallet order %v", d)
		}
		d = a.ok("GET", list+"/"+s64(o4), nil, 200)
		if num(t, d["status"]) != 2 || d["paid_at"] != nil || d["pay_method"] != "" {
			t.Fatalf("expired order %v", d)
		}
		pays = d["payments"].([]any)
		if len(pays) != 1 {
			t.Fatalf("payments %v", pays)
		}
		p4 := pays[0].(map[string]any)
		if p4["status"] != "unsettled" || p4["out_trade_no"] != no4 || p4["vendor_txn"] != "wx-4" || p4["paid_at"] != rfc(16*time.Minute) ||
			!strings.Contains(p4["settle_error"].(string), "orders.closed") {
			t.Fatalf("unsettled payment %v", p4)
		}
		if d := a.ok("GET", list+"/"+s64(o2), nil, 200); num(t, d["status"]) != 2 || d["paid_at"] != nil || len(d["payments"].([]any)) != 0 {
			t.Fatalf("expired order %v", d)
		}
		a.fail("GET", list+"/999999", nil, 404, "not_found", "")
		a.fail("GET", list+"/abc", nil, 404, "not_found", "")

		// Only admins: a user's token, no token, a wrong token.
		for _, path := range []string{list, list + "/" + s64(o1)} {
			wantError(t, e.Do("GET", path, nil, "Authorization", "Bearer "+tok1), path, 401, "unauthenticated", "")
			wantError(t, e.Do("GET", path, nil, "Authorization", "Token "+tok1), path, 401, "unauthenticated", "")
			wantError(t, e.Do("GET", path, nil), path, 401, "unauthenticated", "")
		}
	})
}

// Payments as an operator sees them: filtered by status (unsettled: paid
// but not settled, owed back), user and method, paged; one by its number.
func TestAdminPayments(t *testing.T) {
	plazatest.Each(t, shopEnv(t), func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		tok1, u1 := register(t, e, "13800138000")
		_, u2 := register(t, e, "13800138001")
		tk := tickets(t, a, 1999, 700)
		top, err := e.App.Payments.TopUp(ctx, u1, payment.Sandbox, 500)
		if err != nil {
			t.Fatal(err)
		}
		o1, _ := e.App.Orders.Create(ctx, u1, []int64{tk[0]}, false)
		c1, err := e.App.Orders.Pay(ctx, u1, o1.ID, "sandbox")
		if err != nil {
			t.Fatal(err)
		}
		o2, _ := e.App.Orders.Create(ctx, u2, []int64{tk[1]}, false)
		c2, err := e.App.Orders.Pay(ctx, u2, o2.ID, "wechat")
		if err != nil || c2.OutTradeNo == "" {
			t.Fatal(c2, err)
		}
		if err := e.App.Orders.Cancel(ctx, u2, o2.ID); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute)
		if err := e.App.Payments.Accept(ctx, payment.WeChat, pay.Trade{OutTradeNo: c2.OutTradeNo, VendorTxn: "wx-2", Amount: 700, State: pay.Paid}); err != nil {
			t.Fatal(err)
		}
		sandboxOrder, _ := e.App.Payments.ForRef(ctx, payment.PurposeOrder, s64(o1.ID))
		if c1.OutTradeNo != "" || len(sandboxOrder) != 1 {
			t.Fatalf("sandbox checkout %+v, payments %+v", c1, sandboxOrder)
		}
		pTop, pOrder, pOwed := top.Payment.OutTradeNo, sandboxOrder[0].OutTradeNo, c2.OutTradeNo

		const list = "/admin/v1/payments"
		numbers := func(items []map[string]any) []string {
			out := make([]string, len(items))
			for i, it := range items {
				out[i], _ = it["out_trade_no"].(string)
			}
			return out
		}
		all := page(t, a.ok("GET", list, nil, 200), 3, 1, 20)
		if got := numbers(all); !reflect.DeepEqual(got, []string{pOwed, pOrder, pTop}) {
			t.Fatalf("payments %v", got)
		}
		sameKeys(t, "payment", all[0], "id", "out_trade_no", "method", "purpose", "ref", "user_id", "amount", "subject", "status",
			"vendor_txn", "settle_error", "expires_at", "paid_at", "created_at", "updated_at")
		owed := all[0]
		if owed["status"] != "unsettled" || num(t, owed["user_id"]) != u2 || num(t, owed["amount"]) != 700 || owed["ref"] != s64(o2.ID) ||
			owed["method"] != "wechat" || owed["paid_at"] != rfc(time.Minute) || owed["created_at"] != rfc(0) ||
			!strings.Contains(owed["settle_error"].(string), "orders.closed") {
			t.Fatalf("owed %v", owed)
		}
		if all[2]["purpose"] != "topup" || all[2]["status"] != "paid" || all[2]["settle_error"] != "" || all[2]["paid_at"] != rfc(0) {
			t.Fatalf("top-up %v", all[2])
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"status=unsettled", []string{pOwed}},
			{"status=paid", []string{pOrder, pTop}},
			{"status=pending", []string{}},
			{"status=refunded", []string{}},
			{"method=sandbox", []string{pOrder, pTop}},
			{"method=wechat", []string{pOwed}},
			{"method=alipay", []string{}},
			{"user_id=" + s64(u1), []string{pOrder, pTop}},
			{"user_id=" + s64(u2) + "&status=unsettled&method=wechat", []string{pOwed}},
			{"user_id=" + s64(u1) + "&status=unsettled", []string{}},
			{"user_id=999999", []string{}},
			{"status=paid&page=2&page_size=1", []string{pTop}},
		} {
			if got := numbers(items(t, a.ok("GET", list+"?"+c.query, nil, 200))); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("%s: %v, want %v", c.query, got, c.want)
			}
		}
		if got := numbers(page(t, a.ok("GET", list+"?page=2&page_size=2", nil, 200), 3, 2, 2)); !reflect.DeepEqual(got, []string{pTop}) {
			t.Fatalf("page 2: %v", got)
		}
		page(t, a.ok("GET", list+"?status=paid&page=2&page_size=1", nil, 200), 2, 2, 1)
		badQuery(a, list, "status", "status", "PAID", "bogus", "paid%00", "%20paid", "1")
		badQuery(a, list, "method", "method", "wallet", "WeChat", "x", "wechat%1b")
		badQuery(a, list, "user_id", "user_id", "abc", "0", "-5", "1e3")
		badQuery(a, list, "page_size", "page_size", "1000")

		// One payment by its number.
		one := a.ok("GET", list+"/"+pOwed, nil, 200)
		if !reflect.DeepEqual(one, owed) {
			t.Fatalf("payment %v, in the list %v", one, owed)
		}
		a.fail("GET", list+"/P20260301"+strings.Repeat("0", 20), nil, 404, "not_found", "")
		for _, bad := range []string{"a%20b", "x%00", strings.Repeat("a", 65), "%C3%A9", "P1.2", "%2Bx"} {
			a.fail("GET", list+"/"+bad, nil, 400, "invalid", "out_trade_no")
		}
		for _, path := range []string{list, list + "/" + pOwed} {
			wantError(t, e.Do("GET", path, nil, "Authorization", "Bearer "+tok1), path, 401, "unauthenticated", "")
			wantError(t, e.Do("GET", path, nil), path, 401, "unauthenticated", "")
		}
	})
}

// Exchange orders (the market's diamond shop): everyone's, newest first,
// by user, paged; one by its 26-digit number.
func TestAdminExchangeOrders(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a := login(t, e)
		tok1, u1 := register(t, e, "13800138000")
		tok2, u2 := register(t, e, "13800138001")
		frame := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Frame", "image": "f.png", "diamond": 100, "product_type": 1,
			"category": map[string]any{"name": "Avatar", "action": "avatar"}}, 201)
		tea := a.ok("POST", "/admin/v1/exchange-products", map[string]any{"name": "Tea", "diamond": 50}, 201)
		for _, u := range []int64{u1, u2} {
			a.ok("POST", "/admin/v1/users/"+s64(u)+"/wallet", map[string]any{"currency": "diamond", "amount": 300, "reason": "gift"}, 201)
		}
		buy := func(tok string, product map[string]any) {
			t.Helper()
			if res := e.Do("GET", "/market/exchange_products/purchase/"+idStr(t, product)+"/", nil, "Authorization", "Token "+tok); res.Status != 200 {
				t.Fatalf("purchase %d %s", res.Status, res.Body)
			}
			e.Clock.Advance(time.Second)
		}
		buy(tok1, frame)
		buy(tok2, tea)
		buy(tok1, tea)
		mine, _, err := e.App.Market.Orders(ctx, u1, 0, 10)
		if err != nil || len(mine) != 2 {
			t.Fatal(mine, err)
		}
		theirs, _, _ := e.App.Market.Orders(ctx, u2, 0, 10)

		const list = "/admin/v1/exchange-orders"
		numbers := func(items []map[string]any) []string {
			out := make([]string, len(items))
			for i, it := range items {
				out[i], _ = it["order_number"].(string)
			}
			return out
		}
		all := page(t, a.ok("GET", list, nil, 200), 3, 1, 20)
		if got := numbers(all); !reflect.DeepEqual(got, []string{mine[0].Number, theirs[0].Number, mine[1].Number}) {
			t.Fatalf("orders %v", got)
		}
		first := all[2]
		sameKeys(t, "exchange order", first, "id", "order_number", "user_id", "product", "diamond", "status", "created_at", "refunded_at", "refund_reason")
		sameKeys(t, "product", first["product"].(map[string]any), "id", "name", "image", "product_type")
		if num(t, first["user_id"]) != u1 || num(t, first["diamond"]) != 100 || num(t, first["status"]) != market.OrderExchanged ||
			first["created_at"] != rfc(0) || first["product"].(map[string]any)["name"] != "Frame" ||
			num(t, first["product"].(map[string]any)["id"]) != num(t, frame["id"]) || num(t, first["product"].(map[string]any)["product_type"]) != 1 {
			t.Fatalf("order %v", first)
		}
		if got := numbers(page(t, a.ok("GET", list+"?user_id="+s64(u1), nil, 200), 2, 1, 20)); !reflect.DeepEqual(got, []string{mine[0].Number, mine[1].Number}) {
			t.Fatalf("u1's %v", got)
		}
		if got := numbers(page(t, a.ok("GET", list+"?user_id="+s64(u1)+"&page=2&page_size=1", nil, 200), 2, 2, 1)); !reflect.DeepEqual(got, []string{mine[1].Number}) {
			t.Fatalf("u1's page 2 %v", got)
		}
		page(t, a.ok("GET", list+"?user_id=999999", nil, 200), 0, 1, 20)
		if got := numbers(page(t, a.ok("GET", list+"?page=2&page_size=2", nil, 200), 3, 2, 2)); !reflect.DeepEqual(got, []string{mine[1].Number}) {
			t.Fatalf("page 2 %v", got)
		}
		badQuery(a, list, "user_id", "user_id", "abc", "0", "-1", "01", "1%00")
		badQuery(a, list, "page", "page", "0")

		if one := a.ok("GET", list+"/"+mine[1].Number, nil, 200); !reflect.DeepEqual(one, first) {
			t.Fatalf("order %v, in the list %v", one, first)
		}
		a.fail("GET", list+"/"+strings.Repeat("1", 26), nil, 404, "not_found", "")
		for _, bad := range []string{"123", strings.Repeat("1", 27), strings.Repeat("1", 25) + "a", "%2B" + strings.Repeat("1", 25),
			strings.Repeat("1", 25) + "%00", "%EF%BC%91" + strings.Repeat("1", 25)} {
			a.fail("GET", list+"/"+bad, nil, 400, "invalid", "order_number")
		}
		for _, path := range []string{list, list + "/" + mine[0].Number} {
			wantError(t, e.Do("GET", path, nil, "Authorization", "Bearer "+tok1), path, 401, "unauthenticated", "")
			wantError(t, e.Do("GET", path, nil), path, 401, "unauthenticated", "")
		}
	})
}
