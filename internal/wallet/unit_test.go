package wallet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"plaza/internal/errs"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// One unit spans two cores: a debit of the wallet, then a follow of the
// social core, then a last step. When the last step fails, neither the
// debit nor the follow is left; when it succeeds, both are there with the
// unit's one time.
func TestUnitSpansCores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		soc := social.New(db, e.clk)
		us := e.users(2)
		a, b := us[0], us[1]
		e.grant(a, wallet.Diamond, 100)
		txns := e.count("SELECT COUNT(*) FROM wallet_transactions")
		accounts := e.count("SELECT COUNT(*) FROM wallet_accounts")
		follows := func() int {
			return e.count("SELECT COUNT(*) FROM follows WHERE follower_id = ? AND followee_id = ?", a, b)
		}

		steps := func(last func(ctx context.Context, tx *store.Tx) error) error {
			return db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
				if _, err := e.w.Purchase(ctx, tx, a, wallet.Diamond, 30, wallet.Meta{Reason: "a ticket", Ref: wallet.Ref{Kind: "order", ID: "o1"}}); err != nil {
					return err
				}
				if err := soc.FollowTx(ctx, tx, a, b); err != nil {
					return err
				}
				// Both writes are visible inside the unit.
				if n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM follows WHERE follower_id = ? AND followee_id = ?", a, b); err != nil || n != 1 {
					return errors.New("the follow is not visible in its unit")
				}
				return last(ctx, tx)
			})
		}
		boom := errors.New("the last step failed")
		failures := map[string]func(ctx context.Context, tx *store.Tx) error{
			// A core's write that the database refuses (an unknown user:
			// on PostgreSQL this aborts the transaction).
			"refused write": func(ctx context.Context, tx *store.Tx) error { return soc.FollowTx(ctx, tx, a, 999999) },
			// A step that fails in Go after its writes.
			"error": func(ctx context.Context, tx *store.Tx) error {
				if _, err := e.w.Transfer(ctx, tx, a, b, wallet.Diamond, 10, wallet.Meta{}); err != nil {
					return err
				}
				return boom
			},
		}
		for name, last := range failures {
			err := steps(last)
			if err == nil {
				t.Fatalf("%s: the unit committed", name)
			}
			if name == "error" && !errors.Is(err, boom) {
				t.Fatalf("%s: err = %v", name, err)
			}
			if name == "refused write" && !errs.Is(err, errs.NotFound) {
				t.Fatalf("%s: err = %v", name, err)
			}
			if bal := e.balance(a, wallet.Diamond); bal != 100 {
				t.Fatalf("%s: balance %d, want 100 (the debit rolled back)", name, bal)
			}
			if n := follows(); n != 0 {
				t.Fatalf("%s: the follow is there", name)
			}
			if n := e.count("SELECT COUNT(*) FROM wallet_transactions"); n != txns {
				t.Fatalf("%s: transactions %d -> %d", name, txns, n)
			}
			if n := e.count("SELECT COUNT(*) FROM wallet_accounts"); n != accounts {
				t.Fatalf("%s: accounts %d -> %d (made in the unit, must roll back)", name, accounts, n)
			}
			e.verify()
		}

		e.clk.Advance(time.Hour)
		unitTime := e.clk.Now()
		err := steps(func(ctx context.Context, tx *store.Tx) error {
			e.clk.Advance(time.Minute) // the unit's time is fixed at its start
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if bal := e.balance(a, wallet.Diamond); bal != 70 || follows() != 1 {
			t.Fatalf("after commit: balance %d, follows %d", bal, follows())
		}
		at := unitTime.UnixMilli()
		if n := e.count("SELECT COUNT(*) FROM follows WHERE follower_id = ? AND created_at = ?", a, at); n != 1 {
			t.Fatal("the follow does not carry the unit's time")
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions WHERE kind = 'purchase' AND created_at = ?", at); n != 1 {
			t.Fatal("the purchase does not carry the unit's time")
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_entries WHERE created_at = ?", at); n != 2 {
			t.Fatal("the entries do not carry the unit's time")
		}
		e.verify()
	})
}

// A core function that opens a unit of its own, called inside a unit,
// fails at once (on SQLite it would wait forever for the writer).
func TestNestedCoreCallFailsFast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		soc := social.New(db, e.clk)
		us := e.users(2)
		done := make(chan error, 1)
		go func() {
			done <- db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
				if _, err := e.w.Adjust(ctx, us[0], wallet.Coin, 5, wallet.Meta{Reason: "nested"}); !errors.Is(err, store.ErrNested) {
					return errors.New("nested Adjust: " + errString(err))
				}
				if err := soc.Follow(ctx, us[0], us[1]); !errors.Is(err, store.ErrNested) {
					return errors.New("nested Follow: " + errString(err))
				}
				if _, err := e.w.Balance(ctx, us[0], wallet.Coin); !errors.Is(err, store.ErrNested) {
					return errors.New("pool read in a unit: " + errString(err))
				}
				return nil
			})
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no answer after 5s: deadlock")
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions"); n != 0 {
			t.Fatalf("%d transactions", n)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
