package yuanyi_test

import (
	"context"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/orders"
	"plaza/internal/plazatest"
)

// The orders core refuses a status filter that is no status (the rule is
// the core's, not a face's).
func TestOrderListStatusRule(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a, uid := signup(t, e, "18682222222")
		u, err := e.App.Accounts.UserByUID(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []orders.Status{-1, 3, 1 << 40} {
			if _, err := e.App.Orders.List(ctx, u.ID, &bad, 0, 20); !errs.Is(err, errs.Invalid) {
				t.Errorf("status %d: %v, want Invalid", bad, err)
			}
		}
		for _, bad := range []any{3, -1, 1 << 40, 1<<32 + 1} {
			fails(t, e, "my_order_list", map[string]any{"status": bad}, a, 400)
		}
	})
}
