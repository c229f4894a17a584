package account_test

import (
	"context"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// BenchmarkConsoleUsers measures what the operator's dashboard and user
// search read of 100,000 users (internal/benchdata; their sign-up times
// spread over 90 days): the counter row against COUNT(*) over the table,
// 30 days of signups (one PerDay query), and searches. Numbers in
// docs/compat.md ("Admin face: dashboard, user search and profile,
// refunds").
//
//	go test ./internal/account/ -run '^$' -bench ConsoleUsers -benchtime 200x
func BenchmarkConsoleUsers(b *testing.B) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, eng := range storetest.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			ctx := context.Background()
			db, _ := eng.Open(b)
			if _, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 100_000, Seed: 1}, start); err != nil {
				b.Fatal(err)
			}
			// Spread the sign-ups over the 90 days before start.
			if _, err := db.Exec(ctx, "UPDATE users SET created_at = created_at - (id * 7919 % 90) * 86400000 - (id % 86400) * 1000"); err != nil {
				b.Fatal(err)
			}
			if db.Engine() == store.Postgres { // as autovacuum leaves it: index-only scans need the visibility map
				if _, err := db.Exec(ctx, "VACUUM ANALYZE users"); err != nil {
					b.Fatal(err)
				}
			}
			acc := account.New(account.Deps{DB: db, Clock: clock.NewFake(start)}, account.DefaultConfig())
			loc, _ := time.LoadLocation("Asia/Shanghai")
			days := store.LastDays(start, loc, 30)
			if n, err := acc.UsersTotal(ctx); err != nil || n != 100_000 {
				b.Fatal(n, err)
			}
			b.Run("count_star", func(b *testing.B) {
				for b.Loop() {
					if _, err := store.Count(ctx, db, "SELECT COUNT(*) FROM users"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("users_total", func(b *testing.B) {
				for b.Loop() {
					if _, err := acc.UsersTotal(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("signups_30_days", func(b *testing.B) {
				for b.Loop() {
					if _, err := acc.SignupsPerDay(ctx, days); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, q := range []string{"nick-4242", "nick-99", "1390004", "4242"} {
				b.Run("search_"+q, func(b *testing.B) {
					for b.Loop() {
						if _, _, err := acc.Search(ctx, q, 0, 20); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
