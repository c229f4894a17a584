package store

import (
	"context"
	"database/sql"
	"errors"
)

// A commit hook is work that must commit with every write made with a
// context, whatever core makes it: the admin face's audit rows are one.
// WithCommitHook puts it in the context; then
//
//   - every transaction begun with that context (InTx, Unit) runs the hook
//     inside the transaction, after fn has succeeded and just before the
//     commit: a hook's error rolls the whole transaction back and is the
//     transaction's error; on PostgreSQL a retried unit runs it again (it is
//     part of each attempt, as fn is);
//   - every write made beside a unit with that context (DB.Exec,
//     DB.QueryRowWrite) runs as a transaction of its own that includes the
//     hook. An Exec that changes no row (RowsAffected 0) wrote nothing, and
//     runs no hook; a QueryRowWrite whose row does not scan rolls back.
//
// So no write made with the context commits without its hook's rows. The
// nesting rules are the same: inside a unit, the database is used through
// the unit's Tx only (ErrNested otherwise), and the hook runs once, at the
// unit's commit.

// CommitHook runs inside a transaction just before its commit. ctx carries
// the unit (InUnit); write through tx.
type CommitHook func(ctx context.Context, tx *Tx) error

type hookKey struct{}

// WithCommitHook returns a context whose transactions and writes run h
// before they commit (after the hooks ctx already carries).
func WithCommitHook(ctx context.Context, h CommitHook) context.Context {
	prev := hooksOf(ctx)
	hooks := make([]CommitHook, len(prev), len(prev)+1)
	copy(hooks, prev)
	return context.WithValue(ctx, hookKey{}, append(hooks, h))
}

// WithoutCommitHooks returns a context whose writes run no commit hook:
// for bookkeeping that is not the write the hooks are about (a rate
// counter counted while an admin's request is refused).
func WithoutCommitHooks(ctx context.Context) context.Context {
	if hooksOf(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, hookKey{}, []CommitHook(nil))
}

func hooksOf(ctx context.Context) []CommitHook {
	h, _ := ctx.Value(hookKey{}).([]CommitHook)
	return h
}

// runHooks runs the commit hooks of ctx in t, unless t wrote nothing.
func (t *Tx) runHooks(ctx context.Context, hooks []CommitHook) error {
	if t.noHooks {
		return nil
	}
	for _, h := range hooks {
		if err := h(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// execHooked is Exec as a unit that runs the hooks of ctx.
func (db *DB) execHooked(ctx context.Context, q string, args []any) (sql.Result, error) {
	var res sql.Result
	err := db.Unit(ctx, func(ctx context.Context, tx *Tx) error {
		r, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err == nil && n == 0 {
			tx.noHooks = true
		}
		res = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Row is the row of QueryRowWrite: Scan it once.
type Row struct {
	row  *sql.Row
	scan func(dest ...any) error // with commit hooks: the whole unit
	done bool
}

var errScannedTwice = errors.New("store: a Row of QueryRowWrite scanned twice")

// Scan copies the row's columns into dest, as sql.Row.Scan. With commit
// hooks in the context, the statement, the hooks and the commit all run
// in Scan, and its error is the unit's.
func (r *Row) Scan(dest ...any) error {
	if r.scan == nil {
		return r.row.Scan(dest...)
	}
	if r.done {
		return errScannedTwice
	}
	r.done = true
	return r.scan(dest...)
}

// queryRowHooked is QueryRowWrite as a unit that runs the hooks of ctx.
func (db *DB) queryRowHooked(ctx context.Context, q string, args []any) *Row {
	return &Row{scan: func(dest ...any) error {
		return db.Unit(ctx, func(ctx context.Context, tx *Tx) error {
			return tx.QueryRow(ctx, q, args...).Scan(dest...)
		})
	}}
}
