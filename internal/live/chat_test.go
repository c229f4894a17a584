package live_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/live"
	"plaza/internal/ratelimit"
	"plaza/internal/realtime"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// chatRooms is a fake of the rooms core: the anchors in open are live.
type chatRooms struct {
	mu   sync.Mutex
	open map[int64]bool
}

func (r *chatRooms) IsOpen(ctx context.Context, anchor int64) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open[anchor], nil
}

func (r *chatRooms) set(anchor int64, open bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.open[anchor] = open
}

// chatGifts is a fake of live.Gold that announces at once.
type chatGifts struct{ chat *live.Chat }

func (g *chatGifts) Send(ctx context.Context, from, anchor, value int64, description string) (live.Gift, error) {
	if value <= 0 {
		return live.Gift{}, errs.InvalidField("value", "value must be positive")
	}
	g.chat.AnnounceGift(anchor, live.ChatGift{From: from, Value: value, Description: description})
	return live.Gift{}, nil
}

type chatEnv struct {
	db     *store.DB
	clock  *clock.Fake
	rooms  *chatRooms
	social *social.Service
	chat   *live.Chat
}

// newChat seeds users 1..10 (phones 139000000NN) and room 1 live.
func newChat(t *testing.T, db *store.DB, bus realtime.Bus, cfg live.ChatConfig) *chatEnv {
	t.Helper()
	e := seedChat(t, db)
	e.chat = e.node(t, bus, cfg)
	return e
}

func seedChat(t *testing.T, db *store.DB) *chatEnv {
	t.Helper()
	if _, err := benchdata.Seed(context.Background(), db, benchdata.Spec{Users: 10}, start); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	db.SetClock(clk)
	return &chatEnv{db: db, clock: clk, rooms: &chatRooms{open: map[int64]bool{1: true}}, social: social.New(db, clk)}
}

// node starts another Chat on the same database, as another plaza node.
func (e *chatEnv) node(t *testing.T, bus realtime.Bus, cfg live.ChatConfig) *live.Chat {
	t.Helper()
	acc := account.New(account.Deps{DB: e.db, Clock: e.clock}, account.DefaultConfig())
	gifts := &chatGifts{}
	c, err := live.NewChat(live.ChatDeps{
		DB: e.db, Clock: e.clock, Bus: bus, Limiter: ratelimit.NewDB(e.db, e.clock),
		Rooms: e.rooms, Blocks: e.social, Gifts: gifts, Users: acc, Config: cfg,
	})
	if err != nil {
		t.Fatal(err)
	}
	gifts.chat = c
	t.Cleanup(c.Close)
	return c
}

func next(t *testing.T, v *live.ChatViewer) live.ChatEvent {
	t.Helper()
	select {
	case ev, ok := <-v.Events():
		if !ok {
			t.Fatalf("viewer %d: events closed: %v", v.UserID, v.Err())
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatalf("viewer %d: no event", v.UserID)
	}
	return live.ChatEvent{}
}

// waitCount waits until the viewer is told the count want.
func waitCount(t *testing.T, v *live.ChatViewer, want int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case n := <-v.Counts():
			if n == want {
				return
			}
		case <-deadline:
			t.Fatalf("viewer %d: never told %d viewers", v.UserID, want)
		}
	}
}

func join(t *testing.T, c *live.Chat, viewer, anchor int64) *live.ChatViewer {
	t.Helper()
	v, err := c.Join(context.Background(), viewer, anchor)
	if err != nil {
		t.Fatalf("join %d to %d: %v", viewer, anchor, err)
	}
	t.Cleanup(v.Leave)
	return v
}

func TestChatViewersSeeEachOthersCommentsInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newChat(t, db, realtime.NewLocal(), live.ChatConfig{RateCount: 100})
		a, b := join(t, e.chat, 2, 1), join(t, e.chat, 3, 1)
		waitCount(t, a, 2)
		waitCount(t, b, 2)
		if n := e.chat.Viewers(1); n != 2 {
			t.Fatalf("viewers %d", n)
		}
		for i := range 10 {
			from := int64(2 + i%2)
			if _, err := e.chat.Comment(ctx, from, 1, fmt.Sprintf("hello %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range []*live.ChatViewer{a, b} {
			for i := range 10 {
				ev := next(t, v)
				if ev.Kind != live.ChatEventComment || ev.Comment.Text != fmt.Sprintf("hello %d", i) {
					t.Fatalf("viewer %d event %d: %+v", v.UserID, i, ev)
				}
				want := fmt.Sprintf("139%08d", 2+i%2)
				if ev.Comment.Author.Phone != want || ev.Comment.Author.Nickname != fmt.Sprintf("nick-%d", 2+i%2) || !ev.Comment.Time.Equal(start) {
					t.Fatalf("author %+v time %v", ev.Comment.Author, ev.Comment.Time)
				}
			}
		}
		// A gift reaches both.
		if err := e.chat.SendGift(ctx, 2, 1, 10, "rose"); err != nil {
			t.Fatal(err)
		}
		for _, v := range []*live.ChatViewer{a, b} {
			ev := next(t, v)
			if ev.Kind != live.ChatEventGift || ev.Gift.Value != 10 || ev.Gift.Description != "rose" || ev.Gift.Author.Phone != "13900000002" {
				t.Fatalf("gift %+v", ev)
			}
		}
		// History on join: the last comments, oldest first, no copy in the stream.
		c := join(t, e.chat, 4, 1)
		if len(c.History) != 10 || c.History[0].Text != "hello 0" || c.History[9].Text != "hello 9" || c.History[9].Author.Nickname != "nick-3" {
			t.Fatalf("history %+v", c.History)
		}
		waitCount(t, a, 3)
		b.Leave()
		waitCount(t, a, 2)
		if _, ok := <-b.Events(); ok || b.Err() != nil {
			t.Fatalf("left viewer: %v", b.Err())
		}
	})
}

func TestChatHistoryKeepsTheLastN(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newChat(t, db, realtime.NewLocal(), live.ChatConfig{History: 3, RateCount: 100})
		for i := range 5 {
			if _, err := e.chat.Comment(ctx, 2, 1, fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		v := join(t, e.chat, 3, 1)
		var got []string
		for _, c := range v.History {
			got = append(got, c.Text)
		}
		if strings.Join(got, ",") != "2,3,4" {
			t.Fatalf("history %v", got)
		}
	})
}

func TestChatRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newChat(t, db, realtime.NewLocal(), live.ChatConfig{MaxComment: 10, RateCount: 3, RateWindow: time.Minute})
		for _, c := range []struct {
			text string
			kind errs.Kind
		}{
			{"", errs.Invalid},
			{"   ", errs.Invalid},
			{"12345678901", errs.Invalid},
			{"a\nb", errs.Invalid},
			{"a\x00b", errs.Invalid},
			{string([]byte{0xff, 'a'}), errs.Invalid},
		} {
			if _, err := e.chat.Comment(ctx, 2, 1, c.text); !errs.Is(err, c.kind) {
				t.Errorf("comment %q: %v", c.text, err)
			}
		}
		if _, err := e.chat.Comment(ctx, 2, 1, "十个字十个字十个字十"); err != nil {
			t.Fatalf("ten characters: %v", err)
		}
		// Closed and unknown rooms.
		for _, anchor := range []int64{5, 999} {
			if _, err := e.chat.Comment(ctx, 2, anchor, "hi"); !errs.Is(err, errs.Conflict) {
				t.Errorf("comment in room %d: %v", anchor, err)
			}
			if _, err := e.chat.Join(ctx, 2, anchor); !errs.Is(err, errs.Conflict) {
				t.Errorf("join room %d: %v", anchor, err)
			}
		}
		// Rate: 3 per minute per user per room (the one above counted).
		for i := range 2 {
			if _, err := e.chat.Comment(ctx, 2, 1, fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.chat.Comment(ctx, 2, 1, "again")
		var ee *errs.Error
		if !errs.Is(err, errs.RateLimited) || !errorsAs(err, &ee) || ee.RetryAfter <= 0 {
			t.Fatalf("fourth comment: %v", err)
		}
		if _, err := e.chat.Comment(ctx, 3, 1, "other user"); err != nil {
			t.Fatalf("another user is not limited: %v", err)
		}
		e.rooms.set(2, true)
		if _, err := e.chat.Comment(ctx, 2, 2, "other room"); err != nil {
			t.Fatalf("another room is not limited: %v", err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.chat.Comment(ctx, 2, 1, "later"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// Blocked by the anchor: refused and not kept.
		if err := e.social.Block(ctx, 1, 4); err != nil {
			t.Fatal(err)
		}
		if _, err := e.chat.Comment(ctx, 4, 1, "let me in"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("blocked: %v", err)
		}
		// The anchor comments in their own room; a blocked user may still watch.
		if _, err := e.chat.Comment(ctx, 1, 1, "welcome"); err != nil {
			t.Fatal(err)
		}
		v := join(t, e.chat, 4, 1)
		for _, c := range v.History {
			if c.Author.ID == 4 {
				t.Fatalf("blocked comment kept: %+v", c)
			}
		}
		// A gift of nothing is the gold core's refusal.
		if err := e.chat.SendGift(ctx, 2, 1, 0, "x"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("gift of 0: %v", err)
		}
	})
}

func errorsAs(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	if ok {
		*target = e
	}
	return ok
}

// A viewer that never reads is dropped when its buffer is full; the others
// get every event.
func TestChatSlowViewerIsDropped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newChat(t, db, realtime.NewLocal(), live.ChatConfig{ViewerBuffer: 4, RateCount: 1000})
		slow := join(t, e.chat, 2, 1)
		fast := join(t, e.chat, 3, 1)
		got := make(chan int, 1)
		go func() {
			n := 0
			for range fast.Events() {
				n++
				if n == 20 {
					break
				}
			}
			got <- n
		}()
		for i := range 20 {
			if _, err := e.chat.Comment(ctx, 4, 1, fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		if n := <-got; n != 20 {
			t.Fatalf("fast viewer got %d", n)
		}
		n := 0
		for range slow.Events() {
			n++
		}
		if n != 4 || slow.Err() != live.ErrChatSlow {
			t.Fatalf("slow viewer: %d events, %v", n, slow.Err())
		}
	})
}

// Two nodes on one bus: comments, gifts and viewer counts cross.
func TestChatAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bus := realtime.NewLocal()
		e := newChat(t, db, bus, live.ChatConfig{})
		other := e.node(t, bus, live.ChatConfig{})
		a := join(t, e.chat, 2, 1)
		b := join(t, other, 3, 1)
		waitCount(t, a, 2)
		waitCount(t, b, 2)
		if _, err := other.Comment(ctx, 3, 1, "from the other node"); err != nil {
			t.Fatal(err)
		}
		if ev := next(t, a); ev.Comment.Text != "from the other node" {
			t.Fatalf("%+v", ev)
		}
		if ev := next(t, b); ev.Comment.Text != "from the other node" {
			t.Fatalf("%+v", ev)
		}
		if n := e.chat.Viewers(1); n != 2 {
			t.Fatalf("viewers %d", n)
		}
		// A node that has no viewer of the room knows its count too.
		third := e.node(t, bus, live.ChatConfig{})
		deadline := time.Now().Add(5 * time.Second)
		for third.Viewers(1) != 2 {
			if time.Now().After(deadline) {
				t.Fatalf("third node counts %d", third.Viewers(1))
			}
			time.Sleep(5 * time.Millisecond)
		}
		// A node that stops says so.
		other.Close()
		waitCount(t, a, 1)
		if ev, ok := <-b.Events(); ok || b.Err() != live.ErrChatClosed {
			t.Fatalf("closed node's viewer: %+v %v", ev, b.Err())
		}
	})
}

// A node that vanished without a word is forgotten after CountTTL.
func TestChatForgetsSilentNodes(t *testing.T) {
	db, _ := storetest.OpenSQLite(t)
	bus := realtime.NewLocal()
	e := newChat(t, db, bus, live.ChatConfig{CountEvery: time.Hour, CountTTL: time.Minute})
	a := join(t, e.chat, 2, 1)
	// A node that publishes one count and then says nothing more.
	if err := bus.Publish(context.Background(), "live.chat:viewers", []byte(`{"node":"ghost","seq":1,"rooms":[[1,5]]}`)); err != nil {
		t.Fatal(err)
	}
	waitCount(t, a, 6)
	e.clock.Advance(2 * time.Minute)
	e.chat.Expire()
	waitCount(t, a, 1)
	// An older count from a node is passed over.
	_ = bus.Publish(context.Background(), "live.chat:viewers", []byte(`{"node":"n2","seq":5,"rooms":[[1,3]]}`))
	waitCount(t, a, 4)
	_ = bus.Publish(context.Background(), "live.chat:viewers", []byte(`{"node":"n2","seq":4,"rooms":[[1,9]]}`))
	_ = bus.Publish(context.Background(), "live.chat:viewers", []byte(`{"node":"n2","seq":6,"rooms":[[1,0]]}`))
	waitCount(t, a, 1)
	if n := e.chat.Viewers(1); n != 1 {
		t.Fatalf("viewers %d", n)
	}
}

// Joins, comments and leaves at once, on both engines.
func TestChatRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newChat(t, db, realtime.NewLocal(), live.ChatConfig{RateCount: 1000})
		var wg sync.WaitGroup
		for u := int64(2); u <= 9; u++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 5 {
					v, err := e.chat.Join(ctx, u, 1)
					if err != nil {
						t.Error(err)
						return
					}
					if _, err := e.chat.Comment(ctx, u, 1, fmt.Sprint(i)); err != nil {
						t.Error(err)
					}
					_ = e.chat.Viewers(1)
					v.Leave()
				}
			}()
		}
		wg.Wait()
		if n := e.chat.Viewers(1); n != 0 {
			t.Fatalf("viewers after all left: %d", n)
		}
	})
}

// The janitor deletes comments older than CommentRetention that are not
// among their room's last History; a room keeps what a joiner is shown,
// however old.
func TestSweepComments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cfg := live.DefaultChatConfig()
		cfg.History = 3
		e := newChat(t, db, realtime.NewLocal(), cfg)
		ctx := context.Background()
		old := start.Add(-live.CommentRetention - time.Hour).UnixMilli()
		put := func(anchor int64, text string, at int64) {
			t.Helper()
			if _, err := db.Exec(ctx, "INSERT INTO room_comments (anchor_id, user_id, text, created_at) VALUES (?, 2, ?, ?)", anchor, text, at); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 6 {
			put(1, fmt.Sprint("old ", i), old)
			put(3, fmt.Sprint("old ", i), old)
		}
		for i := range 4 {
			put(1, fmt.Sprint("new ", i), start.UnixMilli())
		}
		put(2, "old 0", old)
		put(2, "old 1", old)
		if err := e.chat.SweepComments(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{
			1: "new 0,new 1,new 2,new 3", // the old ones go; a new one past History stays
			2: "old 0,old 1",             // fewer than History: all kept
			3: "old 3,old 4,old 5",       // the last History of an idle room
		}
		for anchor, w := range want {
			rows, err := store.Collect(ctx, db, "SELECT text FROM room_comments WHERE anchor_id = ? ORDER BY id", []any{anchor},
				func(r store.Scanner) (string, error) {
					var s string
					return s, r.Scan(&s)
				})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rows, ","); got != w {
				t.Errorf("room %d: %q, want %q", anchor, got, w)
			}
		}
	})
}
