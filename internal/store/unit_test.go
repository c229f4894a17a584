package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// within runs fn and fails the test with fn's error, or when fn has not
// returned after d: a nested write on SQLite would wait forever for the
// writer its own unit holds. fn reports only through its result, so a fn
// still stuck when the test ends reports nothing.
func within(t *testing.T, d time.Duration, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(d):
		t.Fatalf("no answer after %v: deadlock", d)
	}
}

// Every way of using the database beside a unit, inside it, fails at once
// with ErrNested, and the unit itself goes on and commits.
func TestNestedWriteFailsFast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bg := context.Background()
		const ins = "INSERT INTO faqs (title, created_at, updated_at) VALUES (?, 1, 1)"
		nested := map[string]func(ctx context.Context) error{
			"InTx": func(ctx context.Context) error {
				return db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, ins, "inner"); return err })
			},
			"Unit": func(ctx context.Context) error {
				return db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error { _, err := tx.Exec(ctx, ins, "inner"); return err })
			},
			"Exec": func(ctx context.Context) error { _, err := db.Exec(ctx, ins, "inner"); return err },
			// Reads too: on PostgreSQL a unit that waits for a second
			// connection of the pool can starve it.
			"Query": func(ctx context.Context) error {
				_, err := db.Query(ctx, "SELECT id FROM faqs")
				return err
			},
			"QueryRow": func(ctx context.Context) error {
				_, err := store.Count(ctx, db, "SELECT COUNT(*) FROM faqs")
				return err
			},
			"Snapshot": func(ctx context.Context) error {
				return db.Snapshot(ctx, func(q store.Querier) error { return nil })
			},
			"QueryRowWrite": func(ctx context.Context) error {
				var id int64
				return db.QueryRowWrite(ctx, ins+" RETURNING id", "inner").Scan(&id)
			},
		}
		for name, write := range nested {
			t.Run(name, func(t *testing.T) {
				within(t, 5*time.Second, func() error {
					var nestedErr error
					err := db.Unit(bg, func(ctx context.Context, tx *store.Tx) error {
						if !store.InUnit(ctx) {
							return errors.New("the unit's context carries no unit")
						}
						nestedErr = write(ctx)
						_, err := tx.Exec(ctx, ins, "outer "+name)
						return err
					})
					if err != nil {
						return fmt.Errorf("unit: %w", err)
					}
					if !errors.Is(nestedErr, store.ErrNested) {
						return fmt.Errorf("nested %s: err = %v, want ErrNested", name, nestedErr)
					}
					return nil
				})
				n, err := store.Count(bg, db, "SELECT COUNT(*) FROM faqs WHERE title = ?", "outer "+name)
				if err != nil || n != 1 {
					t.Fatalf("outer rows = %d (%v), want 1", n, err)
				}
				n, _ = store.Count(bg, db, "SELECT COUNT(*) FROM faqs WHERE title = 'inner'")
				if n != 0 {
					t.Fatalf("nested write went through: %d rows", n)
				}
			})
		}
	})
}

// A unit's rows share one time, the clock's when the unit began, whatever
// the clock does meanwhile.
func TestUnitHasOneTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC))
		db.SetClock(clk)
		err := db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			for i := range 3 {
				if _, err := tx.Exec(ctx, "INSERT INTO faqs (title, created_at, updated_at) VALUES ('t', ?, ?)",
					tx.Now().UnixMilli(), tx.Now().UnixMilli()); err != nil {
					return err
				}
				clk.Advance(time.Duration(i+1) * time.Second)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		times, err := store.Collect(ctx, db, "SELECT created_at FROM faqs", nil, func(r store.Scanner) (time.Time, error) {
			var at time.Time
			return at, r.Scan((*store.Millis)(&at))
		})
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 3, 1, 10, 0, 0, 123000000, time.UTC)
		for _, at := range times {
			if !at.Equal(want) {
				t.Fatalf("row time %v, want %v for every row", at, want)
			}
		}
		err = db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			if !tx.Now().Equal(want.Add(6 * time.Second)) {
				t.Errorf("next unit's time %v, want %v", tx.Now(), want.Add(6*time.Second))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// A snapshot sees one moment: a write committed while it is open does not
// show in it.
func TestSnapshotIsOneMoment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ins := "INSERT INTO faqs (title, created_at, updated_at) VALUES ('s', 1, 1)"
		if _, err := db.Exec(ctx, ins); err != nil {
			t.Fatal(err)
		}
		err := db.Snapshot(ctx, func(q store.Querier) error {
			before, err := store.Count(ctx, q, "SELECT COUNT(*) FROM faqs")
			if err != nil {
				return err
			}
			if _, err := db.Exec(ctx, ins); err != nil {
				return err
			}
			after, err := store.Count(ctx, q, "SELECT COUNT(*) FROM faqs")
			if err != nil {
				return err
			}
			if before != 1 || after != 1 {
				t.Errorf("snapshot saw %d then %d rows, want 1 and 1", before, after)
			}
			if _, err := q.Exec(ctx, ins); err == nil {
				t.Error("a snapshot wrote")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM faqs"); n != 2 {
			t.Fatalf("rows after = %d, want 2", n)
		}
	})
}

// AfterCommit runs once the unit has committed, after the commit (a read
// in it sees the unit's rows), and never for a unit that rolls back.
func TestAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, "CREATE TABLE after_commit (n INTEGER)"); err != nil {
			t.Fatal(err)
		}
		var seen []int
		count := func() {
			n, err := store.Count(ctx, db, "SELECT COUNT(*) FROM after_commit")
			if err != nil {
				t.Error(err)
			}
			seen = append(seen, n)
		}
		write := func(fail error) error {
			return db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
				tx.AfterCommit(count)
				if _, err := tx.Exec(ctx, "INSERT INTO after_commit (n) VALUES (1)"); err != nil {
					return err
				}
				return fail
			})
		}
		if err := write(nil); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if err := write(boom); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if fmt.Sprint(seen) != "[1]" {
			t.Fatalf("after-commit runs saw %v, want [1]", seen)
		}
	})
}
