package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// balancer is nginx, run with deploy/nginx/balancer.conf, in front of
// plaza nodes. Its answers name the node that served them (X-Upstream,
// added for the test).
type balancer struct {
	t      *testing.T
	base   string
	client *http.Client
	nodes  map[string]*node // by "127.0.0.1:port"
}

// node is one plaza process behind the balancer and its data folder.
type node struct {
	*child
	addr string
	data string
}

// startBalancer runs nginx with the shipped balancer config, its upstream
// servers replaced by the nodes. One process (master_process off): its
// round robin strictly alternates, which the test relies on to send one
// request to each node in turn.
func startBalancer(t *testing.T, nginx string, nodes ...*node) *balancer {
	t.Helper()
	shipped, err := os.ReadFile("../../deploy/nginx/balancer.conf")
	if err != nil {
		t.Fatal(err)
	}
	var servers []string
	for _, n := range nodes {
		servers = append(servers, fmt.Sprintf("    server %s max_fails=1 fail_timeout=5s;", n.addr))
	}
	upstream := regexp.MustCompile(`(?m)^\s*server plaza[12]:8080 .*\n`)
	if len(upstream.FindAllString(string(shipped), -1)) != 2 {
		t.Fatal("deploy/nginx/balancer.conf: no upstream servers plaza1:8080 and plaza2:8080")
	}
	conf := upstream.ReplaceAllString(string(shipped), "")
	conf = strings.Replace(conf, "    keepalive 64;", strings.Join(servers, "\n")+"\n    keepalive 64;", 1)
	port := plazatest.FreePort(t)
	conf = strings.Replace(conf, "listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;\n    add_header X-Upstream $upstream_addr always;", port), 1)
	if !strings.Contains(conf, "X-Upstream") {
		t.Fatal("deploy/nginx/balancer.conf: no listen 80")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "balancer.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	errorLog := filepath.Join(dir, "error.log")
	main := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[2]s warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/balancer.conf;
}
`, dir, errorLog)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", errorLog)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	b := &balancer{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: 10 * time.Second}, nodes: map[string]*node{}}
	for _, n := range nodes {
		b.nodes[n.addr] = n
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		select {
		case <-exited:
			log, _ := os.ReadFile(errorLog)
			t.Fatalf("nginx exited: %s\n%s", out.String(), log)
		default:
		}
		if res, err := http.Get(b.base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx does not answer")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return b
}

// do sends one request through the balancer from the client address xff
// (sent as X-Forwarded-For; "" for none) and answers the status, the node
// that served it and the decoded JSON.
func (b *balancer) do(method, path, auth, xff string, body any) (int, *node, map[string]any) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, b.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, b.nodes[res.Header.Get("X-Upstream")], m
}

// member calls the member face through the balancer and answers its code.
func (b *balancer) member(path, xff string, body any) (float64, *node, map[string]any) {
	b.t.Helper()
	st, n, m := b.do("POST", path, "", xff, body)
	c, ok := m["code"].(float64)
	if st != http.StatusOK || !ok {
		b.t.Fatalf("%s: %d %v", path, st, m)
	}
	return c, n, m
}

// nextTo makes the balancer's next request go to n: it asks for /healthz
// until one is served by another node (the round robin alternates).
func (b *balancer) nextTo(n *node) {
	b.t.Helper()
	for range 4 {
		if _, by, _ := b.do("GET", "/healthz", "", "", nil); by != nil && by != n {
			return
		}
	}
	b.t.Fatal("the balancer does not alternate between the nodes")
}

// other is the node that is not n.
func (b *balancer) other(n *node) *node {
	for _, o := range b.nodes {
		if o != n {
			return o
		}
	}
	return nil
}

// lastCode is the last code node n's SMS outbox holds for to.
func (n *node) lastCode(t *testing.T, to string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(n.data, "outbox", "sms.jsonl"))
	if err != nil {
		t.Fatalf("outbox of %s: %v", n.addr, err)
	}
	defer f.Close()
	code := ""
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		var m struct{ To, Code string }
		if json.Unmarshal(lines.Bytes(), &m) == nil && m.To == to {
			code = m.Code
		}
	}
	if code == "" {
		t.Fatalf("no code for %s in the outbox of %s", to, n.addr)
	}
	return code
}

// TestTwoNodesBehindBalancer runs nginx, with deploy/nginx/balancer.conf,
// round robin in front of two plaza nodes on one PostgreSQL and one Redis,
// and proves through it: a code sent by one node is checked on the other;
// the code and sign-in limits count across nodes; purchase and ticket
// races across both nodes keep the stock and the ledger exact; a room's
// comments reach its viewers on both nodes; and one node killed (SIGKILL)
// under a write load: the balancer moves on, every acknowledged write is
// there and "plaza ledger verify" passes.
func TestTwoNodesBehindBalancer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	nginx := plazatest.LookTool("nginx")
	if nginx == "" {
		t.Skip("no nginx (apt-get install nginx)")
	}
	redisURL := os.Getenv("PLAZA_TEST_REDIS_URL")
	if redisURL == "" {
		t.Skip("PLAZA_TEST_REDIS_URL is not set")
	}
	db, o := storetest.OpenPostgres(t)
	defer db.Close()

	live := []string{"13900000301", "13900000302", "13900000303"}
	otp := append(loadOTP("137", loadUsers), loadOTP("136", 8)...) // the load's, the racers'
	for _, p := range live {
		otp = append(otp, "86"+p+"=1234")
	}
	vars := map[string]string{
		"PLAZA_DATABASE_URL": o.URL, "PLAZA_REDIS_URL": redisURL,
		// Keys of this test only, in a Redis other tests share.
		"PLAZA_REDIS_PREFIX": fmt.Sprintf("plaza-test-%d-%d:", os.Getpid(), time.Now().UnixNano()),
		"PLAZA_TRUST_PROXY":  "true", "PLAZA_LOG_LEVEL": "error",
		"PLAZA_SMS_TEST_OTP": strings.Join(otp, ","), "PLAZA_YUANYI_CHECK_SIG": "false",
		"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password",
		"PLAZA_CODE_COOLDOWN": "1s", "PLAZA_CODE_MAX_PER_ACCOUNT_DAY": "3", "PLAZA_CODE_MAX_PER_IP_DAY": "5",
		"PLAZA_LOGIN_MAX_FAILURES": "3",
	}
	start := func() *node {
		v := map[string]string{"PLAZA_DATA": t.TempDir()}
		for k, x := range vars {
			v[k] = x
		}
		c := startChild(t, v)
		return &node{child: c, addr: strings.TrimPrefix(c.base, "http://"), data: v["PLAZA_DATA"]}
	}
	a, b := start(), start()
	lb := startBalancer(t, nginx, a, b)

	t.Run("a code sent by one node is checked on the other", func(t *testing.T) {
		for i, acct := range []string{"13500000001", "13500000002"} {
			xff := fmt.Sprintf("198.51.100.%d", i+1)
			c, by, m := lb.member("/api/auth/send_code", xff, map[string]any{"account": acct})
			if c != 0 || by == nil {
				t.Fatalf("send_code: %v (node %v)", m, by)
			}
			code := by.lastCode(t, "86"+acct)
			lb.nextTo(lb.other(by))
			// A wrong code counts on the other node, then the right one.
			if c, on, _ := lb.member("/api/auth/check_code", xff, map[string]any{"account": acct, "code": "000000"}); c == 0 || on == by {
				t.Fatalf("check_code of a wrong code on %v: %v", on, c)
			}
			lb.nextTo(by)
			if c, on, m := lb.member("/api/auth/register", xff, map[string]any{"account": acct, "code": code, "password": "secret123"}); c != 0 || on != by {
				t.Fatalf("register with the code sent by %s, on %v: %v", by.addr, on, m)
			}
			t.Logf("code sent by %s, a wrong try on %s, used on %s", by.addr, lb.other(by).addr, by.addr)
			// Used up on the node that sent it: refused on the other.
			lb.nextTo(lb.other(by))
			if c, on, _ := lb.member("/api/auth/check_code", xff, map[string]any{"account": acct, "code": code}); c == 0 || on == by {
				t.Fatalf("a used code checked again on %v: code %v", on, c)
			}
		}
		// A code sent by A, used on B.
		acct := "13500000003"
		lb.nextTo(a)
		if c, by, m := lb.member("/api/auth/send_code", "198.51.100.9", map[string]any{"account": acct}); c != 0 || by != a {
			t.Fatalf("send_code on %v: %v", by, m)
		}
		if c, on, m := lb.member("/api/auth/register", "198.51.100.9", map[string]any{"account": acct, "code": a.lastCode(t, "86"+acct), "password": "secret123"}); c != 0 || on != b {
			t.Fatalf("register on %v with the code sent by A: %v", on, m)
		}
	})

	t.Run("limits count across nodes", func(t *testing.T) {
		const tooFrequent = 10010
		xff := "203.0.113.7"
		acct := "13500000010"
		// One code a second per account: the second, at once on the other
		// node, is refused.
		if c, _, m := lb.member("/api/auth/send_code", xff, map[string]any{"account": acct}); c != 0 {
			t.Fatalf("send_code: %v", m)
		}
		if c, _, _ := lb.member("/api/auth/send_code", xff, map[string]any{"account": acct}); c != tooFrequent {
			t.Fatalf("a second code at once: code %v, want %d", c, tooFrequent)
		}
		// Three a day per account, whichever node sends them.
		nodes := map[*node]bool{}
		for range 2 {
			time.Sleep(1100 * time.Millisecond)
			c, by, m := lb.member("/api/auth/send_code", xff, map[string]any{"account": acct})
			if c != 0 {
				t.Fatalf("send_code: %v", m)
			}
			nodes[by] = true
		}
		time.Sleep(1100 * time.Millisecond)
		if c, _, _ := lb.member("/api/auth/send_code", xff, map[string]any{"account": acct}); c != tooFrequent {
			t.Fatalf("a fourth code today: code %v, want %d", c, tooFrequent)
		}
		// Five a day per client address: three sent, two more accounts,
		// then a third account is refused.
		for _, other := range []string{"13500000011", "13500000012"} {
			if c, _, m := lb.member("/api/auth/send_code", xff, map[string]any{"account": other}); c != 0 {
				t.Fatalf("send_code %s: %v", other, m)
			}
		}
		c, _, _ := lb.member("/api/auth/send_code", xff, map[string]any{"account": "13500000013"})
		if c != tooFrequent {
			t.Fatalf("a sixth code from %s today: code %v, want %d", xff, c, tooFrequent)
		}
		// Another address is not counted with it.
		if c, _, m := lb.member("/api/auth/send_code", "203.0.113.8", map[string]any{"account": "13500000013"}); c != 0 {
			t.Fatalf("send_code from another address: %v", m)
		}

		// Three wrong passwords, spread over both nodes, pause sign-in by
		// password: then even the right one is refused on either node.
		const acct2 = "13500000001" // registered above
		login := func(pw string) (float64, *node) {
			c, by, _ := lb.member("/api/auth/access_token", "", map[string]any{"area": "86", "account": acct2, "password": pw})
			return c, by
		}
		seen := map[*node]bool{}
		for range 3 {
			c, by := login("wrong-password")
			if c == 0 {
				t.Fatal("a wrong password signed in")
			}
			seen[by] = true
		}
		if len(seen) != 2 {
			t.Fatalf("the wrong passwords went to %d node(s)", len(seen))
		}
		for range 2 {
			if c, by := login("secret123"); c != tooFrequent {
				t.Fatalf("the right password after 3 wrong ones, on %s: code %v, want %d", by.addr, c, tooFrequent)
			}
		}
	})

	t.Run("races across nodes keep stock and ledger exact", func(t *testing.T) {
		race := newMembers(t, lb.client, lb.base, "136", 8)
		// A product of 7 diamonds; each racer has diamonds for 3 and
		// asks for 9 at once, through both nodes.
		product := race.create(t, "exchange-products", map[string]any{"name": "红茶", "content": "红茶饮料", "diamond": 7, "product_type": 0})
		race.grant(t, "diamond", 21)
		var mu sync.Mutex
		bought := map[int64]int{}
		served := map[*node]int{}
		var wg sync.WaitGroup
		for _, u := range race.users {
			for range 9 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st, by, m := lb.do("GET", fmt.Sprintf("/market/exchange_products/purchase/%d/", product), u.token, "", nil)
					mu.Lock()
					defer mu.Unlock()
					served[by]++
					switch st {
					case http.StatusOK:
						bought[u.id]++
					case http.StatusBadRequest: // not enough diamonds
					default:
						t.Errorf("purchase: %d %v", st, m)
					}
				}()
			}
		}
		wg.Wait()
		if len(served) != 2 {
			t.Errorf("the purchases went to %d node(s): %v", len(served), served)
		}
		ctx := context.Background()
		for _, u := range race.users {
			var orders int
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM exchange_orders WHERE user_id = ? AND product_id = ?", u.id, product).Scan(&orders); err != nil {
				t.Fatal(err)
			}
			if bought[u.id] != 3 || orders != 3 {
				t.Errorf("user %d: %d purchases acknowledged, %d orders, want 3", u.id, bought[u.id], orders)
			}
		}

		// 20 tickets, every racer orders each of them at once: each is
		// ordered once, then paid once.
		master := race.create(t, "masters", map[string]any{"name": "达人二"})
		project := race.create(t, "projects", map[string]any{"master_id": master, "name": "项目二"})
		var tickets []int64
		for i := range 20 {
			tickets = append(tickets, race.create(t, "tickets", map[string]any{"project_id": project, "name": fmt.Sprint("座", i), "price": 500}))
		}
		race.grant(t, "cny", 100_000)
		type won struct {
			user  loadUser
			order float64
		}
		winners := map[int64][]won{}
		for _, x := range tickets {
			for _, u := range race.users {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, m := race.yuanyi("order_create", u, map[string]any{"ticket_id_list": []int64{x}})
					mu.Lock()
					defer mu.Unlock()
					switch c {
					case 0:
						winners[x] = append(winners[x], won{u, m["order_id"].(float64)})
					case 202:
					default:
						t.Errorf("order_create: %d %v", c, m)
					}
				}()
			}
		}
		wg.Wait()
		for _, x := range tickets {
			if len(winners[x]) != 1 {
				t.Fatalf("ticket %d ordered %d times", x, len(winners[x]))
			}
		}
		// Each order is paid twice at once, through both nodes: once.
		paid := 0
		for _, x := range tickets {
			w := winners[x][0]
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, m := race.yuanyi("order_pay", w.user, map[string]any{"order_id": w.order, "pay_method": "wallet"})
					mu.Lock()
					defer mu.Unlock()
					if c == 0 {
						paid++
					} else if c == -1 {
						t.Errorf("order_pay: no answer %v", m)
					}
				}()
			}
		}
		wg.Wait()
		var sold, debits, spent int64
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM tickets WHERE project = ? AND sold_to IS NOT NULL", project).Scan(&sold); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, u := range race.users {
			ids = append(ids, fmt.Sprint(u.id))
		}
		err := db.QueryRow(ctx, `SELECT COUNT(DISTINCT w.id), COALESCE(SUM(-e.amount), 0) FROM wallet_transactions w
			JOIN wallet_entries e ON e.transaction_id = w.id JOIN wallet_accounts a ON a.id = e.account_id AND a.user_id = w.user_id
			WHERE w.kind = 'purchase' AND w.currency = 'cny' AND w.user_id IN (`+strings.Join(ids, ",")+`)`).Scan(&debits, &spent)
		if err != nil {
			t.Fatal(err)
		}
		if paid != len(tickets) || sold != int64(len(tickets)) || debits != int64(len(tickets)) || spent != 500*int64(len(tickets)) {
			t.Errorf("%d orders paid (acknowledged %d times), %d tickets sold, %d debits of %d fen in all", len(tickets), paid, sold, debits, spent)
		}
	})

	t.Run("a room's comments reach its viewers on both nodes", func(t *testing.T) {
		anchor := liveSignUp(t, lb.base, live[0])
		v1tok, v2tok := liveSignUp(t, lb.base, live[1]), liveSignUp(t, lb.base, live[2])
		liveCall(t, lb.base, "/room", url.Values{"token": {anchor}, "live": {"1"}, "title": {"负载均衡"}}, "0000")
		dial := func(token string) (*viewer, *node) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			u := "ws" + strings.TrimPrefix(lb.base, "http") + "/room/ws?" + url.Values{"token": {token}, "room": {live[0]}}.Encode()
			c, res, err := websocket.Dial(ctx, u, nil)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			t.Cleanup(func() { c.CloseNow() })
			return &viewer{t: t, c: c}, lb.nodes[res.Header.Get("X-Upstream")]
		}
		v1, n1 := dial(v1tok)
		lb.nextTo(lb.other(n1))
		v2, n2 := dial(v2tok)
		if n1 == nil || n2 == nil || n1 == n2 {
			t.Fatalf("the viewers are on %v and %v", n1, n2)
		}
		for _, v := range []*viewer{v1, v2} {
			v.next("history", nil)
			v.next("viewers", func(m map[string]any) bool { return m["count"] == 2.0 })
		}
		for _, c := range []struct {
			from *viewer
			user string
			text string
		}{{v1, live[1], "经由 " + n1.addr}, {v2, live[2], "经由 " + n2.addr}} {
			c.from.say(c.text)
			for _, v := range []*viewer{v1, v2} {
				if m := v.next("comment", nil); m["text"] != c.text || m["userId"] != c.user {
					t.Fatalf("comment: %v, want %q from %s", m, c.text, c.user)
				}
			}
		}
		// A gift sent over HTTP through the balancer reaches both.
		liveCall(t, lb.base, "/golden", url.Values{"token": {v2tok}, "refill": {"1"}, "money": {"10"}}, "0000")
		liveCall(t, lb.base, "/golden", url.Values{"token": {v2tok}, "send_gift": {"1"}, "value": {"30"}, "object": {live[0]}, "description": {"火箭"}}, "0000")
		for _, v := range []*viewer{v1, v2} {
			if m := v.next("gift", nil); m["value"] != 30.0 || m["userId"] != live[2] {
				t.Fatalf("gift: %v", m)
			}
		}
	})

	t.Run("one node killed under a write load", func(t *testing.T) {
		load := newWriteLoad(t, &http.Client{Timeout: 10 * time.Second}, lb.base, "137")
		load.start(8)
		load.waitAcks(t, 200, time.Minute)
		a.kill(t)
		atKill, lostAtKill := load.acks.Load(), load.lost.Load()
		killed := time.Now()
		// The balancer moves on: the load goes on on B.
		load.waitAcks(t, atKill+300, time.Minute)
		after := time.Since(killed)
		load.end(t)
		lost := load.lost.Load() - lostAtKill
		t.Logf("%d writes acknowledged before the kill, %d in the %v after it; %d requests unanswered after it",
			atKill, load.acks.Load()-atKill, after.Round(time.Millisecond), lost)
		// The requests under way on A when it died, and, once per
		// fail_timeout, a GET of the faces that nginx does not resend.
		if lost > 40 {
			t.Errorf("%d requests unanswered after the kill: the balancer did not move on", lost)
		}
		for range 4 {
			if st, by, _ := lb.do("GET", "/readyz", "", "", nil); st != http.StatusOK || by != b {
				t.Fatalf("readyz through the balancer with A dead: %d from %v", st, by)
			}
		}
		opts := store.Options{URL: o.URL}
		check, err := store.OpenNoMigrate(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer check.Close()
		load.check(t, check, envOf(map[string]string{"PLAZA_DATABASE_URL": o.URL, "PLAZA_DATA": t.TempDir()}))
	})
}

// TestBalancerResends runs deploy/nginx/balancer.conf in front of two
// nodes that take a request and die before answering (they close the
// connection): nginx resends a read to the other node, but never a POST,
// nor a GET of the faces whose GETs write (a purchase would be made twice).
func TestBalancerResends(t *testing.T) {
	nginx := plazatest.LookTool("nginx")
	if nginx == "" {
		t.Skip("no nginx (apt-get install nginx)")
	}
	var mu sync.Mutex
	var hits []string
	dying := func() *node {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/healthz" {
				return
			}
			mu.Lock()
			hits = append(hits, r.Method+" "+r.URL.Path)
			mu.Unlock()
			c, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				c.Close()
			}
		}))
		t.Cleanup(s.Close)
		return &node{addr: strings.TrimPrefix(s.URL, "http://")}
	}
	a, b := dying(), dying()
	for _, c := range []struct {
		method, path string
		tries        int
	}{
		{"GET", "/api/personal/info", 2},
		{"GET", "/yuanyiapi/", 2},
		{"POST", "/api/auth/register", 1},
		{"POST", "/yuanyiapi/", 1},
		{"GET", "/market/exchange_products/purchase/1/", 1},
		{"GET", "/program_face2face/market/use_product/1/", 1},
		{"GET", "/user/", 1},
		{"GET", "/api/v1/pick/", 1},
		{"GET", "/api/v1/pet/action/", 1},
		{"GET", "/golden", 1},
		{"GET", "/friend", 1},
		{"GET", "/room", 1},
	} {
		// A balancer of its own: a failure marks a node down for the
		// requests after it.
		lb := startBalancer(t, nginx, a, b)
		mu.Lock()
		hits = nil
		mu.Unlock()
		st, _, _ := lb.do(c.method, c.path, "", "", nil)
		mu.Lock()
		n := len(hits)
		mu.Unlock()
		if st != http.StatusBadGateway || n != c.tries {
			t.Errorf("%s %s through the balancer: %d, sent to %d node(s), want 502 after %d", c.method, c.path, st, n, c.tries)
		}
	}
}
