package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

func TestMigrateTwiceIsNoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO faqs (title, created_at, updated_at) VALUES (?, ?, ?)", "x", 1, 1); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM faqs").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rows after rollback = %d, want 0", n)
		}
	})
}

// Many concurrent writers never see "database is locked".
func TestConcurrentWritesSerialize(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, "INSERT INTO rate_counters (key, count, reset_at) VALUES ('k', 0, 0)"); err != nil {
			t.Fatal(err)
		}
		const workers, each = 16, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					errs <- db.InTx(ctx, func(tx *store.Tx) error {
						var c int
						if err := tx.QueryRow(ctx, "SELECT count FROM rate_counters WHERE key = 'k'"+tx.ForUpdate()).Scan(&c); err != nil {
							return err
						}
						_, err := tx.Exec(ctx, "UPDATE rate_counters SET count = ? WHERE key = 'k'", c+1)
						return err
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("write: %v", err)
			}
		}
		var c int
		if err := db.QueryRow(ctx, "SELECT count FROM rate_counters WHERE key = 'k'").Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c != workers*each {
			t.Fatalf("count = %d, want %d (lost updates)", c, workers*each)
		}
	})
}

func TestUniqueViolationDetected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ins := "INSERT INTO admins (email, password_hash, created_at, updated_at) VALUES (?, 'x', 1, 1)"
		if _, err := db.Exec(ctx, ins, "a@b.c"); err != nil {
			t.Fatal(err)
		}
		_, err := db.Exec(ctx, ins, "a@b.c")
		if !store.IsUniqueViolation(err) {
			t.Fatalf("err = %v, want unique violation", err)
		}
	})
}

func TestRebindSkipsQuotedMarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var s string
		var n int
		if err := db.QueryRow(ctx, "SELECT '?', CAST(? AS INTEGER)", 7).Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		if s != "?" || n != 7 {
			t.Fatalf("got %q %d", s, n)
		}
	})
}

// The SQLite database, its WAL and shared-memory files and their directory
// are the owner's only: they hold password hashes and messages.
func TestSQLiteFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "plaza.db")
	db, err := store.Open(context.Background(), store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(context.Background(), "INSERT INTO faqs (title, created_at, updated_at) VALUES (?, ?, ?)", "x", 1, 1); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
}

// A data directory whose name holds "#", "?" or "%" keeps its database in
// that directory (the "file:" URI would otherwise end at them).
func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c%20d")
	path := filepath.Join(dir, "plaza.db")
	db, err := store.Open(context.Background(), store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(context.Background(), "INSERT INTO faqs (title, created_at, updated_at) VALUES (?, ?, ?)", "x", 1, 1); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the database is not in %s (it holds %v)", dir, names)
	}
}
