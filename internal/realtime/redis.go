package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"plaza/internal/errs"
)

// Redis is the bus of the nodes sharing one Redis: one pub/sub channel,
// prefix+"realtime", for every topic (as on PostgreSQL: a Subscribe is in
// effect when it returns, and every node filters by topic). A message
// travels as "<topic> <data>", data as is.
//
// go-redis repairs a pub/sub connection by itself and says nothing; this
// bus instead drops the PubSub on any error or failed health check (a
// PING every healthEvery on a quiet link), tells the subscribers with a
// Gap, subscribes anew with a capped backoff and, once Redis confirms,
// sends another Gap. A "subscribe" confirmation that arrives unasked (a
// silent reconnection inside go-redis) is a Gap too.
type Redis struct {
	client  *redis.Client
	channel string
	log     *slog.Logger
	hub     *Hub

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu     sync.Mutex
	ps     *redis.PubSub
	closed bool
}

// NewRedis subscribes through client (which the caller keeps and closes
// after the bus); it fails when Redis does not confirm within 10s. Keys
// and channels are under prefix.
func NewRedis(client *redis.Client, prefix string, log *slog.Logger) (*Redis, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Redis{client: client, channel: prefix + "realtime", log: log, hub: NewHub(), done: make(chan struct{})}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	ps, err := r.subscribe()
	if err != nil {
		r.cancel()
		return nil, fmt.Errorf("realtime redis: %w", err)
	}
	r.ps = ps
	go r.run(ps)
	return r, nil
}

// subscribe makes a PubSub of the channel and waits for Redis's
// confirmation.
func (r *Redis) subscribe() (*redis.PubSub, error) {
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	ps := r.client.Subscribe(ctx, r.channel)
	for {
		m, err := ps.ReceiveTimeout(ctx, healthWait)
		if err != nil {
			ps.Close()
			return nil, err
		}
		if s, ok := m.(*redis.Subscription); ok && s.Kind == "subscribe" && s.Channel == r.channel {
			return ps, nil
		}
	}
}

// run receives on ps until the link fails, then tells the subscribers and
// subscribes anew, until Close.
func (r *Redis) run(ps *redis.PubSub) {
	defer close(r.done)
	pinged := false
	for {
		m, err := ps.ReceiveTimeout(r.ctx, healthEvery)
		if r.ctx.Err() != nil {
			ps.Close()
			return
		}
		if err != nil {
			if timeout(err) && !pinged {
				if err = ps.Ping(r.ctx); err == nil {
					pinged = true
					continue
				}
			}
			if timeout(err) {
				err = errors.New("no answer to a PING")
			}
			r.log.Warn("realtime: lost the Redis subscription; subscribing again", "err", err)
			r.hub.Lost()
			ps.Close()
			if ps = r.resubscribe(); ps == nil {
				return // closed
			}
			r.log.Info("realtime: Redis subscription back")
			r.hub.Back() // whatever was published meanwhile is lost
			pinged = false
			continue
		}
		switch m := m.(type) {
		case *redis.Message:
			if m.Channel != r.channel {
				continue
			}
			topic, data, ok := strings.Cut(m.Payload, " ")
			if !ok || CheckTopic(topic) != nil {
				r.log.Warn("realtime: dropped a malformed message")
				continue
			}
			r.hub.Deliver(topic, []byte(data))
		case *redis.Pong:
			pinged = false
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				// go-redis reconnected by itself: the link was down.
				r.log.Warn("realtime: the Redis subscription was renewed underneath")
				r.hub.Lost() // it was down, for an unknown while
				r.hub.Back()
			}
		}
	}
}

// resubscribe tries until it has a confirmed PubSub or the bus closes
// (then nil).
func (r *Redis) resubscribe() *redis.PubSub {
	wait := backoffFirst
	for {
		if !sleep(r.ctx, jitter(wait)) {
			return nil
		}
		ps, err := r.subscribe()
		if err == nil {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.closed {
				ps.Close()
				return nil
			}
			r.ps = ps
			return ps
		}
		if r.ctx.Err() != nil {
			return nil
		}
		r.log.Warn("realtime: Redis subscription failed", "err", err, "retry_in", wait)
		wait = min(2*wait, backoffMax)
	}
}

// Publish sends data to every node's subscribers of topic.
func (r *Redis) Publish(ctx context.Context, topic string, data []byte) error {
	if err := CheckPublish(topic, data); err != nil {
		return err
	}
	if r.ctx.Err() != nil {
		return errs.E(errs.Unavailable, "the realtime bus is closed")
	}
	frame := make([]byte, 0, len(topic)+1+len(data))
	frame = append(append(append(frame, topic...), ' '), data...)
	if err := r.client.Publish(ctx, r.channel, frame).Err(); err != nil {
		return &errs.Error{Kind: errs.Unavailable, Msg: "the realtime bus is unreachable", Err: err}
	}
	return nil
}

// Subscribe subscribes to topic on every node.
func (r *Redis) Subscribe(topic string, buffer int) (*Subscription, error) {
	return r.hub.Add(topic, buffer)
}

// Close ends every subscription and the bus's subscription in Redis, and
// waits for its goroutine; the client stays open.
func (r *Redis) Close() error {
	r.once.Do(func() {
		r.cancel()
		r.mu.Lock()
		r.closed = true
		ps := r.ps
		r.mu.Unlock()
		ps.Close() // ends a waiting receive
		<-r.done
		r.hub.Close()
	})
	return nil
}

// String names the bus.
func (r *Redis) String() string { return "redis" }

// Link is down from a lost subscription until it is back, and after
// Close.
func (r *Redis) Link() (bool, uint64) { return r.hub.Link() }

func timeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
