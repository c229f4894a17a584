package wallet_test

import (
	"context"
	"sync/atomic"
	"testing"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// BenchmarkPurchase measures debits: a unit of work holding one purchase
// (user -> shop) of 1 diamond. serial: one goroutine; parallel: 16
// goroutines (SetParallelism 8 on 2 cores), each its own user. Figures in
// docs/performance.md ("Wallet"):
//
//	PLAZA_TEST_DATABASE_URL=postgres://... go test -run '^$' -bench Purchase -benchtime 5s ./internal/wallet/
func BenchmarkPurchase(b *testing.B) {
	for _, eng := range storetest.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			ctx := context.Background()
			db, _ := eng.Open(b)
			e := newEnv(b, db)
			if err := e.w.Init(ctx); err != nil {
				b.Fatal(err)
			}
			users := e.users(64)
			for _, u := range users {
				e.grant(u, wallet.Diamond, 1_000_000_000)
			}
			purchase := func(u int64) {
				err := db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
					_, err := e.w.Purchase(ctx, tx, u, wallet.Diamond, 1, wallet.Meta{Reason: "bench", Ref: wallet.Ref{Kind: "order", ID: "1"}})
					return err
				})
				if err != nil {
					b.Error(err)
				}
			}
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					purchase(users[0])
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "debits/s")
			})
			b.Run("parallel", func(b *testing.B) {
				var next atomic.Int64
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					u := users[next.Add(1)%int64(len(users))]
					for pb.Next() {
						purchase(u)
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "debits/s")
			})
		})
	}
}
