package ws_test

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"testing"

	"plaza/internal/account"
	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/config"
	"plaza/internal/face/live/ws"
	"plaza/internal/httpx"
	"plaza/internal/live"
	"plaza/internal/ratelimit"
	"plaza/internal/server"
	"plaza/internal/store/storetest"
)

// startNode starts a plaza on the database at dbURL with settings env, and
// room chat on its bus (with rooms faked: user 1's is live).
func startNode(t *testing.T, dbURL string, settings map[string]string) (*server.App, *env) {
	t.Helper()
	vars := map[string]string{"PLAZA_DATA": t.TempDir(), "PLAZA_DATABASE_URL": dbURL}
	for k, v := range settings {
		vars[k] = v
	}
	cfg, err := config.Load("plaza serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	app, err := server.New(context.Background(), cfg, server.Options{Clock: clk, Hasher: account.NewHasher(account.Argon2Params{Memory: 64, Time: 1, Threads: 1})})
	if err != nil {
		t.Fatal(err)
	}
	chat, err := live.NewChat(live.ChatDeps{DB: app.DB, Clock: clk, Bus: app.Bus, Limiter: ratelimit.NewDB(app.DB, clk), Rooms: &rooms{open: map[int64]bool{1: true}},
		Blocks: app.Social, Users: app.Accounts, Config: live.ChatConfig{}})
	if err != nil {
		t.Fatal(err)
	}
	rt := httpx.NewRouter()
	h := ws.Routes(rt, ws.Deps{Accounts: app.Accounts, Chat: chat})
	srv := httptest.NewServer(httpx.Edge(rt, slogDiscard(), nil))
	t.Cleanup(func() {
		h.Shutdown()
		srv.Close()
		chat.Close()
		app.Close()
	})
	return app, &env{t: t, url: srv.URL, chat: chat, h: h, srv: srv}
}

// Two plaza nodes on one PostgreSQL with the PostgreSQL bus: a viewer on
// each sees the other's comments and a count of 2.
func TestRoomChatTwoNodes(t *testing.T) {
	if os.Getenv(storetest.EnvURL) == "" {
		t.Skip(storetest.EnvURL + " is not set")
	}
	db, o := storetest.OpenPostgres(t)
	data, err := benchdata.Seed(context.Background(), db, benchdata.Spec{Users: 10, Tokens: 10}, start)
	if err != nil {
		t.Fatal(err)
	}
	bus := map[string]string{"PLAZA_REALTIME": "postgres"}
	app1, n1 := startNode(t, o.URL, bus)
	_, n2 := startNode(t, o.URL, bus)
	if s := app1.Bus.(interface{ String() string }).String(); s != "postgres" {
		t.Fatalf("bus %q", s)
	}
	n1.tokens, n2.tokens = data.Tokens, data.Tokens
	a, _ := n1.viewer(2)
	b, _ := n2.viewer(3)
	a.count(2)
	b.count(2)
	if n1.chat.Viewers(1) != 2 || n2.chat.Viewers(1) != 2 {
		t.Fatalf("viewers %d %d", n1.chat.Viewers(1), n2.chat.Viewers(1))
	}
	a.send(`{"type":"comment","text":"from node 1"}`)
	for _, c := range []*client{a, b} {
		if m := c.nextOf("comment"); m["text"] != "from node 1" || m["userId"] != phone(2) {
			t.Fatal(m)
		}
	}
	b.send(`{"type":"comment","text":"from node 2"}`)
	for _, c := range []*client{a, b} {
		if m := c.nextOf("comment"); m["text"] != "from node 2" || m["userId"] != phone(3) {
			t.Fatal(m)
		}
	}
	// A joiner on node 1 sees both in its history.
	c, h := n1.viewer(4)
	if cs := h["comments"].([]any); len(cs) != 2 {
		t.Fatalf("history %v", h)
	}
	b.count(3)
	c.c.CloseNow()
	b.count(2)
}
