package ws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"plaza/internal/account"
	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/face/live/ws"
	"plaza/internal/httpx"
	"plaza/internal/live"
	"plaza/internal/ratelimit"
	"plaza/internal/realtime"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

type rooms struct {
	mu   sync.Mutex
	open map[int64]bool
}

func (r *rooms) IsOpen(ctx context.Context, anchor int64) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open[anchor], nil
}

type gifts struct{ chat *live.Chat }

func (g *gifts) Send(ctx context.Context, from, anchor, value int64, description string) (live.Gift, error) {
	if value <= 0 {
		return live.Gift{}, errs.InvalidField("value", "value must be positive")
	}
	if value > 1000 {
		return live.Gift{}, errs.E(errs.InsufficientFunds, "not enough gold")
	}
	g.chat.AnnounceGift(anchor, live.ChatGift{From: from, Value: value, Description: description})
	return live.Gift{}, nil
}

// env is the endpoint on a real database: users 1..10 (phone 139000000NN,
// token tokens[i-1]), user 1's room live, user 2's not.
type env struct {
	t      *testing.T
	url    string
	tokens []string
	chat   *live.Chat
	h      *ws.Handler
	social *social.Service
	srv    *httptest.Server
	bus    *realtime.Local
}

type opts struct {
	chat     live.ChatConfig
	ws       ws.Config
	server   func(*http.Server)
	listener func(net.Listener) net.Listener
}

func newEnv(t *testing.T, db *store.DB, o opts) *env {
	t.Helper()
	ctx := context.Background()
	data, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 10, Tokens: 10}, start)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	db.SetClock(clk)
	acc := account.New(account.Deps{DB: db, Clock: clk}, account.DefaultConfig())
	soc := social.New(db, clk)
	g := &gifts{}
	if o.chat.RateCount == 0 {
		o.chat.RateCount = 1000
	}
	bus := realtime.NewLocal()
	chat, err := live.NewChat(live.ChatDeps{DB: db, Clock: clk, Bus: bus, Limiter: ratelimit.NewDB(db, clk),
		Rooms: &rooms{open: map[int64]bool{1: true}}, Blocks: soc, Gifts: g, Users: acc, Config: o.chat})
	if err != nil {
		t.Fatal(err)
	}
	g.chat = chat
	rt := httpx.NewRouter()
	h := ws.Routes(rt, ws.Deps{Accounts: acc, Chat: chat, Config: o.ws})
	srv := httptest.NewUnstartedServer(httpx.Edge(rt, slogDiscard(), nil))
	if o.server != nil {
		o.server(srv.Config)
	}
	if o.listener != nil {
		srv.Listener = o.listener(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() {
		h.Shutdown()
		srv.Close()
		chat.Close()
	})
	return &env{t: t, url: srv.URL, tokens: data.Tokens, chat: chat, h: h, social: soc, srv: srv, bus: bus}
}

func phone(id int) string { return fmt.Sprintf("139%08d", id) }

func (e *env) wsURL(token, room string) string {
	q := url.Values{}
	if token != "" {
		q.Set("token", token)
	}
	if room != "" {
		q.Set("room", room)
	}
	return "ws" + strings.TrimPrefix(e.url, "http") + ws.Path + "?" + q.Encode()
}

type client struct {
	t *testing.T
	c *websocket.Conn
}

func (e *env) dial(token, room string) *client {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL(token, room), nil)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	c.SetReadLimit(1 << 20)
	e.t.Cleanup(func() { c.CloseNow() })
	return &client{t: e.t, c: c}
}

// viewer dials as user id into room 1 and reads its history frame.
func (e *env) viewer(id int) (*client, map[string]any) {
	e.t.Helper()
	c := e.dial(e.tokens[id-1], phone(1))
	h := c.next()
	if h["type"] != "history" {
		e.t.Fatalf("first frame %v", h)
	}
	return c, h
}

func (c *client) send(f string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, []byte(f)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) read() (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.c.Read(ctx)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("frame %s: %v", b, err)
	}
	return m, nil
}

func (c *client) next() map[string]any {
	c.t.Helper()
	m, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// nextOf skips frames of other types (viewer counts come whenever).
func (c *client) nextOf(typ string) map[string]any {
	c.t.Helper()
	for {
		if m := c.next(); m["type"] == typ {
			return m
		}
	}
}

// closed reads until the socket ends and returns its close status.
func (c *client) closed() websocket.StatusCode {
	c.t.Helper()
	for {
		if _, err := c.read(); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func (c *client) count(want float64) {
	c.t.Helper()
	for {
		m := c.nextOf("viewers")
		if m["count"] == want {
			return
		}
	}
}

func TestRoomChatOverWebSocket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, opts{ws: ws.Config{PingEvery: 20 * time.Millisecond}})
		a, h := e.viewer(2)
		if cs, ok := h["comments"].([]any); !ok || len(cs) != 0 {
			t.Fatalf("history %v", h)
		}
		b, _ := e.viewer(3)
		a.count(2)
		b.count(2)
		// Each comment reaches both, in order (the next is sent once both
		// have the one before: two sockets' frames race otherwise).
		for i := range 6 {
			[]*client{a, b}[i%2].send(fmt.Sprintf(`{"type":"comment","text":"hello %d"}`, i))
			for _, c := range []*client{a, b} {
				m := c.nextOf("comment")
				if m["text"] != fmt.Sprintf("hello %d", i) || m["userId"] != phone(2+i%2) || m["nickname"] != fmt.Sprintf("nick-%d", 2+i%2) ||
					m["time"] != float64(start.UnixMilli()) {
					t.Fatalf("comment %d: %v", i, m)
				}
			}
		}
		// One socket's comments keep their order.
		for i := range 5 {
			a.send(fmt.Sprintf(`{"type":"comment","text":"burst %d"}`, i))
		}
		for _, c := range []*client{a, b} {
			for i := range 5 {
				if m := c.nextOf("comment"); m["text"] != fmt.Sprintf("burst %d", i) {
					t.Fatalf("burst %d: %v", i, m)
				}
			}
		}
		a.send(`{"type":"gift","value":"10","description":"rose"}`)
		for _, c := range []*client{a, b} {
			if m := c.nextOf("gift"); m["value"] != float64(10) || m["description"] != "rose" || m["userId"] != phone(2) {
				t.Fatalf("gift %v", m)
			}
		}
		// History on join.
		c, h := e.viewer(4)
		cs := h["comments"].([]any)
		if len(cs) != 11 || cs[0].(map[string]any)["text"] != "hello 0" || cs[5].(map[string]any)["userId"] != phone(3) || cs[10].(map[string]any)["text"] != "burst 4" {
			t.Fatalf("history %v", h)
		}
		a.count(3)
		c.c.Close(websocket.StatusNormalClosure, "bye")
		a.count(2)
		// The socket outlived many pings (20 ms apart) and still talks.
		time.Sleep(100 * time.Millisecond)
		b.send(`{"type":"comment","text":"still here"}`)
		if m := a.nextOf("comment"); m["text"] != "still here" {
			t.Fatal(m)
		}
	})
}

func TestRoomChatRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, opts{chat: live.ChatConfig{MaxComment: 20, RateCount: 3, RateWindow: time.Hour}})
		// Refused at joining: an error frame, then a policy-violation close.
		for _, c := range []struct{ token, room, result string }{
			{"", phone(1), "0011"},
			{"nonsense", phone(1), "0011"},
			{strings.Repeat("x", 50), phone(1), "0011"},
			{e.tokens[1], "", "0009"},
			{e.tokens[1], "123", "0009"},
			{e.tokens[1], "13999999999", "0007"},
			{e.tokens[1], phone(2), "0002"}, // not live
		} {
			cl := e.dial(c.token, c.room)
			m := cl.next()
			if m["type"] != "error" || m["result"] != c.result || m["message"] == "" {
				t.Errorf("%q %q: %v", c.token, c.room, m)
			}
			if s := cl.closed(); s != websocket.StatusPolicyViolation {
				t.Errorf("%q %q: close %v", c.token, c.room, s)
			}
		}
		// Not a WebSocket request: the face's envelope.
		for _, c := range []struct{ q, result string }{
			{"", "0011"},
			{"?token=" + e.tokens[1] + "&room=" + phone(1), "0009"},
		} {
			res, err := http.Get(e.url + ws.Path + c.q)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]string
			json.NewDecoder(res.Body).Decode(&m)
			res.Body.Close()
			if res.StatusCode != 200 || m["result"] != c.result {
				t.Errorf("plain GET %s: %d %v", c.q, res.StatusCode, m)
			}
		}
		if e.chat.Viewers(1) != 0 {
			t.Fatalf("refused sockets count as viewers: %d", e.chat.Viewers(1))
		}
		// Refused frames: an error frame each, the socket stays.
		a, _ := e.viewer(2)
		for _, c := range []struct{ frame, result string }{
			{`not json`, "0009"},
			{`[1,2]`, "0009"},
			{`{"type":"dance"}`, "0009"},
			{`{"text":"no type"}`, "0009"},
			{`{"type":"comment"}`, "0009"},
			{`{"type":"comment","text":"   "}`, "0009"},
			{`{"type":"comment","text":{"a":1}}`, "0009"},
			{`{"type":"comment","text":"` + strings.Repeat("长", 21) + `"}`, "0009"},
			{`{"type":"comment","text":"a\u0000b"}`, "0009"},
			{`{"type":"gift","description":"rose"}`, "0009"},
			{`{"type":"gift","value":"ten"}`, "0009"},
			{`{"type":"gift","value":0}`, "0009"},
			{`{"type":"gift","value":5000}`, "0013"},
		} {
			a.send(c.frame)
			if m := a.nextOf("error"); m["result"] != c.result {
				t.Errorf("%s: %v", c.frame, m)
			}
		}
		ctx := context.Background()
		if err := a.c.Write(ctx, websocket.MessageBinary, []byte(`{"type":"comment","text":"hi"}`)); err != nil {
			t.Fatal(err)
		}
		if m := a.nextOf("error"); m["result"] != "0009" {
			t.Errorf("binary: %v", m)
		}
		// Rate: 3 an hour.
		for i := range 3 {
			a.send(fmt.Sprintf(`{"type":"comment","text":"%d"}`, i))
			a.nextOf("comment")
		}
		a.send(`{"type":"comment","text":"more"}`)
		if m := a.nextOf("error"); m["result"] != "0012" {
			t.Errorf("fourth comment: %v", m)
		}
		// Blocked by the anchor.
		if err := e.social.Block(ctx, 1, 3); err != nil {
			t.Fatal(err)
		}
		b, _ := e.viewer(3)
		b.send(`{"type":"comment","text":"hi"}`)
		if m := b.nextOf("error"); m["result"] != "0002" {
			t.Errorf("blocked: %v", m)
		}
	})
}

func TestRoomChatOversizeFrame(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	e := newEnv(t, db, opts{ws: ws.Config{ReadLimit: 512}})
	a, _ := e.viewer(2)
	a.send(`{"type":"comment","text":"` + strings.Repeat("x", 600) + `"}`)
	if s := a.closed(); s != websocket.StatusMessageTooBig {
		t.Fatalf("close %v", s)
	}
}

// The server's ReadTimeout and WriteTimeout do not cut a socket.
func TestRoomChatOutlivesServerTimeouts(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	e := newEnv(t, db, opts{server: func(s *http.Server) {
		s.ReadTimeout, s.WriteTimeout = 100*time.Millisecond, 100*time.Millisecond
	}})
	a, _ := e.viewer(2)
	time.Sleep(300 * time.Millisecond)
	a.send(`{"type":"comment","text":"later"}`)
	if m := a.nextOf("comment"); m["text"] != "later" {
		t.Fatal(m)
	}
}

// smallBuffers makes every accepted connection's send buffer small, so
// that a client that never reads blocks the server's writes soon.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// A viewer that never reads is dropped; the others receive everything.
func TestRoomChatSlowViewerIsDropped(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	e := newEnv(t, db, opts{chat: live.ChatConfig{ViewerBuffer: 8}, listener: func(l net.Listener) net.Listener { return smallBuffers{l} }})
	slow, _ := e.viewer(2)
	fast, _ := e.viewer(3)
	fast.count(2)
	desc := strings.Repeat("字", 200)
	const n = 3000
	for i := range n {
		e.chat.AnnounceGift(1, live.ChatGift{From: 4, Value: int64(i + 1), Description: desc})
		if m := fast.nextOf("gift"); m["value"] != float64(i+1) {
			t.Fatalf("fast viewer's gift %d: %v", i, m)
		}
	}
	fast.count(1) // the slow one is gone
	got := 0
	for {
		m, err := slow.read()
		if err != nil {
			break
		}
		if m["type"] == "gift" {
			got++
		}
	}
	if got >= n {
		t.Fatalf("the slow viewer got all %d gifts", got)
	}
}

func TestRoomChatShutdown(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	e := newEnv(t, db, opts{})
	a, _ := e.viewer(2)
	b, _ := e.viewer(3)
	a.count(2)
	if e.h.Open() != 2 {
		t.Fatalf("open %d", e.h.Open())
	}
	done := make(chan struct{})
	go func() {
		e.h.Shutdown()
		close(done)
	}()
	for _, c := range []*client{a, b} {
		if s := c.closed(); s != websocket.StatusGoingAway {
			t.Fatalf("close %v", s)
		}
	}
	<-done
	if e.h.Open() != 0 || e.chat.Viewers(1) != 0 {
		t.Fatalf("after shutdown: %d open, %d viewers", e.h.Open(), e.chat.Viewers(1))
	}
	// Later upgrades are turned away.
	c := e.dial(e.tokens[3], phone(1))
	if s := c.closed(); s != websocket.StatusGoingAway {
		t.Fatalf("after shutdown: %v", s)
	}
	_ = io.EOF
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
