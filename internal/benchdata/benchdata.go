// Package benchdata fills an empty plaza database with a large, realistic
// data set for benchmarks: users with access tokens, follows, articles with
// images, likes and collects (with their counters on the articles), written
// by direct multi-row inserts in big transactions; and, for the operator's
// console, wallet ledgers, ticket orders, feedback, pushes, audit rows and
// customer service threads (support.go). It is a tool for
// benchmarks and load tests, not part of the server.
package benchdata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/store"
)

// Spec says how much to make. User 1 is the viewer of the benchmarks: it
// follows users 2..Follows+1 and likes a third of the newest articles.
type Spec struct {
	Users    int // user ids 1..Users
	Articles int // article ids 1..Articles, authors spread evenly at random
	Likes    int // distinct (user, article) pairs
	Collects int
	Follows  int // whom user 1 follows
	Tokens   int // users 1..Tokens get an access token
	Seed     uint64

	// The support and money data set of the console (support.go); each
	// 0 by default.
	Ledger   int // wallet entries, two per transaction (user 1 has a twentieth)
	Orders   int // ticket orders, with their tickets, projects and masters
	Feedback int // feedback, about half answered
	Pushes   int
	Audit    int // admin audit rows
	Service  int // customer service threads (three messages each)
}

// Data is what the benchmarks need to know of what was made.
type Data struct {
	Tokens []string // Tokens[i] is the access token of user i+1
	UIDs   []string // UIDs[i] is the public id of user i+1
	// Liked marks the (user, article) pairs liked: Liked[user][article].
	Liked map[int64]map[int64]bool
	// HeavyUser is the user with the most ledger entries (0: no ledger).
	HeavyUser int64
	Tickets   int // tickets made for the orders
}

// Images are the media ids articles carry (three each).
var Images = []string{
	"e4cbdd56-855a-11ee-bcb6-5785abdd6148.jpeg",
	"e87dbff1-855a-11ee-bcb6-5785abdd6148.jpeg",
	"f1abbc30-855a-11ee-bcb6-5785abdd6148.jpeg",
}

const batch = 400 // rows per INSERT statement

// Seed fills db, which must hold no users yet.
func Seed(ctx context.Context, db *store.DB, s Spec, now time.Time) (Data, error) {
	var n int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return Data{}, err
	}
	if n != 0 {
		return Data{}, fmt.Errorf("benchdata: the database already has %d users", n)
	}
	if s.Users < 1 || s.Follows >= s.Users || s.Tokens > s.Users {
		return Data{}, fmt.Errorf("benchdata: bad spec %+v", s)
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed))
	ms := now.UnixMilli()
	d := Data{Tokens: make([]string, s.Tokens), UIDs: make([]string, s.Users), Liked: map[int64]map[int64]bool{}}

	// Users and tokens.
	err := insert(ctx, db, "users", "id, area, phone, openid, uid, nickname, created_at, updated_at", s.Users, func(i int) []any {
		d.UIDs[i] = account.NewUID()
		return []any{i + 1, "86", fmt.Sprintf("139%08d", i+1), fmt.Sprintf("bench-%d", i+1), d.UIDs[i], fmt.Sprintf("nick-%d", i+1), ms, ms}
	})
	if err != nil {
		return Data{}, err
	}
	err = insert(ctx, db, "tokens", "user_id, kind, hash, family, expires_at, used, revoked, created_at", s.Tokens, func(i int) []any {
		d.Tokens[i] = account.RandomString(50)
		return []any{i + 1, "access", account.HashToken(d.Tokens[i]), account.RandomString(24), now.Add(365 * 24 * time.Hour).UnixMilli(), false, false, ms}
	})
	if err != nil {
		return Data{}, err
	}
	err = insert(ctx, db, "follows", "follower_id, followee_id, created_at", s.Follows, func(i int) []any {
		return []any{1, i + 2, ms}
	})
	if err != nil {
		return Data{}, err
	}

	// Who likes and collects what, decided first: the counters go on the
	// articles as they are written.
	likeCount := make([]int32, s.Articles+1)
	collectCount := make([]int32, s.Articles+1)
	pairs := func(total int, count []int32, mark func(u, a int64)) [][2]int64 {
		seen := make(map[[2]int64]bool, total)
		out := make([][2]int64, 0, total)
		add := func(u, a int64) {
			p := [2]int64{u, a}
			if seen[p] {
				return
			}
			seen[p] = true
			out = append(out, p)
			count[a]++
			if mark != nil {
				mark(u, a)
			}
		}
		// The viewer likes a third of the newest articles.
		for a := int64(s.Articles); a > int64(s.Articles)-60 && a > 0 && len(out) < total; a -= 3 {
			add(1, a)
		}
		for len(out) < total && len(out) < s.Users*s.Articles {
			add(1+rng.Int64N(int64(s.Users)), 1+rng.Int64N(int64(s.Articles)))
		}
		return out
	}
	if s.Likes > 0 || s.Collects > 0 {
		if s.Articles == 0 {
			return Data{}, fmt.Errorf("benchdata: likes without articles")
		}
	}
	likes := pairs(s.Likes, likeCount, func(u, a int64) {
		if d.Liked[u] == nil {
			d.Liked[u] = map[int64]bool{}
		}
		d.Liked[u][a] = true
	})
	collects := pairs(s.Collects, collectCount, nil)

	start := ms - int64(s.Articles)*1000
	err = insert(ctx, db, "articles", "id, user_id, content, images, like_count, collect_count, comment_count, created_at", s.Articles, func(i int) []any {
		id := i + 1
		author := 1 + rng.IntN(s.Users)
		return []any{id, author, fmt.Sprintf("article %d by user %d: qwertyuiopasdfghjklzxcvbnm", id, author),
			`["` + strings.Join(Images, `","`) + `"]`, likeCount[id], collectCount[id], 0, start + int64(i)*1000}
	})
	if err != nil {
		return Data{}, err
	}
	err = insert(ctx, db, "article_likes", "user_id, article_id, created_at", len(likes), func(i int) []any {
		return []any{likes[i][0], likes[i][1], ms}
	})
	if err != nil {
		return Data{}, err
	}
	err = insert(ctx, db, "article_collects", "user_id, article_id, created_at", len(collects), func(i int) []any {
		return []any{collects[i][0], collects[i][1], ms}
	})
	if err != nil {
		return Data{}, err
	}
	if err := seedSupport(ctx, db, s, rng, now, &d); err != nil {
		return Data{}, err
	}
	if db.Engine() == store.Postgres {
		for _, t := range []string{"users", "tokens", "articles", "admins", "wallet_accounts", "wallet_transactions", "wallet_entries",
			"masters", "projects", "orders", "tickets", "feedback_categories", "feedback", "feedback_replies", "pushes", "admin_audit", "messages"} {
			if _, err := db.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM "+t+"), false)"); err != nil {
				return Data{}, err
			}
		}
		if _, err := db.Exec(ctx, "ANALYZE"); err != nil {
			return Data{}, err
		}
	}
	// No ANALYZE on SQLite: plaza never runs it, and with its statistics
	// SQLite re-plans statements with bound IN lists at every run.
	return d, nil
}

// insert writes n rows of table with multi-row INSERTs, 100,000 rows per
// transaction.
func insert(ctx context.Context, db *store.DB, table, cols string, n int, row func(i int) []any) error {
	ncols := strings.Count(cols, ",") + 1
	one := "(" + store.Placeholders(ncols) + ")"
	for lo := 0; lo < n; lo += 100_000 {
		hi := min(n, lo+100_000)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for b := lo; b < hi; b += batch {
				e := min(hi, b+batch)
				args := make([]any, 0, (e-b)*ncols)
				for i := b; i < e; i++ {
					args = append(args, row(i)...)
				}
				q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.Repeat(one+", ", e-b-1) + one
				if _, err := tx.Exec(ctx, q, args...); err != nil {
					return fmt.Errorf("benchdata: insert into %s: %w", table, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
