package realtime

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"plaza/internal/errs"
)

// PostgresChannel is the one NOTIFY channel of every plaza node. All topics
// share it: each node LISTENs once, at start, so a Subscribe is in effect
// the moment it returns (a LISTEN per topic would race with the first
// messages and cost a round trip per first subscriber), and every node
// filters what it hears by topic. This suits plaza's traffic.
//
// NOTIFY reaches every session of the database, whatever its schema: a
// plaza whose tables are in another schema than public (its search_path)
// uses PostgresChannel + "." + that schema, so plazas sharing a database
// in schemas of their own (the tests do) do not hear each other.
const PostgresChannel = "plaza_realtime"

// Health checks and reconnection of the cross-node buses.
const (
	healthEvery  = 30 * time.Second // a quiet link is checked this often
	healthWait   = 5 * time.Second  // and is lost when the check takes longer
	backoffFirst = 100 * time.Millisecond
	backoffMax   = 10 * time.Second
)

// Postgres is the bus of the nodes of one PostgreSQL database: LISTEN on
// one dedicated connection, pg_notify through a small pool of others. A
// message reaches this node's subscribers too by way of the database, so
// every node sees one order.
//
// A NOTIFY payload is text under 8000 bytes: a message travels as
// "<topic> <base64 of data>", which MaxPayload keeps under the limit.
type Postgres struct {
	cfg     *pgx.ConnConfig // of the listening connection
	channel string          // PostgresChannel, with the schema unless public
	log     *slog.Logger
	hub     *Hub
	pool    *pgxpool.Pool

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu   sync.Mutex
	conn *pgx.Conn // the listening connection, nil while reconnecting
}

// NewPostgres connects to the database at url and listens; it fails when
// the database cannot be reached now. Later losses of the link are
// repaired in the background, each told to the subscribers as Gaps.
func NewPostgres(ctx context.Context, url string, log *slog.Logger) (*Postgres, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("realtime postgres: %w", err)
	}
	pc.MaxConns = 4
	pc.MinConns = 0
	cfg := pc.ConnConfig.Copy() // the URL without the pool's own parameters
	cfg.RuntimeParams["application_name"] = "plaza-realtime-listen"
	pc.ConnConfig.RuntimeParams["application_name"] = "plaza-realtime"
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("realtime postgres: %w", err)
	}
	p := &Postgres{cfg: cfg, log: log, hub: NewHub(), pool: pool, done: make(chan struct{})}
	var schema *string
	if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("realtime postgres: %w", err)
	}
	p.channel = pgChannel(schema)
	conn, err := p.listen(ctx)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("realtime postgres: %w", err)
	}
	p.conn = conn
	p.ctx, p.cancel = context.WithCancel(context.Background())
	go p.run(conn)
	return p, nil
}

// listen opens the dedicated connection and LISTENs on it.
func (p *Postgres) listen(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, p.cfg.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{p.channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// run receives on conn until it fails, then tells the subscribers, and
// reconnects with a capped backoff, until Close.
func (p *Postgres) run(conn *pgx.Conn) {
	defer close(p.done)
	for {
		err := p.receive(conn)
		conn.Close(context.Background())
		p.setConn(nil)
		if p.ctx.Err() != nil {
			return
		}
		p.log.Warn("realtime: lost the PostgreSQL listen connection; reconnecting", "err", err)
		p.hub.Lost()
		conn = p.reconnect()
		if conn == nil {
			return // closed
		}
		p.setConn(conn)
		p.log.Info("realtime: PostgreSQL listen connection back")
		// Whatever was published while the link was down is lost.
		p.hub.Back()
	}
}

func (p *Postgres) setConn(c *pgx.Conn) {
	p.mu.Lock()
	p.conn = c
	p.mu.Unlock()
}

// reconnect tries until it has a listening connection or the bus closes
// (then nil).
func (p *Postgres) reconnect() *pgx.Conn {
	wait := backoffFirst
	for {
		if !sleep(p.ctx, jitter(wait)) {
			return nil
		}
		conn, err := p.listen(p.ctx)
		if err == nil {
			return conn
		}
		if p.ctx.Err() != nil {
			return nil
		}
		p.log.Warn("realtime: PostgreSQL listen connection failed", "err", err, "retry_in", wait)
		wait = min(2*wait, backoffMax)
	}
}

// receive hands every notification to the hub until the connection fails
// (a quiet connection is checked every healthEvery) or the bus closes.
func (p *Postgres) receive(conn *pgx.Conn) error {
	for {
		wctx, cancel := context.WithTimeout(p.ctx, healthEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil {
			if p.ctx.Err() != nil {
				return p.ctx.Err()
			}
			if !errors.Is(err, context.DeadlineExceeded) && wctx.Err() == nil {
				return err
			}
			hctx, cancel := context.WithTimeout(p.ctx, healthWait)
			err = conn.Ping(hctx)
			cancel()
			if err != nil {
				return fmt.Errorf("health check: %w", err)
			}
			continue
		}
		if n.Channel != p.channel {
			continue
		}
		topic, data, err := decodePG(n.Payload)
		if err != nil {
			p.log.Warn("realtime: dropped a malformed notification", "err", err)
			continue
		}
		p.hub.Deliver(topic, data)
	}
}

// Publish sends data to every node's subscribers of topic.
func (p *Postgres) Publish(ctx context.Context, topic string, data []byte) error {
	if err := CheckPublish(topic, data); err != nil {
		return err
	}
	if p.ctx.Err() != nil {
		return errs.E(errs.Unavailable, "the realtime bus is closed")
	}
	if _, err := p.pool.Exec(ctx, "SELECT pg_notify($1, $2)", p.channel, encodePG(topic, data)); err != nil {
		return &errs.Error{Kind: errs.Unavailable, Msg: "the realtime bus is unreachable", Err: err}
	}
	return nil
}

// Subscribe subscribes to topic on every node.
func (p *Postgres) Subscribe(topic string, buffer int) (*Subscription, error) {
	return p.hub.Add(topic, buffer)
}

// Close ends every subscription and the bus's connections, and waits for
// its goroutine.
func (p *Postgres) Close() error {
	p.once.Do(func() {
		p.cancel()
		<-p.done
		p.hub.Close()
		p.pool.Close()
	})
	return nil
}

// String names the bus.
func (p *Postgres) String() string { return "postgres" }

// Link is down from a lost listen connection until it is back, and after
// Close.
func (p *Postgres) Link() (bool, uint64) { return p.hub.Link() }

// listenPID is the server process of the listening connection (0 while
// reconnecting): the tests end it to cut the link.
func (p *Postgres) listenPID() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		return 0
	}
	return p.conn.PgConn().PID()
}

// pgChannel is the channel of the plazas whose tables are in schema (nil:
// none exists): a channel name is at most 63 bytes, a longer one takes a
// hash of the schema.
func pgChannel(schema *string) string {
	if schema == nil || *schema == "public" {
		return PostgresChannel
	}
	ch := PostgresChannel + "." + *schema
	if len(ch) > 63 {
		sum := sha256.Sum256([]byte(*schema))
		ch = PostgresChannel + "." + hex.EncodeToString(sum[:16])
	}
	return ch
}

func encodePG(topic string, data []byte) string {
	return topic + " " + base64.StdEncoding.EncodeToString(data)
}

func decodePG(payload string) (string, []byte, error) {
	topic, enc, ok := strings.Cut(payload, " ")
	if !ok || CheckTopic(topic) != nil {
		return "", nil, errors.New("no topic")
	}
	data, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", nil, err
	}
	return topic, data, nil
}

// sleep waits d or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// jitter spreads reconnections of many nodes: d plus up to a quarter.
func jitter(d time.Duration) time.Duration {
	return d + rand.N(d/4+1)
}
