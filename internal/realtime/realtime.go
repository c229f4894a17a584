// Package realtime is plaza's one publish/subscribe seam: events that other
// nodes or connected clients must see (a room comment, a viewer count, a
// cache invalidation) are published on a topic and delivered to every
// subscriber of that topic on every node, this one included.
//
// Local delivers within the process (one node, the default). The
// cross-node buses (PostgreSQL LISTEN/NOTIFY, Redis pub/sub) deliver
// through the shared service and tell their subscribers, with a Gap
// message, whenever messages may have been missed: a subscriber that keeps
// a cache drops it on a Gap.
package realtime

import (
	"context"
	"sync"
	"sync/atomic"

	"plaza/internal/errs"
)

// MaxPayload is the largest message data in bytes, the same on every bus.
// PostgreSQL's NOTIFY takes under 8000 bytes of text, and the PostgreSQL
// bus sends data in base64 (4 bytes per 3) after the topic: 5000 bytes of
// data take 6668, with the topic at most 6733.
const MaxPayload = 5000

// MaxTopic is the longest topic name in bytes.
const MaxTopic = 64

// DefaultBuffer is the buffer of a subscription made with buffer 0.
const DefaultBuffer = 256

// Message is one delivery to a subscriber.
type Message struct {
	Topic string
	Data  []byte
	// Gap says that messages of this topic may have been missed before this
	// one (the subscriber's buffer was full, or the bus lost its link to
	// the other nodes); Data is then empty.
	Gap bool
}

// Bus publishes and subscribes.
type Bus interface {
	// Publish sends data to every subscriber of topic on every node. It
	// does not wait for them to read it.
	Publish(ctx context.Context, topic string, data []byte) error
	// Subscribe delivers every message published on topic from now on, in
	// the order published by each node, to the subscription's channel,
	// which holds up to buffer undelivered messages (0: DefaultBuffer).
	// When the channel is full a message is dropped for this subscriber
	// only, and the next one it receives is a Gap: a slow subscriber never
	// holds the others back.
	Subscribe(topic string, buffer int) (*Subscription, error)
	// Close ends every subscription (their channels close) and the bus's
	// links.
	Close() error
	// Link tells whether the bus hears every node now (up), and how many
	// times it has lost its link so far. losses grows, and up turns false,
	// before the Gap of a loss is offered to any subscriber; up turns true
	// before the Gap of the link's return. A cache kept exact by the
	// bus's messages is used only while up and while losses is what it
	// was when the cache last dropped everything (Gap): between the two,
	// messages may have been missed. A bus within one process is always
	// up, with no losses.
	Link() (up bool, losses uint64)
}

// CheckTopic refuses a topic name that is empty, too long, or has other
// than letters, digits and . _ : - in it.
func CheckTopic(topic string) error {
	if topic == "" || len(topic) > MaxTopic {
		return errs.Ef(errs.Invalid, "topic must be 1 to %d bytes", MaxTopic)
	}
	for i := 0; i < len(topic); i++ {
		c := topic[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return errs.Ef(errs.Invalid, "topic %q has a character other than letters, digits and . _ : -", topic)
		}
	}
	return nil
}

// CheckPublish checks a message before it is published.
func CheckPublish(topic string, data []byte) error {
	if err := CheckTopic(topic); err != nil {
		return err
	}
	if len(data) > MaxPayload {
		return errs.Ef(errs.Invalid, "message of %d bytes is over the %d-byte limit", len(data), MaxPayload)
	}
	return nil
}

// Subscription is one subscriber's stream of messages.
type Subscription struct {
	C     <-chan Message // closed when the subscription or the bus closes
	topic string
	c     chan Message
	hub   *Hub

	mu     sync.Mutex // guards gap and closed against delivery
	gap    bool
	closed bool
}

// Topic is the subscription's topic.
func (s *Subscription) Topic() string { return s.topic }

// Close ends the subscription; its channel closes. It is safe to call more
// than once.
func (s *Subscription) Close() { s.hub.remove(s) }

// offer delivers m without blocking; when the buffer is full it drops m
// and marks a gap, sent ahead of the next message that fits.
func (s *Subscription) offer(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.gap {
		select {
		case s.c <- Message{Topic: s.topic, Gap: true}:
			s.gap = false
		default:
			return
		}
	}
	if m.Gap {
		// A gap is one mark however many were missed.
		select {
		case s.c <- m:
		default:
			s.gap = true
		}
		return
	}
	select {
	case s.c <- m:
	default:
		s.gap = true
	}
}

func (s *Subscription) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.c)
	}
}

// Hub is the subscribers of one node, by topic: what every bus delivers
// to. A bus implementation hands each message it receives to Deliver, and
// a lost link to Gap.
type Hub struct {
	link atomic.Uint64 // losses << 1 | down: the bus's Link

	mu     sync.RWMutex
	topics map[string]map[*Subscription]struct{}
	closed bool
	// OnFirst and OnLast, when set, are called (under no lock of the hub's
	// subscribers) when a topic gets its first subscriber and loses its
	// last: a bus that subscribes per topic upstream uses them.
	OnFirst, OnLast func(topic string)
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{topics: map[string]map[*Subscription]struct{}{}} }

// Add subscribes to topic.
func (h *Hub) Add(topic string, buffer int) (*Subscription, error) {
	if err := CheckTopic(topic); err != nil {
		return nil, err
	}
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	c := make(chan Message, buffer)
	s := &Subscription{C: c, c: c, topic: topic, hub: h}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, errs.E(errs.Unavailable, "the realtime bus is closed")
	}
	subs := h.topics[topic]
	first := subs == nil
	if first {
		subs = map[*Subscription]struct{}{}
		h.topics[topic] = subs
	}
	subs[s] = struct{}{}
	h.mu.Unlock()
	if first && h.OnFirst != nil {
		h.OnFirst(topic)
	}
	return s, nil
}

func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	subs := h.topics[s.topic]
	_, ok := subs[s]
	last := false
	if ok {
		delete(subs, s)
		if len(subs) == 0 {
			delete(h.topics, s.topic)
			last = true
		}
	}
	h.mu.Unlock()
	s.close()
	if last && h.OnLast != nil {
		h.OnLast(s.topic)
	}
}

// Deliver hands a message to every subscriber of its topic on this node.
// Every subscriber gets the same data slice: none may change it.
func (h *Hub) Deliver(topic string, data []byte) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.topics[topic] {
		s.offer(Message{Topic: topic, Data: data})
	}
}

// Link is the link state the bus set with Lost and Back: up until the
// first Lost.
func (h *Hub) Link() (up bool, losses uint64) {
	v := h.link.Load()
	return v&1 == 0, v >> 1
}

// Lost records that the bus lost its link to the other nodes (Link turns
// down, one more loss), then tells every subscriber (Gap).
func (h *Hub) Lost() {
	for {
		v := h.link.Load()
		if h.link.CompareAndSwap(v, (v>>1+1)<<1|1) {
			break
		}
	}
	h.Gap()
}

// Back records that the link is back (Link turns up), then tells every
// subscriber that what was published meanwhile is lost (Gap).
func (h *Hub) Back() {
	for {
		v := h.link.Load()
		if h.link.CompareAndSwap(v, v&^1) {
			break
		}
	}
	h.Gap()
}

// Gap tells every subscriber of every topic that messages may have been
// missed.
func (h *Hub) Gap() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for topic, subs := range h.topics {
		for s := range subs {
			s.offer(Message{Topic: topic, Gap: true})
		}
	}
}

// Topics lists the topics with subscribers.
func (h *Hub) Topics() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]string, 0, len(h.topics))
	for t := range h.topics {
		out = append(out, t)
	}
	return out
}

// Close ends every subscription, and the link (down); Add fails
// afterwards.
func (h *Hub) Close() {
	for { // down for good: a closed bus hears nothing
		v := h.link.Load()
		if h.link.CompareAndSwap(v, v|1) {
			break
		}
	}
	h.mu.Lock()
	h.closed = true
	topics := h.topics
	h.topics = map[string]map[*Subscription]struct{}{}
	h.mu.Unlock()
	for _, subs := range topics {
		for s := range subs {
			s.close()
		}
	}
}

// Local is the bus of one process.
type Local struct{ hub *Hub }

// NewLocal returns an in-process bus.
func NewLocal() *Local { return &Local{hub: NewHub()} }

// Publish delivers to this process's subscribers.
func (l *Local) Publish(ctx context.Context, topic string, data []byte) error {
	if err := CheckPublish(topic, data); err != nil {
		return err
	}
	l.hub.Deliver(topic, data)
	return nil
}

// Subscribe subscribes to topic.
func (l *Local) Subscribe(topic string, buffer int) (*Subscription, error) {
	return l.hub.Add(topic, buffer)
}

// Close ends every subscription.
func (l *Local) Close() error {
	l.hub.Close()
	return nil
}

// Link is always up: there is no other node to lose.
func (l *Local) Link() (bool, uint64) { return true, 0 }

// String names the bus.
func (l *Local) String() string { return "local" }
