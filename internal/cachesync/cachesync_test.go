package cachesync_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/cachesync"
	"plaza/internal/realtime"
)

// hubBus is a bus of several "nodes" in one process whose link the test
// drops and restores.
type hubBus struct{ hub *realtime.Hub }

func (b hubBus) Publish(_ context.Context, topic string, data []byte) error {
	b.hub.Deliver(topic, data)
	return nil
}
func (b hubBus) Subscribe(topic string, buffer int) (*realtime.Subscription, error) {
	return b.hub.Add(topic, buffer)
}
func (b hubBus) Close() error         { b.hub.Close(); return nil }
func (b hubBus) Link() (bool, uint64) { return b.hub.Link() }
func (b hubBus) String() string       { return "hub" }
func newBus(t *testing.T) hubBus {
	b := hubBus{realtime.NewHub()}
	t.Cleanup(func() { b.Close() })
	return b
}
func newSync(t *testing.T, b realtime.Bus) *cachesync.Sync {
	s, err := cachesync.New(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// fake records what it was told.
type fake struct {
	mu      sync.Mutex
	applied []string
	drops   int
}

func (f *fake) Apply(data string) { f.mu.Lock(); f.applied = append(f.applied, data); f.mu.Unlock() }
func (f *fake) DropAll()          { f.mu.Lock(); f.drops++; f.mu.Unlock() }
func (f *fake) state() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.applied...), f.drops
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestChangedReachesEveryNode(t *testing.T) {
	bus := newBus(t)
	a, b := newSync(t, bus), newSync(t, bus)
	ca, cb := &fake{}, &fake{}
	a.Register("users", ca)
	b.Register("users", cb)
	other := &fake{}
	b.Register("rooms", other)

	a.Changed(ca, "users", "7,9")
	// Applied on the writing node before Changed returns...
	if got, _ := ca.state(); len(got) == 0 || got[0] != "7,9" {
		t.Fatalf("node a applied %v", got)
	}
	// ...and on the other node once it hears it; no other cache is touched.
	eventually(t, "node b applies the change", func() bool { got, _ := cb.state(); return len(got) == 1 && got[0] == "7,9" })
	if got, drops := other.state(); len(got) != 0 || drops != 0 {
		t.Fatalf("another cache was told %v, %d drops", got, drops)
	}
	// A change too big for one message drops the whole cache elsewhere.
	a.Changed(ca, "users", strings.Repeat("1,", realtime.MaxPayload))
	eventually(t, "node b drops everything", func() bool { _, d := cb.state(); return d == 1 })

	// nil: one node alone, applied here only, always usable.
	var alone *cachesync.Sync
	c := &fake{}
	alone.Changed(c, "users", "1")
	if got, _ := c.state(); len(got) != 1 || !alone.Usable() {
		t.Fatalf("nil Sync: applied %v, usable %v", got, alone.Usable())
	}
}

// While the link is down the caches are not usable: from the moment it
// drops (before the gap is even read) until it is back and every cache
// was dropped.
func TestLostLinkMakesCachesUnusable(t *testing.T) {
	bus := newBus(t)
	s := newSync(t, bus)
	c := &fake{}
	s.Register("users", c)
	if !s.Usable() {
		t.Fatal("not usable at start")
	}
	bus.hub.Lost()
	if s.Usable() {
		t.Fatal("usable right after the link dropped")
	}
	eventually(t, "a drop on the loss", func() bool { _, d := c.state(); return d == 1 })
	if s.Usable() {
		t.Fatal("usable while the link is down")
	}
	bus.hub.Back()
	eventually(t, "usable once the link is back", s.Usable)
	eventually(t, "a drop on the return", func() bool { _, d := c.state(); return d == 2 })

	// A slow node that missed messages (its buffer overflowed) drops too.
	bus.hub.Gap()
	eventually(t, "a drop on a gap", func() bool { _, d := c.state(); return d == 3 })
}

func TestRegisterRefusesBadNames(t *testing.T) {
	s := newSync(t, newBus(t))
	s.Register("users", &fake{})
	for _, name := range []string{"", "a b", "*", "users"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			s.Register(name, &fake{})
		}()
	}
}

// failingBus refuses the next publishes it is told to.
type failingBus struct {
	hubBus
	fail atomic.Int32
}

func (b *failingBus) Publish(ctx context.Context, topic string, data []byte) error {
	if b.fail.Add(-1) >= 0 {
		return errors.New("bus unavailable")
	}
	return b.hubBus.Publish(ctx, topic, data)
}

// A change the bus kept refusing is owed: once the bus takes messages
// again, the other nodes are told to drop everything, before any later
// change reaches them.
func TestRefusedChangeIsOwed(t *testing.T) {
	hub := newBus(t)
	bus := &failingBus{hubBus: hub}
	a, b := newSync(t, bus), newSync(t, hub)
	cachesync.SetRetry(a, time.Millisecond)
	ca, cb := &fake{}, &fake{}
	a.Register("users", ca)
	b.Register("users", cb)
	bus.fail.Store(30) // more than the tries of one change (9), and of the owed drop's first round
	a.Changed(ca, "users", "7")
	a.Changed(ca, "users", "8")
	eventually(t, "node b drops everything, then hears the later change", func() bool {
		got, d := cb.state()
		return d == 1 && len(got) == 1 && got[0] == "8"
	})
	if got, _ := cb.state(); slices.Contains(got, "7") {
		t.Fatalf("node b heard the refused change: %v", got)
	}
	a.Changed(ca, "users", "9")
	eventually(t, "the next change", func() bool { got, _ := cb.state(); return len(got) == 2 && got[1] == "9" })
	if _, d := cb.state(); d != 1 {
		t.Fatalf("%d drops", d)
	}
}
