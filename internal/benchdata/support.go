package benchdata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"plaza/internal/store"
)

// The support and money data set (Spec.Ledger, Orders, Feedback, Pushes,
// Audit, Service): what the operator's console shows. Every row is written
// as the cores would leave it: the wallet's balances and chains of
// balance_after hold (plaza ledger verify passes), a paid order's tickets
// are sold to its buyer and a pending one's reserved by it, an answered
// feedback has a reply, a service thread has its two conversation rows.

// SeedAdminEmail is the admin the seeded audit rows, pushes and replies are
// by: made by Seed when any of them is asked for, with a password hash no
// password matches (bench scripts make their own admin to sign in).
const SeedAdminEmail = "seed@bench.invalid"

// systemShards is the wallet's number of shards of each system account
// (internal/wallet's shards): Seed makes them all, as wallet.Init would.
const systemShards = 16

var systems = []string{"mint", "shop", "payment"}

// span is how far back the seeded support rows go.
const span = 90 * 24 * time.Hour

func seedSupport(ctx context.Context, db *store.DB, s Spec, rng *rand.Rand, now time.Time, d *Data) error {
	ms := now.UnixMilli()
	from := now.Add(-span).UnixMilli()
	// at is the time of the i-th of n rows, in order over the span.
	at := func(i, n int) int64 { return from + int64(float64(ms-from)*float64(i)/float64(max(n, 1))) }
	randUser := func() int64 { return 1 + rng.Int64N(int64(s.Users)) }

	if s.Pushes > 0 || s.Audit > 0 || s.Feedback > 0 {
		if _, err := db.Exec(ctx, "INSERT INTO admins (id, email, password_hash, created_at, updated_at) VALUES (1, ?, '!', ?, ?)",
			SeedAdminEmail, from, from); err != nil {
			return fmt.Errorf("benchdata: seed admin: %w", err)
		}
	}
	if err := seedLedger(ctx, db, s, rng, at, d); err != nil {
		return err
	}
	if err := seedOrders(ctx, db, s, rng, now, at, d); err != nil {
		return err
	}

	// Feedback: about half answered (status 1, one reply), the newest
	// tenth all open.
	if s.Feedback > 0 {
		cats := []string{"Bug", "Payment", "Suggestion"}
		err := insert(ctx, db, "feedback_categories", "id, name, description, created_at, updated_at", len(cats), func(i int) []any {
			return []any{i + 1, cats[i], "", from, from}
		})
		if err != nil {
			return err
		}
		answered := make([]int, 0, s.Feedback/2)
		err = insert(ctx, db, "feedback", "id, user_id, category_id, content, status, contact_phone, created_at, updated_at", s.Feedback, func(i int) []any {
			status := 0
			if i < s.Feedback*9/10 && rng.IntN(2) == 0 {
				status = 1
				answered = append(answered, i)
			}
			u := randUser()
			t := at(i, s.Feedback)
			return []any{i + 1, u, 1 + i%len(cats), fmt.Sprintf("feedback %d of user %d: the app does something odd when I open it", i+1, u),
				status, fmt.Sprintf("139%08d", u), t, t}
		})
		if err != nil {
			return err
		}
		err = insert(ctx, db, "feedback_replies", "id, feedback_id, admin_id, content, is_read, created_at, updated_at", len(answered), func(i int) []any {
			t := at(answered[i], s.Feedback) + 3600_000
			return []any{i + 1, answered[i] + 1, 1, "Thank you, we are looking into it.", i%3 == 0, t, t}
		})
		if err != nil {
			return err
		}
	}

	// Pushes: to everyone, nearly all sent.
	if s.Pushes > 0 {
		err := insert(ctx, db, "pushes", "id, title, body, scope, admin_id, status, created_at, updated_at", s.Pushes, func(i int) []any {
			status := 1
			if i%20 == 7 {
				status = 2
			}
			t := at(i, s.Pushes)
			return []any{i + 1, fmt.Sprintf("Push %d", i+1), "Something new is waiting for you in the app.", 0, 1, status, t, t}
		})
		if err != nil {
			return err
		}
	}

	// The audit log: the writes an operator makes.
	if s.Audit > 0 {
		err := insert(ctx, db, "admin_audit", "id, admin_id, action, target, before, after, ip, request_id, created_at", s.Audit, func(i int) []any {
			u := randUser()
			var action, target, before, after string
			switch i % 4 {
			case 0:
				action, target = "PATCH /admin/v1/users/{id}", fmt.Sprintf("/admin/v1/users/%d", u)
				before, after = fmt.Sprintf(`{"id":%d,"nickname":"nick-%d"}`, u, u), fmt.Sprintf(`{"nickname":"nick-%d-x"}`, u)
			case 1:
				action, target = "POST /admin/v1/users/{id}/wallet", fmt.Sprintf("/admin/v1/users/%d/wallet", u)
				after = `{"currency":"coin","amount":100,"reason":"compensation"}`
			case 2:
				action, target = "POST /admin/v1/feedback/{id}/replies", fmt.Sprintf("/admin/v1/feedback/%d/replies", 1+i%max(s.Feedback, 1))
				after = `{"content":"Thank you, we are looking into it."}`
			default:
				action, target = "POST /admin/v1/users/{id}/ban", fmt.Sprintf("/admin/v1/users/%d/ban", u)
				before = fmt.Sprintf(`{"id":%d,"is_active":true}`, u)
			}
			return []any{i + 1, 1, action, target, nullable(before), nullable(after), "127.0.0.1", fmt.Sprintf("bench-%d", i+1), at(i, s.Audit)}
		})
		if err != nil {
			return err
		}
	}

	// Service threads: a user writes, the service answers, the user writes
	// again; each thread has its conversation row on both sides.
	if s.Service > 0 {
		if s.Service > s.Users {
			return fmt.Errorf("benchdata: more service threads than users")
		}
		const per = 3
		users := rng.Perm(s.Users)[:s.Service]
		err := insert(ctx, db, "messages", "id, from_kind, from_ref, to_kind, to_ref, content, created_at", s.Service*per, func(i int) []any {
			u, k := int64(users[i/per]+1), i%per
			t := at(i, s.Service*per)
			if k == 1 {
				return []any{i + 1, "service", 0, "user", u, "Hello, how can we help?", t}
			}
			return []any{i + 1, "user", u, "service", 0, fmt.Sprintf("message %d: my order has not arrived", i+1), t}
		})
		if err != nil {
			return err
		}
		err = insert(ctx, db, "conversations", "owner_kind, owner_ref, peer_kind, peer_ref, last_message_id, updated_at", 2*s.Service, func(i int) []any {
			th := i / 2
			u, last := int64(users[th]+1), int64(th*per+per)
			t := at(th*per+per-1, s.Service*per)
			if i%2 == 0 {
				return []any{"user", u, "service", 0, last, t}
			}
			return []any{"service", 0, "user", u, last, t}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// seedLedger writes s.Ledger/2 wallet transactions of two entries each,
// between a user's account and a system account's shard, in every
// currency. User 1 (Data.HeavyUser) has a twentieth of them. A user pays
// or is taken only what they hold, so no balance goes negative.
func seedLedger(ctx context.Context, db *store.DB, s Spec, rng *rand.Rand, at func(i, n int) int64, d *Data) error {
	n := s.Ledger / 2
	if n == 0 {
		return nil
	}
	currencies, err := store.Collect(ctx, db, "SELECT code FROM currencies ORDER BY code", nil, func(r store.Scanner) (string, error) {
		var c string
		return c, r.Scan(&c)
	})
	if err != nil {
		return err
	}
	d.HeavyUser = 1
	type account struct {
		user     int64 // 0: system
		system   string
		currency int
		shard    int64
		balance  int64
	}
	var accounts []account      // accounts[i] has id i+1
	sysID := map[[3]int64]int{} // (system, currency, shard) -> index
	for si, sys := range systems {
		for ci := range currencies {
			for sh := range int64(systemShards) {
				sysID[[3]int64{int64(si), int64(ci), sh}] = len(accounts)
				accounts = append(accounts, account{system: sys, currency: ci, shard: sh})
			}
		}
	}
	userID := map[[2]int64]int{} // (user, currency) -> index
	userAccount := func(u int64, ci int) int {
		k := [2]int64{u, int64(ci)}
		if i, ok := userID[k]; ok {
			return i
		}
		userID[k] = len(accounts)
		accounts = append(accounts, account{user: u, currency: ci})
		return len(accounts) - 1
	}
	type txn struct {
		user     int64
		currency int
		kind     string
	}
	type entry struct {
		account int
		amount  int64
		after   int64
	}
	txns := make([]txn, n)
	entries := make([]entry, 0, 2*n)
	for i := range txns {
		u := int64(1)
		if rng.IntN(20) != 0 {
			u = 1 + rng.Int64N(int64(s.Users))
		}
		ci := rng.IntN(len(currencies))
		ua := userAccount(u, ci)
		amount := 1 + rng.Int64N(1000)
		kind, sys, out := "grant", 0, false // out: money leaves the user
		switch r := rng.IntN(10); {
		case r < 4 && accounts[ua].balance >= amount:
			kind, sys, out = "purchase", 1, true
		case r < 5 && accounts[ua].balance >= amount:
			kind, sys, out = "take", 0, true
		case r < 6:
			kind, sys = "refund", 1
		case r < 8:
			kind, sys = "payment", 2
		}
		sa := sysID[[3]int64{int64(sys), int64(ci), u % systemShards}]
		fromA, toA := sa, ua
		if out {
			fromA, toA = ua, sa
		}
		accounts[fromA].balance -= amount
		accounts[toA].balance += amount
		entries = append(entries, entry{fromA, -amount, accounts[fromA].balance}, entry{toA, amount, accounts[toA].balance})
		txns[i] = txn{u, ci, kind}
	}
	last := at(n, n)
	err = insert(ctx, db, "wallet_accounts", "id, currency, user_id, system, shard, balance, created_at, updated_at", len(accounts), func(i int) []any {
		a := accounts[i]
		var user, system any
		if a.user != 0 {
			user = a.user
		} else {
			system = a.system
		}
		return []any{i + 1, currencies[a.currency], user, system, a.shard, a.balance, at(0, n), last}
	})
	if err != nil {
		return err
	}
	err = insert(ctx, db, "wallet_transactions", "id, currency, kind, user_id, reason, ref_kind, ref_id, created_at", n, func(i int) []any {
		t := txns[i]
		return []any{i + 1, currencies[t.currency], t.kind, t.user, "bench " + t.kind, "bench", fmt.Sprint(i + 1), at(i, n)}
	})
	if err != nil {
		return err
	}
	return insert(ctx, db, "wallet_entries", "id, transaction_id, account_id, amount, balance_after, created_at", len(entries), func(i int) []any {
		e := entries[i]
		return []any{i + 1, i/2 + 1, e.account + 1, e.amount, e.after, at(i/2, n)}
	})
}

// seedOrders writes s.Orders ticket orders of one to three tickets each,
// over 100 masters with 10 projects each: 60% paid (the tickets sold to the
// buyer), 25% cancelled, 5% refunded (their tickets on sale again), 10%
// pending (the tickets reserved until a quarter of an hour from now), and
// a tenth more tickets on sale.
func seedOrders(ctx context.Context, db *store.DB, s Spec, rng *rand.Rand, now time.Time, at func(i, n int) int64, d *Data) error {
	if s.Orders == 0 {
		return nil
	}
	const masters, projects = 100, 1000
	t0 := at(0, 1)
	err := insert(ctx, db, "masters", "id, master_id, name, intro, created_at, updated_at", masters, func(i int) []any {
		return []any{i + 1, fmt.Sprintf("bench-master-%d", i+1), fmt.Sprintf("Master %d", i+1), "A master of the bench data set", t0, t0}
	})
	if err != nil {
		return err
	}
	err = insert(ctx, db, "projects", "id, master, name, intro, recommended, created_at, updated_at", projects, func(i int) []any {
		return []any{i + 1, 1 + i%masters, fmt.Sprintf("Project %d", i+1), "", i%50 == 0, t0, t0}
	})
	if err != nil {
		return err
	}
	type order struct {
		user   int64
		status int
		items  int
		price  int64
	}
	type ticket struct {
		price          int64
		reserved, sold int64
		order          int // index of the order it is an item of, -1 none
	}
	ords := make([]order, s.Orders)
	var tickets []ticket
	for i := range ords {
		o := order{user: 1 + rng.Int64N(int64(s.Users)), items: 1 + rng.IntN(3)}
		switch r := rng.IntN(20); {
		case r < 12:
			o.status = 1
		case r < 17:
			o.status = 2
		case r < 18:
			o.status = 3
		default:
			o.status = 0
		}
		if i >= s.Orders-s.Orders/10 && o.status == 2 { // the newest are rather pending than cancelled
			o.status = 0
		}
		for range o.items {
			t := ticket{price: 100 * (1 + rng.Int64N(500)), order: i}
			switch o.status {
			case 0:
				t.reserved = int64(i + 1)
			case 1:
				t.sold = o.user
			}
			o.price += t.price
			tickets = append(tickets, t)
		}
		ords[i] = o
	}
	for range len(tickets) / 10 {
		tickets = append(tickets, ticket{price: 100 * (1 + rng.Int64N(500)), order: -1})
	}
	ms := now.UnixMilli()
	// Tickets reference orders and orders nothing of tickets: orders first.
	err = insert(ctx, db, "orders", "id, user_id, price, status, pay_method, expires_at, paid_at, created_at, updated_at, refunded_at, refund_reason", len(ords), func(i int) []any {
		o := ords[i]
		t := at(i, len(ords))
		var paid, refunded any
		method, reason := "", ""
		expires := t + 15*60_000
		switch o.status {
		case 0:
			expires = ms + 15*60_000
		case 1:
			paid, method = t+60_000, "wallet"
		case 3:
			paid, method, refunded, reason = t+60_000, "wallet", t+86_400_000, "bench refund"
		}
		return []any{i + 1, o.user, o.price, o.status, method, expires, paid, t, t, refunded, reason}
	})
	if err != nil {
		return err
	}
	err = insert(ctx, db, "tickets", "id, project, name, intro, price, reserved_order, sold_to, created_at, updated_at", len(tickets), func(i int) []any {
		t := tickets[i]
		var reserved, sold any
		if t.reserved != 0 {
			reserved = t.reserved
		}
		if t.sold != 0 {
			sold = t.sold
		}
		return []any{i + 1, 1 + rng.IntN(projects), fmt.Sprintf("Ticket %d", i+1), "", t.price, reserved, sold, t0, t0}
	})
	if err != nil {
		return err
	}
	pos := make([]int, len(ords))
	items := 0
	for _, t := range tickets {
		if t.order >= 0 {
			items++
		}
	}
	err = insert(ctx, db, "order_items", "order_id, ticket_id, pos, price, created_at, updated_at", items, func(i int) []any {
		t := tickets[i] // the tickets of orders come first, in order
		p := pos[t.order]
		pos[t.order]++
		c := at(t.order, len(ords))
		return []any{t.order + 1, i + 1, p, t.price, c, c}
	})
	if err != nil {
		return err
	}
	d.Tickets = len(tickets)
	return nil
}
