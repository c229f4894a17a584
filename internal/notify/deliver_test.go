package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/notify"
	"plaza/internal/provider/push"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// vendor is a fake push provider: it answers per token from answers (a
// list, one per try; the last repeats; none: delivered) and counts what
// it took.
type vendor struct {
	name    string
	mu      sync.Mutex
	answers map[string][]push.Result
	tries   map[string]int
	got     map[string][]push.Message // delivered, by token
}

func newVendor(name string) *vendor {
	return &vendor{name: name, answers: map[string][]push.Result{}, tries: map[string]int{}, got: map[string][]push.Message{}}
}

func (v *vendor) Name() string { return v.name }

func (v *vendor) Send(_ context.Context, msgs []push.Message) []push.Result {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]push.Result, len(msgs))
	for i, m := range msgs {
		v.tries[m.Token]++
		if a := v.answers[m.Token]; len(a) > 0 {
			out[i] = a[min(v.tries[m.Token], len(a))-1]
		}
		if out[i].Outcome == push.Delivered {
			v.got[m.Token] = append(v.got[m.Token], m)
		}
	}
	return out
}

func (v *vendor) delivered(token string) []push.Message {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.got[token]
}

// pushEnv is a notify service on db with a fake vendor per channel.
type pushEnv struct {
	t        *testing.T
	db       *store.DB
	clock    *clock.Fake
	apns     *vendor
	jpush    *vendor
	s        *notify.Service
	channels push.Channels
}

func newPushEnv(t *testing.T, db *store.DB) *pushEnv {
	e := &pushEnv{t: t, db: db, clock: clock.NewFake(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), apns: newVendor("apns"), jpush: newVendor("jpush")}
	e.channels = push.Channels{IOS: e.apns, Android: e.jpush}
	e.s = e.node()
	return e
}

// node is another service on the same store and vendors: another node.
func (e *pushEnv) node() *notify.Service {
	s := notify.New(e.db, e.clock, e.channels, slog.New(slog.DiscardHandler))
	cfg := notify.DefaultDeliveryConfig()
	cfg.Batch = 7
	s.SetDelivery(cfg)
	return s
}

func (e *pushEnv) deliver(s *notify.Service) int {
	e.t.Helper()
	n, err := s.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *pushEnv) bind(user int64, token, clientType string) {
	e.t.Helper()
	if _, err := e.s.Bind(context.Background(), user, token, clientType); err != nil {
		e.t.Fatal(err)
	}
}

func (e *pushEnv) send(in notify.NewPush) notify.Push {
	e.t.Helper()
	if in.Title == "" {
		in.Title = "标题"
	}
	p, err := e.s.Send(context.Background(), 1, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// states are the states of push p's deliveries, by device token.
func (e *pushEnv) states(p notify.Push) map[string]notify.Delivery {
	e.t.Helper()
	out := map[string]notify.Delivery{}
	cursor := ""
	for {
		page, err := e.s.Deliveries(context.Background(), p.ID, "", cursor, 100)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, d := range page.Items {
			out[d.ClientID] = d
		}
		if cursor = page.Next; cursor == "" {
			return out
		}
	}
}

func (e *pushEnv) status(p notify.Push) int {
	e.t.Helper()
	got, err := e.s.Push(context.Background(), p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got.Status
}

func TestDeliveryOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		alice, bob, carol := newUser(t, db, 1), newUser(t, db, 2), newUser(t, db, 3)
		e.bind(alice, "ios-ok", "ios")
		e.bind(alice, "android-ok", "android")
		e.bind(bob, "ios-dead", "ios")
		e.bind(bob, "android-rejected", "android")
		e.bind(bob, "ios-flaky", "ios")
		e.bind(carol, "ios-off", "ios")
		e.bind(carol, "android-moves", "android")
		e.bind(carol, "ios-removed", "ios")
		if _, err := e.s.SetSwitch(context.Background(), carol, "ios-off", false); err != nil {
			t.Fatal(err)
		}
		e.apns.answers["ios-dead"] = []push.Result{{Outcome: push.Dead, Detail: "Unregistered"}}
		e.jpush.answers["android-rejected"] = []push.Result{{Outcome: push.Rejected, Detail: "payload too large"}}
		e.apns.answers["ios-flaky"] = []push.Result{{Outcome: push.Retry, Detail: "503"}, {Outcome: push.Retry, RetryAfter: time.Hour, Detail: "429"}, {}}

		p := e.send(notify.NewPush{Everyone: true})
		if p.Status != notify.StatusQueued {
			t.Fatalf("status of a push with devices to reach: %d", p.Status)
		}
		// Switched off before the push: no delivery. Switched off, moved
		// or removed after it, before its turn: skipped.
		e.bind(bob, "android-moves", "android")
		if _, err := db.Exec(context.Background(), "DELETE FROM push_devices WHERE client_id = 'ios-removed'"); err != nil {
			t.Fatal(err)
		}
		e.deliver(e.s)
		got := e.states(p)
		want := map[string]struct {
			state    int
			attempts int
		}{
			"ios-ok": {notify.DeliveryDelivered, 1}, "android-ok": {notify.DeliveryDelivered, 1},
			"ios-dead": {notify.DeliveryDead, 1}, "android-rejected": {notify.DeliveryFailed, 1},
			"ios-flaky": {notify.DeliveryDue, 1}, "android-moves": {notify.DeliverySkipped, 1}, "ios-removed": {notify.DeliverySkipped, 1},
		}
		if len(got) != len(want) {
			t.Fatalf("deliveries %v, want %d", got, len(want))
		}
		for token, w := range want {
			if d := got[token]; d.State != w.state || d.Attempts != w.attempts {
				t.Errorf("%s: state %d after %d tries (%q), want %d after %d", token, d.State, d.Attempts, d.Detail, w.state, w.attempts)
			}
		}
		if d := got["ios-dead"]; d.Channel != "apns" || d.Detail != "Unregistered" {
			t.Errorf("dead delivery: %+v", d)
		}
		// The dead token's device is gone; the others stay.
		var devices int
		if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM push_devices WHERE client_id IN ('ios-dead', 'android-rejected')").Scan(&devices); err != nil || devices != 1 {
			t.Fatalf("devices left of ios-dead and android-rejected: %d (%v), want 1", devices, err)
		}
		if m := e.apns.delivered("ios-ok"); len(m) != 1 || m[0].CollapseID != notify.CollapseID(p.ID) || m[0].Title != "标题" || m[0].UserID != alice {
			t.Fatalf("ios-ok got %+v", m)
		}

		// The flaky one comes due after its backoff (5 s ± 20%), then asks
		// for an hour, then goes through; the push is then done, failed
		// (the rejected one).
		if e.deliver(e.s); e.apns.tries["ios-flaky"] != 1 {
			t.Fatal("retried before its backoff")
		}
		e.clock.Advance(7 * time.Second)
		e.deliver(e.s)
		if d := e.states(p)["ios-flaky"]; d.State != notify.DeliveryDue || d.Attempts != 2 || !d.NextAt.Equal(e.clock.Now().Add(time.Hour)) {
			t.Fatalf("after the 429: %+v (now %v)", d, e.clock.Now())
		}
		if e.status(p) != notify.StatusQueued {
			t.Fatal("push settled with a delivery due")
		}
		e.clock.Advance(time.Hour)
		e.deliver(e.s)
		if d := e.states(p)["ios-flaky"]; d.State != notify.DeliveryDelivered || d.Attempts != 3 {
			t.Fatalf("flaky at last: %+v", d)
		}
		if st := e.status(p); st != notify.StatusFailed {
			t.Fatalf("push status %d, want failed (one delivery was rejected)", st)
		}
		counts, err := e.s.Counts(context.Background(), p.ID)
		if err != nil || counts != (notify.DeliveryCounts{0, 0, 3, 1, 1, 2}) {
			t.Fatalf("counts %v (%v)", counts, err)
		}

		// A month on, the janitor drops the settled deliveries' records;
		// the push stays.
		e.clock.Advance(notify.DeliveryRetention + time.Hour)
		if err := e.s.SweepDeliveries(context.Background()); err != nil {
			t.Fatal(err)
		}
		if counts, err := e.s.Counts(context.Background(), p.ID); err != nil || counts != (notify.DeliveryCounts{}) {
			t.Fatalf("counts after the sweep %v (%v)", counts, err)
		}
		if e.status(p) != notify.StatusFailed {
			t.Fatal("the push changed with the sweep")
		}

		// A push that reaches only good devices is sent.
		q := e.send(notify.NewPush{UserIDs: []int64{alice}})
		e.deliver(e.s)
		if st := e.status(q); st != notify.StatusSent {
			t.Fatalf("status %d, want sent", st)
		}
		// A push to no device is sent at once.
		if r := e.send(notify.NewPush{UserIDs: []int64{carol}}); r.Status != notify.StatusSent {
			t.Fatalf("push to carol (no device on): status %d", r.Status)
		}
	})
}

// A delivery the vendor keeps refusing for now is given up after
// MaxAttempts tries, and the push fails.
func TestDeliveryGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		e.bind(newUser(t, db, 1), "down", "android")
		e.jpush.answers["down"] = []push.Result{{Outcome: push.Retry, Detail: "502"}}
		p := e.send(notify.NewPush{Everyone: true})
		for range 20 {
			e.deliver(e.s)
			e.clock.Advance(2 * time.Hour)
		}
		d := e.states(p)["down"]
		if max := notify.DefaultDeliveryConfig().MaxAttempts; d.State != notify.DeliveryFailed || d.Attempts != max || e.jpush.tries["down"] != max {
			t.Fatalf("%+v after %d tries, want failed after %d", d, e.jpush.tries["down"], max)
		}
		if e.status(p) != notify.StatusFailed {
			t.Fatal("push not failed")
		}
	})
}

// A node that claimed a batch and died: its deliveries are due again once
// the lease ends, and another node sends them, under the same collapse id.
func TestLapsedClaimIsSentAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		u := newUser(t, db, 1)
		for i := range 10 {
			e.bind(u, fmt.Sprint("tok-", i), "ios")
		}
		p := e.send(notify.NewPush{Everyone: true})
		// The dead node's claim: sending, until the lease ends.
		if _, err := db.Exec(context.Background(), "UPDATE push_deliveries SET state = 1, attempts = 1, next_at = ? WHERE push_id = ?",
			e.clock.Now().Add(notify.DefaultDeliveryConfig().Lease).UnixMilli(), p.ID); err != nil {
			t.Fatal(err)
		}
		other := e.node()
		if n := e.deliver(other); n != 0 {
			t.Fatalf("%d deliveries taken from a live claim", n)
		}
		e.clock.Advance(notify.DefaultDeliveryConfig().Lease + time.Second)
		if n := e.deliver(other); n != 10 {
			t.Fatalf("%d deliveries sent after the lease, want 10", n)
		}
		for i := range 10 {
			if m := e.apns.delivered(fmt.Sprint("tok-", i)); len(m) != 1 || m[0].CollapseID != notify.CollapseID(p.ID) {
				t.Fatalf("tok-%d: %+v", i, m)
			}
		}
		if d := e.states(p)["tok-0"]; d.State != notify.DeliveryDelivered || d.Attempts != 2 {
			t.Fatalf("tok-0: %+v", d)
		}
	})
}

// Four nodes deliver one push to 240 devices at once: every device gets
// it exactly once.
func TestNodesDeliverOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		ctx := context.Background()
		var users []int64
		for i := range 30 {
			users = append(users, newUser(t, db, i+1))
		}
		now := e.clock.Now().UnixMilli()
		for i := range 240 {
			typ := "ios"
			if i%2 == 1 {
				typ = "android"
			}
			if _, err := db.Exec(ctx, "INSERT INTO push_devices (client_id, client_type, user_id, switch, created_at, updated_at) VALUES (?, ?, ?, TRUE, ?, ?)",
				fmt.Sprint("d", i), typ, users[i%len(users)], now, now); err != nil {
				t.Fatal(err)
			}
		}
		p := e.send(notify.NewPush{Everyone: true})
		var wg sync.WaitGroup
		for range 4 {
			s := e.node()
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.DeliverDue(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for i := range 240 {
			v := e.apns
			if i%2 == 1 {
				v = e.jpush
			}
			if n := len(v.delivered(fmt.Sprint("d", i))); n != 1 {
				t.Fatalf("device d%d got the push %d times", i, n)
			}
		}
		if st := e.status(p); st != notify.StatusSent {
			t.Fatalf("status %d", st)
		}
	})
}

// panicky is a provider that panics.
type panicky struct{}

func (panicky) Name() string                                       { return "panicky" }
func (panicky) Send(context.Context, []push.Message) []push.Result { panic("vendor SDK bug") }

// A provider that panics fails its batch for now; the delivery is tried
// again later, and the process lives on.
func TestProviderPanicIsRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		e.channels.Android = panicky{}
		e.s = e.node()
		e.bind(newUser(t, db, 1), "a1", "android")
		p := e.send(notify.NewPush{Everyone: true})
		e.deliver(e.s)
		if d := e.states(p)["a1"]; d.State != notify.DeliveryDue || d.Attempts != 1 || d.Channel != "panicky" {
			t.Fatalf("after the panic: %+v", d)
		}
	})
}
