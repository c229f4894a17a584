package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"plaza/internal/clock"
)

// A unit of work is one write transaction that may span several cores: the
// caller opens it with Unit and hands its context and *Tx to each core's
// write function (wallet.Purchase(ctx, tx, ...), then the next core's), so
// that all their writes commit together or not at all.
//
// Three rules make units compose:
//
//   - One transaction per unit, and everything of the unit goes through it.
//     A core function that must compose takes the caller's *Tx and never
//     begins its own transaction nor uses the pool. Unit puts its Tx in the
//     context it passes to fn; InTx, Unit, Snapshot and the DB's own Query,
//     QueryRow, Exec and QueryRowWrite called with such a context fail at
//     once with ErrNested. Otherwise, on SQLite, a nested write would wait
//     forever for the one writer that the outer transaction holds; on
//     PostgreSQL, units each waiting for a second connection would starve
//     the pool (20 units on a pool of 8 hang for good), and a write beside
//     the unit would escape its rollback.
//   - One time per unit. Tx.Now is the time the transaction began, read once
//     from the clock of the database (SetClock: the app's clock); every row a
//     unit writes carries that same time.
//   - fn may run more than once. On PostgreSQL a serialization failure or a
//     deadlock rolls the unit back and runs fn again (a few times), so fn
//     must not keep effects outside the transaction between attempts.

// ErrNested is the error of a transaction begun, or of the pool used,
// while the context carries a unit of work: pass the unit's *Tx instead.
var ErrNested = errors.New("store: the database used beside the unit of work that the context carries (pass the unit's *store.Tx instead)")

// txKey marks a context that carries a unit's *Tx.
type txKey struct{}

// InUnit tells whether ctx carries a unit of work (a context given to the fn
// of Unit).
func InUnit(ctx context.Context) bool { return ctx.Value(txKey{}) != nil }

// SetClock makes c the clock of every transaction's Now. Call it before the
// database is used (server.New does, with the app's clock); by default the
// real clock is used.
func (db *DB) SetClock(c clock.Clock) { db.clock = c }

// now is the time a transaction begins: the clock's, to the millisecond
// (times are stored as milliseconds, so a row read back equals the time
// written).
func (db *DB) now() time.Time {
	var t time.Time
	if db.clock != nil {
		t = db.clock.Now()
	} else {
		t = time.Now()
	}
	return time.UnixMilli(t.UnixMilli())
}

// Now is the time of the transaction: when it began, to the millisecond.
// Every row a unit writes uses it, so all the rows of one unit share one
// time.
func (t *Tx) Now() time.Time { return t.now }

// Unit runs fn as one unit of work: in a write transaction, committing when
// fn returns nil and rolling back otherwise. fn gets a context that carries
// the transaction; pass it, with tx, to every core write function. On
// PostgreSQL a serialization failure or deadlock is retried a few times, so
// fn may run more than once. Called with a context that already carries a
// unit, Unit returns ErrNested without touching the database.
func (db *DB) Unit(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if InUnit(ctx) {
		return ErrNested
	}
	for attempt := 0; ; attempt++ {
		err := db.inTx(ctx, fn)
		if err == nil || attempt >= 4 || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
}

// nestedCtx is a context that is already over, with ErrNested as its
// error: database/sql answers a query made with it by ErrNested without
// asking for a connection.
type nestedCtx struct{ context.Context }

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (nestedCtx) Done() <-chan struct{} { return closed }
func (nestedCtx) Err() error            { return ErrNested }

// Snapshot runs fn on a read-only transaction: every query of fn sees the
// database as it was at one moment, while writers go on (SQLite: a WAL read
// transaction on the read pool; PostgreSQL: REPEATABLE READ, READ ONLY).
// It is for reads that must agree with each other, such as ledger verify.
func (db *DB) Snapshot(ctx context.Context, fn func(q Querier) error) error {
	if InUnit(ctx) {
		return ErrNested
	}
	var opts *sql.TxOptions
	if db.engine == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback()
	return fn(snapshot{db: db, tx: tx})
}

type snapshot struct {
	db *DB
	tx *sql.Tx
}

func (s snapshot) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.tx.QueryContext(ctx, s.db.rebind(q), args...)
}

func (s snapshot) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.tx.QueryRowContext(ctx, s.db.rebind(q), args...)
}

func (s snapshot) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return nil, errors.New("store: write in a read-only snapshot")
}
