package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
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

// keyer is a vendor whose calls carry keys (as JPush's cid): Key gives
// each run of per messages without a key a new one; Send checks that
// every message's key was kept with its delivery before the call, and
// notes the tokens of each call under each key.
type keyer struct {
	*vendor
	db        *store.DB
	per       int
	refuse    *push.Result // Key's answer, when set (it then keys nothing)
	beforeKey func()
	kmu       sync.Mutex
	n         int
	calls     map[string][]string // by key: the tokens of each call, joined
	problems  []string
}

func newKeyer(db *store.DB, per int) *keyer {
	return &keyer{vendor: newVendor("keyed"), db: db, per: per, calls: map[string][]string{}}
}

func (k *keyer) Key(_ context.Context, msgs []push.Message) *push.Result {
	if k.beforeKey != nil {
		k.beforeKey()
	}
	k.kmu.Lock()
	defer k.kmu.Unlock()
	if k.refuse != nil {
		return k.refuse
	}
	run := 0
	for i := range msgs {
		if msgs[i].SendKey != "" {
			continue
		}
		if run == 0 {
			k.n++
		}
		msgs[i].SendKey, msgs[i].SendKeyAt = fmt.Sprint("key-", k.n), time.Now()
		run = (run + 1) % k.per
	}
	return nil
}

func (k *keyer) Send(ctx context.Context, msgs []push.Message) []push.Result {
	k.kmu.Lock()
	byKey := map[string][]string{}
	var keys []string
	for _, m := range msgs {
		var kept string
		if err := k.db.QueryRow(ctx, "SELECT send_key FROM push_deliveries WHERE push_id = ? AND client_id = ?", m.PushID, m.Token).Scan(&kept); err != nil || kept != m.SendKey {
			k.problems = append(k.problems, fmt.Sprintf("%s sent under %q, kept %q (%v)", m.Token, m.SendKey, kept, err))
		}
		if byKey[m.SendKey] == nil {
			keys = append(keys, m.SendKey)
		}
		byKey[m.SendKey] = append(byKey[m.SendKey], m.Token)
	}
	for _, key := range keys {
		slices.Sort(byKey[key])
		k.calls[key] = append(k.calls[key], strings.Join(byKey[key], " "))
	}
	k.kmu.Unlock()
	return k.vendor.Send(ctx, msgs)
}

func (k *keyer) check(t *testing.T) map[string][]string {
	t.Helper()
	k.kmu.Lock()
	defer k.kmu.Unlock()
	for _, p := range k.problems {
		t.Error(p)
	}
	return maps.Clone(k.calls)
}

// keyed is the send key and group of each delivery of push p, by token.
func (e *pushEnv) keyed(p notify.Push) map[string][2]string {
	e.t.Helper()
	rows, err := e.db.Query(context.Background(), "SELECT client_id, send_key, send_group, id FROM push_deliveries WHERE push_id = ?", p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	ids := map[int64]string{}
	groups := map[string]int64{}
	out := map[string][2]string{}
	for rows.Next() {
		var tok, key string
		var group, id int64
		if err := rows.Scan(&tok, &key, &group, &id); err != nil {
			e.t.Fatal(err)
		}
		ids[id], groups[tok] = tok, group
		out[tok] = [2]string{key, ""}
	}
	for tok, g := range groups {
		out[tok] = [2]string{out[tok][0], ids[g]} // the group by its first delivery's token
	}
	return out
}

func (e *pushEnv) useKeyer(per int) *keyer {
	k := newKeyer(e.db, per)
	e.channels.Android = k
	e.s = e.node()
	return k
}

// A keyed vendor's keys are kept before the call; a call with no answer
// (here the vendor says try again) keeps them, and is made again whole
// under the same key. A group is claimed whole, by its first delivery,
// and counts as its size in a batch (of 7 here).
func TestKeyedCallsAreKeptAndMadeAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		k := e.useKeyer(3)
		u := newUser(t, db, 1)
		for i := range 8 {
			tok := fmt.Sprint("a", i)
			e.bind(u, tok, "android")
			k.answers[tok] = []push.Result{{Outcome: push.Retry, Detail: "timeout"}, {}}
		}
		p := e.send(notify.NewPush{Everyone: true})
		if n := e.deliver(e.s); n != 8 {
			t.Fatalf("%d deliveries tried, want 8", n)
		}
		first := e.keyed(p)
		groups := map[string]string{}
		for tok, kg := range first {
			if kg[0] == "" || kg[1] == "" {
				t.Fatalf("%s: no key or group after a call with no answer: %v", tok, kg)
			}
			if g, ok := groups[kg[0]]; ok && g != kg[1] {
				t.Fatalf("key %s in groups %s and %s", kg[0], g, kg[1])
			}
			groups[kg[0]] = kg[1]
		}
		if len(groups) != 4 { // 3 + 3 + 1 in the first batch, 1 in the second
			t.Fatalf("keys %v", groups)
		}
		// A member of a group is not claimed by itself.
		leader := first["a0"][1]
		if _, err := db.Exec(context.Background(), "UPDATE push_deliveries SET next_at = ? WHERE push_id = ? AND client_id = ?",
			e.clock.Now().Add(time.Hour).UnixMilli(), p.ID, leader); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(10 * time.Second)
		e.deliver(e.s)
		for tok, kg := range first {
			d := e.states(p)[tok]
			if kg[1] == leader && d.State != notify.DeliveryDue {
				t.Fatalf("%s of the held group: %+v", tok, d)
			}
			if kg[1] != leader && d.State != notify.DeliveryDelivered {
				t.Fatalf("%s: %+v", tok, d)
			}
		}
		e.clock.Advance(time.Hour)
		e.deliver(e.s)
		calls := k.check(t)
		for key, c := range calls {
			if len(c) != 2 || c[0] != c[1] {
				t.Errorf("key %s: calls %q, want the same call twice", key, c)
			}
		}
		for tok, d := range e.states(p) {
			if d.State != notify.DeliveryDelivered || d.Attempts != 2 || e.keyed(p)[tok] != first[tok] {
				t.Errorf("%s: %+v, key %v (was %v)", tok, d, e.keyed(p)[tok], first[tok])
			}
		}
	})
}

// A group whose deliveries settle differently (the vendor's answer per
// device): the ones due again keep the key, grouped by the first of them.
func TestKeyedGroupSplits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		k := e.useKeyer(3)
		u := newUser(t, db, 1)
		for _, tok := range []string{"b0", "b1", "b2"} {
			e.bind(u, tok, "android")
		}
		k.answers["b1"] = []push.Result{{Outcome: push.Retry}, {}}
		k.answers["b2"] = []push.Result{{Outcome: push.Retry}, {}}
		p := e.send(notify.NewPush{Everyone: true})
		e.deliver(e.s)
		kg := e.keyed(p)
		if kg["b0"][1] != "b0" || kg["b1"] != [2]string{kg["b0"][0], "b1"} || kg["b2"] != kg["b1"] {
			t.Fatalf("after the split: %v", kg)
		}
		e.clock.Advance(10 * time.Second)
		e.deliver(e.s)
		if c := k.check(t)[kg["b0"][0]]; len(c) != 2 || c[0] != "b0 b1 b2" || c[1] != "b1 b2" {
			t.Fatalf("calls %q", c)
		}
		for tok, d := range e.states(p) {
			if d.State != notify.DeliveryDelivered {
				t.Errorf("%s: %+v", tok, d)
			}
		}
	})
}

// When the vendor gives no key, nothing is sent: the batch gets Key's
// answer.
func TestKeyRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		k := e.useKeyer(3)
		e.bind(newUser(t, db, 1), "c0", "android")
		k.refuse = &push.Result{Outcome: push.Rejected, Detail: "cid pool: 401 1004 Authen failed"}
		p := e.send(notify.NewPush{Everyone: true})
		e.deliver(e.s)
		if d := e.states(p)["c0"]; d.State != notify.DeliveryFailed || d.Detail != k.refuse.Detail {
			t.Fatalf("%+v", d)
		}
		if len(k.check(t)) != 0 || e.keyed(p)["c0"][0] != "" {
			t.Fatal("sent or keyed without a key")
		}
	})
}

// When Key gives no key to some messages (the cid pool failed), those get
// its answer, and the ones that kept their keys are sent. A key written
// for a delivery that was not sent under it (here behind the claim's back,
// as when keepKeys's commit landed but was reported failed) goes with the
// record.
func TestKeyRefusedForSome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		k := e.useKeyer(3)
		u := newUser(t, db, 1)
		e.bind(u, "k0", "android")
		k.answers["k0"] = []push.Result{{Outcome: push.Retry}, {}}
		p := e.send(notify.NewPush{Everyone: true})
		e.deliver(e.s) // keyed, and due again
		key := e.keyed(p)["k0"][0]
		e.bind(u, "k1", "android")
		q := e.send(notify.NewPush{Everyone: true, Title: "second"})
		e.clock.Advance(10 * time.Second)
		k.refuse = &push.Result{Outcome: push.Retry, Detail: "cid pool: 503"}
		k.beforeKey = func() {
			// After the claim, k1's delivery gets a stray key, as if
			// written by a commit whose answer was lost.
			if _, err := db.Exec(context.Background(), "UPDATE push_deliveries SET send_key = 'stray' WHERE push_id = ?", q.ID); err != nil {
				t.Error(err)
			}
		}
		e.deliver(e.s)
		if d := e.states(p)["k0"]; d.State != notify.DeliveryDelivered {
			t.Fatalf("the kept key's delivery: %+v", d)
		}
		if d := e.states(q)["k1"]; d.State != notify.DeliveryDue || d.Detail != "cid pool: 503" || e.keyed(q)["k1"][0] != "" {
			t.Fatalf("the refused one: %+v, key %v", d, e.keyed(q)["k1"])
		}
		if c := k.check(t); len(c[key]) != 2 || len(c) != 1 {
			t.Fatalf("calls %v", c)
		}
	})
}

// The keys kept for a claim whose lease another worker took meanwhile are
// not kept: nothing is sent, and the record leaves the deliveries as the
// claim knew them (no key).
func TestKeysOfALostClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		k := e.useKeyer(3)
		u := newUser(t, db, 1)
		e.bind(u, "l0", "android")
		e.bind(u, "l1", "android")
		p := e.send(notify.NewPush{Everyone: true})
		k.beforeKey = func() {
			// Another worker's claim of l1 (a later lease).
			if _, err := db.Exec(context.Background(), "UPDATE push_deliveries SET next_at = next_at + 1 WHERE client_id = 'l1'"); err != nil {
				t.Error(err)
			}
		}
		e.deliver(e.s)
		if c := k.check(t); len(c) != 0 {
			t.Fatalf("sent: %v", c)
		}
		for tok, kg := range e.keyed(p) {
			if kg[0] != "" {
				t.Errorf("%s keyed %v after a lost claim", tok, kg)
			}
		}
		if d := e.states(p)["l0"]; d.State != notify.DeliveryDue || !strings.Contains(d.Detail, "lease ended") {
			t.Fatalf("l0: %+v", d)
		}
	})
}
