package yuanyi_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

type storeTx = store.Tx

var orderKeys = []string{"order_id", "uid", "price", "status", "created_at", "updated_at"}

// grantCNY gives the user with uid amount fen of cny.
func grantCNY(t *testing.T, e *plazatest.Env, uid string, amount int64) int64 {
	t.Helper()
	ctx := context.Background()
	u, err := e.App.Accounts.UserByUID(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	err = e.App.DB.Unit(ctx, func(ctx context.Context, tx *storeTx) error {
		_, err := e.App.Wallet.Grant(ctx, tx, u.ID, "cny", amount, wallet.Meta{Reason: "test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func lastOrder(t *testing.T, e *plazatest.Env, tok string) string {
	t.Helper()
	return fmt.Sprint(list(t, ok(t, e, "my_order_list", map[string]any{"limit": 1}, tok), "my_order_list")[0]["order_id"])
}

func statusOf(t *testing.T, e *plazatest.Env, tok, order string) string {
	t.Helper()
	return fmt.Sprint(ok(t, e, "order_detail", map[string]any{"order_id": order}, tok)["order_detail"].(map[string]any)["status"])
}

func TestCartAndOrders(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a, aUID := signup(t, e, "18682222222")
		b, bUID := signup(t, e, "18683333333")
		s := makeShop(t, e, 4)

		// The cart.
		ok(t, e, "shopping_cart_add", map[string]any{"ticket_id": s.tickets[0]}, a)
		ok(t, e, "shopping_cart_add", map[string]any{"ticket_id": s.tickets[1]}, a)
		ok(t, e, "shopping_cart_add", map[string]any{"ticket_id": s.tickets[1]}, a) // again: no change
		cart := list(t, ok(t, e, "shopping_cart_info", nil, a), "shopping_cart_info",
			"ticket_id", "ticket_name", "ticket_image", "ticket_intro", "ticket_price", "created_at", "updated_at")
		if len(cart) != 2 {
			t.Fatalf("cart = %v", cart)
		}
		if got := list(t, ok(t, e, "shopping_cart_info", nil, b), "shopping_cart_info"); len(got) != 0 {
			t.Fatalf("b's cart shows a's: %v", got)
		}
		ok(t, e, "shopping_cart_del", map[string]any{"ticket_id": s.tickets[0]}, b) // not b's: nothing
		fails(t, e, "shopping_cart_add", map[string]any{"ticket_id": 999999}, a, 201)
		for _, bad := range []map[string]any{nil, {"ticket_id": "x"}, {"ticket_id": 0}, {"ticket_id": 1e30}, {"ticket_id": []any{1}}} {
			fails(t, e, "shopping_cart_add", bad, a, 400)
			fails(t, e, "shopping_cart_del", bad, a, 400)
		}

		// An order from the cart takes its tickets out of it.
		m := ok(t, e, "order_create_by_shopping_cart", map[string]any{"ticket_id_list": []any{s.tickets[0], s.tickets[1]}}, a)
		order := fmt.Sprint(m["order_id"])
		if got := list(t, ok(t, e, "shopping_cart_info", nil, a), "shopping_cart_info"); len(got) != 0 {
			t.Fatalf("cart after order = %v", got)
		}
		d := keys(t, "order_detail", ok(t, e, "order_detail", map[string]any{"order_id": order}, a)["order_detail"], append(orderKeys, "order_item_list")...)
		numIs(t, "price", d["price"], 1999+2999)
		numIs(t, "status", d["status"], 0)
		if d["uid"] != aUID {
			t.Fatalf("order uid = %v", d["uid"])
		}
		items := d["order_item_list"].([]any)
		if len(items) != 2 {
			t.Fatalf("items = %v", items)
		}
		keys(t, "item", items[0], "ticket_id", "price", "created_at", "updated_at", "ticket_name", "ticket_image")

		// Reserved: nobody else orders them; b may still cart one.
		fails(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[1], s.tickets[2]}}, b, 202)
		ok(t, e, "shopping_cart_add", map[string]any{"ticket_id": s.tickets[1]}, b)
		// Another user's order: not found (400), whatever is asked.
		fails(t, e, "order_detail", map[string]any{"order_id": order}, b, 400)
		fails(t, e, "order_pay", map[string]any{"order_id": order}, b, 400)
		fails(t, e, "order_cancel", map[string]any{"order_id": order}, b, 400)

		// Bad input writes nothing.
		for _, bad := range []map[string]any{
			nil, {"ticket_id_list": []any{}}, {"ticket_id_list": ""}, {"ticket_id_list": []any{s.tickets[2], s.tickets[2]}},
			{"ticket_id_list": "x"}, {"ticket_id_list": []any{"a"}}, {"ticket_id_list": []any{0}}, {"ticket_id_list": map[string]any{}},
			{"ticket_id_list": make([]any, 101)},
		} {
			fails(t, e, "order_create", bad, b, 400)
		}
		fails(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[2], 999999}}, b, 201)
		fails(t, e, "order_create", map[string]any{"ticket_id_list": fmt.Sprintf("%s,%s", s.tickets[2], s.tickets[0])}, b, 202)
		if got := list(t, ok(t, e, "my_order_list", nil, b), "my_order_list"); len(got) != 0 {
			t.Fatalf("refused orders were written: %v", got)
		}

		// Pay (sandbox): done, tickets sold, out of b's cart too.
		for _, bad := range []map[string]any{{"order_id": order, "pay_method": "cash"}, {"order_id": "x"}, nil, {"order_id": order, "pay_method": 1}} {
			fails(t, e, "order_pay", bad, a, 400)
		}
		fails(t, e, "order_pay", map[string]any{"order_id": order, "pay_method": "wechat"}, a, 110)
		fails(t, e, "order_pay", map[string]any{"order_id": order, "pay_method": "alipay"}, a, 110)
		ok(t, e, "order_pay", map[string]any{"order_id": order, "pay_method": "sandbox"}, a)
		if statusOf(t, e, a, order) != "1" {
			t.Fatal("not done after pay")
		}
		fails(t, e, "order_pay", map[string]any{"order_id": order}, a, 400)    // paid already
		fails(t, e, "order_cancel", map[string]any{"order_id": order}, a, 400) // paid: not cancelled
		mine := list(t, ok(t, e, "my_ticket_list", nil, a), "my_ticket_list", ticketKeys...)
		if len(mine) != 2 {
			t.Fatalf("my_ticket_list = %v", mine)
		}
		if got := list(t, ok(t, e, "shopping_cart_info", nil, b), "shopping_cart_info"); len(got) != 0 {
			t.Fatalf("a sold ticket stays in b's cart: %v", got)
		}
		fails(t, e, "shopping_cart_add", map[string]any{"ticket_id": s.tickets[0]}, b, 202)
		fails(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[0]}}, b, 202)

		// Cancel releases; b then orders the ticket.
		order2 := fmt.Sprint(ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[2]}}, a)["order_id"])
		ok(t, e, "order_cancel", map[string]any{"order_id": order2}, a)
		fails(t, e, "order_cancel", map[string]any{"order_id": order2}, a, 400)
		fails(t, e, "order_pay", map[string]any{"order_id": order2}, a, 400)
		ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[2]}}, b)

		// The status filter; items carry their first ticket.
		all := list(t, ok(t, e, "my_order_list", nil, a), "my_order_list", append(orderKeys, "ticket_name", "ticket_image")...)
		if len(all) != 2 || all[1]["ticket_name"] != "票名称0" {
			t.Fatalf("my_order_list = %v", all)
		}
		for status, want := range map[int]int{0: 0, 1: 1, 2: 1} {
			if got := list(t, ok(t, e, "my_order_list", map[string]any{"status": status}, a), "my_order_list"); len(got) != want {
				t.Fatalf("status %d: %v", status, got)
			}
		}
		ok(t, e, "my_order_list", map[string]any{"status": nil}, a)
		for _, bad := range []any{3, -1, "x", 1.5} {
			fails(t, e, "my_order_list", map[string]any{"status": bad}, a, 400)
		}

		// Wallet: short refuses with nothing written; enough pays.
		bOrder := lastOrder(t, e, b)
		fails(t, e, "order_pay", map[string]any{"order_id": bOrder, "pay_method": "wallet"}, b, 400)
		if statusOf(t, e, b, bOrder) != "0" {
			t.Fatal("a short payment changed the order")
		}
		bID := grantCNY(t, e, bUID, 3998)
		fails(t, e, "order_pay", map[string]any{"order_id": bOrder, "pay_method": "wallet"}, b, 400)
		grantCNY(t, e, bUID, 10)
		ok(t, e, "order_pay", map[string]any{"order_id": bOrder, "pay_method": "wallet"}, b)
		if bal, _ := e.App.Wallet.Balance(context.Background(), bID, "cny"); bal != 9 {
			t.Fatalf("balance after pay = %d, want 9", bal)
		}
		verifyLedger(t, e)

		// Expiry: past the deadline an order is cancelled, before the sweep
		// too, and its ticket is free again.
		order3 := fmt.Sprint(ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[3]}}, a)["order_id"])
		e.Clock.Advance(15 * time.Minute)
		if statusOf(t, e, a, order3) != "2" {
			t.Fatal("an expired order shows pending")
		}
		if got := list(t, ok(t, e, "my_order_list", map[string]any{"status": 0}, a), "my_order_list"); len(got) != 0 {
			t.Fatalf("expired order listed as pending: %v", got)
		}
		fails(t, e, "order_pay", map[string]any{"order_id": order3}, a, 400)
		fails(t, e, "order_cancel", map[string]any{"order_id": order3}, a, 400)
		ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[3]}}, b) // released by the refused pay
		order4 := lastOrder(t, e, b)
		e.Clock.Advance(14 * time.Minute)
		ok(t, e, "order_cancel", map[string]any{"order_id": order4}, b) // before the deadline
		ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[3]}}, a)
		e.Clock.Advance(15 * time.Minute)
		ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[3]}}, b) // a's unswept order gives it up
		e.Clock.Advance(15 * time.Minute)
		if n, err := e.App.Orders.ExpireDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		if n, err := e.App.Orders.ExpireDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("second sweep = %d, %v", n, err)
		}
		ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[3]}}, a)
	})
}

func verifyLedger(t *testing.T, e *plazatest.Env) {
	t.Helper()
	r, err := wallet.Verify(context.Background(), e.App.DB)
	if err != nil || !r.OK() {
		t.Fatalf("ledger verify: %v %+v", err, r)
	}
}

// Ten users race for one ticket: exactly one pending order holds it.
func TestOrdersRace(t *testing.T) {
	phones := make([]string, 10)
	for i := range phones {
		phones[i] = fmt.Sprintf("1869000%04d", i)
	}
	plazatest.Each(t, contentEnv(phones...), func(t *testing.T, e *plazatest.Env) {
		toks := make([]string, len(phones))
		uids := make([]string, len(phones))
		for i, p := range phones {
			toks[i], uids[i] = signup(t, e, p)
		}
		s := makeShop(t, e, 3)
		var won atomic.Int32
		var wg sync.WaitGroup
		for _, tok := range toks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if rpcErr(e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[0]}}, tok) == nil {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d orders hold one ticket", won.Load())
		}
		pending := 0
		for _, tok := range toks {
			pending += len(list(t, ok(t, e, "my_order_list", map[string]any{"status": 0}, tok), "my_order_list"))
		}
		if pending != 1 {
			t.Fatalf("%d pending orders", pending)
		}

		// Create and cancel in parallel: every ticket ends in at most one
		// pending order, and a cancelled order holds none.
		for round := 0; round < 5; round++ {
			o := fmt.Sprint(ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[1]}}, toks[0])["order_id"])
			var creates atomic.Int32
			wg = sync.WaitGroup{}
			wg.Add(4)
			go func() { defer wg.Done(); _ = rpcErr(e, "order_cancel", map[string]any{"order_id": o}, toks[0]) }()
			for _, tok := range toks[1:4] {
				go func() {
					defer wg.Done()
					if rpcErr(e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[1]}}, tok) == nil {
						creates.Add(1)
					}
				}()
			}
			wg.Wait()
			if statusOf(t, e, toks[0], o) != "2" || creates.Load() > 1 {
				t.Fatalf("round %d: %d creates beside the cancel", round, creates.Load())
			}
			for _, tok := range toks[1:4] { // free it again
				for _, it := range list(t, ok(t, e, "my_order_list", map[string]any{"status": 0}, tok), "my_order_list") {
					ok(t, e, "order_cancel", map[string]any{"order_id": it["order_id"]}, tok)
				}
			}
		}

		// Two sweeps at once close every expired order once.
		for _, tok := range toks {
			for _, it := range list(t, ok(t, e, "my_order_list", map[string]any{"status": 0}, tok), "my_order_list") {
				ok(t, e, "order_cancel", map[string]any{"order_id": it["order_id"]}, tok)
			}
		}
		extra := makeShop(t, e, 9)
		for i, tk := range append(extra.tickets, s.tickets[0]) {
			ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{tk}}, toks[i])
		}
		e.Clock.Advance(15 * time.Minute)
		var closed atomic.Int32
		wg = sync.WaitGroup{}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := e.App.Orders.ExpireDue(context.Background())
				if err != nil {
					t.Error(err)
				}
				closed.Add(int32(n))
			}()
		}
		wg.Wait()
		if closed.Load() != 10 {
			t.Fatalf("two sweeps closed %d of 10 orders", closed.Load())
		}
		for i, tk := range append(extra.tickets, s.tickets[0]) {
			ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{tk}}, toks[(i+1)%10])
		}

		// Wallet pay racing cancel: paid or cancelled, the ledger whole.
		e.Clock.Advance(15 * time.Minute)
		for _, uid := range uids {
			grantCNY(t, e, uid, 100000)
		}
		for i, tok := range toks {
			o := fmt.Sprint(ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{extra.tickets[i%9]}}, tok)["order_id"])
			wg = sync.WaitGroup{}
			var paid, cancelled atomic.Int32
			wg.Add(2)
			go func() {
				defer wg.Done()
				if rpcErr(e, "order_pay", map[string]any{"order_id": o, "pay_method": "wallet"}, tok) == nil {
					paid.Add(1)
				}
			}()
			go func() {
				defer wg.Done()
				if rpcErr(e, "order_cancel", map[string]any{"order_id": o}, tok) == nil {
					cancelled.Add(1)
				}
			}()
			wg.Wait()
			st := statusOf(t, e, tok, o)
			if paid.Load()+cancelled.Load() != 1 || (st == "1") != (paid.Load() == 1) {
				t.Fatalf("order %s: paid %d cancelled %d status %s", o, paid.Load(), cancelled.Load(), st)
			}
			if i == 8 {
				break // extra has 9 tickets
			}
		}
		verifyLedger(t, e)
	})
}
