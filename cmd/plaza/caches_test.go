package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// Two plaza processes on one PostgreSQL with their caches on (the
// default there: the realtime bus carries every cache change): a token
// destroyed, a user banned, an article liked or deleted on node A is seen
// so on node B within the bound of docs/compat.md (1 s), also right after
// both nodes lost their channel. Over each bus: PostgreSQL LISTEN/NOTIFY
// (the default there), and Redis pub/sub (PLAZA_REDIS_URL set).
func TestCachesAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	t.Run("postgres", func(t *testing.T) {
		cachesAcrossProcesses(t, nil, func(t *testing.T, o store.Options) {
			// The nodes' LISTEN connections are ended.
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, o.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var schema string
			if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
				t.Fatal(err)
			}
			var ended int
			if err := conn.QueryRow(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE application_name = 'plaza-realtime-listen' AND query LIKE '%' || $1 || '%'`, "plaza_realtime."+schema).Scan(&ended); err != nil || ended != 2 {
				t.Fatalf("ended %d listen connections (%v), want 2", ended, err)
			}
		})
	})
	t.Run("redis", func(t *testing.T) {
		u := os.Getenv("PLAZA_TEST_REDIS_URL")
		if u == "" {
			t.Skip("PLAZA_TEST_REDIS_URL is not set")
		}
		opt, err := redis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		// The nodes sign in to Redis as a user of their own, so that the
		// test can end their subscriptions and no one else's.
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		ctx := context.Background()
		user := fmt.Sprintf("plaza-test-%d-%d", os.Getpid(), time.Now().UnixNano())
		if err := rdb.Do(ctx, "ACL", "SETUSER", user, "on", ">test-password", "~*", "&*", "+@all").Err(); err != nil {
			t.Skipf("Redis without ACL users: %v", err)
		}
		defer rdb.Do(ctx, "ACL", "DELUSER", user)
		nodeURL := &url.URL{Scheme: "redis", User: url.UserPassword(user, "test-password"), Host: opt.Addr, Path: fmt.Sprint("/", opt.DB)}
		vars := map[string]string{"PLAZA_REDIS_URL": nodeURL.String(), "PLAZA_REDIS_PREFIX": user + ":"}
		cachesAcrossProcesses(t, vars, func(t *testing.T, _ store.Options) {
			n, err := rdb.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub", "USER", user).Int()
			if err != nil || n != 2 {
				t.Fatalf("ended %d subscriber connections (%v), want 2", n, err)
			}
		})
	})
}

// cachesAcrossProcesses runs two nodes on one fresh PostgreSQL with vars
// (the bus), and drop ends both nodes' channels.
func cachesAcrossProcesses(t *testing.T, vars map[string]string, drop func(*testing.T, store.Options)) {
	db, o := storetest.OpenPostgres(t)
	db.Close()
	phones := []string{"13900000201", "13900000202", "13900000203", "13900000204"}
	var otp []string
	for _, p := range phones {
		otp = append(otp, "86"+p+"=246810")
	}
	node := func() *child {
		v := map[string]string{
			"PLAZA_DATA": t.TempDir(), "PLAZA_DATABASE_URL": o.URL, "PLAZA_LOG_LEVEL": "error",
			"PLAZA_SMS_TEST_OTP": strings.Join(otp, ","), "PLAZA_YUANYI_CHECK_SIG": "false",
			"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password",
		}
		for k, x := range vars {
			v[k] = x
		}
		return startChild(t, v)
	}
	a, b := node(), node()
	client := &http.Client{Timeout: 10 * time.Second}

	// within polls ok on node B until it holds, at most the bound.
	const bound = time.Second
	within := func(what string, ok func() bool) {
		t.Helper()
		start := time.Now()
		for !ok() {
			if time.Since(start) > bound {
				t.Fatalf("%s: still not so on node B after %v", what, bound)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("%s: on node B after %v", what, time.Since(start).Round(time.Millisecond))
	}
	member := func(n *child, phone string) string {
		t.Helper()
		st, m := call(client, "POST", n.base+"/api/auth/register", "", map[string]any{"account": phone, "code": "246810", "password": "pass-word-1"})
		data, _ := m["data"].(map[string]any)
		if st != 200 || data == nil {
			t.Fatalf("register %s: %d %v", phone, st, m)
		}
		return "Token " + data["access_token"].(string)
	}
	info := func(n *child, tok string) float64 {
		_, m := call(client, "GET", n.base+"/api/personal/info", tok, nil)
		c, _ := m["code"].(float64)
		return c
	}
	signedIn := func(n *child, tok string) {
		t.Helper()
		for range 3 { // and again: from the cache
			if c := info(n, tok); c != 0 {
				t.Fatalf("personal/info on %s: code %v", n.base, c)
			}
		}
	}
	admin := func() string {
		_, m := call(client, "POST", a.base+"/admin/v1/login", "", map[string]any{"email": "ops@example.com", "password": "ops-password"})
		return "Bearer " + m["token"].(string)
	}()
	userID := func(phone string) string {
		_, m := call(client, "GET", a.base+"/admin/v1/users?q="+phone, admin, nil)
		items := m["items"].([]any)
		return jsonNumber(items[0].(map[string]any)["id"])
	}

	// A token destroyed on A.
	t1 := member(a, phones[0])
	signedIn(b, t1)
	if st, m := call(client, "POST", a.base+"/api/auth/destroy_token", t1, nil); st != 200 || m["code"] != 0.0 {
		t.Fatalf("destroy_token: %d %v", st, m)
	}
	within("a destroyed token refused", func() bool { return info(b, t1) == 10004 })

	// A user banned on A.
	t2 := member(b, phones[1])
	signedIn(b, t2)
	id2 := userID(phones[1])
	if st, _ := call(client, "POST", a.base+"/admin/v1/users/"+id2+"/ban", admin, nil); st != 200 {
		t.Fatalf("ban: %d", st)
	}
	within("a banned user refused", func() bool { return info(b, t2) == 10004 })

	// An article liked, then deleted, on A.
	yuanyi := func(n *child, method, token string, params map[string]any) (float64, map[string]any) {
		body := map[string]any{"method": method, "ver": "1", "app": "yuanyi-app", "token": token}
		for k, v := range params {
			body[k] = v
		}
		_, m := call(client, "POST", n.base+"/yuanyiapi/", "", body)
		c, _ := m["code"].(float64)
		return c, m
	}
	_, m := yuanyi(a, "user_signup", "", map[string]any{"country": "86", "phone": phones[2], "code": "246810", "password": "123456", "nickname": "作者"})
	author, _ := m["token"].(string)
	if c, m := yuanyi(a, "article_publish", author, map[string]any{"content": "跨节点"}); c != 0 {
		t.Fatalf("article_publish: %v", m)
	}
	list := func(n *child) []any {
		_, m := yuanyi(n, "article_list", author, map[string]any{"page": 1, "size": 10})
		l, _ := m["article_list"].([]any)
		return l
	}
	l := list(b)
	if len(l) != 1 {
		t.Fatalf("article_list on B: %v", l)
	}
	article := l[0].(map[string]any)["article_id"]
	detail := func(n *child) (float64, map[string]any) {
		return yuanyi(n, "article_detail", author, map[string]any{"article_id": article})
	}
	detail(b)
	if c, m := yuanyi(a, "article_like", author, map[string]any{"article_id": article}); c != 0 {
		t.Fatalf("article_like: %v", m)
	}
	within("a like seen", func() bool {
		_, m := detail(b)
		return strings.Contains(jsonNumber(m), `"is_like":true`)
	})
	if c, m := yuanyi(a, "article_del", author, map[string]any{"article_id_list": []any{article}}); c != 0 {
		t.Fatalf("article_del: %v", m)
	}
	within("a deleted article gone", func() bool { c, _ := detail(b); return c != 0 && len(list(b)) == 0 })

	// Both nodes lose their channel: a change made meanwhile, whose
	// message may be lost, is still seen.
	t3 := member(a, phones[3])
	signedIn(b, t3)
	drop(t, o)
	id3 := userID(phones[3])
	if st, _ := call(client, "POST", a.base+"/admin/v1/users/"+id3+"/ban", admin, nil); st != 200 {
		t.Fatalf("ban: %d", st)
	}
	within("a user banned while the channel was down refused", func() bool { return info(b, t3) == 10004 })
}

// jsonNumber is v as JSON text (a float64 id as digits).
func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
