package yuanyi_test

import (
	"context"
	"sync"
	"testing"

	"plaza/internal/orders"
	"plaza/internal/plazatest"
)

// Parallel adds to one cart never take it past orders.MaxCart (PostgreSQL
// counted the cart beside the other adds' uncommitted rows).
func TestCartCapRace(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		_, uid := signup(t, e, "18682222222")
		u, err := e.App.Accounts.UserByUID(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		s := makeShop(t, e, orders.MaxCart+30)
		ids := make([]int64, len(s.tickets))
		for i, tk := range s.tickets {
			ids[i] = int64(mustInt(t, tk))
		}
		for _, id := range ids[:orders.MaxCart-5] {
			if err := e.App.Orders.AddToCart(ctx, u.ID, id); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for _, id := range ids[orders.MaxCart-5:] {
			wg.Add(1)
			go func() { defer wg.Done(); _ = e.App.Orders.AddToCart(ctx, u.ID, id) }()
		}
		wg.Wait()
		cart, err := e.App.Orders.Cart(ctx, u.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(cart) != orders.MaxCart {
			t.Fatalf("the cart holds %d tickets, want %d", len(cart), orders.MaxCart)
		}
	})
}
