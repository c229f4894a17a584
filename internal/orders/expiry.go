package orders

import (
	"context"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
)

// expiryBatch is how many orders one unit of the sweep closes.
const expiryBatch = 100

// ExpireDue closes every pending order past its deadline and releases its
// tickets, in units of expiryBatch orders, and returns how many it closed.
// Many nodes may run it at once: on PostgreSQL each unit takes its batch
// with SELECT ... FOR UPDATE SKIP LOCKED (another node's batch is passed
// over), on SQLite a unit holds the write lock; and each order is closed
// by a conditional UPDATE, so it is released once whoever gets it.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more := 0, false
		err := s.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			n, more = 0, false
			lock := ""
			if tx.Engine() == store.Postgres {
				lock = " FOR UPDATE SKIP LOCKED"
			}
			now := tx.Now()
			ids, err := store.Collect(ctx, tx, "SELECT id FROM orders WHERE status = ? AND expires_at <= ? ORDER BY expires_at, id LIMIT ?"+lock,
				[]any{Pending, now.UnixMilli(), expiryBatch}, func(r store.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) })
			if err != nil {
				return errs.Wrap(err, "find due orders")
			}
			more = len(ids) == expiryBatch
			for _, id := range ids {
				done, err := expire(ctx, tx, id, now)
				if err != nil {
					return err
				}
				if done {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

// RunExpiry runs ExpireDue every interval until ctx ends (the server
// starts it; every node may).
func (s *Service) RunExpiry(ctx context.Context, interval time.Duration) {
	clock.Every(ctx, interval, func() {
		if n, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("expire orders", "err", err)
		} else if n > 0 {
			s.Log.Info("expired orders", "count", n)
		}
	})
}
