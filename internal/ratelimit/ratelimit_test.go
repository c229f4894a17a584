package ratelimit_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"plaza/internal/clock"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

func TestDBWindowStartsAtFirstHit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		l := ratelimit.NewDB(db, c)
		hit := func() ratelimit.Result {
			t.Helper()
			r, err := l.Hit(ctx, "k", 2, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if n, err := l.Count(ctx, "k"); n != 0 || err != nil {
			t.Fatalf("count before any hit: %d %v", n, err)
		}
		if r := hit(); !r.Allowed || r.Count != 1 || r.RetryAfter != time.Minute {
			t.Fatalf("first: %+v", r)
		}
		if n, _ := l.Count(ctx, "k"); n != 1 {
			t.Fatalf("count after a hit: %d", n)
		}
		if d, err := l.RetryAfter(ctx, "k"); d != time.Minute || err != nil {
			t.Fatalf("retry after a hit: %v %v", d, err)
		}
		if d, err := l.RetryAfter(ctx, "other"); d != 0 || err != nil {
			t.Fatalf("retry after of a key never hit: %v %v", d, err)
		}
		c.Advance(59 * time.Second)
		if d, _ := l.RetryAfter(ctx, "k"); d != time.Second {
			t.Fatalf("retry after 59 s: %v", d)
		}
		if r := hit(); !r.Allowed || r.Count != 2 {
			t.Fatalf("second: %+v", r)
		}
		if r := hit(); r.Allowed || r.RetryAfter != time.Second {
			t.Fatalf("third: %+v", r)
		}
		c.Advance(time.Second)
		if n, _ := l.Count(ctx, "k"); n != 0 {
			t.Fatalf("count of an ended window: %d", n)
		}
		if d, _ := l.RetryAfter(ctx, "k"); d != 0 {
			t.Fatalf("retry after of an ended window: %v", d)
		}
		if r := hit(); !r.Allowed || r.Count != 1 {
			t.Fatalf("after window: %+v", r)
		}
		if err := l.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDBConcurrentHitsCountExactly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		testConcurrent(t, ratelimit.NewDB(db, clock.Real{}))
	})
}

func TestRedis(t *testing.T) {
	url := os.Getenv("PLAZA_TEST_REDIS_URL")
	if url == "" {
		t.Skip("PLAZA_TEST_REDIS_URL is not set")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	defer client.Close()
	prefix := fmt.Sprintf("plaza-test-%d:", time.Now().UnixNano())
	l := ratelimit.NewRedis(client, prefix)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		r, err := l.Hit(ctx, "w", 2, 300*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if r.Count != i || r.Allowed != (i <= 2) || r.RetryAfter <= 0 {
			t.Fatalf("hit %d: %+v", i, r)
		}
	}
	if n, _ := l.Count(ctx, "w"); n != 3 {
		t.Fatalf("redis count = %d, want 3", n)
	}
	if d, err := l.RetryAfter(ctx, "w"); d <= 0 || d > 300*time.Millisecond || err != nil {
		t.Fatalf("redis retry after = %v %v", d, err)
	}
	if d, err := l.RetryAfter(ctx, "never"); d != 0 || err != nil {
		t.Fatalf("redis retry after of a key never hit = %v %v", d, err)
	}
	time.Sleep(350 * time.Millisecond)
	if n, _ := l.Count(ctx, "w"); n != 0 {
		t.Fatalf("redis count after the window = %d", n)
	}
	if d, _ := l.RetryAfter(ctx, "w"); d != 0 {
		t.Fatalf("redis retry after of an ended window = %v", d)
	}
	if r, _ := l.Hit(ctx, "w", 2, 300*time.Millisecond); !r.Allowed || r.Count != 1 {
		t.Fatalf("after window: %+v", r)
	}
	testConcurrent(t, l)
}

func testConcurrent(t *testing.T, l ratelimit.Limiter) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := l.Hit(ctx, "c", 10, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			if r.Allowed {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed != 10 {
		t.Fatalf("allowed %d of 40, want exactly 10", allowed)
	}
}
