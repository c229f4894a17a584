package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/store"
	"plaza/internal/wallet"
)

// loadUsers is how many members a writeLoad spreads its writes over.
const loadUsers = 6

// loadPhone is the i-th member of a writeLoad whose numbers start with
// prefix (three digits): the server needs loadOTP(prefix, n) among its
// PLAZA_SMS_TEST_OTP numbers.
func loadPhone(prefix string, i int) string { return fmt.Sprintf("%s%08d", prefix, i) }

// loadOTP are the first n test numbers of prefix, with code 246810, that
// newMembers signs up.
func loadOTP(prefix string, n int) []string {
	var otp []string
	for i := range n {
		otp = append(otp, "86"+loadPhone(prefix, i)+"=246810")
	}
	return otp
}

// writeLoad is a mixed write load on a plaza server (or a balancer in
// front of several): admin grants of diamonds with idempotency keys, some
// replayed; market purchases; yuanyi ticket orders (order_create, then
// order_pay from the wallet or order_cancel). It notes what was
// acknowledged; check then proves that every acknowledged write is in the
// store, that nothing is half-written, and that the ledger verifies.
type writeLoad struct {
	client *http.Client
	base   string
	admin  string
	users  []loadUser

	product int64
	tickets []int64
	prices  map[int64]int64

	mu        sync.Mutex
	granted   []loadGrant
	bought    map[int64]int // user id -> acknowledged purchases
	tried     map[int64]int // user id -> purchases asked for
	created   map[int64]loadOrder
	paid      map[int64]bool // acknowledged paid orders
	cancelled map[int64]bool
	acks      atomic.Int64
	lost      atomic.Int64 // requests without an answer
	stop      chan struct{}
	wg        sync.WaitGroup
	// unexpected holds the first hundred unexpected answers.
	unexpected chan string
}

type loadUser struct {
	id    int64
	token string // "Token <access token>"
}

type loadGrant struct {
	user   int64
	key    string
	amount int64
}

type loadOrder struct {
	user    int64
	price   int64
	tickets []int64
}

// newMembers signs in the admin (ops@example.com / ops-password) and
// signs up n members (numbers prefix%08d, code 246810) through base: a
// writeLoad with no load yet, whose create and yuanyi make calls.
func newMembers(t *testing.T, client *http.Client, base, prefix string, n int) *writeLoad {
	t.Helper()
	l := &writeLoad{client: client, base: base, prices: map[int64]int64{},
		bought: map[int64]int{}, tried: map[int64]int{}, created: map[int64]loadOrder{},
		paid: map[int64]bool{}, cancelled: map[int64]bool{}, stop: make(chan struct{}), unexpected: make(chan string, 100)}
	_, login := call(client, "POST", base+"/admin/v1/login", "", map[string]any{"email": "ops@example.com", "password": "ops-password"})
	l.admin = fmt.Sprint("Bearer ", login["token"])
	for i := range n {
		phone := loadPhone(prefix, i)
		_, reg := call(client, "POST", base+"/api/auth/register", "", map[string]any{"account": phone, "code": "246810", "password": "secret123"})
		d, _ := reg["data"].(map[string]any)
		if d == nil {
			t.Fatalf("register %s: %v", phone, reg)
		}
		_, found := call(client, "GET", base+"/admin/v1/users?q="+phone, l.admin, nil)
		items, _ := found["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("admin users ?q=%s: %v", phone, found)
		}
		id := int64(items[0].(map[string]any)["id"].(float64))
		l.users = append(l.users, loadUser{id: id, token: "Token " + d["access_token"].(string)})
	}
	return l
}

// create makes a record through the admin API and answers its id.
func (l *writeLoad) create(t *testing.T, path string, body map[string]any) int64 {
	t.Helper()
	st, m := call(l.client, "POST", l.base+"/admin/v1/"+path, l.admin, body)
	if st != http.StatusCreated {
		t.Fatalf("create %s: %d %v", path, st, m)
	}
	return int64(m["id"].(float64))
}

// grant gives every member amount of currency.
func (l *writeLoad) grant(t *testing.T, currency string, amount int64) {
	t.Helper()
	for _, u := range l.users {
		st, m := call(l.client, "POST", fmt.Sprintf("%s/admin/v1/users/%d/wallet", l.base, u.id), l.admin,
			map[string]any{"currency": currency, "amount": amount, "reason": "load"})
		if st != http.StatusCreated {
			t.Fatalf("grant %s: %d %v", currency, st, m)
		}
	}
}

// newWriteLoad makes, through base, the members (numbers of prefix), a
// product, 40 tickets, and cny for every member to pay orders with.
func newWriteLoad(t *testing.T, client *http.Client, base, prefix string) *writeLoad {
	t.Helper()
	l := newMembers(t, client, base, prefix, loadUsers)
	l.product = l.create(t, "exchange-products", map[string]any{"name": "乌龙茶", "content": "乌龙茶饮料", "diamond": 7, "product_type": 0})
	master := l.create(t, "masters", map[string]any{"name": "达人"})
	project := l.create(t, "projects", map[string]any{"master_id": master, "name": "项目"})
	for i := range 40 {
		price := int64(100 + 37*i)
		id := l.create(t, "tickets", map[string]any{"project_id": project, "name": fmt.Sprint("票", i), "price": price})
		l.tickets = append(l.tickets, id)
		l.prices[id] = price
	}
	l.grant(t, "cny", 1_000_000)
	return l
}

// start runs the load on goroutines until end.
func (l *writeLoad) start(goroutines int) {
	for g := range goroutines {
		l.wg.Add(1)
		go l.run(g)
	}
}

// waitAcks waits until at least n writes were acknowledged, at most wait.
func (l *writeLoad) waitAcks(t *testing.T, n int64, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for l.acks.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes acknowledged after %v, want %d", l.acks.Load(), wait, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// end stops the load and reports the unexpected answers.
func (l *writeLoad) end(t *testing.T) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	close(l.unexpected)
	for s := range l.unexpected {
		t.Error(s)
	}
}

func (l *writeLoad) report(s string) {
	select {
	case l.unexpected <- s:
	default:
	}
}

// yuanyi calls one method (unsigned: the server runs with
// PLAZA_YUANYI_CHECK_SIG=false) and answers its code; -1: no answer.
func (l *writeLoad) yuanyi(method string, u loadUser, params map[string]any) (int, map[string]any) {
	body := map[string]any{"method": method, "ver": "1", "app": "yuanyi-app", "token": strings.TrimPrefix(u.token, "Token ")}
	for k, v := range params {
		body[k] = v
	}
	st, m := call(l.client, "POST", l.base+"/yuanyiapi/", "", body)
	if st != http.StatusOK {
		return -1, m
	}
	c, _ := m["code"].(float64)
	return int(c), m
}

// run is one goroutine of the load: it grants and buys until stop, and
// notes what was acknowledged. A request without an answer (the server or
// the node behind the balancer is gone) is not acknowledged.
func (l *writeLoad) run(g int) {
	defer l.wg.Done()
	r := rand.New(rand.NewPCG(uint64(g), 11))
	for n := 0; ; n++ {
		select {
		case <-l.stop:
			return
		default:
		}
		u := l.users[r.IntN(len(l.users))]
		switch {
		case r.IntN(5) < 2:
			l.order(r, u)
		case r.IntN(2) == 0:
			key := fmt.Sprintf("g%d-%d", g, n)
			if n > 0 && r.IntN(4) == 0 {
				key = fmt.Sprintf("g%d-%d", g, n-1) // a replay: same key, maybe another user
			}
			amount := int64(10 + r.IntN(40))
			st, m := call(l.client, "POST", fmt.Sprintf("%s/admin/v1/users/%d/wallet", l.base, u.id), l.admin,
				map[string]any{"currency": "diamond", "amount": amount, "reason": "load", "idempotency_key": key})
			switch {
			case st == 0 || st == http.StatusBadGateway:
				l.lost.Add(1)
			case st == http.StatusOK || st == http.StatusCreated:
				l.mu.Lock()
				l.granted = append(l.granted, loadGrant{u.id, key, amount})
				l.mu.Unlock()
				l.acks.Add(1)
			case st != http.StatusConflict:
				l.report(fmt.Sprintf("grant: %d %v", st, m))
			}
		default:
			l.mu.Lock()
			l.tried[u.id]++
			l.mu.Unlock()
			st, m := call(l.client, "GET", fmt.Sprintf("%s/market/exchange_products/purchase/%d/", l.base, l.product), u.token, nil)
			switch {
			case st == 0 || st == http.StatusBadGateway:
				l.lost.Add(1)
			case st == http.StatusOK:
				l.mu.Lock()
				l.bought[u.id]++
				l.mu.Unlock()
				l.acks.Add(1)
			case st != http.StatusBadRequest: // 400: not enough diamonds
				l.report(fmt.Sprintf("purchase: %d %v", st, m))
			}
		}
	}
}

// order makes a ticket order of one or two tickets (the goroutines contend
// for them), then pays it from the wallet or cancels it.
func (l *writeLoad) order(r *rand.Rand, u loadUser) {
	ids := []int64{l.tickets[r.IntN(len(l.tickets))]}
	if x := l.tickets[r.IntN(len(l.tickets))]; r.IntN(2) == 0 && x != ids[0] {
		ids = append(ids, x)
	}
	code, m := l.yuanyi("order_create", u, map[string]any{"ticket_id_list": ids})
	switch code {
	case -1:
		l.lost.Add(1)
		return
	case 0:
	case 202: // taken by another order, or sold
		return
	default:
		l.report(fmt.Sprintf("order_create: %d %v", code, m))
		return
	}
	id := int64(m["order_id"].(float64))
	o := loadOrder{user: u.id, tickets: ids}
	for _, x := range ids {
		o.price += l.prices[x]
	}
	l.mu.Lock()
	l.created[id] = o
	l.mu.Unlock()
	l.acks.Add(1)
	method, what := "order_pay", l.paid
	params := map[string]any{"order_id": id, "pay_method": "wallet"}
	if r.IntN(3) == 0 {
		method, what = "order_cancel", l.cancelled
		delete(params, "pay_method")
	}
	code, m = l.yuanyi(method, u, params)
	switch code {
	case -1:
		l.lost.Add(1)
	case 0:
		l.mu.Lock()
		what[id] = true
		l.mu.Unlock()
		l.acks.Add(1)
	default:
		l.report(fmt.Sprintf("%s: %d %v", method, code, m))
	}
}

// check proves on db, after end, that every acknowledged write is there
// and nothing is half-written: no purchase without its debit or made
// twice for one request, every acknowledged paid order paid with its
// tickets sold and its debit written, no ticket both reserved and sold or
// held by a closed order; then that the ledger verifies, by wallet.Verify
// and by "plaza ledger verify" with env.
func (l *writeLoad) check(t *testing.T, db *store.DB, env []string) {
	t.Helper()
	ctx := context.Background()
	for _, g := range l.granted {
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM wallet_transactions WHERE idempotency_key = ? AND user_id = ?", g.key, g.user).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("acknowledged grant %s to user %d: %d transactions", g.key, g.user, n)
		}
	}
	for _, u := range l.users {
		var orders, debits int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM exchange_orders WHERE user_id = ?", u.id).Scan(&orders); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM wallet_transactions WHERE user_id = ? AND kind = 'purchase' AND currency = 'diamond'", u.id).Scan(&debits); err != nil {
			t.Fatal(err)
		}
		if acked, asked := l.bought[u.id], l.tried[u.id]; orders < acked || orders > asked || orders != debits {
			t.Errorf("user %d: %d purchases asked for, %d acknowledged, %d orders, %d debits", u.id, asked, acked, orders, debits)
		}
	}
	var orders, sold int64
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM exchange_orders WHERE product_id = ?", l.product).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "SELECT bought FROM exchange_products WHERE id = ?", l.product).Scan(&sold); err != nil {
		t.Fatal(err)
	}
	if sold != orders {
		t.Errorf("bought %d, orders %d", sold, orders)
	}

	for id, o := range l.created {
		var status int
		var method string
		if err := db.QueryRow(ctx, "SELECT status, pay_method FROM orders WHERE id = ? AND user_id = ? AND price = ?", id, o.user, o.price).Scan(&status, &method); err != nil {
			t.Errorf("acknowledged order %d of user %d (%d fen): %v", id, o.user, o.price, err)
			continue
		}
		switch {
		case l.paid[id] && (status != 1 || method != "wallet"):
			t.Errorf("order %d acknowledged paid: status %d, pay_method %q", id, status, method)
		case l.cancelled[id] && status != 2:
			t.Errorf("order %d acknowledged cancelled: status %d", id, status)
		}
		if !l.paid[id] {
			continue
		}
		for _, x := range o.tickets {
			var sold, reserved sql.NullInt64
			if err := db.QueryRow(ctx, "SELECT sold_to, reserved_order FROM tickets WHERE id = ?", x).Scan(&sold, &reserved); err != nil {
				t.Fatal(err)
			}
			if sold.Int64 != o.user || reserved.Valid {
				t.Errorf("ticket %d of paid order %d: sold to %v, reserved by %v", x, id, sold, reserved)
			}
		}
		var debit int64
		err := db.QueryRow(ctx, `SELECT COALESCE(SUM(-e.amount), 0) FROM wallet_transactions w JOIN wallet_entries e ON e.transaction_id = w.id
			JOIN wallet_accounts a ON a.id = e.account_id WHERE w.kind = 'purchase' AND w.currency = 'cny' AND w.ref_kind = 'order' AND w.ref_id = ? AND a.user_id = ?`,
			strconv.FormatInt(id, 10), o.user).Scan(&debit)
		if err != nil {
			t.Fatal(err)
		}
		if debit != o.price {
			t.Errorf("paid order %d of %d fen: debit %d", id, o.price, debit)
		}
	}
	for what, q := range map[string]string{
		"tickets reserved and sold":           "SELECT COUNT(*) FROM tickets WHERE reserved_order IS NOT NULL AND sold_to IS NOT NULL",
		"tickets held by a closed order":      "SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.reserved_order WHERE o.status <> 0",
		"tickets of pending orders not held":  "SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id JOIN tickets t ON t.id = i.ticket_id WHERE o.status = 0 AND (t.reserved_order IS NULL OR t.reserved_order <> o.id)",
		"sold tickets without one paid order": "SELECT COUNT(*) FROM tickets t WHERE t.sold_to IS NOT NULL AND (SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.ticket_id = t.id AND o.status = 1 AND o.user_id = t.sold_to) <> 1",
		"tickets of paid orders not sold":     "SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id JOIN tickets t ON t.id = i.ticket_id WHERE o.status = 1 AND (t.sold_to IS NULL OR t.sold_to <> o.user_id)",
		"paid orders without their debit":     "SELECT COUNT(*) FROM orders o WHERE o.status = 1 AND (SELECT COUNT(*) FROM wallet_transactions w WHERE w.kind = 'purchase' AND w.currency = 'cny' AND w.ref_kind = 'order' AND w.user_id = o.user_id AND w.ref_id = " + castText + ") <> 1",
		"cny debits of orders not paid":       "SELECT COUNT(*) FROM wallet_transactions w WHERE w.kind = 'purchase' AND w.currency = 'cny' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.status = 1 AND o.user_id = w.user_id AND " + castText + " = w.ref_id)",
	} {
		var n int
		if err := db.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}

	rep, err := wallet.Verify(ctx, db)
	if err != nil || !rep.OK() {
		var b bytes.Buffer
		rep.Write(&b)
		t.Fatalf("ledger verify: %v\n%s", err, b.String())
	}
	t.Logf("%d acknowledged writes (%d grants, %d ticket orders, %d paid, %d cancelled), %d requests unanswered, %d exchange orders",
		l.acks.Load(), len(l.granted), len(l.created), len(l.paid), len(l.cancelled), l.lost.Load(), orders)

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"plaza", "ledger", "verify"}, env, &out, &errOut); err != nil {
		t.Fatalf("plaza ledger verify: %v\n%s%s", err, out.String(), errOut.String())
	}
}

// castText is an order's id as the text of a ledger reference, in SQL
// both engines read.
const castText = "CAST(o.id AS TEXT)"
