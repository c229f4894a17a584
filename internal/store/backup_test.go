package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup is the database as it was when it began: rows committed by
// another connection between its steps (here from the progress callback,
// so between every two steps) are not in it, and it finishes all the same.
// The restore puts it in place of a database that has a -wal of its own.
func TestBackupIsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "plaza.db")
	db, err := Open(ctx, Options{Path: src})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, "CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	const rows = 2000
	err = db.InTx(ctx, func(tx *Tx) error {
		for range rows {
			if _, err := tx.Exec(ctx, "INSERT INTO filler (b) VALUES (randomblob(500))"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func(s int32) { backupStep = s }(backupStep)
	backupStep = 8 // pages: many steps
	calls, last := 0, int64(-1)
	var lastTotal int64
	dst := filepath.Join(t.TempDir(), "backup.db")
	size, err := BackupSQLite(ctx, src, dst, func(done, total int64) {
		calls++
		if done < last || done > total {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last, lastTotal = done, total
		if _, err := db.Exec(ctx, "INSERT INTO filler (b) VALUES (randomblob(500))"); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 20 || last != lastTotal {
		t.Fatalf("%d progress calls, the last %d/%d", calls, last, lastTotal)
	}
	if st, err := os.Stat(dst); err != nil || st.Size() != size || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v (size %d)", st, err, size)
	}
	for _, p := range []string{dst + ".partial", dst + "-wal", dst + "-journal"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left behind", p)
		}
	}

	// Restore it over a store with a -wal of its own (a store left by a
	// killed server): the backup's rows, not one of the later ones.
	restored := filepath.Join(t.TempDir(), "plaza.db")
	other, err := Open(ctx, Options{Path: restored})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, "CREATE TABLE stray (x)"); err != nil {
		t.Fatal(err)
	}
	// No Close: its -wal stays, as after a SIGKILL.
	if _, err := os.Stat(restored + "-wal"); err != nil {
		t.Fatalf("no -wal to replace: %v", err)
	}
	other.write.Close()
	other.read.Close()
	if _, err := RestoreSQLite(ctx, dst, restored, nil); err != nil {
		t.Fatal(err)
	}
	back, err := Open(ctx, Options{Path: restored})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	var n, stray int
	if err := back.QueryRow(ctx, "SELECT COUNT(*) FROM filler").Scan(&n); err != nil || n != rows {
		t.Fatalf("restored rows: %d %v, want %d", n, err, rows)
	}
	if err := back.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'stray'").Scan(&stray); err != nil || stray != 0 {
		t.Fatalf("the old store's table survived: %d %v", stray, err)
	}
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM filler").Scan(&n); err != nil || n != rows+calls {
		t.Fatalf("source rows: %d %v, want %d", n, err, rows+calls)
	}

	// Not a backup: refused, and the store is left as it was.
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte(strings.Repeat("not sqlite ", 1000)), 0o600)
	if _, err := RestoreSQLite(ctx, junk, restored, nil); err == nil {
		t.Fatal("restored a file that is no database")
	}
	if err := back.QueryRow(ctx, "SELECT COUNT(*) FROM filler").Scan(&n); err != nil || n != rows {
		t.Fatalf("after a refused restore: %d %v", n, err)
	}
}
