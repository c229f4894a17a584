// Package ratelimit counts events per key in windows that start at the first
// event (a window of 60 s with limit 1 is a cooldown; 24 h with limit 10 is a
// daily quota). Counters live in the database by default, so that several
// plaza nodes share them, or in Redis when one is configured.
package ratelimit

import (
	"context"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
)

// Limiter counts one event against key and says whether it is within limit.
type Limiter interface {
	Hit(ctx context.Context, key string, limit int, window time.Duration) (Result, error)
	// Count reads the events of key in its current window, counting none.
	Count(ctx context.Context, key string) (int, error)
	// RetryAfter reads the time left in key's current window (0 when
	// there is none), counting nothing.
	RetryAfter(ctx context.Context, key string) (time.Duration, error)
}

// Result is the state of a key after a hit.
type Result struct {
	Allowed    bool
	Count      int           // events in the current window, this one included
	RetryAfter time.Duration // until the window resets
}

// DB keeps counters in the rate_counters table.
type DB struct {
	db    *store.DB
	clock clock.Clock
}

// NewDB returns a limiter on db.
func NewDB(db *store.DB, c clock.Clock) *DB { return &DB{db: db, clock: c} }

func (l *DB) Hit(ctx context.Context, key string, limit int, window time.Duration) (Result, error) {
	now := l.clock.Now().UnixMilli()
	reset := now + window.Milliseconds()
	var count int
	var resetAt int64
	// A counter is bookkeeping, not the write of the request it counts: no
	// commit hook (an admin's audit entry) comes with it.
	err := l.db.QueryRowWrite(store.WithoutCommitHooks(ctx), `
		INSERT INTO rate_counters (key, count, reset_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			count    = CASE WHEN rate_counters.reset_at <= ? THEN 1 ELSE rate_counters.count + 1 END,
			reset_at = CASE WHEN rate_counters.reset_at <= ? THEN ? ELSE rate_counters.reset_at END
		RETURNING count, reset_at`, key, reset, now, now, reset).Scan(&count, &resetAt)
	if err != nil {
		return Result{}, errs.Wrap(err, "rate limit")
	}
	return Result{
		Allowed:    count <= limit,
		Count:      count,
		RetryAfter: time.Duration(resetAt-now) * time.Millisecond,
	}, nil
}

func (l *DB) Count(ctx context.Context, key string) (int, error) {
	var n int
	err := l.db.QueryRow(ctx, "SELECT count FROM rate_counters WHERE key = ? AND reset_at > ?", key, l.clock.Now().UnixMilli()).Scan(&n)
	if store.NoRows(err) {
		return 0, nil
	}
	return n, errs.Wrap(err, "rate limit")
}

func (l *DB) RetryAfter(ctx context.Context, key string) (time.Duration, error) {
	now := l.clock.Now().UnixMilli()
	var resetAt int64
	err := l.db.QueryRow(ctx, "SELECT reset_at FROM rate_counters WHERE key = ? AND reset_at > ?", key, now).Scan(&resetAt)
	if store.NoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, errs.Wrap(err, "rate limit")
	}
	return time.Duration(resetAt-now) * time.Millisecond, nil
}

// Sweep deletes counters whose window has ended.
func (l *DB) Sweep(ctx context.Context) error {
	_, err := l.db.Exec(ctx, "DELETE FROM rate_counters WHERE reset_at <= ?", l.clock.Now().UnixMilli())
	return err
}
