package content_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/content"
	"plaza/internal/store"
)

// Page cost against table size, on SQLite, without HTTP:
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/content/
//
// PLAZA_BENCH_SIZES lists the article counts (default "1000,1000000");
// each size has 10 likes and 1 collect per article, users = articles/10
// (at least 1,100) and a viewer who follows 1,000 of them.

type seeded struct {
	db   *store.DB
	svc  *content.Service
	data benchdata.Data
	err  error
}

var (
	seedMu sync.Mutex
	seeds  = map[int]*seeded{}
	// seedDirs are removed when the benchmarks end.
	seedDirs []string
)

func seededDB(b *testing.B, articles int) *seeded {
	seedMu.Lock()
	defer seedMu.Unlock()
	if s, ok := seeds[articles]; ok {
		if s.err != nil {
			b.Fatal(s.err)
		}
		return s
	}
	s := &seeded{}
	seeds[articles] = s
	dir, err := os.MkdirTemp("", "plaza-bench-")
	if err != nil {
		b.Fatal(err)
	}
	seedDirs = append(seedDirs, dir)
	ctx := context.Background()
	s.db, s.err = store.Open(ctx, store.Options{Path: filepath.Join(dir, "plaza.db")})
	if s.err != nil {
		b.Fatal(s.err)
	}
	users := max(1100, articles/10)
	t0 := time.Now()
	s.data, s.err = benchdata.Seed(ctx, s.db, benchdata.Spec{
		Users: users, Articles: articles, Likes: 10 * articles, Collects: articles, Follows: 1000, Tokens: 10, Seed: 1,
	}, time.Now())
	if s.err != nil {
		b.Fatal(s.err)
	}
	b.Logf("seeded %d articles, %d likes in %v", articles, 10*articles, time.Since(t0).Round(time.Millisecond))
	s.svc = content.New(s.db, clock.Real{}, nil, nil)
	return s
}

func sizes(b *testing.B) []int {
	v := os.Getenv("PLAZA_BENCH_SIZES")
	if v == "" {
		v = "1000,1000000"
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("PLAZA_BENCH_SIZES: %q", v)
		}
		out = append(out, n)
	}
	return out
}

func label(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("articles=%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("articles=%dk", n/1000)
	}
	return fmt.Sprintf("articles=%d", n)
}

// BenchmarkLatest: the home list (page 1 and page 50) with the viewer's
// likes and collects.
func BenchmarkLatest(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(label(n), func(b *testing.B) {
			s := seededDB(b, n)
			ctx := context.Background()
			for _, offset := range []int{0, 980} {
				b.Run("offset="+strconv.Itoa(offset), func(b *testing.B) {
					for b.Loop() {
						page, err := s.svc.Latest(ctx, 1, offset, 20)
						if err != nil || len(page) != 20 {
							b.Fatal(len(page), err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkFollowing: the following list of a user who follows 1,000
// users.
func BenchmarkFollowing(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(label(n), func(b *testing.B) {
			s := seededDB(b, n)
			ctx := context.Background()
			for b.Loop() {
				page, err := s.svc.Following(ctx, 1, 0, 20)
				if err != nil || len(page) != 20 {
					b.Fatal(len(page), err)
				}
			}
		})
	}
}

// BenchmarkLike: a like and its unlike (two write transactions).
func BenchmarkLike(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(label(n), func(b *testing.B) {
			s := seededDB(b, n)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				a := int64(1 + i%n)
				user := int64(2 + i%1000)
				if err := s.svc.Like(ctx, user, a); err != nil {
					b.Fatal(err)
				}
				if err := s.svc.Unlike(ctx, user, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range seeds {
		if s.db != nil {
			s.db.Close()
		}
	}
	for _, dir := range seedDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
