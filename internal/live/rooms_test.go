package live_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/live"
	liveprov "plaza/internal/provider/live"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// recorder is a provider around the self-hosted one that records what it
// is told, and can fail.
type recorder struct {
	*liveprov.SelfHosted
	mu       sync.Mutex
	enabled  []string
	disabled []string
	fail     bool
}

func (p *recorder) Enable(_ context.Context, r liveprov.Room) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return errors.New("provider down")
	}
	p.enabled = append(p.enabled, r.Name)
	return nil
}

func (p *recorder) Disable(_ context.Context, r liveprov.Room) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disabled = append(p.disabled, r.Name)
	return nil
}

type roomsEnv struct {
	db    *store.DB
	rooms *live.Rooms
	prov  *recorder
	clock *clock.Fake
	mu    sync.Mutex
	seen  []string // OnChange calls
}

func newRoomsEnv(t *testing.T, db *store.DB) *roomsEnv {
	sh, err := liveprov.NewSelfHosted(liveprov.SelfHostedConfig{PublishHost: "rtmp.example:1935"})
	if err != nil {
		t.Fatal(err)
	}
	e := &roomsEnv{db: db, prov: &recorder{SelfHosted: sh}, clock: clock.NewFake(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))}
	db.SetClock(e.clock)
	e.rooms = live.NewRooms(live.RoomsDeps{DB: db, Clock: e.clock, Provider: e.prov})
	e.rooms.OnChange = func(id int64, open bool) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.seen = append(e.seen, fmt.Sprintf("%d:%v", id, open))
	}
	return e
}

func (e *roomsEnv) changes() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := strings.Join(e.seen, ",")
	e.seen = nil
	return s
}

func (e *roomsEnv) user(t *testing.T, name string) int64 {
	var id int64
	if err := e.db.QueryRowWrite(context.Background(), "INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 1, 1) RETURNING id",
		"o-"+name, name).Scan(&id); err != nil {
		// uid may not exist on this schema: the openid alone.
		if err := e.db.QueryRowWrite(context.Background(), "INSERT INTO users (openid, created_at, updated_at) VALUES (?, 1, 1) RETURNING id",
			"o-"+name).Scan(&id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func wantErr(t *testing.T, err error, k errs.Kind, r errs.Reason) {
	t.Helper()
	if errs.KindOf(err) != k || errs.ReasonOf(err) != r {
		t.Fatalf("got %v (%v/%v), want %v/%v", err, errs.KindOf(err), errs.ReasonOf(err), k, r)
	}
}

func TestRoomsOpenLeave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRoomsEnv(t, db)
		a, b := e.user(t, "a"), e.user(t, "b")

		_, err := e.rooms.Get(ctx, a)
		wantErr(t, err, errs.NotFound, live.ReasonRoomNone)
		wantErr(t, e.rooms.Leave(ctx, a), errs.NotFound, live.ReasonRoomNone)

		rm, s, err := e.rooms.Open(ctx, a, "  ")
		if err != nil {
			t.Fatal(err)
		}
		if !rm.Open || rm.Publishing || rm.Title != live.RoomDefaultTitle || len(rm.StreamKey) < 22 || rm.StreamName == "" || rm.StreamKey == rm.StreamName {
			t.Fatalf("room %+v", rm)
		}
		if s.PublishURL != "rtmp://rtmp.example:1935/live/"+rm.StreamKey || s.PlayURL != e.rooms.PlayURL(rm) || strings.Contains(s.PlayURL, rm.StreamKey) {
			t.Fatalf("stream %+v", s)
		}
		if got := e.changes(); got != fmt.Sprintf("%d:true", a) {
			t.Errorf("changes %q", got)
		}
		got, err := e.rooms.Get(ctx, a)
		if err != nil || got != rm {
			t.Fatalf("get %+v %v, want %+v", got, err, rm)
		}

		// Reopening: a new key and name; the old key is refused.
		e.clock.Advance(time.Minute)
		rm2, _, err := e.rooms.Open(ctx, a, "second")
		if err != nil || rm2.StreamKey == rm.StreamKey || rm2.StreamName == rm.StreamName || rm2.Title != "second" || !rm2.OpenedAt.After(rm.OpenedAt) {
			t.Fatalf("reopen %+v %v", rm2, err)
		}
		_, err = e.rooms.Publish(ctx, rm.StreamKey)
		wantErr(t, err, errs.Forbidden, live.ReasonRoomKey)
		if e.prov.disabled[0] != rm.StreamName {
			t.Errorf("the earlier stream was not disabled: %v", e.prov.disabled)
		}

		// Leave: closed, the key stops working, leaving again is a conflict.
		if err := e.rooms.Leave(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, _ = e.rooms.Get(ctx, a)
		if got.Open || got.ClosedAt.IsZero() || e.rooms.PlayURL(got) != "" {
			t.Fatalf("after leave %+v", got)
		}
		_, err = e.rooms.Publish(ctx, rm2.StreamKey)
		wantErr(t, err, errs.Forbidden, live.ReasonRoomKey)
		wantErr(t, e.rooms.Leave(ctx, a), errs.Conflict, live.ReasonRoomClosed)
		if got := e.changes(); got != fmt.Sprintf("%d:true,%d:false", a, a) {
			t.Errorf("changes %q", got)
		}
		_, err = e.rooms.Get(ctx, b)
		wantErr(t, err, errs.NotFound, live.ReasonRoomNone) // b's room is b's

		// Bad titles, unknown users, a failing provider.
		for _, bad := range []string{"a\nb", "x\x00", strings.Repeat("长", live.RoomTitleMax+1), "\xff"} {
			if _, _, err := e.rooms.Open(ctx, b, bad); errs.KindOf(err) != errs.Invalid {
				t.Errorf("title %q: %v", bad, err)
			}
		}
		if _, _, err := e.rooms.Open(ctx, b, strings.Repeat("长", live.RoomTitleMax)); err != nil {
			t.Errorf("longest title: %v", err)
		}
		if _, _, err := e.rooms.Open(ctx, 999999, "x"); errs.KindOf(err) != errs.NotFound {
			t.Errorf("nobody: %v", err)
		}
		e.prov.fail = true
		if _, _, err := e.rooms.Open(ctx, a, "x"); errs.KindOf(err) != errs.Unavailable {
			t.Errorf("provider down: %v", err)
		}
		e.prov.fail = false
		if got, _ := e.rooms.Get(ctx, a); got.Open {
			t.Error("opened while the provider was down")
		}
	})
}

func TestRoomsPublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRoomsEnv(t, db)
		a := e.user(t, "a")
		rm, _, err := e.rooms.Open(ctx, a, "t")
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", rm.StreamName, rm.StreamKey[1:], rm.StreamKey + "x", strings.ToUpper(rm.StreamKey), "' OR 1=1 --"} {
			if bad == rm.StreamKey {
				continue
			}
			_, err := e.rooms.Publish(ctx, bad)
			wantErr(t, err, errs.Forbidden, live.ReasonRoomKey)
			if err := e.rooms.Publishing(ctx, bad); errs.KindOf(err) != errs.Forbidden {
				t.Errorf("update of %q: %v", bad, err)
			}
			e.rooms.PublishDone(ctx, bad) // changes nothing
		}
		if got, _ := e.rooms.Get(ctx, a); !got.Open || got.Publishing {
			t.Fatalf("after bad keys %+v", got)
		}
		got, err := e.rooms.Publish(ctx, rm.StreamKey)
		if err != nil || !got.Publishing || !got.Open || got.UserID != a {
			t.Fatalf("publish %+v %v", got, err)
		}
		if err := e.rooms.Publishing(ctx, rm.StreamKey); err != nil {
			t.Fatal(err)
		}
		if err := e.rooms.PublishDone(ctx, rm.StreamKey); err != nil {
			t.Fatal(err)
		}
		got, _ = e.rooms.Get(ctx, a)
		if got.Open || got.Publishing {
			t.Fatalf("after the stream ended %+v", got)
		}
		if err := e.rooms.Publishing(ctx, rm.StreamKey); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("update after the end: %v", err)
		}
		_, err = e.rooms.Publish(ctx, rm.StreamKey)
		wantErr(t, err, errs.Forbidden, live.ReasonRoomKey)
		if err := e.rooms.PublishDone(ctx, rm.StreamKey); err != nil { // told twice
			t.Fatal(err)
		}
		if got := e.changes(); got != fmt.Sprintf("%d:true,%d:false", a, a) {
			t.Errorf("changes %q", got)
		}
	})
}

func TestRoomsOpenAmong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRoomsEnv(t, db)
		var ids []int64
		open := map[int64]bool{}
		for i := range 600 {
			id := e.user(t, fmt.Sprint("u", i))
			ids = append(ids, id)
			if i%7 == 0 {
				if _, _, err := e.rooms.Open(ctx, id, ""); err != nil {
					t.Fatal(err)
				}
				open[id] = true
			}
			if i%49 == 0 {
				e.rooms.Leave(ctx, id)
				delete(open, id)
			}
		}
		got, err := e.rooms.OpenAmong(ctx, ids)
		if err != nil || len(got) != len(open) {
			t.Fatalf("%d open rooms, want %d (%v)", len(got), len(open), err)
		}
		for id, rm := range got {
			if !open[id] || !rm.Open || rm.UserID != id {
				t.Errorf("room %+v", rm)
			}
		}
		if got, err := e.rooms.OpenAmong(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("none: %v %v", got, err)
		}
	})
}

// TestRoomsRace: opening, leaving, publishing and the stream's end at
// once leave one consistent room: the key of the last opening, open or
// closed, never publishing while closed.
func TestRoomsRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRoomsEnv(t, db)
		a := e.user(t, "a")
		rm, _, err := e.rooms.Open(ctx, a, "")
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			var fs []func()
			for range 3 {
				fs = append(fs,
					func() { e.rooms.Open(ctx, a, "again") },
					func() { e.rooms.Leave(ctx, a) },
					func() { e.rooms.Publish(ctx, rm.StreamKey) },
					func() { e.rooms.PublishDone(ctx, rm.StreamKey) },
				)
			}
			storetest.Race(fs...)
			got, err := e.rooms.Get(ctx, a)
			if err != nil || (!got.Open && got.Publishing) {
				t.Fatalf("room %+v %v", got, err)
			}
			if got.Open {
				rm = got
			}
		}
		n, err := store.Count(ctx, db, "SELECT COUNT(*) FROM live_rooms")
		if err != nil || n != 1 {
			t.Fatalf("%d rooms %v", n, err)
		}
	})
}

func TestRoomsCallbacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRoomsEnv(t, db)
		a := e.user(t, "a")
		rm, _, err := e.rooms.Open(ctx, a, "")
		if err != nil {
			t.Fatal(err)
		}
		const secret = "0123456789abcdef-secret"
		rt := httpx.NewRouter()
		e.rooms.Routes(rt, secret)
		srv := httptest.NewServer(rt)
		defer srv.Close()
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		post := func(path, sec string, form url.Values) *http.Response {
			t.Helper()
			resp, err := client.PostForm(srv.URL+path+"?secret="+url.QueryEscape(sec), form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		pub := func(name string) url.Values {
			return url.Values{"call": {"publish"}, "app": {"live"}, "name": {name}, "type": {"live"}, "addr": {"127.0.0.1"}}
		}
		for _, c := range []struct {
			secret string
			form   url.Values
		}{
			{"", pub(rm.StreamKey)}, {"wrong", pub(rm.StreamKey)}, {secret + "x", pub(rm.StreamKey)},
			{secret, url.Values{"call": {"publish"}, "app": {"other"}, "name": {rm.StreamKey}}},
			{secret, pub(rm.StreamName)}, {secret, pub("nokey")},
		} {
			if r := post(live.RoomOnPublishPath, c.secret, c.form); r.StatusCode != http.StatusForbidden {
				t.Errorf("%q %v: %d", c.secret, c.form, r.StatusCode)
			}
		}
		r := post(live.RoomOnPublishPath, secret, pub(rm.StreamKey))
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != rm.StreamName {
			t.Fatalf("publish: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		if got, _ := e.rooms.Get(ctx, a); !got.Publishing {
			t.Fatal("not publishing")
		}
		upd := url.Values{"call": {"update_publish"}, "app": {"live"}, "name": {rm.StreamKey}}
		if r := post(live.RoomOnUpdatePath, secret, upd); r.StatusCode != http.StatusOK {
			t.Fatalf("update: %d", r.StatusCode)
		}
		// A done without the secret changes nothing.
		done := url.Values{"call": {"publish_done"}, "app": {"live"}, "name": {rm.StreamKey}}
		if r := post(live.RoomOnPublishDonePath, "", done); r.StatusCode != http.StatusForbidden {
			t.Fatalf("done without secret: %d", r.StatusCode)
		}
		if got, _ := e.rooms.Get(ctx, a); !got.Open {
			t.Fatal("closed by a call without the secret")
		}
		if err := e.rooms.Leave(ctx, a); err != nil {
			t.Fatal(err)
		}
		if r := post(live.RoomOnUpdatePath, secret, upd); r.StatusCode != http.StatusForbidden {
			t.Fatalf("update after leave: %d (the stream must be dropped)", r.StatusCode)
		}
		if r := post(live.RoomOnPublishDonePath, secret, done); r.StatusCode != http.StatusOK {
			t.Fatalf("done: %d", r.StatusCode)
		}

		// Without a secret setting every call is refused.
		rt2 := httpx.NewRouter()
		e.rooms.Routes(rt2, "")
		rm, _, _ = e.rooms.Open(ctx, a, "")
		req := httptest.NewRequest("POST", live.RoomOnPublishPath+"?secret=", strings.NewReader(pub(rm.StreamKey).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		rt2.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden {
			t.Fatalf("no secret set: %d", w.Code)
		}
	})
}
