package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// BenchmarkCountedInserts signs users up from 16 goroutines at once, a
// transaction each (the insert and a read, as a sign-up does): every one
// moves the users counter of row_counts (migration 00025) in its
// transaction, and holds what it locked until its commit.
//
//	PLAZA_TEST_DATABASE_URL=postgres://... go test -run '^$' -bench CountedInserts -benchtime 3s ./internal/store/
func BenchmarkCountedInserts(b *testing.B) {
	for _, eng := range storetest.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			db, _ := eng.Open(b)
			ctx := context.Background()
			var seq atomic.Int64
			b.SetParallelism(8) // 16 goroutines on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := seq.Add(1)
					err := db.InTx(ctx, func(tx *store.Tx) error {
						var id int64
						if err := tx.QueryRow(ctx, "INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id",
							fmt.Sprint("bench-", i), fmt.Sprintf("%032x", i)).Scan(&id); err != nil {
							return err
						}
						var n int64
						return tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE id = ?", id).Scan(&n)
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			var total int64
			if err := db.QueryRow(ctx, "SELECT COALESCE(SUM(n), 0) FROM row_counts WHERE name = 'users'").Scan(&total); err != nil {
				b.Fatal(err)
			}
			var counted int64
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&counted); err != nil {
				b.Fatal(err)
			}
			if total != counted {
				b.Fatalf("row_counts says %d users, the table has %d", total, counted)
			}
		})
	}
}
