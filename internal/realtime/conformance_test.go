package realtime_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	neturl "net/url"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"plaza/internal/realtime"
)

// nodes are two buses of one deployment, as two plaza nodes would hold.
type nodes struct {
	a, b realtime.Bus
	// cut ends b's link to the shared service (nil: the bus has none).
	cut func(t *testing.T)
}

// The suite every bus passes: go test runs it against Local, and against
// PostgreSQL and Redis when PLAZA_TEST_DATABASE_URL and
// PLAZA_TEST_REDIS_URL are set.
func conformance(t *testing.T, mk func(t *testing.T) nodes) {
	t.Run("BothNodes", func(t *testing.T) {
		n := mk(t)
		topic := uniqueTopic()
		sa := subscribe(t, n.a, topic, 0)
		sb := subscribe(t, n.b, topic, 0)
		publish(t, n.a, topic, "from a")
		wantData(t, next(t, sa), topic, "from a")
		wantData(t, next(t, sb), topic, "from a")
		publish(t, n.b, topic, "from b")
		wantData(t, next(t, sa), topic, "from b")
		wantData(t, next(t, sb), topic, "from b")
	})
	t.Run("OrderPerPublisher", func(t *testing.T) {
		n := mk(t)
		topic := uniqueTopic()
		sb := subscribe(t, n.b, topic, 0)
		for i := range 200 {
			publish(t, n.a, topic, fmt.Sprint(i))
		}
		for i := range 200 {
			wantData(t, next(t, sb), topic, fmt.Sprint(i))
		}
	})
	t.Run("TopicsIsolated", func(t *testing.T) {
		n := mk(t)
		t1, t2 := uniqueTopic(), uniqueTopic()
		s1 := subscribe(t, n.b, t1, 0)
		s2 := subscribe(t, n.b, t2, 0)
		publish(t, n.a, t1, "one")
		publish(t, n.a, t2, "two")
		wantData(t, next(t, s2), t2, "two") // and not "one" first
		wantData(t, next(t, s1), t1, "one")
		publish(t, n.a, t1, "one again")
		wantData(t, next(t, s1), t1, "one again") // and not "two"
	})
	t.Run("Payload", func(t *testing.T) {
		n := mk(t)
		topic := uniqueTopic()
		ctx := context.Background()
		if err := n.a.Publish(ctx, topic, make([]byte, realtime.MaxPayload+1)); err == nil {
			t.Fatal("oversized message accepted")
		}
		if err := n.a.Publish(ctx, "bad topic", nil); err == nil {
			t.Fatal("bad topic accepted")
		}
		if _, err := n.b.Subscribe("bad topic", 0); err == nil {
			t.Fatal("subscription to a bad topic accepted")
		}
		sb := subscribe(t, n.b, topic, 0)
		big := make([]byte, realtime.MaxPayload)
		_, _ = rand.Read(big)
		big[0], big[1] = 0, ' ' // any bytes, NUL and the framing's space included
		if err := n.a.Publish(ctx, topic, big); err != nil {
			t.Fatalf("largest message: %v", err)
		}
		if err := n.a.Publish(ctx, topic, nil); err != nil {
			t.Fatalf("empty message: %v", err)
		}
		if m := next(t, sb); m.Gap || !bytes.Equal(m.Data, big) {
			t.Fatalf("largest message came back as %d bytes (gap %v)", len(m.Data), m.Gap)
		}
		if m := next(t, sb); m.Gap || len(m.Data) != 0 {
			t.Fatalf("empty message came back as %+v", m)
		}
	})
	t.Run("SlowSubscriber", func(t *testing.T) {
		n := mk(t)
		topic := uniqueTopic()
		slow := subscribe(t, n.b, topic, 2)
		fast := subscribe(t, n.b, topic, 100)
		for i := range 10 {
			publish(t, n.a, topic, fmt.Sprint(i))
		}
		for i := range 10 {
			wantData(t, next(t, fast), topic, fmt.Sprint(i))
		}
		wantData(t, next(t, slow), topic, "0")
		wantData(t, next(t, slow), topic, "1")
		publish(t, n.a, topic, "last")
		// The slow one missed some of 2..9: a gap, then perhaps the last
		// of them that fitted, then "last".
		m := next(t, slow)
		if !m.Gap {
			t.Fatalf("slow subscriber: want a gap, got %q", m.Data)
		}
		for {
			m = next(t, slow)
			if m.Gap {
				t.Fatal("two gaps in a row")
			}
			if string(m.Data) == "last" {
				break
			}
		}
		wantData(t, next(t, fast), topic, "last")
	})
	t.Run("LostLink", func(t *testing.T) {
		n := mk(t)
		if n.cut == nil {
			t.Skip("one process: no link to lose")
		}
		topic := uniqueTopic()
		sb := subscribe(t, n.b, topic, 0)
		publish(t, n.a, topic, "before")
		wantData(t, next(t, sb), topic, "before")
		up, losses := n.b.Link()
		if !up {
			t.Fatal("the link is down before the cut")
		}
		n.cut(t)
		// A gap when the link drops, another once it is back (what was
		// published meanwhile is lost), then delivery again. The link's
		// state has changed before each gap arrives.
		if m := next(t, sb); !m.Gap {
			t.Fatalf("want a gap when the link drops, got %q", m.Data)
		}
		if _, now := n.b.Link(); now != losses+1 {
			t.Fatalf("losses after the cut = %d, want %d", now, losses+1)
		}
		stop := make(chan struct{})
		var sent atomic.Int64
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				if n.a.Publish(context.Background(), topic, []byte(fmt.Sprint("after ", i))) == nil {
					sent.Add(1)
				}
			}
		}()
		defer close(stop)
		gaps := 1
		for {
			m := next(t, sb)
			if m.Gap {
				gaps++
				continue
			}
			if gaps < 2 {
				t.Fatalf("delivery resumed (%q) without a gap after the link came back", m.Data)
			}
			if up, now := n.b.Link(); !up || now != losses+1 {
				t.Fatalf("link after it came back: up %v, losses %d; want up, %d", up, now, losses+1)
			}
			break
		}
		// And the link is cut again, this time with Close right after:
		// Close must not wait for the reconnection.
		n.cut(t)
	})
	t.Run("Close", func(t *testing.T) {
		n := mk(t)
		topic := uniqueTopic()
		sb := subscribe(t, n.b, topic, 0)
		if err := n.b.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case _, ok := <-sb.C:
			if ok {
				t.Fatal("a message after Close")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("subscription still open after Close")
		}
		if _, err := n.b.Subscribe(topic, 0); err == nil {
			t.Fatal("Subscribe after Close")
		}
		if err := n.b.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if up, _ := n.b.Link(); up != (n.a == n.b) { // a bus within the process is always up
			t.Fatalf("link up after Close: %v", up)
		}
		if n.a != n.b {
			if err := n.b.Publish(context.Background(), topic, []byte("x")); err == nil {
				t.Fatal("Publish after Close")
			}
			sa := subscribe(t, n.a, topic, 0)
			publish(t, n.a, topic, "still here")
			wantData(t, next(t, sa), topic, "still here")
		}
	})
}

func TestConformanceLocal(t *testing.T) {
	conformance(t, func(t *testing.T) nodes {
		b := realtime.NewLocal()
		t.Cleanup(func() { b.Close() })
		return nodes{a: b, b: b}
	})
}

func TestConformancePostgres(t *testing.T) {
	url := os.Getenv("PLAZA_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("PLAZA_TEST_DATABASE_URL not set")
	}
	conformance(t, func(t *testing.T) nodes {
		ctx := context.Background()
		a, err := realtime.NewPostgres(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		b, err := realtime.NewPostgres(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		cut := func(t *testing.T) {
			pid := realtime.ListenPID(b)
			if pid == 0 {
				t.Fatal("no listening connection")
			}
			terminate(t, url, pid)
		}
		return nodes{a: a, b: b, cut: cut}
	})
}

func TestConformanceRedis(t *testing.T) {
	url := os.Getenv("PLAZA_TEST_REDIS_URL")
	if url == "" {
		t.Skip("PLAZA_TEST_REDIS_URL not set")
	}
	conformance(t, func(t *testing.T) nodes {
		ctx := context.Background()
		prefix := "plaza-test:" + runID + ":"
		node := func(name string) (*redis.Client, *realtime.Redis) {
			opt, err := redis.ParseURL(url)
			if err != nil {
				t.Fatal(err)
			}
			opt.ClientName = name
			c := redis.NewClient(opt)
			b, err := realtime.NewRedis(c, prefix, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				b.Close()
				c.Close()
			})
			return c, b
		}
		_, a := node("plaza-rt-test-a-" + runID)
		bName := fmt.Sprintf("plaza-rt-test-b-%s-%d", runID, topicSeq.Add(1))
		bc, b := node(bName)
		cut := func(t *testing.T) {
			// CLIENT KILL TYPE pubsub would cut every test's: find b's own.
			list, err := bc.Do(ctx, "CLIENT", "LIST", "TYPE", "pubsub").Text()
			if err != nil {
				t.Fatal(err)
			}
			killed := 0
			for _, line := range strings.Split(list, "\n") {
				var id string
				named := false
				for _, kv := range strings.Fields(line) {
					k, v, _ := strings.Cut(kv, "=")
					switch {
					case k == "id":
						id = v
					case k == "name" && v == bName:
						named = true
					}
				}
				if named {
					if err := bc.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
						t.Fatal(err)
					}
					killed++
				}
			}
			if killed == 0 {
				t.Fatal("no pub/sub connection of node b")
			}
		}
		return nodes{a: a, b: b, cut: cut}
	})
}

var topicSeq atomic.Int64

// uniqueTopic is a topic of this run only: test packages sharing the
// database or Redis do not hear each other.
func uniqueTopic() string {
	return fmt.Sprintf("test.%s.%d", runID, topicSeq.Add(1))
}

var runID = func() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}()

func subscribe(t *testing.T, b realtime.Bus, topic string, buffer int) *realtime.Subscription {
	t.Helper()
	s, err := b.Subscribe(topic, buffer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func publish(t *testing.T, b realtime.Bus, topic, data string) {
	t.Helper()
	if err := b.Publish(context.Background(), topic, []byte(data)); err != nil {
		t.Fatal(err)
	}
}

// next is the subscription's next message, which must come within 10s.
func next(t *testing.T, s *realtime.Subscription) realtime.Message {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived within 10s")
	}
	return realtime.Message{}
}

func wantData(t *testing.T, m realtime.Message, topic, data string) {
	t.Helper()
	if m.Gap || m.Topic != topic || string(m.Data) != data {
		t.Fatalf("got %+v (%q), want %q on %s", m, m.Data, data, topic)
	}
}

// TestCloseLeavesNoGoroutine: a bus whose link was cut and that is closed
// while it reconnects leaves nothing running.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	pg, rd := os.Getenv("PLAZA_TEST_DATABASE_URL"), os.Getenv("PLAZA_TEST_REDIS_URL")
	if pg == "" && rd == "" {
		t.Skip("neither PLAZA_TEST_DATABASE_URL nor PLAZA_TEST_REDIS_URL set")
	}
	ctx := context.Background()
	before := runtime.NumGoroutine()
	for range 3 {
		if pg != "" {
			b, err := realtime.NewPostgres(ctx, pg, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := subscribe(t, b, uniqueTopic(), 0)
			publish(t, b, s.Topic(), "x")
			next(t, s)
			terminate(t, pg, realtime.ListenPID(b))
			b.Close()
		}
		if rd != "" {
			opt, err := redis.ParseURL(rd)
			if err != nil {
				t.Fatal(err)
			}
			c := redis.NewClient(opt)
			b, err := realtime.NewRedis(c, "plaza-test:"+runID+":", nil)
			if err != nil {
				t.Fatal(err)
			}
			s := subscribe(t, b, uniqueTopic(), 0)
			publish(t, b, s.Topic(), "x")
			next(t, s)
			b.Close()
			c.Close()
		}
	}
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// terminate ends the PostgreSQL server process pid.
func terminate(t *testing.T, url string, pid uint32) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var ok bool
	if err := pool.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int64(pid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate %d: %v %v", pid, ok, err)
	}
}

// TestPostgresSchemasApart: plazas in schemas of their own in one database
// (as the tests run) do not hear each other.
func TestPostgresSchemasApart(t *testing.T) {
	base := os.Getenv("PLAZA_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("PLAZA_TEST_DATABASE_URL not set")
	}
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var buses []realtime.Bus
	id := uniqueTopic()[len("test."):]
	id = strings.ReplaceAll(id, ".", "_")
	for _, s := range []string{"rt_a_" + id, "rt_b_" + id} {
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+s); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(context.Background(), "DROP SCHEMA "+s) })
		u, err := neturl.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", s)
		u.RawQuery = q.Encode()
		b, err := realtime.NewPostgres(ctx, u.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		buses = append(buses, b)
	}
	topic := uniqueTopic()
	sa := subscribe(t, buses[0], topic, 0)
	sb := subscribe(t, buses[1], topic, 0)
	publish(t, buses[0], topic, "to a")
	publish(t, buses[1], topic, "to b")
	wantData(t, next(t, sa), topic, "to a")
	wantData(t, next(t, sb), topic, "to b") // and not "to a" first
}
