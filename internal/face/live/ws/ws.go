// Package ws is the WebSocket endpoint of room chat on the live face
// (docs/live-chat.md): GET /room/ws?token=<token>&room=<anchor's userId>.
// It decodes the client's frames, calls the room chat core (live.Chat),
// and encodes the room's events; it holds no rule of its own.
package ws

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/live"
)

// Path is the endpoint's path.
const Path = "/room/ws"

// Config are the endpoint's limits.
type Config struct {
	PingEvery    time.Duration // a ping to an idle client this often (default 30 s)
	PongWait     time.Duration // the pong must come within (default 10 s)
	WriteTimeout time.Duration // one frame must be written within (default 10 s)
	ReadLimit    int64         // bytes in a client frame (default 4096): a bigger one closes the socket (1009)
	Area         string        // the phone area of userIds (default "86")
}

func (c Config) withDefaults() Config {
	if c.PingEvery <= 0 {
		c.PingEvery = 30 * time.Second
	}
	if c.PongWait <= 0 {
		c.PongWait = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = 4096
	}
	if c.Area == "" {
		c.Area = "86"
	}
	return c
}

// Accounts is what the endpoint asks of the accounts core.
type Accounts interface {
	Authenticate(ctx context.Context, token string) (account.User, error)
	UserByAccount(ctx context.Context, a account.Account) (account.User, error)
}

// Deps are what the endpoint needs.
type Deps struct {
	Accounts Accounts
	Chat     *live.Chat
	Log      *slog.Logger
	Config   Config
}

// Handler serves the endpoint and keeps its open sockets, for Shutdown.
type Handler struct {
	d   Deps
	cfg Config

	frames frameCache

	mu      sync.Mutex
	closing bool
	conns   map[*websocket.Conn]struct{}
	wg      sync.WaitGroup
}

// New returns the endpoint's handler.
func New(d Deps) *Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{d: d, cfg: d.Config.withDefaults(), conns: map[*websocket.Conn]struct{}{}}
}

// Routes mounts the endpoint on rt and returns its handler (whose Shutdown
// the server calls when it stops).
func Routes(rt *httpx.Router, d Deps) *Handler {
	h := New(d)
	rt.Handle("GET "+Path, h)
	// Another method: the live face's 0009 in its envelope, HTTP 405.
	rt.Handle(Path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET")
		httpx.SetCode(r, "0009")
		httpx.WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"result": "0009", "message": "method not allowed: the room chat takes a GET with a WebSocket upgrade"})
	}))
	return h
}

// Shutdown closes every open socket with a going-away close frame (1001)
// and waits for them to end; upgrades after it are refused the same way.
func (h *Handler) Shutdown() {
	h.mu.Lock()
	h.closing = true
	conns := make([]*websocket.Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.Close(websocket.StatusGoingAway, "server shutting down")
		}()
	}
	wg.Wait()
	h.wg.Wait()
}

// Open is the number of open sockets.
func (h *Handler) Open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

func (h *Handler) add(c *websocket.Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.conns[c] = struct{}{}
	h.wg.Add(1)
	return true
}

func (h *Handler) remove(c *websocket.Conn) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.wg.Done()
}

func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		if strings.EqualFold(strings.TrimSpace(v), "websocket") {
			return true
		}
	}
	return false
}

// join checks the request and joins its room.
func (h *Handler) join(r *http.Request) (*live.ChatViewer, error) {
	viewer, anchor, err := h.parties(r)
	if err != nil {
		return nil, err
	}
	return h.d.Chat.Join(r.Context(), viewer, anchor)
}

// parties checks the request: the viewer of its token and the anchor of
// its room.
func (h *Handler) parties(r *http.Request) (viewer, anchor int64, err error) {
	q := r.URL.Query()
	token := q.Get("token")
	if token == "" {
		token = httpx.BearerToken(r)
	}
	room := q.Get("room")
	if token == "" {
		return 0, 0, errs.E(errs.Unauthenticated, "token is required")
	}
	if room == "" {
		return 0, 0, errs.InvalidField("room", "room (the anchor's userId) is required")
	}
	ctx := r.Context()
	user, err := h.d.Accounts.Authenticate(ctx, token)
	if err != nil {
		return 0, 0, err
	}
	acct, err := account.ParsePhone(h.cfg.Area, room)
	if err != nil {
		return 0, 0, err
	}
	a, err := h.d.Accounts.UserByAccount(ctx, acct)
	if err != nil {
		return 0, 0, err
	}
	return user.ID, a.ID, nil
}

var acceptOptions = &websocket.AcceptOptions{
	// The token is in the URL, never a cookie: a page of another origin
	// gains nothing it does not already hold, and the apps send no Origin.
	InsecureSkipVerify: true,
	CompressionMode:    websocket.CompressionDisabled,
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isUpgrade(r) {
		// Not a WebSocket: the live face's envelope says why (0009 at
		// best), checked without joining the room.
		_, anchor, err := h.parties(r)
		if err == nil {
			err = h.d.Chat.CheckLive(r.Context(), anchor)
		}
		if err == nil {
			err = errs.E(errs.Invalid, "this endpoint takes a WebSocket upgrade")
		}
		h.logErr(r, err)
		a := answerOf(err)
		httpx.SetCode(r, a.Result)
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"result": a.Result, "message": a.Message})
		return
	}
	v, err := h.join(r)
	// net/http clears the server's read and write deadlines when the
	// connection is hijacked (the upgrade), so a socket outlives the
	// server's ReadTimeout and WriteTimeout; the pings find dead peers.
	conn, aerr := websocket.Accept(w, r, acceptOptions)
	if aerr != nil {
		if v != nil {
			v.Leave()
		}
		return // Accept answered the request
	}
	defer conn.CloseNow()
	conn.SetReadLimit(h.cfg.ReadLimit)
	if !h.add(conn) {
		if v != nil {
			v.Leave()
		}
		_ = conn.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	defer h.remove(conn)
	if err != nil {
		// A refusal after the upgrade: an error frame, then a
		// policy-violation close whose reason is the result code.
		h.logErr(r, err)
		a := answerOf(err)
		httpx.SetCode(r, a.Result)
		ctx, cancel := context.WithTimeout(context.Background(), h.cfg.WriteTimeout)
		_ = writeFrame(ctx, conn, errorFrame(a))
		cancel()
		_ = conn.Close(websocket.StatusPolicyViolation, a.Result)
		return
	}
	defer v.Leave()
	h.serve(r, conn, v)
}

func (h *Handler) logErr(r *http.Request, err error) {
	if errs.KindOf(err) == errs.Internal {
		h.d.Log.Error("room chat", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
	}
}

// serve runs one joined socket: a reader of the client's frames, a pinger,
// and this loop, the socket's one writer of events.
func (h *Handler) serve(r *http.Request, conn *websocket.Conn, v *live.ChatViewer) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	write := func(f any) error {
		wctx, wcancel := context.WithTimeout(ctx, h.cfg.WriteTimeout)
		defer wcancel()
		return writeFrame(wctx, conn, f)
	}
	if err := write(toHistoryFrame(v.History)); err != nil {
		return
	}
	go func() {
		defer cancel()
		h.read(ctx, r, conn, v, write)
	}()
	go func() {
		defer cancel()
		clock.Every(ctx, h.cfg.PingEvery, func() { // a peer that answers no ping is gone
			pctx, pcancel := context.WithTimeout(ctx, h.cfg.PongWait)
			defer pcancel()
			if conn.Ping(pctx) != nil {
				cancel()
			}
		})
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-v.Counts():
			if write(viewersFrame{Type: "viewers", Count: n}) != nil {
				return
			}
		case ev, ok := <-v.Events():
			if !ok {
				switch v.Err() {
				case live.ErrChatSlow:
					_ = conn.Close(websocket.StatusTryAgainLater, "too slow")
				case live.ErrChatClosed:
					_ = conn.Close(websocket.StatusGoingAway, "server shutting down")
				case live.ErrChatEnded:
					_ = conn.Close(websocket.StatusNormalClosure, "the live has ended")
				}
				return
			}
			b, err := h.frames.encode(ev)
			if err != nil {
				return
			}
			wctx, wcancel := context.WithTimeout(ctx, h.cfg.WriteTimeout)
			err = conn.Write(wctx, websocket.MessageText, b)
			wcancel()
			if err != nil {
				return
			}
		}
	}
}

// read decodes the client's frames until the socket ends; a bad frame or
// a refused comment gets an error frame, the socket stays.
func (h *Handler) read(ctx context.Context, r *http.Request, conn *websocket.Conn, v *live.ChatViewer, write func(any) error) {
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		err = h.handle(ctx, v, typ, data)
		if err != nil {
			h.logErr(r, err)
			if write(errorFrame(answerOf(err))) != nil {
				return
			}
		}
	}
}

func (h *Handler) handle(ctx context.Context, v *live.ChatViewer, typ websocket.MessageType, data []byte) error {
	if typ != websocket.MessageText {
		return errs.E(errs.Invalid, "frames are JSON text")
	}
	obj, err := httpx.DecodeObject(data)
	if err != nil {
		return errs.E(errs.Invalid, "a frame is a JSON object: "+errs.Message(err))
	}
	p := httpx.NewParams(obj)
	kind, err := p.Str("type")
	if err != nil {
		return err
	}
	switch kind {
	case "comment":
		text, err := p.Str("text")
		if err != nil {
			return err
		}
		_, err = h.d.Chat.Comment(ctx, v.UserID, v.AnchorID, text)
		return err
	case "gift":
		value, ok, err := p.Int("value")
		if err != nil {
			return err
		}
		if !ok {
			return errs.InvalidField("value", "value is required")
		}
		desc, err := p.Str("description")
		if err != nil {
			return err
		}
		return h.d.Chat.SendGift(ctx, v.UserID, v.AnchorID, value, desc)
	}
	return errs.InvalidField("type", `type must be "comment" or "gift"`)
}
