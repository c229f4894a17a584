package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// hooked makes the table the hook writes, and a context whose hook writes
// one row of it per commit (and counts its runs); fail, when set, is the
// hook's error.
func hooked(t *testing.T, db *store.DB, fail *error) (context.Context, *atomic.Int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Exec(ctx, "CREATE TABLE hook_rows (note TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	return store.WithCommitHook(ctx, func(ctx context.Context, tx *store.Tx) error {
		runs.Add(1)
		if !store.InUnit(ctx) {
			return errors.New("the hook's context carries no unit")
		}
		if _, err := tx.Exec(ctx, "INSERT INTO hook_rows (note) VALUES ('h')"); err != nil {
			return err
		}
		if fail != nil {
			return *fail
		}
		return nil
	}), &runs
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	n, err := store.Count(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const insFAQ = "INSERT INTO faqs (title, created_at, updated_at) VALUES ('hooked', 1, 1)"

// Every write made with a hooked context commits with one run of the hook:
// units, InTx, Exec and QueryRowWrite alike; an Exec that changes nothing
// runs no hook.
func TestCommitHookRunsOncePerCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, runs := hooked(t, db, nil)
		err := db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			for range 3 {
				if _, err := tx.Exec(ctx, insFAQ); err != nil {
					return err
				}
			}
			if n := count(t, db, "SELECT COUNT(*) FROM hook_rows"); n != 0 {
				t.Errorf("hook rows before the commit = %d, want 0", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, insFAQ); return err }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, insFAQ); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.QueryRowWrite(ctx, insFAQ+" RETURNING id", nil...).Scan(&id); err != nil || id == 0 {
			t.Fatalf("QueryRowWrite: id %d, %v", id, err)
		}
		res, err := db.Exec(ctx, "UPDATE faqs SET title = 'x' WHERE id = -1")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 0 {
			t.Fatalf("rows affected %d", n)
		}
		// Reads run no hook.
		if _, err := store.Count(ctx, db, "SELECT COUNT(*) FROM faqs"); err != nil {
			t.Fatal(err)
		}
		if got := runs.Load(); got != 4 {
			t.Fatalf("hook runs = %d, want 4", got)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM hook_rows"); n != 4 {
			t.Fatalf("hook rows = %d, want 4", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM faqs WHERE title = 'hooked'"); n != 6 {
			t.Fatalf("faq rows = %d, want 6", n)
		}
		// A context without the hook writes without it.
		if _, err := db.Exec(context.Background(), insFAQ); err != nil {
			t.Fatal(err)
		}
		if runs.Load() != 4 {
			t.Fatal("a context without the hook ran it")
		}
	})
}

// A hook's error is the write's error and rolls the whole write back,
// whatever way it was made; the unit's fn failing runs no hook.
func TestCommitHookErrorRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boom := errors.New("boom")
		fail := boom
		ctx, runs := hooked(t, db, &fail)
		writes := map[string]func() error{
			"Unit": func() error {
				return db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error { _, err := tx.Exec(ctx, insFAQ); return err })
			},
			"InTx": func() error {
				return db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, insFAQ); return err })
			},
			"Exec": func() error { _, err := db.Exec(ctx, insFAQ); return err },
			"QueryRowWrite": func() error {
				var id int64
				return db.QueryRowWrite(ctx, insFAQ+" RETURNING id").Scan(&id)
			},
		}
		for name, write := range writes {
			if err := write(); !errors.Is(err, boom) {
				t.Fatalf("%s: err = %v, want the hook's", name, err)
			}
		}
		if got := runs.Load(); got != 4 {
			t.Fatalf("hook runs = %d, want 4", got)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM faqs") + count(t, db, "SELECT COUNT(*) FROM hook_rows"); n != 0 {
			t.Fatalf("%d rows committed, want none", n)
		}
		fail = nil
		other := errors.New("fn failed")
		err := db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.Exec(ctx, insFAQ); err != nil {
				return err
			}
			return other
		})
		if !errors.Is(err, other) || runs.Load() != 4 {
			t.Fatalf("failed unit: err %v, hook runs %d (want 4)", err, runs.Load())
		}
		// A QueryRowWrite whose statement finds no row rolls back and
		// runs no hook.
		var id int64
		err = db.QueryRowWrite(ctx, "UPDATE faqs SET title = 'y' WHERE id = -1 RETURNING id").Scan(&id)
		if !store.NoRows(err) || runs.Load() != 4 {
			t.Fatalf("no-row QueryRowWrite: err %v, hook runs %d (want 4)", err, runs.Load())
		}
	})
}

// Inside a unit begun with a hooked context, the nesting rules hold as
// without hooks (ErrNested at once, no deadlock), and the hook runs once,
// at the unit's commit.
func TestCommitHookNested(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, runs := hooked(t, db, nil)
		within(t, 5*time.Second, func() error {
			return db.Unit(ctx, func(uctx context.Context, tx *store.Tx) error {
				// A hook added inside the unit is another context's: it
				// changes nothing for this unit, and nested writes with
				// it still fail.
				inner := store.WithCommitHook(uctx, func(context.Context, *store.Tx) error { return errors.New("inner hook ran") })
				for _, c := range []context.Context{uctx, inner} {
					if _, err := db.Exec(c, insFAQ); !errors.Is(err, store.ErrNested) {
						return errors.New("nested Exec: " + errString(err))
					}
					var id int64
					if err := db.QueryRowWrite(c, insFAQ+" RETURNING id").Scan(&id); !errors.Is(err, store.ErrNested) {
						return errors.New("nested QueryRowWrite: " + errString(err))
					}
					if err := db.Unit(c, func(context.Context, *store.Tx) error { return nil }); !errors.Is(err, store.ErrNested) {
						return errors.New("nested Unit: " + errString(err))
					}
				}
				_, err := tx.Exec(uctx, insFAQ)
				return err
			})
		})
		if runs.Load() != 1 || count(t, db, "SELECT COUNT(*) FROM hook_rows") != 1 || count(t, db, "SELECT COUNT(*) FROM faqs") != 1 {
			t.Fatalf("hook runs %d, want 1 hook row and 1 faq", runs.Load())
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// serializationFailure is the error PostgreSQL gives a transaction that
// could not serialize.
type serializationFailure struct{}

func (serializationFailure) Error() string    { return "could not serialize access" }
func (serializationFailure) SQLState() string { return "40001" }

// A unit retried after a serialization failure runs its hook again in the
// attempt that commits; the failed attempt's rows, the hook's included, are
// rolled back.
func TestCommitHookRerunsOnRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var fail error = serializationFailure{}
		ctx, runs := hooked(t, db, &fail)
		attempts := 0
		err := db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			attempts++
			if attempts == 2 {
				fail = nil
			}
			_, err := tx.Exec(ctx, insFAQ)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if attempts != 2 || runs.Load() != 2 {
			t.Fatalf("attempts %d, hook runs %d; want 2 and 2", attempts, runs.Load())
		}
		if count(t, db, "SELECT COUNT(*) FROM hook_rows") != 1 || count(t, db, "SELECT COUNT(*) FROM faqs") != 1 {
			t.Fatal("want the one committed attempt's rows only")
		}
	})
}

// On PostgreSQL, two units whose hooks deadlock (each hook locks the row
// the other unit's fn holds): the one PostgreSQL aborts is retried whole,
// its fn and its hook again, and both commit once with one hook row each.
func TestCommitHookDeadlockRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine() != store.Postgres {
			t.Skip("SQLite has one writer: no deadlock")
		}
		bg := context.Background()
		for _, q := range []string{"CREATE TABLE hook_rows (note TEXT NOT NULL)", "CREATE TABLE hook_locks (id BIGINT PRIMARY KEY)",
			"INSERT INTO hook_locks (id) VALUES (1), (2)"} {
			if _, err := db.Exec(bg, q); err != nil {
				t.Fatal(err)
			}
		}
		var runs atomic.Int32
		locked := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
		var once [2]sync.Once
		unit := func(me int) error {
			mine, theirs := me+1, 2-me
			ctx := store.WithCommitHook(bg, func(ctx context.Context, tx *store.Tx) error {
				runs.Add(1)
				var id int64
				if err := tx.QueryRow(ctx, "SELECT id FROM hook_locks WHERE id = ? FOR UPDATE", theirs).Scan(&id); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "INSERT INTO hook_rows (note) VALUES (?)", fmt.Sprint(me))
				return err
			})
			return db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
				var id int64
				if err := tx.QueryRow(ctx, "SELECT id FROM hook_locks WHERE id = ? FOR UPDATE", mine).Scan(&id); err != nil {
					return err
				}
				once[me].Do(func() { close(locked[me]); <-locked[1-me] })
				_, err := tx.Exec(ctx, insFAQ)
				return err
			})
		}
		errc := make(chan error, 2)
		for me := range 2 {
			go func() { errc <- unit(me) }()
		}
		for range 2 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		if runs.Load() != 3 {
			t.Fatalf("hook runs = %d, want 3 (one deadlocked and run again)", runs.Load())
		}
		if count(t, db, "SELECT COUNT(*) FROM hook_rows") != 2 || count(t, db, "SELECT COUNT(*) FROM faqs") != 2 {
			t.Fatal("want one hook row and one faq per unit")
		}
	})
}
