package wallet_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

type env struct {
	t   testing.TB
	db  *store.DB
	w   *wallet.Service
	clk *clock.Fake
}

func newEnv(t testing.TB, db *store.DB) *env {
	clk := clock.NewFake(start)
	db.SetClock(clk)
	return &env{t: t, db: db, w: wallet.New(db), clk: clk}
}

// users makes n users and returns their ids.
func (e *env) users(n int) []int64 {
	e.t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		name := fmt.Sprintf("u%d-%d", time.Now().UnixNano(), i)
		err := e.db.QueryRowWrite(context.Background(), "INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 1, 1) RETURNING id",
			name, name).Scan(&ids[i])
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return ids
}

// unit runs fn in a unit of its own.
func (e *env) unit(fn func(ctx context.Context, tx *store.Tx) error) error {
	return e.db.Unit(context.Background(), fn)
}

func (e *env) grant(user int64, currency string, amount int64) {
	e.t.Helper()
	if _, err := e.w.Adjust(context.Background(), user, currency, amount, wallet.Meta{Reason: "test grant"}); err != nil {
		e.t.Fatalf("grant: %v", err)
	}
}

func (e *env) balance(user int64, currency string) int64 {
	e.t.Helper()
	b, err := e.w.Balance(context.Background(), user, currency)
	if err != nil {
		e.t.Fatalf("balance: %v", err)
	}
	return b
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	n, err := store.Count(context.Background(), e.db, q, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// verify fails the test unless ledger verify finds no difference.
func (e *env) verify() wallet.Report {
	e.t.Helper()
	r, err := wallet.Verify(context.Background(), e.db)
	if err != nil {
		e.t.Fatalf("verify: %v", err)
	}
	if !r.OK() {
		e.t.Fatalf("verify found differences: %v", r.Differences)
	}
	return r
}

func wantKind(t testing.TB, err error, k errs.Kind) {
	t.Helper()
	if !errs.Is(err, k) {
		t.Fatalf("err = %v, want kind %v", err, k)
	}
}

// 20 parallel purchases of 100 from a balance of 1,000: exactly 10 go
// through, the balance ends at 0 and the ledger holds exactly 10 of them.
func TestParallelPurchases(t *testing.T) {
	for _, init := range []bool{true, false} {
		t.Run(map[bool]string{true: "init", false: "lazy"}[init], func(t *testing.T) { parallelPurchases(t, init) })
	}
}

func parallelPurchases(t *testing.T, init bool) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if init {
			if err := e.w.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := e.count("SELECT COUNT(*) FROM wallet_accounts WHERE system IS NOT NULL"); n != 4*3*16 { // four currencies, three system accounts, 16 shards
				t.Fatalf("system accounts = %d", n)
			}
		}
		u := e.users(1)[0]
		e.grant(u, wallet.Diamond, 1000)
		var ok, short atomic.Int32
		var wg sync.WaitGroup
		errc := make(chan error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := e.unit(func(ctx context.Context, tx *store.Tx) error {
					_, err := e.w.Purchase(ctx, tx, u, wallet.Diamond, 100, wallet.Meta{Reason: "a product", Ref: wallet.Ref{Kind: "order", ID: fmt.Sprint(i)}})
					return err
				})
				switch {
				case err == nil:
					ok.Add(1)
				case errs.Is(err, errs.InsufficientFunds):
					short.Add(1)
				default:
					errc <- err
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatalf("purchase: %v", err)
		}
		if ok.Load() != 10 || short.Load() != 10 {
			t.Fatalf("%d went through, %d short; want 10 and 10", ok.Load(), short.Load())
		}
		if b := e.balance(u, wallet.Diamond); b != 0 {
			t.Fatalf("balance = %d, want 0", b)
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions WHERE user_id = ? AND kind = 'purchase'", u); n != 10 {
			t.Fatalf("purchase transactions = %d, want 10", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM wallet_entries e JOIN wallet_accounts a ON a.id = e.account_id
			WHERE a.user_id = ? AND e.amount = -100`, u); n != 10 {
			t.Fatalf("debit entries = %d, want 10", n)
		}
		e.verify()
	})
}

// Two users paying each other in loops from several goroutines each: no
// deadlock, no error, and the money is all still there.
func TestPayEachOther(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		us := e.users(2)
		a, b := us[0], us[1]
		e.grant(a, wallet.Gold, 1000)
		e.grant(b, wallet.Gold, 1000)
		const workers, each = 4, 40
		var wg sync.WaitGroup
		errc := make(chan error, 2*workers*each)
		var moved atomic.Int64
		for w := range 2 * workers {
			from, to := a, b
			if w%2 == 1 {
				from, to = b, a
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					err := e.unit(func(ctx context.Context, tx *store.Tx) error {
						_, err := e.w.Transfer(ctx, tx, from, to, wallet.Gold, int64(1+i%5), wallet.Meta{Reason: "gift", Ref: wallet.Ref{Kind: "gift", ID: fmt.Sprint(w, "-", i)}})
						return err
					})
					if err != nil && !errs.Is(err, errs.InsufficientFunds) {
						errc <- err
						return
					}
					if err == nil {
						moved.Add(1)
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatal("transfers still running after 60s: deadlock")
		}
		close(errc)
		for err := range errc {
			t.Fatalf("transfer: %v", err)
		}
		if sum := e.balance(a, wallet.Gold) + e.balance(b, wallet.Gold); sum != 2000 {
			t.Fatalf("a + b = %d, want 2000", sum)
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions WHERE kind = 'transfer'"); int64(n) != moved.Load() {
			t.Fatalf("transfer transactions = %d, want %d", n, moved.Load())
		}
		e.verify()
	})
}

// The same key twice: one transaction, the same answer. The same key with
// other content: Conflict. Another user's same key is theirs.
func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		us := e.users(2)
		m := wallet.Meta{Reason: "welcome", Ref: wallet.Ref{Kind: "grant", ID: "7"}, Key: "grant-7"}
		first, err := e.w.Adjust(ctx, us[0], wallet.Diamond, 50, m)
		if err != nil {
			t.Fatal(err)
		}
		if first.Replayed || first.BalanceOf(us[0]) != 50 {
			t.Fatalf("first = %+v", first)
		}
		e.clk.Advance(time.Hour)
		again, err := e.w.Adjust(ctx, us[0], wallet.Diamond, 50, m)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Replayed || again.ID != first.ID || again.BalanceOf(us[0]) != 50 || !again.CreatedAt.Equal(first.CreatedAt) ||
			again.Amount != 50 || again.From != wallet.System(wallet.Mint) || again.To != wallet.User(us[0]) || again.Meta != m {
			t.Fatalf("replay = %+v, want the first result %+v", again, first)
		}
		if b := e.balance(us[0], wallet.Diamond); b != 50 {
			t.Fatalf("balance = %d, want 50 (applied once)", b)
		}
		for name, other := range map[string]func() (wallet.Txn, error){
			"amount":   func() (wallet.Txn, error) { return e.w.Adjust(ctx, us[0], wallet.Diamond, 51, m) },
			"sign":     func() (wallet.Txn, error) { return e.w.Adjust(ctx, us[0], wallet.Diamond, -50, m) },
			"currency": func() (wallet.Txn, error) { return e.w.Adjust(ctx, us[0], wallet.Gold, 50, m) },
			"reason": func() (wallet.Txn, error) {
				return e.w.Adjust(ctx, us[0], wallet.Diamond, 50, wallet.Meta{Reason: "other", Ref: m.Ref, Key: m.Key})
			},
			"kind": func() (wallet.Txn, error) {
				var t wallet.Txn
				err := e.unit(func(ctx context.Context, tx *store.Tx) error {
					var err error
					t, err = e.w.TopUp(ctx, tx, us[0], wallet.Diamond, 50, m)
					return err
				})
				return t, err
			},
		} {
			_, err := other()
			if !errs.Is(err, errs.Conflict) || errs.ReasonOf(err) != wallet.ReasonKeyReused {
				t.Fatalf("same key, other %s: err = %v, want Conflict", name, err)
			}
		}
		// The key belongs to the user it is for.
		theirs, err := e.w.Adjust(ctx, us[1], wallet.Diamond, 50, m)
		if err != nil || theirs.Replayed || theirs.ID == first.ID {
			t.Fatalf("other user's key: %+v %v", theirs, err)
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions WHERE idempotency_key = 'grant-7'"); n != 2 {
			t.Fatalf("transactions with the key = %d, want 2", n)
		}

		// Many at once with one key: one applies, all answer it.
		var wg sync.WaitGroup
		ids := make([]int64, 10)
		errsOut := make([]error, 10)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t, err := e.w.Adjust(ctx, us[1], wallet.Coin, 5, wallet.Meta{Reason: "race", Key: "race-1"})
				ids[i], errsOut[i] = t.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errsOut[i] != nil || ids[i] != ids[0] {
				t.Fatalf("racer %d: id %d (%v), want %d", i, ids[i], errsOut[i], ids[0])
			}
		}
		if b := e.balance(us[1], wallet.Coin); b != 5 {
			t.Fatalf("coin balance = %d, want 5", b)
		}
		// A failed try does not use up its key.
		if _, err := e.w.Adjust(ctx, us[1], wallet.Gold, -10, wallet.Meta{Reason: "take", Key: "take-1"}); !errs.Is(err, errs.InsufficientFunds) {
			t.Fatalf("take from nothing: %v", err)
		}
		e.grant(us[1], wallet.Gold, 10)
		if t2, err := e.w.Adjust(ctx, us[1], wallet.Gold, -10, wallet.Meta{Reason: "take", Key: "take-1"}); err != nil || t2.Replayed {
			t.Fatalf("take after the grant: %+v %v", t2, err)
		}
		e.verify()
	})
}

// Bad amounts, currencies, users and texts are refused, and nothing is
// written.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		us := e.users(2)
		u := us[0]
		e.grant(u, wallet.Coin, 100)
		before := e.count("SELECT COUNT(*) FROM wallet_transactions")
		purchase := func(user int64, currency string, amount int64, m wallet.Meta) error {
			return e.unit(func(ctx context.Context, tx *store.Tx) error {
				_, err := e.w.Purchase(ctx, tx, user, currency, amount, m)
				return err
			})
		}
		cases := []struct {
			name string
			err  error
			kind errs.Kind
		}{
			{"zero", purchase(u, wallet.Coin, 0, wallet.Meta{}), errs.Invalid},
			{"negative", purchase(u, wallet.Coin, -5, wallet.Meta{}), errs.Invalid},
			{"huge", purchase(u, wallet.Coin, wallet.MaxAmount+1, wallet.Meta{}), errs.Invalid},
			{"unknown currency", purchase(u, "euro", 1, wallet.Meta{}), errs.Invalid},
			{"empty currency", purchase(u, "", 1, wallet.Meta{}), errs.Invalid},
			{"unknown user", purchase(999999, wallet.Coin, 1, wallet.Meta{}), errs.NotFound},
			{"not enough", purchase(u, wallet.Coin, 101, wallet.Meta{}), errs.InsufficientFunds},
			{"ref without id", purchase(u, wallet.Coin, 1, wallet.Meta{Ref: wallet.Ref{Kind: "order"}}), errs.Invalid},
			{"ref kind", purchase(u, wallet.Coin, 1, wallet.Meta{Ref: wallet.Ref{Kind: "Order!", ID: "1"}}), errs.Invalid},
			{"key with a space", purchase(u, wallet.Coin, 1, wallet.Meta{Key: "a b"}), errs.Invalid},
			{"long key", purchase(u, wallet.Coin, 1, wallet.Meta{Key: string(make([]byte, 129))}), errs.Invalid},
			{"NUL in the reason", purchase(u, wallet.Coin, 1, wallet.Meta{Reason: "a\x00b"}), errs.Invalid},
			{"zero adjust", func() error { _, err := e.w.Adjust(ctx, u, wallet.Coin, 0, wallet.Meta{Reason: "r"}); return err }(), errs.Invalid},
			{"adjust without reason", func() error { _, err := e.w.Adjust(ctx, u, wallet.Coin, 5, wallet.Meta{}); return err }(), errs.Invalid},
			{"adjust unknown user", func() error { _, err := e.w.Adjust(ctx, 999999, wallet.Coin, 5, wallet.Meta{Reason: "r"}); return err }(), errs.NotFound},
			{"take too much", func() error { _, err := e.w.Adjust(ctx, u, wallet.Coin, -101, wallet.Meta{Reason: "r"}); return err }(), errs.InsufficientFunds},
			{"transfer to self", e.unit(func(ctx context.Context, tx *store.Tx) error {
				_, err := e.w.Transfer(ctx, tx, u, u, wallet.Coin, 1, wallet.Meta{})
				return err
			}), errs.Invalid},
			{"transfer to nobody", e.unit(func(ctx context.Context, tx *store.Tx) error {
				_, err := e.w.Transfer(ctx, tx, u, 999999, wallet.Coin, 1, wallet.Meta{})
				return err
			}), errs.NotFound},
			{"balance of unknown currency", func() error { _, err := e.w.Balance(ctx, u, "euro"); return err }(), errs.Invalid},
			// Codes no currency has are refused before the database sees them
			// (PostgreSQL refuses invalid UTF-8 and NUL in a text argument).
			{"currency of invalid UTF-8", purchase(u, "\xff", 1, wallet.Meta{}), errs.Invalid},
			{"balance of a NUL currency", func() error { _, err := e.w.Balance(ctx, u, "coin\x00"); return err }(), errs.Invalid},
			{"ledger of invalid UTF-8", func() error { _, err := e.w.Ledger(ctx, u, "\xe4\xb8", "", 10); return err }(), errs.Invalid},
			{"numbered ledger of invalid UTF-8", func() error { _, _, err := e.w.LedgerAt(ctx, u, "\xff", 0, 10); return err }(), errs.Invalid},
			{"balance of unknown user", func() error { _, err := e.w.Balance(ctx, 999999, wallet.Coin); return err }(), errs.NotFound},
			{"balances of unknown user", func() error { _, err := e.w.Balances(ctx, 999999); return err }(), errs.NotFound},
		}
		for _, c := range cases {
			if !errs.Is(c.err, c.kind) {
				t.Errorf("%s: err = %v, want %v", c.name, c.err, c.kind)
			}
		}
		if err := cases[3].err; errs.ReasonOf(err) != wallet.ReasonUnknownCurrency {
			t.Errorf("unknown currency: reason %q", errs.ReasonOf(err))
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions"); n != before {
			t.Fatalf("transactions %d -> %d after refusals", before, n)
		}
		if b := e.balance(u, wallet.Coin); b != 100 {
			t.Fatalf("balance = %d, want 100", b)
		}
		// A balance cannot pass the largest amount.
		e.grant(us[1], wallet.Gold, wallet.MaxAmount)
		_, err := e.w.Adjust(ctx, us[1], wallet.Gold, 1, wallet.Meta{Reason: "one more"})
		if !errs.Is(err, errs.Invalid) || errs.ReasonOf(err) != wallet.ReasonBalanceLimit {
			t.Fatalf("past the largest balance: %v", err)
		}
		e.verify()
	})
}

// A move that fails inside a unit whose caller goes on and commits leaves
// nothing behind: not its transaction row, not a change of the account
// changed before the failing one.
func TestFailedMoveLeavesNoTrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		us := e.users(17)
		// us[0] buys first: the shop's shard of us[0] (and of us[16], the
		// same shard) is made before us[16]'s account, so in us[16]'s
		// purchase the shop (smaller id) is credited first and must be
		// undone when the debit fails.
		e.grant(us[0], wallet.Diamond, 10)
		if err := e.unit(func(ctx context.Context, tx *store.Tx) error {
			_, err := e.w.Purchase(ctx, tx, us[0], wallet.Diamond, 10, wallet.Meta{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		before := e.count("SELECT COUNT(*) FROM wallet_transactions")
		for _, u := range []int64{us[0], us[16]} {
			err := e.unit(func(ctx context.Context, tx *store.Tx) error {
				_, err := e.w.Purchase(ctx, tx, u, wallet.Diamond, 5, wallet.Meta{Reason: "short"})
				if !errs.Is(err, errs.InsufficientFunds) {
					return fmt.Errorf("purchase: %v, want InsufficientFunds", err)
				}
				return nil // the caller goes on and commits
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions"); n != before {
			t.Fatalf("transactions %d -> %d", before, n)
		}
		// Every refusal leaves the unit usable, on PostgreSQL too (no
		// failed statement aborts it): the caller goes on and commits.
		e.grant(us[1], wallet.Diamond, 3)
		err := e.unit(func(ctx context.Context, tx *store.Tx) error {
			for _, refused := range []func() (wallet.Txn, error){
				func() (wallet.Txn, error) {
					return e.w.Transfer(ctx, tx, us[1], 999999, wallet.Diamond, 1, wallet.Meta{})
				},
				func() (wallet.Txn, error) { return e.w.Purchase(ctx, tx, 999999, wallet.Diamond, 1, wallet.Meta{}) },
				func() (wallet.Txn, error) {
					return e.w.Purchase(ctx, tx, 999999, wallet.Diamond, 1, wallet.Meta{Key: "k"})
				},
				func() (wallet.Txn, error) { return e.w.Purchase(ctx, tx, us[1], wallet.Diamond, 4, wallet.Meta{}) },
				func() (wallet.Txn, error) { return e.w.Purchase(ctx, tx, us[1], "euro", 1, wallet.Meta{}) },
			} {
				if _, err := refused(); err == nil || errs.KindOf(err) == errs.Internal {
					return fmt.Errorf("refusal: %v", err)
				}
			}
			_, err := e.w.Purchase(ctx, tx, us[1], wallet.Diamond, 3, wallet.Meta{Reason: "after the refusals"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_transactions"); n != before+2 {
			t.Fatalf("transactions %d -> %d, want the grant and the purchase", before, n)
		}
		if b := e.balance(us[1], wallet.Diamond); b != 0 {
			t.Fatalf("balance = %d, want 0", b)
		}
		r := e.verify()
		for _, tot := range r.Totals {
			if tot.Currency == wallet.Diamond && tot.Systems[wallet.Shop] != 13 {
				t.Fatalf("shop holds %d diamonds, want 13 (the two purchases)", tot.Systems[wallet.Shop])
			}
		}
	})
}

// The database refuses a negative user balance and an account that is both
// a user's and the system's, whatever the code does; system accounts may go
// negative.
func TestChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		u := e.users(1)[0]
		e.grant(u, wallet.Coin, 5)
		if _, err := db.Exec(ctx, "UPDATE wallet_accounts SET balance = -1 WHERE user_id = ?", u); err == nil {
			t.Fatal("a user's balance went negative")
		}
		if _, err := db.Exec(ctx, "INSERT INTO wallet_accounts (currency, user_id, system, balance, created_at, updated_at) VALUES ('coin', ?, 'mint', 0, 1, 1)", u); err == nil {
			t.Fatal("an account of a user and the system")
		}
		if _, err := db.Exec(ctx, "INSERT INTO wallet_accounts (currency, balance, created_at, updated_at) VALUES ('coin', 0, 1, 1)"); err == nil {
			t.Fatal("an account of nobody")
		}
		if _, err := db.Exec(ctx, "INSERT INTO wallet_entries (transaction_id, account_id, amount, balance_after, created_at) SELECT transaction_id, account_id, 0, 0, 1 FROM wallet_entries LIMIT 1"); err == nil {
			t.Fatal("an entry of 0")
		}
		var mint int64
		if err := db.QueryRow(ctx, "SELECT SUM(balance) FROM wallet_accounts WHERE system = 'mint' AND currency = 'coin'").Scan(&mint); err != nil || mint != -5 {
			t.Fatalf("mint = %d (%v), want -5", mint, err)
		}
		if b := e.balance(u, wallet.Coin); b != 5 {
			t.Fatalf("balance = %d, want 5", b)
		}
	})
}

// A transaction answers what it did, with the unit's time on every row.
func TestTransactionAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		us := e.users(2)
		e.grant(us[0], wallet.Gold, 30)
		e.clk.Advance(time.Minute)
		var got wallet.Txn
		err := e.unit(func(ctx context.Context, tx *store.Tx) error {
			e.clk.Advance(time.Second) // the unit's time is fixed already
			var err error
			got, err = e.w.Transfer(ctx, tx, us[0], us[1], wallet.Gold, 12, wallet.Meta{Reason: "a rose", Ref: wallet.Ref{Kind: "gift", ID: "g1"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		at := start.Add(time.Minute)
		if got.Kind != wallet.KindTransfer || got.Amount != 12 || got.From != wallet.User(us[0]) || got.To != wallet.User(us[1]) ||
			got.BalanceOf(us[0]) != 18 || got.BalanceOf(us[1]) != 12 || !got.CreatedAt.Equal(at) || len(got.Legs) != 2 {
			t.Fatalf("txn = %+v", got)
		}
		read, err := e.w.Transaction(ctx, got.ID)
		if err != nil || read.Amount != 12 || read.From != got.From || read.To != got.To || read.Meta != got.Meta || !read.CreatedAt.Equal(at) {
			t.Fatalf("read back = %+v (%v), want %+v", read, err, got)
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_entries WHERE transaction_id = ? AND created_at = ?", got.ID, at.UnixMilli()); n != 2 {
			t.Fatalf("entries at the unit's time = %d, want 2", n)
		}
		bs, err := e.w.Balances(ctx, us[1])
		if err != nil || len(bs) != 4 || bs[1] != (wallet.Balance{Currency: "coin"}) || bs[3] != (wallet.Balance{Currency: "gold", Amount: 12}) {
			t.Fatalf("balances = %+v (%v)", bs, err)
		}
		if _, err := e.w.Transaction(ctx, 987654); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown transaction: %v", err)
		}
	})
}

// An operator adds a currency; it works like the others.
func TestAddCurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		u := e.users(1)[0]
		if _, err := e.w.Adjust(ctx, u, "star", 5, wallet.Meta{Reason: "r"}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("before it exists: %v", err)
		}
		c, err := e.w.AddCurrency(ctx, wallet.Currency{Code: "star", Name: "Star", Decimals: 2})
		if err != nil || !c.CreatedAt.Equal(start) {
			t.Fatalf("add: %+v %v", c, err)
		}
		if _, err := e.w.AddCurrency(ctx, wallet.Currency{Code: "star"}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("again: %v", err)
		}
		for _, bad := range []wallet.Currency{{Code: ""}, {Code: "Star"}, {Code: "1x"}, {Code: "a-b"}, {Code: "toolongcurrencycode"}, {Code: "ok", Decimals: 7}} {
			if _, err := e.w.AddCurrency(ctx, bad); !errs.Is(err, errs.Invalid) {
				t.Fatalf("add %+v: %v", bad, err)
			}
		}
		if n := e.count("SELECT COUNT(*) FROM wallet_accounts WHERE currency = 'star' AND system IS NOT NULL"); n != 3*16 {
			t.Fatalf("system accounts of the new currency = %d, want 48", n)
		}
		e.grant(u, "star", 250)
		cs, err := e.w.Currencies(ctx)
		if err != nil || len(cs) != 5 {
			t.Fatalf("currencies = %+v (%v)", cs, err)
		}
		r := e.verify()
		if r.Currencies != 5 || len(r.Totals) != 5 {
			t.Fatalf("report = %+v", r)
		}
	})
}

// The ledger pages newest first by cursor: while new entries arrive, every
// entry older than the first page shows exactly once, in order.
func TestLedgerCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		us := e.users(2)
		u := us[0]
		e.grant(u, wallet.Diamond, 1000)
		for i := range 120 {
			err := e.unit(func(ctx context.Context, tx *store.Tx) error {
				var err error
				if i%3 == 0 {
					_, err = e.w.Transfer(ctx, tx, u, us[1], wallet.Diamond, 1, wallet.Meta{Reason: "gift"})
				} else {
					_, err = e.w.Purchase(ctx, tx, u, wallet.Diamond, 2, wallet.Meta{Reason: fmt.Sprint("item ", i), Ref: wallet.Ref{Kind: "order", ID: fmt.Sprint(i)}})
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// New entries arrive while the reader pages.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.w.Adjust(ctx, u, wallet.Diamond, 1, wallet.Meta{Reason: "new"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		var seen []wallet.Entry
		cursor := ""
		pages := 0
		for {
			p, err := e.w.Ledger(ctx, u, wallet.Diamond, cursor, 7)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			seen = append(seen, p.Entries...)
			if p.Next == "" {
				break
			}
			if len(p.Entries) != 7 {
				t.Fatalf("a page before the last has %d entries", len(p.Entries))
			}
			cursor = p.Next
		}
		close(stop)
		wg.Wait()
		// Every entry up to the newest of the first page, exactly once, newest first.
		want, err := store.Collect(ctx, db, `SELECT e.id FROM wallet_entries e JOIN wallet_accounts a ON a.id = e.account_id
			WHERE a.user_id = ? AND a.currency = 'diamond' AND e.id <= ? ORDER BY e.id DESC`, []any{u, seen[0].ID},
			func(r store.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) })
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != len(want) || len(seen) < 121 {
			t.Fatalf("paged %d entries, the account has %d up to the first page (want >= 121)", len(seen), len(want))
		}
		for i := range want {
			if seen[i].ID != want[i] {
				t.Fatalf("entry %d: id %d, want %d", i, seen[i].ID, want[i])
			}
		}
		if pages < 18 {
			t.Fatalf("%d pages", pages)
		}
		// The oldest line is the grant; the balance chain runs through the pages.
		last := seen[len(seen)-1]
		if last.Kind != wallet.KindGrant || last.Amount != 1000 || last.Balance != 1000 || last.Counterparty != wallet.System(wallet.Mint) {
			t.Fatalf("oldest = %+v", last)
		}
		for i := 0; i+1 < len(seen); i++ {
			if seen[i].Balance != seen[i+1].Balance+seen[i].Amount {
				t.Fatalf("entry %d: balance %d, previous %d, amount %d", seen[i].ID, seen[i].Balance, seen[i+1].Balance, seen[i].Amount)
			}
		}
		for _, en := range seen {
			switch en.Kind {
			case wallet.KindTransfer:
				if en.Amount != -1 || en.Counterparty != wallet.User(us[1]) || en.Reason != "gift" {
					t.Fatalf("transfer line %+v", en)
				}
			case wallet.KindPurchase:
				if en.Amount != -2 || en.Counterparty != wallet.System(wallet.Shop) || en.Ref.Kind != "order" || en.Currency != wallet.Diamond {
					t.Fatalf("purchase line %+v", en)
				}
			}
		}
		// The receiver's ledger shows the gifts coming in.
		p, err := e.w.Ledger(ctx, us[1], wallet.Diamond, "", 0)
		if err != nil || len(p.Entries) != 20 || p.Entries[0].Amount != 1 || p.Entries[0].Counterparty != wallet.User(u) || p.Entries[0].Balance != 40 {
			t.Fatalf("receiver page = %+v (%v)", p.Entries[:min(1, len(p.Entries))], err)
		}
		// A user with no account has an empty ledger.
		p, err = e.w.Ledger(ctx, us[1], wallet.Coin, "", 0)
		if err != nil || len(p.Entries) != 0 || p.Next != "" {
			t.Fatalf("empty ledger = %+v (%v)", p, err)
		}
		for _, bad := range []string{"x", "bDEuMA", "bDEuLTE", "bDEuYWJj", "bDIuNQ", "bDEuMDU"} {
			if _, err := e.w.Ledger(ctx, u, wallet.Diamond, bad, 5); !errs.Is(err, errs.Invalid) {
				t.Fatalf("cursor %q: %v", bad, err)
			}
		}
		for _, lim := range []int{-1, 101} {
			if _, err := e.w.Ledger(ctx, u, wallet.Diamond, "", lim); !errs.Is(err, errs.Invalid) {
				t.Fatalf("limit %d: %v", lim, err)
			}
		}
		if _, err := e.w.Ledger(ctx, 999999, wallet.Diamond, "", 5); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		e.verify()
	})
}

// Verify names each kind of difference.
func TestVerifyFindsDifferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		us := e.users(2)
		e.grant(us[0], wallet.Coin, 100)
		var gift wallet.Txn
		if err := e.unit(func(ctx context.Context, tx *store.Tx) error {
			var err error
			gift, err = e.w.Transfer(ctx, tx, us[0], us[1], wallet.Coin, 40, wallet.Meta{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r := e.verify()
		if r.Transactions != 2 || r.Entries != 4 || r.UserAccounts != 2 || r.SystemAccounts != 1 {
			t.Fatalf("counts %+v", r)
		}
		var acct, entry int64
		if err := db.QueryRow(ctx, "SELECT id FROM wallet_accounts WHERE user_id = ?", us[1]).Scan(&acct); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, "SELECT id FROM wallet_entries WHERE account_id = ?", acct).Scan(&entry); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "UPDATE wallet_entries SET amount = 41, balance_after = 41 WHERE id = ?", entry); err != nil {
			t.Fatal(err)
		}
		r, err := wallet.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			fmt.Sprintf("account %d (user %d, coin): balance 40, but its entries sum to 41", acct, us[1]),
			fmt.Sprintf("transaction %d (coin): 2 entries summing to 1, 0 of them in another currency", gift.ID),
			"coin: all entries sum to 1, not 0",
		}
		if fmt.Sprint(r.Differences) != fmt.Sprint(want) || r.OK() {
			t.Fatalf("differences\n%s\nwant\n%s", strings.Join(r.Differences, "\n"), strings.Join(want, "\n"))
		}
		// The chain: a balance_after that does not follow.
		if _, err := db.Exec(ctx, "UPDATE wallet_entries SET amount = 40, balance_after = 39 WHERE id = ?", entry); err != nil {
			t.Fatal(err)
		}
		r, _ = wallet.Verify(ctx, db)
		if len(r.Differences) != 1 || r.Differences[0] != fmt.Sprintf("entry %d of account %d: balance after it 39, but the entries up to it sum to 40", entry, acct) {
			t.Fatalf("differences %v", r.Differences)
		}
		if r.OK() {
			t.Fatal("OK with a difference")
		}
	})
}

// A payer short of money is told so (InsufficientFunds) even when the
// other account, changed first in lock order, is the one that refuses:
// here every shop shard is at the largest balance, so the shop's credit
// fails before the user's debit is tried.
func TestShortPayerWhicheverAccountFailsFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := e.w.Init(ctx); err != nil {
			t.Fatal(err)
		}
		poor := e.users(1)[0]
		e.grant(poor, wallet.Coin, 5)
		if _, err := db.Exec(ctx, "UPDATE wallet_accounts SET balance = ? WHERE system = 'shop' AND currency = ?", wallet.MaxAmount-1, wallet.Coin); err != nil {
			t.Fatal(err)
		}
		err := e.unit(func(ctx context.Context, tx *store.Tx) error {
			_, err := e.w.Purchase(ctx, tx, poor, wallet.Coin, 10, wallet.Meta{})
			return err
		})
		wantKind(t, err, errs.InsufficientFunds)
		if b := e.balance(poor, wallet.Coin); b != 5 {
			t.Fatalf("balance %d after a refused purchase, want 5", b)
		}
	})
}
