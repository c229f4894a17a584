package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// childEnv marks the test binary started by startChild as a plaza server:
// TestMain then runs "plaza serve" instead of the tests, so a test can
// SIGKILL a real server process and start it again on the same data.
const childEnv = "PLAZA_TEST_CRASH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		err := run(context.Background(), []string{"plaza", "serve", "-addr", "127.0.0.1:0"}, os.Environ(), os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a plaza server process.
type child struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
}

// startChild starts the test binary as "plaza serve" with vars and waits
// for the line that names its address.
func startChild(t *testing.T, vars map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Env = append(cmd.Env, envOf(vars)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		cmd.Wait()
		t.Fatalf("plaza did not start:\n%s", c.stderr.String())
	}
	_, rest, ok := strings.Cut(lines.Text(), "http://")
	if !ok {
		t.Fatalf("unexpected first line %q", lines.Text())
	}
	c.base = "http://" + strings.Fields(rest)[0]
	go io.Copy(io.Discard, out)
	return c
}

// kill ends the process with SIGKILL: no shutdown, no flush.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
}

// call sends one request and decodes the JSON answer. A transport error
// (the server is gone) answers status 0.
func call(client *http.Client, method, url, auth string, body any) (int, map[string]any) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return 0, nil // cut off mid-answer: not acknowledged
	}
	return res.StatusCode, m
}

// TestCrashUnderLoad kills the server (SIGKILL) in the middle of a mixed
// load of admin grants (with idempotency keys, some replayed), market
// purchases and yuanyi ticket orders (order_create, then order_pay from
// the wallet or order_cancel), starts it again on the same data and
// checks that every acknowledged write is there, that no purchase is
// half-written (an order without its debit, a debit without its order,
// bought out of step with the orders), that every acknowledged paid order
// is paid with its tickets sold and its debit written, that no ticket is
// both reserved and sold or held by a closed order, and that "plaza ledger
// verify" passes.
func TestCrashUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			const users = 6
			var otp []string
			for i := range users {
				otp = append(otp, fmt.Sprintf("86139%08d=246810", i))
			}
			vars := map[string]string{
				"PLAZA_DATA":           t.TempDir(),
				"PLAZA_SMS_TEST_OTP":   strings.Join(otp, ","),
				"PLAZA_ADMIN_EMAIL":    "ops@example.com",
				"PLAZA_ADMIN_PASSWORD": "ops-password",
				"PLAZA_LOG_LEVEL":      "error",
				// The load calls the yuanyi face unsigned.
				"PLAZA_YUANYI_CHECK_SIG": "false",
			}
			opts := store.Options{Path: vars["PLAZA_DATA"] + "/plaza.db"}
			if eng.Name == "postgres" {
				db, o := eng.Open(t)
				db.Close()
				vars["PLAZA_DATABASE_URL"] = o.URL
				opts = o
			}
			srv := startChild(t, vars)
			client := &http.Client{Timeout: 10 * time.Second}

			// Users, their ids, an admin and a product.
			_, login := call(client, "POST", srv.base+"/admin/v1/login", "", map[string]any{"email": "ops@example.com", "password": "ops-password"})
			admin := fmt.Sprint("Bearer ", login["token"])
			type user struct {
				id    int64
				token string
			}
			var us []user
			for i := range users {
				phone := fmt.Sprintf("139%08d", i)
				_, reg := call(client, "POST", srv.base+"/api/auth/register", "", map[string]any{"account": phone, "code": "246810", "password": "secret123"})
				d, _ := reg["data"].(map[string]any)
				if d == nil {
					t.Fatalf("register: %v", reg)
				}
				us = append(us, user{token: "Token " + d["access_token"].(string)})
			}
			_, list := call(client, "GET", srv.base+"/admin/v1/users?page_size=100", admin, nil)
			items, _ := list["items"].([]any)
			if len(items) != users {
				t.Fatalf("admin users: %v", list)
			}
			for i := range us {
				phone := fmt.Sprintf("139%08d", i)
				for _, it := range items {
					if m := it.(map[string]any); m["phone"] == phone {
						us[i].id = int64(m["id"].(float64))
					}
				}
			}
			st, prod := call(client, "POST", srv.base+"/admin/v1/exchange-products", admin,
				map[string]any{"name": "乌龙茶", "content": "乌龙茶饮料", "diamond": 7, "product_type": 0})
			if st != http.StatusCreated {
				t.Fatalf("product: %d %v", st, prod)
			}
			pk := int64(prod["id"].(float64))

			// Tickets, and cny for every user to pay orders with.
			create := func(path string, body map[string]any) int64 {
				st, m := call(client, "POST", srv.base+"/admin/v1/"+path, admin, body)
				if st != http.StatusCreated {
					t.Fatalf("create %s: %d %v", path, st, m)
				}
				return int64(m["id"].(float64))
			}
			master := create("masters", map[string]any{"name": "达人"})
			project := create("projects", map[string]any{"master_id": master, "name": "项目"})
			var tickets []int64
			prices := map[int64]int64{}
			for i := range 40 {
				price := int64(100 + 37*i)
				id := create("tickets", map[string]any{"project_id": project, "name": fmt.Sprint("票", i), "price": price})
				tickets = append(tickets, id)
				prices[id] = price
			}
			for _, u := range us {
				st, m := call(client, "POST", fmt.Sprintf("%s/admin/v1/users/%d/wallet", srv.base, u.id), admin,
					map[string]any{"currency": "cny", "amount": 1_000_000, "reason": "crash test"})
				if st != http.StatusCreated {
					t.Fatalf("grant cny: %d %v", st, m)
				}
			}
			// yuanyi calls one method (unsigned) and answers its code; -1:
			// no answer.
			yuanyi := func(method, token string, params map[string]any) (int, map[string]any) {
				body := map[string]any{"method": method, "ver": "1", "app": "yuanyi-app", "token": token}
				for k, v := range params {
					body[k] = v
				}
				st, m := call(client, "POST", srv.base+"/yuanyiapi/", "", body)
				if st != http.StatusOK {
					return -1, m
				}
				c, _ := m["code"].(float64)
				return int(c), m
			}

			// The load: each goroutine grants and buys until the server is
			// gone, and notes what was acknowledged.
			type grant struct {
				user   int64
				key    string
				amount int64
			}
			type order struct {
				user    int64
				price   int64
				tickets []int64
			}
			var (
				mu         sync.Mutex
				granted    []grant
				bought     = map[int64]int{} // user id -> acknowledged purchases
				created    = map[int64]order{}
				paid       = map[int64]bool{} // acknowledged paid orders
				cancelled  = map[int64]bool{}
				acks       atomic.Int64
				wg         sync.WaitGroup
				unexpected = make(chan string, 100)
			)
			// report notes an unexpected answer (the first hundred).
			report := func(s string) {
				select {
				case unexpected <- s:
				default:
				}
			}
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(g), 11))
					for n := 0; ; n++ {
						u := us[r.IntN(len(us))]
						if r.IntN(5) < 2 {
							// A ticket order of one or two tickets (the
							// goroutines contend for them), then paid from
							// the wallet or cancelled.
							ids := []int64{tickets[r.IntN(len(tickets))]}
							if x := tickets[r.IntN(len(tickets))]; r.IntN(2) == 0 && x != ids[0] {
								ids = append(ids, x)
							}
							code, m := yuanyi("order_create", strings.TrimPrefix(u.token, "Token "), map[string]any{"ticket_id_list": ids})
							switch code {
							case -1:
								return
							case 0:
							case 202: // taken by another order, or sold
								continue
							default:
								report(fmt.Sprintf("order_create: %d %v", code, m))
								continue
							}
							id := int64(m["order_id"].(float64))
							o := order{user: u.id, tickets: ids}
							for _, x := range ids {
								o.price += prices[x]
							}
							mu.Lock()
							created[id] = o
							mu.Unlock()
							acks.Add(1)
							method, what := "order_pay", paid
							params := map[string]any{"order_id": id, "pay_method": "wallet"}
							if r.IntN(3) == 0 {
								method, what = "order_cancel", cancelled
								delete(params, "pay_method")
							}
							code, m = yuanyi(method, strings.TrimPrefix(u.token, "Token "), params)
							switch code {
							case -1:
								return
							case 0:
								mu.Lock()
								what[id] = true
								mu.Unlock()
								acks.Add(1)
							default:
								report(fmt.Sprintf("%s: %d %v", method, code, m))
							}
							continue
						}
						if r.IntN(2) == 0 {
							key := fmt.Sprintf("g%d-%d", g, n)
							if n > 0 && r.IntN(4) == 0 {
								key = fmt.Sprintf("g%d-%d", g, n-1) // a replay: same key, maybe another user
							}
							amount := int64(10 + r.IntN(40))
							st, m := call(client, "POST", fmt.Sprintf("%s/admin/v1/users/%d/wallet", srv.base, u.id), admin,
								map[string]any{"currency": "diamond", "amount": amount, "reason": "crash test", "idempotency_key": key})
							switch {
							case st == 0:
								return
							case st == http.StatusOK || st == http.StatusCreated:
								mu.Lock()
								granted = append(granted, grant{u.id, key, amount})
								mu.Unlock()
								acks.Add(1)
							case st != http.StatusConflict:
								report(fmt.Sprintf("grant: %d %v", st, m))
							}
							continue
						}
						st, m := call(client, "GET", fmt.Sprintf("%s/market/exchange_products/purchase/%d/", srv.base, pk), u.token, nil)
						switch {
						case st == 0:
							return
						case st == http.StatusOK:
							mu.Lock()
							bought[u.id]++
							mu.Unlock()
							acks.Add(1)
						case st != http.StatusBadRequest: // 400: not enough diamonds
							report(fmt.Sprintf("purchase: %d %v", st, m))
						}
					}
				}()
			}
			for acks.Load() < 200 {
				time.Sleep(5 * time.Millisecond)
			}
			srv.kill(t)
			wg.Wait()
			close(unexpected)
			for s := range unexpected {
				t.Error(s)
			}

			// The server starts again on what the crash left.
			srv = startChild(t, vars)
			if st, _ := call(client, "GET", srv.base+"/readyz", "", nil); st != http.StatusOK {
				t.Fatalf("readyz after restart: %d", st)
			}
			srv.kill(t)

			db, err := store.OpenNoMigrate(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			for _, g := range granted {
				var n int
				if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM wallet_transactions WHERE idempotency_key = ? AND user_id = ?", g.key, g.user).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Errorf("acknowledged grant %s to user %d: %d transactions", g.key, g.user, n)
				}
			}
			for u, want := range bought {
				var orders, debits int
				if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM exchange_orders WHERE user_id = ?", u).Scan(&orders); err != nil {
					t.Fatal(err)
				}
				if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM wallet_transactions WHERE user_id = ? AND kind = 'purchase' AND currency = 'diamond'", u).Scan(&debits); err != nil {
					t.Fatal(err)
				}
				if orders < want || orders != debits {
					t.Errorf("user %d: %d purchases acknowledged, %d orders, %d debits", u, want, orders, debits)
				}
			}
			var orders, sold int64
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM exchange_orders").Scan(&orders); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow(ctx, "SELECT bought FROM exchange_products WHERE id = ?", pk).Scan(&sold); err != nil {
				t.Fatal(err)
			}
			if sold != orders {
				t.Errorf("bought %d, orders %d", sold, orders)
			}

			// Ticket orders: every acknowledged one is there; a paid one
			// is paid, its tickets sold to its user, its debit written; a
			// cancelled one is cancelled. No ticket is reserved and sold,
			// or held by a closed order, or sold without a paid order.
			for id, o := range created {
				var status int
				var method string
				if err := db.QueryRow(ctx, "SELECT status, pay_method FROM orders WHERE id = ? AND user_id = ? AND price = ?", id, o.user, o.price).Scan(&status, &method); err != nil {
					t.Errorf("acknowledged order %d of user %d (%d fen): %v", id, o.user, o.price, err)
					continue
				}
				switch {
				case paid[id] && (status != 1 || method != "wallet"):
					t.Errorf("order %d acknowledged paid: status %d, pay_method %q", id, status, method)
				case cancelled[id] && status != 2:
					t.Errorf("order %d acknowledged cancelled: status %d", id, status)
				}
				if !paid[id] {
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
			t.Logf("%d acknowledged writes before the kill (%d grants, %d ticket orders, %d paid, %d cancelled), %d exchange orders",
				acks.Load(), len(granted), len(created), len(paid), len(cancelled), orders)

			var out, errOut bytes.Buffer
			env := envOf(vars)
			if err := run(ctx, []string{"plaza", "ledger", "verify"}, env, &out, &errOut); err != nil {
				t.Fatalf("plaza ledger verify: %v\n%s%s", err, out.String(), errOut.String())
			}
		})
	}
}

// castText is an order's id as the text of a ledger reference, in SQL
// both engines read.
const castText = "CAST(o.id AS TEXT)"
