package content_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/content"
	"plaza/internal/errs"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// env is a content service with and without its cache over one database
// filled by benchdata (users 1..n; user 1 follows 2..follows+1).
type env struct {
	db            *store.DB
	cached, plain *content.Service
	social        *social.Service
}

func newEnv(t *testing.T, db *store.DB, spec benchdata.Spec, media content.MediaResolver) env {
	t.Helper()
	if _, err := benchdata.Seed(context.Background(), db, spec, start); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	soc := social.New(db, clk)
	return env{db: db, social: soc,
		cached: content.New(db, clk, media, soc).WithCache(1000),
		plain:  content.New(db, clk, media, soc)}
}

func ids(views []content.ArticleView) []int64 {
	out := make([]int64, len(views))
	for i, v := range views {
		out[i] = v.ID
	}
	return out
}

// TestFollowingIsThePlainJoin: the bounded following query gives the same
// pages as the obvious join, on every page, with and without the cache.
func TestFollowingIsThePlainJoin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, benchdata.Spec{Users: 60, Articles: 900, Likes: 500, Collects: 100, Follows: 25, Tokens: 1, Seed: 7}, nil)
		ctx := context.Background()
		// One followee of user 1 writes 2,100 more: the newest window is
		// all theirs. User 45 follows two users who wrote only before it,
		// so their pages come from the per-followee merge.
		for i := range 2100 {
			if _, err := e.plain.Publish(ctx, 3, fmt.Sprintf("prolific %d", i), nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range []int64{46, 47} {
			if err := e.social.Follow(ctx, 45, u); err != nil {
				t.Fatal(err)
			}
		}
		for _, viewer := range []int64{1, 45} {
			for _, page := range [][2]int{{0, 20}, {20, 20}, {0, 100}, {95, 7}, {300, 100}, {1990, 30}, {5000, 10}} {
				want, err := store.Collect(ctx, db, `SELECT a.id FROM articles a JOIN follows f ON f.followee_id = a.user_id
					WHERE f.follower_id = ? ORDER BY a.id DESC`+store.LimitOffset, []any{viewer, page[1], page[0]},
					func(r store.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) })
				if err != nil {
					t.Fatal(err)
				}
				if page[0] == 0 && len(want) < 20 {
					t.Fatalf("test data: viewer %d follows only %d articles", viewer, len(want))
				}
				for _, svc := range []*content.Service{e.plain, e.cached} {
					got, err := svc.Following(ctx, viewer, page[0], page[1])
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(ids(got), want) {
						t.Fatalf("viewer %d, page %v:\n got %v\nwant %v", viewer, page, ids(got), want)
					}
				}
			}
		}
		got, err := e.plain.Following(ctx, 40, 0, 20) // follows nobody
		if err != nil || len(got) != 0 {
			t.Fatalf("nobody followed: %v %v", got, err)
		}
	})
}

// TestCacheStaysExact: after every kind of change the cached service shows
// what the store holds.
func TestCacheStaysExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, benchdata.Spec{Users: 30, Articles: 300, Likes: 400, Collects: 50, Follows: 10, Tokens: 1, Seed: 3}, nil)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(1, 2))
		check := func(step string) {
			t.Helper()
			for _, viewer := range []int64{0, 1, 2, 7} {
				for _, page := range [][2]int{{0, 20}, {10, 30}, {990, 20}} {
					a, err := e.cached.Latest(ctx, viewer, page[0], page[1])
					if err != nil {
						t.Fatal(err)
					}
					b, err := e.plain.Latest(ctx, viewer, page[0], page[1])
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(a) != fmt.Sprint(b) {
						t.Fatalf("after %s, viewer %d, page %v:\ncached %v\n store %v", step, viewer, page, a, b)
					}
				}
				a, err := e.cached.Following(ctx, viewer, 0, 50)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := e.plain.Following(ctx, viewer, 0, 50)
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("after %s: following lists differ", step)
				}
			}
		}
		check("seeding")
		for i := range 300 {
			user := 1 + rng.Int64N(8)
			article := 280 + rng.Int64N(25) // near the top, where the pages are
			var step string
			var err error
			switch rng.IntN(8) {
			case 0:
				step, err = "like", e.cached.Like(ctx, user, article)
			case 1:
				step, err = "unlike", e.cached.Unlike(ctx, user, article)
			case 2:
				step, err = "collect", e.cached.Collect(ctx, user, article)
			case 3:
				step, err = "uncollect", e.cached.Uncollect(ctx, user, article)
			case 4:
				step = "comment"
				var c content.Comment
				c, err = e.cached.Comment(ctx, user, article, "hi")
				if err == nil && rng.IntN(2) == 0 {
					step, err = "comment deleted", e.cached.DeleteComments(ctx, user, []int64{c.ID})
				}
			case 5:
				step = "publish"
				_, err = e.cached.Publish(ctx, user, fmt.Sprintf("new %d", i), []string{"e4cbdd56-855a-11ee-bcb6-5785abdd6148.jpeg"})
			case 6:
				step = "delete"
				var own []content.ArticleView
				own, err = e.plain.ByAuthor(ctx, 0, user, 0, 1)
				if err == nil && len(own) > 0 {
					err = e.cached.DeleteArticles(ctx, user, []int64{own[0].ID})
				}
			case 7:
				step = "like through the other service" // what the cache cannot know: not checked
				continue
			}
			if errs.Is(err, errs.NotFound) {
				continue // an article deleted earlier
			}
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			check(step)
		}
		// Counters equal the rows they count.
		var bad int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM articles a WHERE
			like_count <> (SELECT COUNT(*) FROM article_likes l WHERE l.article_id = a.id) OR
			collect_count <> (SELECT COUNT(*) FROM article_collects c WHERE c.article_id = a.id) OR
			comment_count <> (SELECT COUNT(*) FROM article_comments c WHERE c.article_id = a.id)`).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Fatalf("%d articles with wrong counters", bad)
		}
	})
}

// TestCacheUnderRace: likes and reads at once end with the store's counts.
func TestCacheUnderRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, benchdata.Spec{Users: 40, Articles: 30, Follows: 5, Tokens: 1, Seed: 5}, nil)
		ctx := context.Background()
		var wg sync.WaitGroup
		for u := int64(1); u <= 20; u++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for a := int64(1); a <= 30; a++ {
					if err := e.cached.Like(ctx, u, a); err != nil {
						t.Error(err)
					}
					if u%2 == 0 {
						if err := e.cached.Unlike(ctx, u, a); err != nil {
							t.Error(err)
						}
					}
				}
			}()
			go func() {
				defer wg.Done()
				for range 20 {
					if _, err := e.cached.Latest(ctx, u, 0, 30); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		for _, viewer := range []int64{1, 2} {
			page, err := e.cached.Latest(ctx, viewer, 0, 30)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range page {
				if v.LikeCount != 10 || v.Liked != (viewer == 1) {
					t.Fatalf("viewer %d sees article %d with %d likes, liked %v; want 10, %v", viewer, v.ID, v.LikeCount, v.Liked, viewer == 1)
				}
			}
		}
	})
}

type fakeMedia map[string]string

func (m fakeMedia) Resolve(_ context.Context, ref string) (string, error) {
	if id, ok := m[ref]; ok {
		return id, nil
	}
	return "", errs.E(errs.NotFound, "no such media")
}

func TestMediaIDs(t *testing.T) {
	const u = "e4cbdd56-855a-11ee-bcb6-5785abdd6148"
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		media := fakeMedia{u + ".png": u + ".png", u + ".png.jpg": u + ".png", u: u + ".png"}
		e := newEnv(t, db, benchdata.Spec{Users: 2, Tokens: 1}, media)
		ctx := context.Background()
		bare := content.New(db, clock.NewFake(start), nil, nil)
		for _, c := range []struct {
			svc  *content.Service
			in   []string
			want []string // nil: refused
		}{
			{bare, []string{u, u + ".png", u + ".png.jpg", u + ".jpg", u + ".JPEG"}, []string{u, u + ".png", u + ".png", u + ".jpg", u + ".JPEG"}},
			{bare, []string{"../" + u}, nil},
			{bare, []string{u + ".png.jpg.jpg"}, nil},
			{bare, []string{u + "."}, nil},
			{bare, []string{"x"}, nil},
			{bare, []string{""}, nil},
			{e.plain, []string{u, u + ".png.jpg"}, []string{u + ".png", u + ".png"}},
			{e.plain, []string{u + ".gif"}, nil}, // well formed, but unknown to the media store
		} {
			a, err := c.svc.Publish(ctx, 1, "with images", c.in)
			if c.want == nil {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("%v: err %v, want invalid", c.in, err)
				}
				continue
			}
			if err != nil || !slices.Equal(a.Images, c.want) {
				t.Fatalf("%v: %v %v, want %v", c.in, a.Images, err, c.want)
			}
			got, err := c.svc.Article(ctx, 0, a.ID)
			if err != nil || !slices.Equal(got.Images, c.want) {
				t.Fatalf("%v read back: %v %v", c.in, got.Images, err)
			}
		}
	})
}

func TestCommentsAndVotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, benchdata.Spec{Users: 4, Tokens: 1}, nil)
		ctx := context.Background()
		svc := e.cached
		a, err := svc.Publish(ctx, 1, "post", nil)
		if err != nil {
			t.Fatal(err)
		}
		top, err := svc.Comment(ctx, 2, a.ID, "top")
		if err != nil {
			t.Fatal(err)
		}
		r1, err := svc.Reply(ctx, 3, a.ID, top.ID, "r1")
		if err != nil {
			t.Fatal(err)
		}
		r2, err := svc.Reply(ctx, 1, a.ID, r1.ID, "r2")
		if err != nil {
			t.Fatal(err)
		}
		if r1.FirstReplyID != top.ID || r1.ReplyUserID != 2 || r2.ReplyID != r1.ID || r2.ReplyUserID != 3 || r2.FirstReplyID != top.ID || r2.FirstReplyUserID != 2 {
			t.Fatalf("threads: %+v %+v", r1, r2)
		}
		for _, v := range []content.Vote{content.Up, content.Up, content.Down, content.Down, content.Up} {
			if err := svc.VoteComment(ctx, 4, r1.ID, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.VoteComment(ctx, 2, r1.ID, content.Down); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Comments(ctx, 4, a.ID, 0, 10)
		if err != nil || len(list) != 3 {
			t.Fatalf("comments %v %v", list, err)
		}
		if c := list[1]; c.UpCount != 1 || c.DownCount != 1 || !c.Up || c.Down {
			t.Fatalf("votes on r1: %+v", c)
		}
		if err := svc.VoteComment(ctx, 4, 99999, content.Up); !errs.Is(err, errs.NotFound) {
			t.Fatalf("vote on nothing: %v", err)
		}
		// Blocks: the author of the article, or of the comment answered.
		if err := e.social.Block(ctx, 1, 4); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Comment(ctx, 4, a.ID, "x"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("blocked comment: %v", err)
		}
		b, _ := svc.Publish(ctx, 2, "other", nil)
		c1, _ := svc.Comment(ctx, 1, b.ID, "by 1")
		if _, err := svc.Reply(ctx, 4, b.ID, c1.ID, "x"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("blocked reply: %v", err)
		}
		if _, err := svc.Reply(ctx, 4, a.ID, c1.ID, "x"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("reply to another article's comment: %v", err)
		}
		// Deleting: all or nothing.
		if err := svc.DeleteComments(ctx, 3, []int64{r1.ID, r2.ID}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("delete another's comment: %v", err)
		}
		if err := svc.DeleteComments(ctx, 3, []int64{r1.ID, 99999, r1.ID}); err != nil {
			t.Fatal(err)
		}
		got, _ := svc.Article(ctx, 0, a.ID)
		if got.CommentCount != 2 {
			t.Fatalf("comment_count %d", got.CommentCount)
		}
		if n, _ := svc.ArticleCount(ctx, 1); n != 1 {
			t.Fatalf("article count %d", n)
		}
		if err := svc.DeleteArticles(ctx, 2, []int64{a.ID, b.ID}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("delete another's article: %v", err)
		}
		if err := svc.DeleteArticles(ctx, 1, []int64{a.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Article(ctx, 0, a.ID); errs.ReasonOf(err) != content.ReasonArticle {
			t.Fatalf("deleted article: %v", err)
		}
		if _, err := svc.Comments(ctx, 0, a.ID, 0, 10); errs.ReasonOf(err) != content.ReasonArticle {
			t.Fatalf("comments of a deleted article: %v", err)
		}
	})
}
