// Command roomchat measures room chat (docs/live-chat.md): VIEWERS
// WebSocket viewers of one live room spread over NODES plaza nodes (in
// this process, each its own server.App and HTTP listener, sharing the
// database and the realtime bus the settings name), comments sent at a
// steady rate through the sockets, and the time from each send to its
// receipt at every viewer: p50, p99, max.
//
//	go run ./bench/roomchat -viewers 1000 -nodes 2 -db postgres://... -realtime postgres
//
// The rooms core is not wired yet, so the room is faked live here.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/config"
	"plaza/internal/face/live/ws"
	"plaza/internal/httpx"
	"plaza/internal/live"
	"plaza/internal/ratelimit"
	"plaza/internal/server"
	"plaza/internal/store"
)

type open struct{}

func (open) IsOpen(context.Context, int64) (bool, error) { return true, nil }

func main() {
	viewers := flag.Int("viewers", 1000, "viewers of the room")
	nodes := flag.Int("nodes", 1, "plaza nodes (viewers are spread evenly)")
	rate := flag.Int("rate", 20, "comments a second")
	dur := flag.Duration("duration", 10*time.Second, "how long comments are sent")
	dbURL := flag.String("db", "", "PostgreSQL URL (empty: SQLite in a temporary directory)")
	bus := flag.String("realtime", "auto", "the realtime setting (local, postgres, redis)")
	redisURL := flag.String("redis", "", "redis-url setting")
	flag.Parse()
	if err := run(*viewers, *nodes, *rate, *dur, *dbURL, *bus, *redisURL); err != nil {
		log.Fatal(err)
	}
}

func run(viewers, nodes, rate int, dur time.Duration, dbURL, bus, redisURL string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "roomchat")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	users := viewers + 1
	vars := map[string]string{"PLAZA_DATA": dir, "PLAZA_REALTIME": bus, "PLAZA_LOG_LEVEL": "error"}
	if dbURL != "" {
		// A schema of its own, dropped at the end.
		u, drop, err := freshSchema(dbURL)
		if err != nil {
			return err
		}
		defer drop()
		vars["PLAZA_DATABASE_URL"] = u
	}
	if redisURL != "" {
		vars["PLAZA_REDIS_URL"] = redisURL
	}
	cfg, err := config.Load("plaza serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		return err
	}
	db, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	data, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: users, Tokens: users}, time.Now())
	db.Close()
	if err != nil {
		return err
	}
	var urls []string
	var chats []*live.Chat
	for range nodes {
		app, err := server.New(ctx, cfg, server.Options{Clock: clock.Real{}})
		if err != nil {
			return err
		}
		defer app.Close()
		chat, err := live.NewChat(live.ChatDeps{DB: app.DB, Clock: clock.Real{}, Bus: app.Bus, Limiter: ratelimit.NewDB(app.DB, clock.Real{}),
			Rooms: open{}, Blocks: app.Social, Users: app.Accounts, Config: live.ChatConfig{RateCount: 1000, ViewerBuffer: 256}})
		if err != nil {
			return err
		}
		defer chat.Close()
		chats = append(chats, chat)
		rt := httpx.NewRouter()
		h := ws.Routes(rt, ws.Deps{Accounts: app.Accounts, Chat: chat})
		srv := httptest.NewServer(rt)
		defer srv.Close()
		defer h.Shutdown()
		urls = append(urls, "ws"+strings.TrimPrefix(srv.URL, "http")+ws.Path)
	}
	busName := fmt.Sprint(cfg.RealtimeBus)
	room := fmt.Sprintf("139%08d", 1)
	dial := func(i int) (*websocket.Conn, error) {
		q := url.Values{"token": {data.Tokens[i]}, "room": {room}}
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(dctx, urls[i%nodes]+"?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		c.SetReadLimit(1 << 20)
		return c, nil
	}

	// The viewers (users 2..viewers+1), each reading until the end.
	total := rate * int(dur/time.Second)
	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, total*viewers)
		got       atomic.Int64
		wg        sync.WaitGroup
	)
	conns := make([]*websocket.Conn, viewers)
	for i := range viewers {
		c, err := dial(i + 1)
		if err != nil {
			return fmt.Errorf("viewer %d: %w", i, err)
		}
		conns[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					break
				}
				now := time.Now()
				s := string(b)
				if !strings.Contains(s, `"type":"comment"`) {
					continue
				}
				k := strings.Index(s, "sent ")
				if k < 0 {
					continue
				}
				end := strings.IndexByte(s[k+5:], '"')
				ns, err := strconv.ParseInt(s[k+5:k+5+end], 10, 64)
				if err != nil {
					continue
				}
				mine = append(mine, now.Sub(time.Unix(0, ns)))
				got.Add(1)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	// Wait until every node counts every viewer.
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range chats {
		for c.Viewers(1) < viewers && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	counts := make([]int, len(chats))
	for i, c := range chats {
		counts[i] = c.Viewers(1)
	}

	// The sender: the room's anchor (user 1) on node 1, at a steady rate.
	sender, err := dial(0)
	if err != nil {
		return err
	}
	go func() { // drain its own events
		for {
			if _, _, err := sender.Read(ctx); err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	began := time.Now()
	for range total {
		<-tick.C
		msg := fmt.Sprintf(`{"type":"comment","text":"sent %d"}`, time.Now().UnixNano())
		if err := sender.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			return err
		}
	}
	tick.Stop()
	sent := time.Since(began)
	deadline = time.Now().Add(30 * time.Second)
	for got.Load() < int64(total*viewers) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range conns {
		c.CloseNow()
	}
	sender.CloseNow()
	wg.Wait()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	engine := store.SQLite
	if dbURL != "" {
		engine = store.Postgres
	}
	fmt.Printf("room chat: %d viewers on %d node(s), store %s, bus %s, %d comments at %d/s over %s\n",
		viewers, nodes, engine, busName, total, rate, sent.Round(time.Millisecond))
	fmt.Printf("  viewer count on each node before the first comment: %v\n", counts)
	fmt.Printf("  deliveries %d of %d (%.2f%%)  p50 %s  p99 %s  max %s\n", len(latencies), total*viewers,
		100*float64(len(latencies))/float64(total*viewers), pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	return nil
}

func freshSchema(base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	schema := fmt.Sprintf("roomchat_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}, nil
}
