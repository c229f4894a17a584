package payment

import (
	"context"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/provider/pay"
	"plaza/internal/store"
)

// lease is how long a claimed payment is left to the node that claimed it
// before another node may claim it again (the claimer died mid-query).
const lease = 5 * time.Minute

// batch is how many payments one pass claims.
const batch = 50

type due struct {
	id         int64
	outTradeNo string
	method     string
	checks     int
	expiresAt  time.Time
}

// claim takes the pending vendor payments due for a check and moves their
// next check a lease away, in one unit: on PostgreSQL the rows are
// selected FOR UPDATE SKIP LOCKED, so nodes claiming at once take
// different rows; on SQLite the unit holds the one write lock. The UPDATE
// is conditional on the row still being pending and due.
func (s *Service) claim(ctx context.Context) ([]due, error) {
	var out []due
	err := s.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		out = out[:0]
		now := tx.Now().UnixMilli()
		lock := ""
		if tx.Engine() == store.Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := store.Collect(ctx, tx, `SELECT id, out_trade_no, method, checks, expires_at FROM payments
			WHERE status = 'pending' AND check_at <= ? AND method <> 'sandbox' ORDER BY check_at, id LIMIT ?`+lock,
			[]any{now, batch}, func(r store.Scanner) (due, error) {
				var d due
				return d, r.Scan(&d.id, &d.outTradeNo, &d.method, &d.checks, (*store.Millis)(&d.expiresAt))
			})
		if err != nil {
			return errs.Wrap(err, "claim payments")
		}
		for _, d := range rows {
			res, err := tx.Exec(ctx, "UPDATE payments SET check_at = ?, checks = checks + 1 WHERE id = ? AND status = 'pending' AND check_at <= ?",
				now+lease.Milliseconds(), d.id, now)
			if err != nil {
				return errs.Wrap(err, "claim payment")
			}
			if n, _ := res.RowsAffected(); n == 1 {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// Reconcile makes one pass: it claims the pending vendor payments due for
// a check, asks the vendor about each (outside any unit), and settles the
// paid ones (Accept), closes the closed ones, closes at the vendor and here
// the expired ones, and sets the next check of the rest. It answers how
// many payments it checked. Safe to run on many nodes at once.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	ds, err := s.claim(ctx)
	if err != nil {
		return 0, err
	}
	for _, d := range ds {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		s.check(ctx, d)
	}
	return len(ds), nil
}

// check asks the vendor about one claimed payment. A failure is logged,
// and the lease makes the payment due again later.
func (s *Service) check(ctx context.Context, d due) {
	log := s.d.Log.With("out_trade_no", d.outTradeNo, "method", d.method)
	prov := s.providers[d.method]
	if prov == nil {
		log.Warn("payment: pending payment of a method not configured; checked again later")
		return
	}
	t, err := prov.Query(ctx, d.outTradeNo)
	if err != nil {
		log.Warn("payment: vendor query failed", "err", err)
		return
	}
	switch t.State {
	case pay.Paid:
		if err := s.Accept(ctx, d.method, t); err != nil {
			log.Error("payment: paid at the vendor but not applied", "err", err)
		}
		return
	case pay.Closed:
		s.close(ctx, d, log)
		return
	}
	if !s.d.Clock.Now().Before(d.expiresAt) {
		if err := prov.Close(ctx, d.outTradeNo); err != nil {
			log.Warn("payment: vendor close failed", "err", err)
			return // paid meanwhile, or the vendor is down: asked again after the lease
		}
		s.close(ctx, d, log)
		return
	}
	next := s.d.CheckAfter << min(d.checks, 16)
	if next > s.d.MaxCheckEvery || next <= 0 {
		next = s.d.MaxCheckEvery
	}
	err = s.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE payments SET check_at = ? WHERE id = ? AND status = 'pending'", tx.Now().Add(next).UnixMilli(), d.id)
		return errs.Wrap(err, "next check")
	})
	if err != nil {
		log.Error("payment: next check not set", "err", err)
	}
}

// close marks a pending payment closed (the vendor closed it).
func (s *Service) close(ctx context.Context, d due, log interface{ Error(string, ...any) }) {
	err := s.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE payments SET status = 'closed', updated_at = ? WHERE id = ? AND status = 'pending'", tx.Now().UnixMilli(), d.id)
		return errs.Wrap(err, "close payment")
	})
	if err != nil {
		log.Error("payment: not closed", "err", err)
	}
}

// RunReconciler runs Reconcile every interval until ctx ends.
func (s *Service) RunReconciler(ctx context.Context, interval time.Duration) {
	clock.Every(ctx, interval, func() {
		for {
			n, err := s.Reconcile(ctx)
			if err != nil && ctx.Err() == nil {
				s.d.Log.Error("payment reconcile", "err", err)
			}
			if n < batch || err != nil {
				return
			}
		}
	})
}
