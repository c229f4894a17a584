// Package cachesync keeps the in-memory caches of the cores exact when
// several plaza nodes share one database. A core that changes what a cache
// holds calls Changed once its transaction has committed: the change is
// applied to this node's cache at once and published on the realtime bus
// (topic "plaza.cache"), and every other node applies it when it hears it.
//
// A node that may have missed a message (its link to the bus was lost, or
// its subscription fell behind) drops every cache, and while the link is
// down its caches are not used at all (Usable is false): reads go to the
// store until the link is back. So a lost message never leaves a stale
// answer; a message in flight leaves one on the other nodes for as long
// as it takes to arrive (docs/compat.md states the bound). A change this
// node could not publish (the bus refused it for a while) is owed: the
// node tells every other to drop everything, and keeps trying until the
// bus takes it, before it publishes anything after.
package cachesync

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"plaza/internal/realtime"
)

// Topic is the bus topic of the invalidations.
const Topic = "plaza.cache"

// Cache is a cache kept in step: Apply makes a change that a node
// published (the data its core gave Changed, on this node or another);
// DropAll empties the cache and refuses the fills under way (a fill read
// from the store before DropAll returns is not kept).
type Cache interface {
	Apply(data string)
	DropAll()
}

// Sync carries the changes of the caches of this node to every node. A
// nil *Sync is one node alone: Changed applies the change here only, and
// the caches are always usable.
type Sync struct {
	bus realtime.Bus
	log *slog.Logger

	mu     sync.RWMutex
	caches map[string]Cache

	seen atomic.Uint64 // the bus's losses when every cache was last dropped

	out   chan string   // messages to publish, in order
	lost  atomic.Bool   // out overflowed: publish a drop of everything
	retry time.Duration // the first wait after a failed publish (it doubles)
	sub   *realtime.Subscription
	stop  context.CancelFunc
	done  sync.WaitGroup
}

// queued is how many changes wait to be published at most; past that
// the other nodes are told to drop everything instead.
const queued = 4096

// New subscribes to the bus's invalidations and publishes this node's.
func New(bus realtime.Bus, log *slog.Logger) (*Sync, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sub, err := bus.Subscribe(Topic, 16384)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Sync{bus: bus, log: log, caches: map[string]Cache{}, out: make(chan string, queued), sub: sub, stop: stop,
		retry: 50 * time.Millisecond}
	_, losses := bus.Link()
	s.seen.Store(losses)
	s.done.Add(2)
	go s.receive()
	go s.publish(ctx)
	return s, nil
}

// Register adds a cache under a name (letters, digits, -): what Changed
// names. Register every cache while wiring the server, before it serves.
func (s *Sync) Register(name string, c Cache) {
	if s == nil {
		return
	}
	if name == "" || strings.ContainsAny(name, " *") {
		panic("cachesync: bad cache name " + name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.caches[name]; dup {
		panic("cachesync: cache " + name + " registered twice")
	}
	s.caches[name] = c
}

// Usable tells whether the caches may be read and filled: the bus hears
// every node, and every cache was dropped since its last loss. Check it
// before reading a cache and again before keeping a fill.
func (s *Sync) Usable() bool {
	if s == nil {
		return true
	}
	up, losses := s.bus.Link()
	return up && losses == s.seen.Load()
}

// Changed applies a change to the named cache of this node, then has
// every other node apply it. Call it after the change has committed.
// data is the cache's own (at most realtime.MaxPayload minus the name).
func (s *Sync) Changed(c Cache, name, data string) {
	c.Apply(data)
	if s == nil {
		return
	}
	msg := name + " " + data
	if len(msg) > realtime.MaxPayload {
		msg = name + " *" // too big to tell: drop it all
	}
	select {
	case s.out <- msg:
	default:
		s.lost.Store(true)
	}
}

// receive applies what the nodes publish, and drops every cache on a gap.
func (s *Sync) receive() {
	defer s.done.Done()
	for m := range s.sub.C {
		if m.Gap {
			_, losses := s.bus.Link() // read first: a loss after it waits for its own gap
			s.dropAll()
			s.seen.Store(losses)
			continue
		}
		name, data, _ := strings.Cut(string(m.Data), " ")
		if name == "*" {
			s.dropAll()
			continue
		}
		s.mu.RLock()
		c := s.caches[name]
		s.mu.RUnlock()
		switch {
		case c == nil:
			s.log.Warn("cachesync: a change of an unknown cache", "cache", name)
		case data == "*":
			c.DropAll()
		default:
			c.Apply(data)
		}
	}
}

func (s *Sync) dropAll() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.caches {
		c.DropAll()
	}
}

// publish sends the queued changes in order, retrying a failed send for a
// while (the other nodes stay stale meanwhile: the bound in the docs). A
// change it gave up on, or that found the queue full, is owed: a drop of
// everything, tried until the bus takes it, before any later change.
func (s *Sync) publish(ctx context.Context) {
	defer s.done.Done()
	send := func(msg string) bool { // false: given up
		wait := s.retry
		for try := 0; ; try++ {
			err := s.bus.Publish(ctx, Topic, []byte(msg))
			if err == nil || ctx.Err() != nil {
				return err == nil
			}
			if try == 8 {
				s.log.Error("cachesync: could not publish a cache change; the other nodes will be told to drop every cache once the bus takes it", "err", err)
				return false
			}
			select {
			case <-ctx.Done():
				return false
			case <-time.After(wait):
			}
			wait *= 2
		}
	}
	owed := false
	for ctx.Err() == nil {
		if s.lost.Swap(false) {
			owed = true
		}
		if owed {
			owed = !send("* lost")
			continue
		}
		select {
		case <-ctx.Done():
			return
		case msg := <-s.out:
			owed = !send(msg)
		}
	}
}

// Close stops publishing and receiving (what is queued is not sent).
func (s *Sync) Close() {
	if s == nil {
		return
	}
	s.stop()
	s.sub.Close()
	s.done.Wait()
}

// IDs is the data of a change of the entries of some ids: "7,9".
func IDs(ids ...int64) string {
	b := make([]byte, 0, 12*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// ParseIDs reads the data IDs made; what is not an id is skipped.
func ParseIDs(data string) []int64 {
	var out []int64
	for _, f := range strings.Split(data, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// Table is what ByID and Whole adapt: a memo.Table.
type Table interface {
	Invalidate(...int64)
	DropAll()
}

// ByID is a Cache of a table of values by id (a memo.Table[int64, V]): a
// change's data is the ids whose values it drops (IDs).
func ByID(t Table) Cache { return byID{t} }

type byID struct{ t Table }

func (b byID) Apply(data string) { b.t.Invalidate(ParseIDs(data)...) }
func (b byID) DropAll()          { b.t.DropAll() }

// Whole is a Cache that every change drops whole (a table of one value,
// a generation).
func Whole(t interface{ DropAll() }) Cache { return whole{t} }

type whole struct{ t interface{ DropAll() } }

func (w whole) Apply(string) { w.t.DropAll() }
func (w whole) DropAll()     { w.t.DropAll() }
