package market_test

import (
	"context"
	"sync/atomic"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// 20 purchases at once of a 100-diamond product by a user holding 1,000:
// exactly 10 succeed, the rest are 钻石不足, and the ledger agrees.
func TestParallelPurchasesSpendOnce(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		p := product(t, e, "Tea", 100, "", nil)
		u := newUser(t, e, 1, "U")
		u.grant(t, 1000)
		var ok, short atomic.Int32
		fs := make([]func(), 20)
		for i := range fs {
			fs[i] = func() {
				res := u.do("GET", "/market/exchange_products/purchase/"+id(p)+"/")
				switch {
				case res.Status == 200:
					ok.Add(1)
				case res.Status == 400 && string(res.Body) == "{\"detail\":\"钻石不足\"}\n":
					short.Add(1)
				default:
					t.Errorf("purchase: %d %s", res.Status, res.Body)
				}
			}
		}
		storetest.Race(fs...)
		if ok.Load() != 10 || short.Load() != 10 {
			t.Fatalf("%d bought, %d short; want 10 and 10", ok.Load(), short.Load())
		}
		if b := u.balance(t); b != 0 {
			t.Fatalf("balance %d", b)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM wallet_transactions WHERE kind = 'purchase' AND user_id = ?", u.id); n != 10 {
			t.Fatalf("%d purchase transactions", n)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM exchange_orders"); n != 10 {
			t.Fatalf("%d orders", n)
		}
		if n := count(t, e, "SELECT bought FROM exchange_products WHERE id = ?", p); n != 10 {
			t.Fatalf("bought %d", n)
		}
		rep, err := wallet.Verify(context.Background(), e.App.DB)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// A product with stock 5 bought by 20 users at once: exactly 5.
func TestParallelPurchasesOfLastUnits(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		p := product(t, e, "Rare", 100, "avatar", 5)
		var ok, gone atomic.Int32
		fs := make([]func(), 20)
		for i := range fs {
			u := newUser(t, e, i+1, "U")
			u.grant(t, 100)
			fs[i] = func() {
				res := u.do("GET", "/market/exchange_products/purchase/"+id(p)+"/")
				switch {
				case res.Status == 200:
					ok.Add(1)
				case res.Status == 400 && string(res.Body) == "{\"detail\":\"库存不足\"}\n":
					gone.Add(1)
				default:
					t.Errorf("purchase: %d %s", res.Status, res.Body)
				}
			}
		}
		storetest.Race(fs...)
		if ok.Load() != 5 || gone.Load() != 15 {
			t.Fatalf("%d bought, %d sold out; want 5 and 15", ok.Load(), gone.Load())
		}
		if n := count(t, e, "SELECT stock FROM exchange_products WHERE id = ?", p); n != 0 {
			t.Fatalf("stock %d", n)
		}
		if n := count(t, e, "SELECT bought FROM exchange_products WHERE id = ?", p); n != 5 {
			t.Fatalf("bought %d", n)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM user_products"); n != 5 {
			t.Fatalf("%d user products", n)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM wallet_accounts WHERE user_id IS NOT NULL AND currency = 'diamond' AND balance = 0"); n != 5 {
			t.Fatalf("%d users paid", n)
		}
		rep, err := wallet.Verify(context.Background(), e.App.DB)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// Two products of one action put on at once, again and again: at most
// one is on at the end of every round.
func TestParallelUseOneOfAnAction(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		a := product(t, e, "A", 10, "background", nil)
		b := product(t, e, "B", 10, "background", nil)
		u := newUser(t, e, 1, "U")
		u.grant(t, 100)
		want(t, u.do("GET", "/market/exchange_products/purchase/"+id(a)+"/"), "buy a", 200)
		want(t, u.do("GET", "/market/exchange_products/purchase/"+id(b)+"/"), "buy b", 200)
		ups := results(t, want(t, u.do("GET", "/market/user_products/"), "user products", 200))
		pa, pb := id(number(ups[0]["pk"])), id(number(ups[1]["pk"]))
		for round := 0; round < 10; round++ {
			storetest.Race(
				func() { want(t, u.do("PUT", "/market/use_product/"+pa+"/"), "use a", 200) },
				func() { want(t, u.do("PUT", "/market/use_product/"+pb+"/"), "use b", 200) },
			)
			if n := count(t, e, "SELECT COUNT(*) FROM user_products WHERE user_id = ? AND status = 1", u.id); n != 1 {
				t.Fatalf("round %d: %d products on", round, n)
			}
		}
	})
}
