package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
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
// load of admin grants (with idempotency keys, some replayed) and market
// purchases, starts it again on the same data and checks that every
// acknowledged write is there, that no purchase is half-written (an order
// without its debit, a debit without its order, bought out of step with
// the orders) and that "plaza ledger verify" passes.
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

			// The load: each goroutine grants and buys until the server is
			// gone, and notes what was acknowledged.
			type grant struct {
				user   int64
				key    string
				amount int64
			}
			var (
				mu         sync.Mutex
				granted    []grant
				bought     = map[int64]int{} // user id -> acknowledged purchases
				acks       atomic.Int64
				wg         sync.WaitGroup
				unexpected = make(chan string, 100)
			)
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(g), 11))
					for n := 0; ; n++ {
						u := us[r.IntN(len(us))]
						if r.IntN(3) == 0 {
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
								unexpected <- fmt.Sprintf("grant: %d %v", st, m)
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
							unexpected <- fmt.Sprintf("purchase: %d %v", st, m)
						}
					}
				}()
			}
			for acks.Load() < 150 {
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
				if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM wallet_transactions WHERE user_id = ? AND kind = 'purchase'", u).Scan(&debits); err != nil {
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
			rep, err := wallet.Verify(ctx, db)
			if err != nil || !rep.OK() {
				var b bytes.Buffer
				rep.Write(&b)
				t.Fatalf("ledger verify: %v\n%s", err, b.String())
			}
			t.Logf("%d acknowledged writes before the kill (%d grants), %d orders", acks.Load(), len(granted), orders)

			var out, errOut bytes.Buffer
			env := envOf(vars)
			if err := run(ctx, []string{"plaza", "ledger", "verify"}, env, &out, &errOut); err != nil {
				t.Fatalf("plaza ledger verify: %v\n%s%s", err, out.String(), errOut.String())
			}
		})
	}
}
