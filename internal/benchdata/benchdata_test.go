package benchdata_test

import (
	"context"
	"testing"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// A small console data set holds together: plaza ledger verify passes, the
// users counter is right, the wallet finds every system account made, and
// orders and their tickets agree.
func TestSeedConsoleData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := benchdata.Spec{Users: 300, Tokens: 10, Seed: 7, Ledger: 4000, Orders: 500, Feedback: 200, Pushes: 30, Audit: 400, Service: 50}
		d, err := benchdata.Seed(ctx, db, s, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r, err := wallet.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || r.Entries != s.Ledger || r.Transactions != s.Ledger/2 {
			t.Fatalf("ledger: %d entries, %d transactions, differences %v (+%d)", r.Entries, r.Transactions, r.Differences, r.More)
		}
		count := func(q string) int {
			t.Helper()
			n, err := store.Count(ctx, db, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		if n := count("SELECT COALESCE(SUM(n), 0) FROM row_counts WHERE name = 'users'"); n != s.Users {
			t.Errorf("users counter %d, want %d", n, s.Users)
		}
		if n := count("SELECT COALESCE(SUM(n), 0) FROM row_counts WHERE name = 'orders'"); n != s.Orders {
			t.Errorf("orders counter %d, want %d", n, s.Orders)
		}
		var heavy int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM wallet_transactions WHERE user_id = ?", d.HeavyUser).Scan(&heavy); err != nil || heavy < s.Ledger/2/40 {
			t.Errorf("heavy user %d has %d transactions (%v)", d.HeavyUser, heavy, err)
		}
		for q, want := range map[string]int{
			"SELECT COUNT(*) FROM orders":        s.Orders,
			"SELECT COUNT(*) FROM feedback":      s.Feedback,
			"SELECT COUNT(*) FROM pushes":        s.Pushes,
			"SELECT COUNT(*) FROM admin_audit":   s.Audit,
			"SELECT COUNT(*) FROM conversations": 2 * s.Service,
			"SELECT COUNT(*) FROM tickets":       d.Tickets,
			// a paid order's tickets are sold to its buyer, a pending one's reserved by it, others' free
			`SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id JOIN tickets t ON t.id = i.ticket_id
				WHERE NOT ((o.status = 1 AND t.sold_to = o.user_id AND t.reserved_order IS NULL)
					OR (o.status = 0 AND t.reserved_order = o.id AND t.sold_to IS NULL)
					OR (o.status IN (2, 3) AND t.reserved_order IS NULL AND t.sold_to IS NULL))`: 0,
			"SELECT COUNT(*) FROM orders o WHERE price <> (SELECT SUM(price) FROM order_items i WHERE i.order_id = o.id)":                0,
			"SELECT COUNT(*) FROM feedback f WHERE (status = 1) <> EXISTS (SELECT 1 FROM feedback_replies r WHERE r.feedback_id = f.id)": 0,
		} {
			if n := count(q); n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
		}
		// The server's wallet finds every system account: it makes none.
		before := count("SELECT COUNT(*) FROM wallet_accounts")
		if err := wallet.New(db).Init(ctx); err != nil {
			t.Fatal(err)
		}
		if after := count("SELECT COUNT(*) FROM wallet_accounts"); after != before {
			t.Errorf("wallet.Init made %d accounts", after-before)
		}
	})
}
