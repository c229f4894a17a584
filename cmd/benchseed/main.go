// Command benchseed builds the data set of bench/articles.sh: it fills a
// fresh plaza SQLite store (or PostgreSQL with -database-url) with users,
// access tokens, follows, articles, likes and collects by direct inserts
// (internal/benchdata), and writes wrk Lua scripts whose requests are
// signed yuanyi calls (the signature is computed here, so plaza runs with
// its signature check on).
//
//	benchseed -data /tmp/bench -out /tmp/bench/lua
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/face/yuanyi"
	"plaza/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchseed:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		data     = flag.String("data", "", "plaza data directory: the SQLite store is <data>/plaza.db (required unless -database-url)")
		dbURL    = flag.String("database-url", "", "a PostgreSQL URL instead of SQLite")
		out      = flag.String("out", "", "directory for the wrk scripts (default <data>/lua)")
		users    = flag.Int("users", 10_000, "users")
		articles = flag.Int("articles", 100_000, "articles")
		likes    = flag.Int("likes", 1_000_000, "likes")
		collects = flag.Int("collects", 100_000, "collects")
		follows  = flag.Int("follows", 1000, "users that user 1 (the viewer) follows")
		tokens   = flag.Int("tokens", 1000, "users with an access token (the likers of like.lua)")
		pairs    = flag.Int("like-pairs", 20_000, "like/unlike pairs in like.lua, per wrk thread")
		threads  = flag.Int("threads", 2, "wrk threads like.lua is cut for")
		app      = flag.String("app", "yuanyi-app", "yuanyi app name")
		secret   = flag.String("secret", "3b57ff81-27ea-45d9-a2e3-6e24920b17ac", "yuanyi signing secret")
		path     = flag.String("path", "/yuanyiapi/", "yuanyi URL path")
		ledger   = flag.Int("ledger", 0, "wallet ledger entries (two per transaction; user 1 has a twentieth)")
		nOrders  = flag.Int("orders", 0, "ticket orders (with tickets, projects and masters)")
		feedback = flag.Int("feedback", 0, "feedback (about half answered)")
		pushes   = flag.Int("pushes", 0, "pushes")
		audit    = flag.Int("audit", 0, "admin audit rows")
		service  = flag.Int("service", 0, "customer service threads")
		check    = flag.Bool("check", false, "seed nothing: check that every article's counters equal the likes, collects and comments it has")
	)
	flag.Parse()
	if *data == "" && *dbURL == "" {
		return fmt.Errorf("-data or -database-url is required")
	}
	if *out == "" {
		if *data == "" {
			return fmt.Errorf("-out is required with -database-url")
		}
		*out = filepath.Join(*data, "lua")
	}
	ctx := context.Background()
	o := store.Options{URL: *dbURL}
	if *dbURL == "" {
		o.Path = filepath.Join(*data, "plaza.db")
	}
	db, err := store.Open(ctx, o)
	if err != nil {
		return err
	}
	defer db.Close()
	if *check {
		return checkCounters(ctx, db)
	}
	t0 := time.Now()
	d, err := benchdata.Seed(ctx, db, benchdata.Spec{
		Users: *users, Articles: *articles, Likes: *likes, Collects: *collects, Follows: *follows, Tokens: *tokens, Seed: 1,
		Ledger: *ledger, Orders: *nOrders, Feedback: *feedback, Pushes: *pushes, Audit: *audit, Service: *service,
	}, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d users, %d articles, %d likes, %d collects, viewer follows %d, in %v\n",
		*users, *articles, *likes, *collects, *follows, time.Since(t0).Round(time.Millisecond))
	if *ledger+*nOrders+*feedback+*pushes+*audit+*service > 0 {
		fmt.Printf("and %d ledger entries (user %d has the most), %d orders (%d tickets), %d feedback, %d pushes, %d audit rows, %d service threads\n",
			*ledger, d.HeavyUser, *nOrders, d.Tickets, *feedback, *pushes, *audit, *service)
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	s := signer{app: *app, secret: *secret}
	viewer := d.Tokens[0]
	for name, body := range map[string]string{
		"article_list":           s.body("article_list", viewer, map[string]any{"limit": 20, "offset": 0}),
		"following_article_list": s.body("following_article_list", viewer, map[string]any{"limit": 20, "offset": 0}),
		"article_detail":         s.body("article_detail", viewer, map[string]any{"article_id": *articles}),
	} {
		if err := writeScript(filepath.Join(*out, name+".lua"), *path, [][]string{{body}}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, name+".json"), []byte(body), 0o644); err != nil {
			return err
		}
	}

	// like.lua: each wrk thread walks its own pairs (user, article) that
	// the seed left unliked: all the likes, then all the unlikes, again
	// and again, so every call changes a row and a counter.
	rng := rand.New(rand.NewPCG(2, 2))
	seen := map[[2]int64]bool{}
	perThread := make([][]string, *threads)
	for th := range perThread {
		var likeBodies, unlikeBodies []string
		for len(likeBodies) < *pairs {
			u := 2 + rng.Int64N(int64(*tokens-1)) // user 1 is the viewer
			a := 1 + rng.Int64N(int64(*articles))
			if d.Liked[u][a] || seen[[2]int64{u, a}] {
				continue
			}
			seen[[2]int64{u, a}] = true
			likeBodies = append(likeBodies, s.body("article_like", d.Tokens[u-1], map[string]any{"article_id": a}))
			unlikeBodies = append(unlikeBodies, s.body("article_unlike", d.Tokens[u-1], map[string]any{"article_id": a}))
		}
		perThread[th] = append(likeBodies, unlikeBodies...)
	}
	if err := writeScript(filepath.Join(*out, "like.lua"), *path, perThread); err != nil {
		return err
	}
	fmt.Printf("wrote %s/{article_list,following_article_list,article_detail,like}.lua\n", *out)
	return nil
}

// checkCounters compares every article's counters with the rows they
// count.
func checkCounters(ctx context.Context, db *store.DB) error {
	var articles, bad, likes int
	err := db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN
		like_count <> (SELECT COUNT(*) FROM article_likes l WHERE l.article_id = a.id) OR
		collect_count <> (SELECT COUNT(*) FROM article_collects c WHERE c.article_id = a.id) OR
		comment_count <> (SELECT COUNT(*) FROM article_comments c WHERE c.article_id = a.id) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(like_count), 0) FROM articles a`).Scan(&articles, &bad, &likes)
	if err != nil {
		return err
	}
	fmt.Printf("%d articles, %d likes counted on them, %d with a counter that differs from its rows\n", articles, likes, bad)
	if bad != 0 {
		return fmt.Errorf("%d articles with wrong counters", bad)
	}
	return nil
}

type signer struct{ app, secret string }

// body is a signed call as the app sends it.
func (s signer) body(method, token string, params map[string]any) string {
	fields := map[string]any{"method": method, "ver": "1", "ts": time.Now().UnixMilli(), "app": s.app}
	if token != "" {
		fields["token"] = token
	}
	for k, v := range params {
		fields[k] = v
	}
	// Sign the values as the server decodes them (numbers as json.Number).
	decoded := map[string]any{}
	for k, v := range fields {
		switch x := v.(type) {
		case int:
			decoded[k] = json.Number(strconv.Itoa(x))
		case int64:
			decoded[k] = json.Number(strconv.FormatInt(x, 10))
		default:
			decoded[k] = v
		}
	}
	fields["sig"] = yuanyi.Sign(decoded, s.secret)
	b, _ := json.Marshal(fields)
	return string(b)
}

// writeScript writes a wrk script that sends the bodies of thread k's list
// in turn (with one list, every thread sends it).
func writeScript(name, path string, lists [][]string) error {
	var b strings.Builder
	b.WriteString("-- generated by cmd/benchseed: signed yuanyi calls\nlocal lists = {\n")
	for _, l := range lists {
		b.WriteString("{\n")
		for _, body := range l {
			b.WriteString(strconv.Quote(body))
			b.WriteString(",\n")
		}
		b.WriteString("},\n")
	}
	fmt.Fprintf(&b, `}
local path = %q
-- WRK_CHECK=1: count answers whose code is not 0 (costs wrk some speed).
local check = os.getenv("WRK_CHECK") == "1"
local threads, handles = 0, {}
function setup(thread)
  thread:set("id", threads)
  table.insert(handles, thread)
  threads = threads + 1
end
local list, n, i
function init(args)
  list = lists[(id %% #lists) + 1]
  n = #list
  i = 0
  if n == 1 then
    fixed = wrk.format("POST", path, {["Content-Type"] = "application/json"}, list[1])
  end
end
function request()
  if fixed then return fixed end
  i = i %% n + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, list[i])
end
errors = 0
if check then
  function response(status, headers, body)
    if status ~= 200 or not string.find(body, '"code":0[,}]') then
      errors = errors + 1
      if errors <= 3 then io.stderr:write("unexpected answer: " .. string.sub(body, 1, 200) .. "\n") end
    end
  end
end
function done(summary, latency, requests)
  if check then
    local e = 0
    for _, t in ipairs(handles) do e = e + t:get("errors") end
    io.write(string.format("answers with a code other than 0: %%d\n", e))
  end
end
`, path)
	return os.WriteFile(name, []byte(b.String()), 0o644)
}
