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
// each size has 10 likes per article (at most 1,000,000), 1 collect per
// article, users = articles/10 (at least 1,100) and a viewer who follows
// 1,000 of them. Every benchmark runs with the in-memory cache (the
// default on SQLite) and without it (every page read from the store).

type seeded struct {
	db            *store.DB
	cached, plain *content.Service
	data          benchdata.Data
	err           error
}

func (s *seeded) each(b *testing.B, fn func(b *testing.B, svc *content.Service)) {
	b.Run("cache=on", func(b *testing.B) { fn(b, s.cached) })
	b.Run("cache=off", func(b *testing.B) { fn(b, s.plain) })
}

// shape is a data set: articles and users (likes: 10 per article, at
// most 1,000,000, when users is 0 and users = articles/10, at least 1,100).
type shape struct{ articles, users int }

var (
	seedMu sync.Mutex
	seeds  = map[shape]*seeded{}
	// seedDirs are removed when the benchmarks end.
	seedDirs []string
)

func seededDB(b *testing.B, articles int) *seeded { return seededShape(b, shape{articles: articles}) }

func seededShape(b *testing.B, sh shape) *seeded {
	seedMu.Lock()
	defer seedMu.Unlock()
	if s, ok := seeds[sh]; ok {
		if s.err != nil {
			b.Fatal(s.err)
		}
		return s
	}
	s := &seeded{}
	seeds[sh] = s
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
	articles, users, likes := sh.articles, sh.users, min(10*sh.articles, 1_000_000)
	if users == 0 {
		users = max(1100, articles/10)
	} else {
		likes = 0
	}
	t0 := time.Now()
	s.data, s.err = benchdata.Seed(ctx, s.db, benchdata.Spec{
		Users: users, Articles: articles, Likes: likes, Collects: articles, Follows: 1000, Tokens: 10, Seed: 1,
	}, time.Now())
	if s.err != nil {
		b.Fatal(s.err)
	}
	b.Logf("seeded %d users, %d articles, %d likes in %v", users, articles, likes, time.Since(t0).Round(time.Millisecond))
	s.cached = content.New(s.db, clock.Real{}, nil, nil).WithCache(100_000)
	s.plain = content.New(s.db, clock.Real{}, nil, nil)
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
			s.each(b, func(b *testing.B, svc *content.Service) {
				for _, offset := range []int{0, 980} {
					b.Run("offset="+strconv.Itoa(offset), func(b *testing.B) {
						for b.Loop() {
							page, err := svc.Latest(ctx, 1, offset, 20)
							if err != nil || len(page) != 20 {
								b.Fatal(len(page), err)
							}
						}
					})
				}
			})
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
			s.each(b, func(b *testing.B, svc *content.Service) {
				for b.Loop() {
					page, err := svc.Following(ctx, 1, 0, 20)
					if err != nil || len(page) != 20 {
						b.Fatal(len(page), err)
					}
				}
			})
		})
	}
}

// BenchmarkFollowingProlific: the following list when the 1,000 followees
// wrote nearly everything (1,100 users in all, so each followee wrote
// about articles/1,100): plaza's query on the first page (the recent
// window) and on page 50 (beyond the window: the per-followee merge),
// against the plain join, which sorts every article of every followee.
func BenchmarkFollowingProlific(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(label(n), func(b *testing.B) {
			s := seededShape(b, shape{articles: n, users: 1100})
			ctx := context.Background()
			for _, offset := range []int{0, 980} {
				if offset >= n/2 {
					continue
				}
				b.Run("plaza/offset="+strconv.Itoa(offset), func(b *testing.B) {
					for b.Loop() {
						page, err := s.plain.Following(ctx, 1, offset, 20)
						if err != nil || len(page) != 20 {
							b.Fatal(len(page), err)
						}
					}
				})
				b.Run("plain-join/offset="+strconv.Itoa(offset), func(b *testing.B) {
					for b.Loop() {
						ids, err := store.Collect(ctx, s.db, `SELECT a.id FROM follows f JOIN articles a ON a.user_id = f.followee_id
							WHERE f.follower_id = 1 ORDER BY a.id DESC`+store.LimitOffset, []any{20, offset},
							func(r store.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) })
						if err != nil || len(ids) != 20 {
							b.Fatal(len(ids), err)
						}
					}
				})
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
			s.each(b, func(b *testing.B, svc *content.Service) {
				i := 0
				for b.Loop() {
					i++
					a := int64(1 + i%n)
					user := int64(2 + i%1000)
					if err := svc.Like(ctx, user, a); err != nil {
						b.Fatal(err)
					}
					if err := svc.Unlike(ctx, user, a); err != nil {
						b.Fatal(err)
					}
				}
			})
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
