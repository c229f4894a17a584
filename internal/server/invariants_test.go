package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/catalog"
	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// The mixed load: how many goroutines, each doing how many operations.
const (
	mixWorkers = 8
	mixOps     = 250
	mixUsers   = 6
	mixTickets = 300
	mixHot     = 5 // the first tickets, which orders pick often (contended)
)

// mixProduct is an exchange product of the load.
type mixProduct struct {
	id      int64
	diamond int64
	stock   int64 // -1: none
	virtual bool
}

// mixOrder is an acknowledged order_create.
type mixOrder struct {
	id      int64
	user    int
	price   int64
	tickets []int64
	// left: the load seldom pays or cancels it, so that it expires
	// (mostly by a sweep).
	left bool
}

// mixUser is a user of the load.
type mixUser struct {
	id    int64
	token string
}

// mix is the load and what it was told: the test's own record of every
// acknowledged write, checked against the database after the load.
type mix struct {
	t        *testing.T
	e        *plazatest.Env
	client   *http.Client
	admin    string
	users    []mixUser
	tickets  []int64
	prices   map[int64]int64 // ticket -> price
	products []mixProduct

	mu          sync.Mutex
	orders      []mixOrder
	paid        map[int64]string // order id -> pay method
	cancelled   map[int64]bool
	diamond     []int64 // per user: fresh diamond grants - purchases
	cny         []int64 // per user: fresh cny grants - orders paid by wallet
	walletPaid  int64   // prices of the orders paid by wallet
	freshGrants int
	sharedFresh map[string]int   // a shared key -> fresh answers
	bought      map[int64]int    // product -> acknowledged purchases
	boughtBy    []int            // per user
	virtualBy   []int            // per user: virtual products bought
	count       map[string]int   // "op answer" -> how many, for the log
	keys        map[string]grant // a worker's own key -> what it granted
}

type grant struct {
	user     int
	currency string
	amount   int64
}

// TestMixedLoadInvariants runs a random mixed load on every core that
// moves money, stock or tickets (admin grants with replayed keys, market
// purchases, use and unuse of user products, the yuanyi cart, ticket
// orders paid from the wallet and the sandbox, cancels, expiry sweeps
// racing with a clock moved by another goroutine) through the real HTTP
// faces, then checks the invariants that tie the cores together against
// the database and against the test's own record of what was
// acknowledged: every acknowledged write is there, no refused one left a
// trace.
func TestMixedLoadInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("a long mixed load")
	}
	var otp []string
	for i := range mixUsers {
		otp = append(otp, fmt.Sprintf("86137%08d=246810", i))
	}
	env := map[string]string{
		"PLAZA_SMS_TEST_OTP":     strings.Join(otp, ","),
		"PLAZA_ADMIN_EMAIL":      "ops@example.com",
		"PLAZA_ADMIN_PASSWORD":   "ops-password",
		"PLAZA_YUANYI_CHECK_SIG": "false",
		"PLAZA_LOG_LEVEL":        "error",
		// The clock moves some 50 s every ten operations: an order lives
		// for about a hundred operations of the load.
		"PLAZA_ORDER_TTL": "8m",
		// and the admin's token outlives the clock's run.
		"PLAZA_ADMIN_TOKEN_TTL": "72h",
	}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		start := time.Now()
		m := newMix(t, e)
		m.run()
		loaded := time.Since(start)
		m.check()
		t.Logf("load %v, checks %v; %v", loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond), m.count)
	})
}

func newMix(t *testing.T, e *plazatest.Env) *mix {
	ctx := context.Background()
	m := &mix{
		t: t, e: e,
		client:      &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 32}},
		prices:      map[int64]int64{},
		paid:        map[int64]string{},
		cancelled:   map[int64]bool{},
		diamond:     make([]int64, mixUsers),
		cny:         make([]int64, mixUsers),
		sharedFresh: map[string]int{},
		bought:      map[int64]int{},
		boughtBy:    make([]int, mixUsers),
		virtualBy:   make([]int, mixUsers),
		count:       map[string]int{},
		keys:        map[string]grant{},
	}
	t.Cleanup(m.client.CloseIdleConnections)
	st, login := m.send("POST", "/admin/v1/login", "", map[string]any{"email": "ops@example.com", "password": "ops-password"})
	if st != http.StatusOK {
		t.Fatalf("admin login: %d %v", st, login)
	}
	m.admin = fmt.Sprint("Bearer ", login["token"])
	for i := range mixUsers {
		u, tok, err := e.App.Accounts.RegisterWith(ctx, account.Account{Area: "86", Phone: fmt.Sprintf("137%08d", i)}, "246810", "secret123", fmt.Sprint("u", i))
		if err != nil {
			t.Fatal(err)
		}
		m.users = append(m.users, mixUser{id: u.ID, token: tok.Access})
	}
	create := func(c *catalog.Collection, in map[string]any) int64 {
		rec, err := e.App.Catalog.Create(ctx, c, in)
		if err != nil {
			t.Fatalf("create %s: %v", c.Name, err)
		}
		return rec.ID()
	}
	master := create(catalog.Masters, map[string]any{"name": "达人"})
	project := create(catalog.Projects, map[string]any{"master_id": master, "name": "项目"})
	r := rand.New(rand.NewPCG(1, 2))
	for i := range mixTickets {
		price := int64(100 + r.IntN(2900))
		if i%9 == 4 {
			price = 0 // a free ticket: an order of free tickets is paid without a ledger entry
		}
		id := create(catalog.Tickets, map[string]any{"project_id": project, "name": fmt.Sprint("票", i), "price": price})
		m.tickets = append(m.tickets, id)
		m.prices[id] = price
	}
	for _, p := range []struct {
		diamond int64
		stock   int64
		action  string
	}{{7, -1, ""}, {30, 25, ""}, {20, -1, catalog.ActionAvatar}, {45, 15, catalog.ActionAvatar}, {25, 10, catalog.ActionBackground}, {12, -1, catalog.ActionBackground}} {
		in := map[string]any{"name": fmt.Sprint("品", p.diamond), "diamond": p.diamond}
		if p.stock >= 0 {
			in["stock"] = p.stock
		}
		if p.action != "" {
			in["product_type"] = catalog.ProductVirtual
			in["category"] = map[string]any{"name": p.action, "style": p.action + "_1", "action": p.action}
		}
		m.products = append(m.products, mixProduct{id: create(catalog.ExchangeProducts, in), diamond: p.diamond, stock: p.stock, virtual: p.action != ""})
	}
	return m
}

// send sends one request; it answers the status and the decoded object
// (status 0: no answer, reported).
func (m *mix) send(method, path, auth string, body any) (int, map[string]any) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, m.e.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := m.client.Do(req)
	if err != nil {
		m.t.Errorf("%s %s: %v", method, path, err)
		return 0, nil
	}
	defer res.Body.Close()
	var out map[string]any
	d := json.NewDecoder(res.Body)
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		m.t.Errorf("%s %s: HTTP %d, not a JSON object: %v", method, path, res.StatusCode, err)
		return 0, nil
	}
	return res.StatusCode, out
}

// yuanyi calls a yuanyi method (unsigned: the check is off) and answers
// its code.
func (m *mix) yuanyi(method string, params map[string]any, token string) (int, map[string]any) {
	body := map[string]any{"method": method, "ver": "1", "app": "yuanyi-app", "token": token}
	for k, v := range params {
		body[k] = v
	}
	st, out := m.send("POST", "/yuanyiapi/", "", body)
	if st != http.StatusOK {
		if st != 0 {
			m.t.Errorf("yuanyi %s: HTTP %d %v", method, st, out)
		}
		return -1, nil
	}
	code, err := out["code"].(json.Number).Int64()
	if err != nil {
		m.t.Errorf("yuanyi %s: code %v", method, out["code"])
		return -1, nil
	}
	return int(code), out
}

func (m *mix) note(what string, answer any) {
	m.mu.Lock()
	m.count[fmt.Sprint(what, " ", answer)]++
	m.mu.Unlock()
}

func (m *mix) unexpected(what string, answer any, body map[string]any) {
	m.t.Errorf("%s: unexpected answer %v %v", what, answer, body)
}

// run drives the load: mixWorkers workers, a goroutine moving the clock
// on every few operations, two expiry sweepers running when it has.
func (m *mix) run() {
	ctx := context.Background()
	ticks := make(chan struct{}, 64)
	sweep := make(chan struct{}, 2)
	done := make(chan struct{})
	var bg sync.WaitGroup
	var expired atomic.Int64
	bg.Add(1)
	go func() { // the clock
		defer bg.Done()
		r := rand.New(rand.NewPCG(99, 1))
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-ticks:
			}
			if n%10 == 0 {
				m.e.Clock.Advance(time.Duration(20+r.IntN(60)) * time.Second)
				for range 2 {
					select {
					case sweep <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	for range 2 {
		bg.Add(1)
		go func() { // a node's expiry job
			defer bg.Done()
			for {
				select {
				case <-done:
					return
				case <-sweep:
				}
				n, err := m.e.App.Orders.ExpireDue(ctx)
				if err != nil {
					m.t.Errorf("expire: %v", err)
				}
				expired.Add(int64(n))
			}
		}()
	}
	var wg sync.WaitGroup
	for w := range mixWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 2026))
			for n := range mixOps {
				m.op(r, w, n)
				select {
				case ticks <- struct{}{}:
				default:
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	bg.Wait()
	m.count["expired by sweeps"] = int(expired.Load())
	m.count[fmt.Sprint("clock moved ", m.e.Clock.Now().Sub(plazatest.Start).Round(time.Minute))]++
}

// op runs one random operation as worker w's n-th.
func (m *mix) op(r *rand.Rand, w, n int) {
	ui := r.IntN(mixUsers)
	u := m.users[ui]
	switch x := r.IntN(100); {
	case x < 10:
		m.grant(r, w, n, ui, wallet.Diamond, int64(10+r.IntN(70)))
	case x < 13:
		m.sharedGrant(r, ui)
	case x < 20:
		m.grant(r, w, n, ui, "cny", int64(100+r.IntN(1400))) // small: some wallet pays fall short
	case x < 34:
		m.purchase(r, ui)
	case x < 40:
		// Use or unuse a user product: mostly one of the user's, else
		// any id (another user's: 404).
		m.mu.Lock()
		top := 0
		for _, v := range m.virtualBy {
			top += v
		}
		m.mu.Unlock()
		id := int64(1 + r.IntN(top+2))
		if r.IntN(4) != 0 {
			if own := m.ints("SELECT id FROM user_products WHERE user_id = ?", u.id); len(own) > 0 {
				id = own[r.IntN(len(own))][0]
			}
		}
		verb := "use_product"
		if r.IntN(3) == 0 {
			verb = "unuse_product"
		}
		st, body := m.send("PUT", fmt.Sprintf("/market/%s/%d/", verb, id), "Token "+u.token, nil)
		if st != http.StatusOK && st != http.StatusNotFound {
			m.unexpected(verb, st, body)
		}
		m.note(verb, st)
	case x < 55:
		m.create(r, ui)
	case x < 70:
		m.pay(r, ui)
	case x < 78:
		m.cancel(r, ui)
	case x < 92:
		code, body := m.yuanyi("shopping_cart_add", map[string]any{"ticket_id": m.ticket(r)}, u.token)
		if code != 0 && code != 202 { // 202: sold
			m.unexpected("shopping_cart_add", code, body)
		}
		m.note("shopping_cart_add", code)
	default:
		code, body := m.yuanyi("shopping_cart_del", map[string]any{"ticket_id": m.ticket(r)}, u.token)
		if code != 0 {
			m.unexpected("shopping_cart_del", code, body)
		}
		m.note("shopping_cart_del", code)
	}
}

// ticket picks a ticket, one of the hot ones a sixth of the time.
func (m *mix) ticket(r *rand.Rand) int64 {
	if r.IntN(6) == 0 {
		return m.tickets[r.IntN(mixHot)]
	}
	return m.tickets[r.IntN(len(m.tickets))]
}

// grant is an admin's grant with a key of worker w; a fifth of the time
// it replays one of the worker's earlier keys instead, as it was (200,
// nothing new) or with another amount (409, nothing written).
func (m *mix) grant(r *rand.Rand, w, n, ui int, currency string, amount int64) {
	key := fmt.Sprintf("w%d-%d", w, n)
	g := grant{ui, currency, amount}
	replay, changed := false, false
	if n > 0 && r.IntN(5) == 0 {
		old := fmt.Sprintf("w%d-%d", w, r.IntN(n))
		m.mu.Lock()
		og, ok := m.keys[old]
		m.mu.Unlock()
		if ok {
			key, g, replay = old, og, true
			if changed = r.IntN(2) == 0; changed {
				g.amount++
			}
		}
	}
	st, body := m.send("POST", fmt.Sprintf("/admin/v1/users/%d/wallet", m.users[g.user].id), m.admin,
		map[string]any{"currency": g.currency, "amount": g.amount, "reason": "mixed load", "idempotency_key": key})
	switch {
	case !replay && st == http.StatusCreated:
		m.mu.Lock()
		m.keys[key] = g
		m.credit(g)
		m.mu.Unlock()
	case replay && !changed && st == http.StatusOK && body["replayed"] == true:
	case replay && changed && st == http.StatusConflict:
	default:
		m.unexpected(fmt.Sprintf("grant %s (replay %v, changed %v)", key, replay, changed), st, body)
	}
	m.note("grant "+g.currency, st)
}

// credit notes a fresh grant (m.mu held).
func (m *mix) credit(g grant) {
	m.freshGrants++
	if g.currency == wallet.Diamond {
		m.diamond[g.user] += g.amount
	} else {
		m.cny[g.user] += g.amount
	}
}

// sharedGrant sends a grant whose key any worker may send at the same
// time, always with the same content: exactly one of them is fresh.
func (m *mix) sharedGrant(r *rand.Rand, ui int) {
	k := r.IntN(8)
	key := fmt.Sprintf("shared-%d", k)
	g := grant{ui, wallet.Diamond, int64(5 + k)}
	st, body := m.send("POST", fmt.Sprintf("/admin/v1/users/%d/wallet", m.users[ui].id), m.admin,
		map[string]any{"currency": g.currency, "amount": g.amount, "reason": "shared", "idempotency_key": key})
	switch st {
	case http.StatusCreated:
		m.mu.Lock()
		m.sharedFresh[fmt.Sprint(ui, "/", key)]++
		m.credit(g)
		m.mu.Unlock()
	case http.StatusOK:
		if body["replayed"] != true {
			m.unexpected("shared grant", st, body)
		}
	default:
		m.unexpected("shared grant", st, body)
	}
	m.note("shared grant", st)
}

func (m *mix) purchase(r *rand.Rand, ui int) {
	p := m.products[r.IntN(len(m.products))]
	st, body := m.send("GET", fmt.Sprintf("/market/exchange_products/purchase/%d/", p.id), "Token "+m.users[ui].token, nil)
	switch {
	case st == http.StatusOK:
		m.mu.Lock()
		m.diamond[ui] -= p.diamond
		m.bought[p.id]++
		m.boughtBy[ui]++
		if p.virtual {
			m.virtualBy[ui]++
		}
		m.mu.Unlock()
	case st == http.StatusBadRequest && (body["detail"] == "钻石不足" || body["detail"] == "库存不足"):
	default:
		m.unexpected("purchase", st, body)
	}
	m.note("purchase", fmt.Sprint(st, body["detail"]))
}

// create orders 1 to 3 tickets, now and then from the cart.
func (m *mix) create(r *rand.Rand, ui int) {
	var ids []int64
	for want := 1 + r.IntN(3); len(ids) < want; {
		if id := m.ticket(r); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	method := "order_create"
	if r.IntN(4) == 0 {
		method = "order_create_by_shopping_cart"
	}
	code, body := m.yuanyi(method, map[string]any{"ticket_id_list": ids}, m.users[ui].token)
	switch code {
	case 0:
		id, err := body["order_id"].(json.Number).Int64()
		if err != nil {
			m.unexpected(method, code, body)
			return
		}
		var price int64
		for _, t := range ids {
			price += m.prices[t]
		}
		m.mu.Lock()
		m.orders = append(m.orders, mixOrder{id: id, user: ui, price: price, tickets: ids, left: r.IntN(3) == 0})
		m.mu.Unlock()
	case 202: // a ticket sold or reserved
	default:
		m.unexpected(method, code, body)
	}
	m.note(method, code)
}

// recent picks an order (nil: none yet), mostly one not yet
// acknowledged paid or cancelled, and the user who asks about it: its
// own, or another one a tenth of the time.
func (m *mix) recent(r *rand.Rand, ui int) (*mixOrder, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.orders) == 0 {
		return nil, 0
	}
	var open []int
	for i := len(m.orders) - 1; i >= 0 && len(open) < 20; i-- {
		if id := m.orders[i].id; m.paid[id] == "" && !m.cancelled[id] && !m.orders[i].left {
			open = append(open, i)
		}
	}
	o := m.orders[len(m.orders)-1-r.IntN(min(len(m.orders), 30))]
	if len(open) > 0 && r.IntN(4) != 0 {
		o = m.orders[open[r.IntN(len(open))]]
	}
	asker := o.user
	if r.IntN(10) == 0 {
		asker = ui
	}
	return &o, asker
}

func (m *mix) pay(r *rand.Rand, ui int) {
	o, asker := m.recent(r, ui)
	if o == nil {
		return
	}
	method := "wallet"
	if r.IntN(5) < 2 {
		method = "sandbox"
	}
	code, body := m.yuanyi("order_pay", map[string]any{"order_id": o.id, "pay_method": method}, m.users[asker].token)
	switch {
	case code == 0 && asker == o.user:
		if p, _ := body["order_pay"].(map[string]any); p == nil || p["paid"] != true {
			m.unexpected("order_pay", code, body)
		}
		m.mu.Lock()
		if prev, ok := m.paid[o.id]; ok {
			m.t.Errorf("order %d paid twice (%s, then %s)", o.id, prev, method)
		}
		m.paid[o.id] = method
		if method == "wallet" {
			m.cny[o.user] -= o.price
			m.walletPaid += o.price
		}
		m.mu.Unlock()
	case code == 400: // paid, closed, short of cny, or another user's
		if msg, _ := body["err_msg"].(string); strings.Contains(msg, "not enough") {
			m.note("order_pay "+method, "short")
			return
		}
	default:
		m.unexpected(fmt.Sprintf("order_pay %d by user %d", o.id, asker), code, body)
	}
	m.note("order_pay "+method, code)
}

func (m *mix) cancel(r *rand.Rand, ui int) {
	o, asker := m.recent(r, ui)
	if o == nil {
		return
	}
	code, body := m.yuanyi("order_cancel", map[string]any{"order_id": o.id}, m.users[asker].token)
	switch {
	case code == 0 && asker == o.user:
		m.mu.Lock()
		m.cancelled[o.id] = true
		m.mu.Unlock()
	case code == 400:
	default:
		m.unexpected(fmt.Sprintf("order_cancel %d by user %d", o.id, asker), code, body)
	}
	m.note("order_cancel", code)
}

// ints reads a query's rows of integers.
func (m *mix) ints(q string, args ...any) [][]int64 {
	m.t.Helper()
	rows, err := m.e.App.DB.Query(context.Background(), q, args...)
	if err != nil {
		m.t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]int64
	for rows.Next() {
		row := make([]int64, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			m.t.Fatalf("%s: %v", q, err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		m.t.Fatalf("%s: %v", q, err)
	}
	return out
}

// none requires a query to find no rows.
func (m *mix) none(what, q string, args ...any) {
	m.t.Helper()
	if rows := m.ints(q, args...); len(rows) > 0 {
		m.t.Errorf("%s: %v", what, rows)
	}
}

func (m *mix) one(q string, args ...any) int64 {
	m.t.Helper()
	rows := m.ints(q, args...)
	if len(rows) != 1 || len(rows[0]) != 1 {
		m.t.Fatalf("%s: %v", q, rows)
	}
	return rows[0][0]
}

// check compares the database with the invariants and with what the load
// was told.
func (m *mix) check() {
	t := m.t
	ctx := context.Background()
	db := m.e.App.DB

	rep, err := wallet.Verify(ctx, db)
	if err != nil || !rep.OK() {
		var b bytes.Buffer
		rep.Write(&b)
		t.Errorf("ledger verify: %v\n%s", err, b.String())
	}

	// Tickets and orders.
	m.none("tickets reserved and sold", "SELECT id FROM tickets WHERE reserved_order IS NOT NULL AND sold_to IS NOT NULL")
	m.none("sold tickets not in exactly one paid order of their buyer", `SELECT t.id FROM tickets t WHERE t.sold_to IS NOT NULL AND
		(SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.ticket_id = t.id AND o.status = 1 AND o.user_id = t.sold_to) <> 1`)
	m.none("tickets in two paid orders", "SELECT i.ticket_id FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 1 GROUP BY i.ticket_id HAVING COUNT(*) > 1")
	m.none("tickets of paid orders not sold to their user", `SELECT i.ticket_id FROM order_items i JOIN orders o ON o.id = i.order_id
		JOIN tickets t ON t.id = i.ticket_id WHERE o.status = 1 AND (t.sold_to IS NULL OR t.sold_to <> o.user_id)`)
	m.none("tickets reserved by an order not pending", "SELECT t.id, o.id, o.status FROM tickets t JOIN orders o ON o.id = t.reserved_order WHERE o.status <> 0")
	m.none("tickets of pending orders not reserved by them", `SELECT o.id, i.ticket_id FROM order_items i JOIN orders o ON o.id = i.order_id
		JOIN tickets t ON t.id = i.ticket_id WHERE o.status = 0 AND (t.reserved_order IS NULL OR t.reserved_order <> o.id)`)
	m.none("orders whose price is not their items'", `SELECT o.id FROM orders o WHERE o.price <>
		(SELECT COALESCE(SUM(i.price), 0) FROM order_items i WHERE i.order_id = o.id)`)
	m.none("sold tickets in carts", "SELECT c.user_id, c.ticket_id FROM shopping_cart c JOIN tickets t ON t.id = c.ticket_id WHERE t.sold_to IS NOT NULL")

	// Orders against what was acknowledged: every create is there (and
	// no refused one), the paid ones are exactly those acknowledged paid,
	// an acknowledged cancel is cancelled.
	type row struct {
		user, price, status int64
		method              string
		items               []int64
	}
	dbOrders := map[int64]*row{}
	rows, err := store.Collect(ctx, db, "SELECT id, user_id, price, status, pay_method FROM orders", nil, func(r store.Scanner) (struct {
		id int64
		row
	}, error) {
		var x struct {
			id int64
			row
		}
		return x, r.Scan(&x.id, &x.user, &x.price, &x.status, &x.method)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range rows {
		dbOrders[x.id] = &x.row
	}
	for _, it := range m.ints("SELECT order_id, ticket_id FROM order_items ORDER BY order_id, pos") {
		if o := dbOrders[it[0]]; o != nil {
			o.items = append(o.items, it[1])
		}
	}
	if len(dbOrders) != len(m.orders) {
		t.Errorf("%d orders in the database, %d acknowledged", len(dbOrders), len(m.orders))
	}
	states := map[int64]int{}
	for _, o := range m.orders {
		d := dbOrders[o.id]
		if d == nil {
			t.Errorf("acknowledged order %d is not there", o.id)
			continue
		}
		states[d.status]++
		if d.user != m.users[o.user].id || d.price != o.price || !slices.Equal(d.items, o.tickets) {
			t.Errorf("order %d: user %d, price %d, tickets %v; acknowledged user %d, price %d, tickets %v",
				o.id, d.user, d.price, d.items, m.users[o.user].id, o.price, o.tickets)
		}
		method, paid := m.paid[o.id]
		switch {
		case paid && m.cancelled[o.id]:
			t.Errorf("order %d acknowledged paid and cancelled", o.id)
		case paid && (d.status != 1 || d.method != method):
			t.Errorf("order %d acknowledged paid by %s: status %d, pay_method %q", o.id, method, d.status, d.method)
		case !paid && d.status == 1:
			t.Errorf("order %d paid (%s) but no pay was acknowledged", o.id, d.method)
		case m.cancelled[o.id] && d.status != 2:
			t.Errorf("order %d acknowledged cancelled: status %d", o.id, d.status)
		}
	}
	m.count[fmt.Sprint("orders by status ", states)]++

	// Money of the orders: the wallet's cny purchase debits are the
	// orders paid by wallet, one each; the sandbox's payments are the
	// orders paid by sandbox, one each.
	debits := map[string]int64{}
	var debitSum int64
	dr, err := store.Collect(ctx, db, `SELECT t.ref_kind, t.ref_id, e.amount FROM wallet_transactions t
		JOIN wallet_entries e ON e.transaction_id = t.id JOIN wallet_accounts a ON a.id = e.account_id
		WHERE t.kind = 'purchase' AND t.currency = 'cny' AND a.user_id = t.user_id`, nil, func(r store.Scanner) ([3]string, error) {
		var k, id string
		var amount int64
		err := r.Scan(&k, &id, &amount)
		return [3]string{k, id, strconv.FormatInt(-amount, 10)}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dr {
		a, _ := strconv.ParseInt(d[2], 10, 64)
		if d[0] != "order" || debits[d[1]] != 0 {
			t.Errorf("cny purchase %v: not the one debit of an order", d)
		}
		debits[d[1]] = a
		debitSum += a
	}
	var walletSum int64
	for id, o := range dbOrders {
		if o.status != 1 {
			continue
		}
		ref := strconv.FormatInt(id, 10)
		switch {
		case o.method == "wallet":
			walletSum += o.price
			if debits[ref] != o.price {
				t.Errorf("order %d paid by wallet (%d fen): debit %d", id, o.price, debits[ref])
			}
		case debits[ref] != 0:
			t.Errorf("order %d paid by %s has a wallet debit", id, o.method)
		}
	}
	if debitSum != walletSum || walletSum != m.walletPaid {
		t.Errorf("cny purchase debits %d, orders paid by wallet %d, acknowledged %d", debitSum, walletSum, m.walletPaid)
	}
	pays, err := store.Collect(ctx, db, "SELECT ref, method, status, amount, user_id FROM payments WHERE purpose = 'order'", nil,
		func(r store.Scanner) ([5]string, error) {
			var x [5]string
			return x, r.Scan(&x[0], &x[1], &x[2], &x[3], &x[4])
		})
	if err != nil {
		t.Fatal(err)
	}
	payOf := map[string]int{}
	for _, p := range pays {
		id, _ := strconv.ParseInt(p[0], 10, 64)
		o := dbOrders[id]
		payOf[p[0]]++
		if o == nil || o.status != 1 || o.method != "sandbox" || p[1] != "sandbox" || p[2] != "paid" ||
			p[3] != strconv.FormatInt(o.price, 10) || p[4] != strconv.FormatInt(o.user, 10) {
			t.Errorf("payment %v does not match its order %+v", p, o)
		}
	}
	for id, o := range dbOrders {
		if want := o.status == 1 && o.method == "sandbox" && o.price > 0; want != (payOf[strconv.FormatInt(id, 10)] == 1) {
			t.Errorf("order %d (%+v): %d payments", id, o, payOf[strconv.FormatInt(id, 10)])
		}
	}

	// The market.
	for _, p := range m.products {
		got := m.ints("SELECT COALESCE(stock, -1), bought, (SELECT COUNT(*) FROM exchange_orders WHERE product_id = ?) FROM exchange_products WHERE id = ?", p.id, p.id)[0]
		stock, bought, orders := got[0], got[1], got[2]
		if bought != orders || orders != int64(m.bought[p.id]) {
			t.Errorf("product %d: bought %d, %d orders, %d acknowledged", p.id, bought, orders, m.bought[p.id])
		}
		if p.stock >= 0 && stock+bought != p.stock || p.stock < 0 && stock != -1 {
			t.Errorf("product %d: stock %d + bought %d, initial stock %d", p.id, stock, bought, p.stock)
		}
		if p.stock > 0 && stock == 0 {
			m.count[fmt.Sprint("sold out ", p.id)]++
		}
	}
	m.none("orders of a price not their product's", "SELECT o.id FROM exchange_orders o JOIN exchange_products p ON p.id = o.product_id WHERE o.diamond <> p.diamond")
	m.none("user products not of a virtual product's order", `SELECT u.id FROM user_products u JOIN exchange_orders o ON o.id = u.order_id
		JOIN exchange_products p ON p.id = u.product_id WHERE o.user_id <> u.user_id OR o.product_id <> u.product_id OR p.product_type <> ?`, catalog.ProductVirtual)
	m.none("orders of a virtual product without their user product", `SELECT o.id FROM exchange_orders o JOIN exchange_products p ON p.id = o.product_id
		WHERE p.product_type = ? AND (SELECT COUNT(*) FROM user_products u WHERE u.order_id = o.id) <> 1`, catalog.ProductVirtual)
	m.none("two used products of one action", `SELECT u.user_id, COUNT(*) FROM user_products u JOIN exchange_products p ON p.id = u.product_id
		WHERE u.status = 1 GROUP BY u.user_id, p.category_action HAVING COUNT(*) > 1`)
	m.count[fmt.Sprint("used products ", m.one("SELECT COUNT(*) FROM user_products WHERE status = 1"))]++
	m.none("exchange orders without their diamond debit", `SELECT o.id FROM exchange_orders o WHERE
		(SELECT COUNT(*) FROM wallet_transactions t WHERE t.kind = 'purchase' AND t.currency = 'diamond' AND t.ref_kind = 'exchange_order' AND t.ref_id = o.order_number AND t.user_id = o.user_id) <> 1`)

	// Each user's balances and rows against what was acknowledged.
	for i, u := range m.users {
		d, err := m.e.App.Wallet.Balance(ctx, u.id, wallet.Diamond)
		if err != nil {
			t.Fatal(err)
		}
		c, err := m.e.App.Wallet.Balance(ctx, u.id, "cny")
		if err != nil {
			t.Fatal(err)
		}
		if d != m.diamond[i] || c != m.cny[i] {
			t.Errorf("user %d: %d diamonds, %d cny; acknowledged grants - purchases: %d diamonds, %d cny", u.id, d, c, m.diamond[i], m.cny[i])
		}
		if n := m.one("SELECT COUNT(*) FROM exchange_orders WHERE user_id = ?", u.id); n != int64(m.boughtBy[i]) {
			t.Errorf("user %d: %d exchange orders, %d acknowledged", u.id, n, m.boughtBy[i])
		}
		if n := m.one("SELECT COUNT(*) FROM user_products WHERE user_id = ?", u.id); n != int64(m.virtualBy[i]) {
			t.Errorf("user %d: %d user products, %d acknowledged", u.id, n, m.virtualBy[i])
		}
		if n := m.one("SELECT COUNT(*) FROM wallet_transactions WHERE user_id = ? AND idempotency_key LIKE 'shared-%'", u.id); n != int64(len(sharedOf(m.sharedFresh, i))) {
			t.Errorf("user %d: %d shared-key grants, acknowledged fresh %v", u.id, n, sharedOf(m.sharedFresh, i))
		}
	}
	for k, n := range m.sharedFresh {
		if n != 1 {
			t.Errorf("shared key %s answered fresh %d times", k, n)
		}
	}
	if n := m.one("SELECT COUNT(*) FROM wallet_transactions WHERE kind = 'grant'"); n != int64(m.freshGrants) {
		t.Errorf("%d grants in the ledger, %d acknowledged fresh", n, m.freshGrants)
	}
}

// sharedOf is the shared keys answered fresh to user i.
func sharedOf(fresh map[string]int, i int) []string {
	var out []string
	for k := range fresh {
		if strings.HasPrefix(k, fmt.Sprint(i, "/")) {
			out = append(out, k)
		}
	}
	return out
}
