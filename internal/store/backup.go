package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	sqlite "modernc.org/sqlite"
)

// Progress is told how many bytes of a total a copy has done. It is called
// from the copying goroutine, at least once at the end with done == total.
type Progress func(done, total int64)

// backupStep is the number of pages one step of a backup copies (4 MiB of
// 4 KiB pages): the unit of the progress reports. A variable for the tests.
var backupStep int32 = 1024

// BackupSQLite writes a consistent copy of the SQLite database src to the
// file dst (replaced when it exists: the caller decides), while other processes go on
// writing src: the copy is the database as it was when the backup began,
// every transaction committed before then and none after.
//
// It uses SQLite's online backup API from a connection that holds one read
// transaction for the whole copy; in WAL mode that snapshot stays whole
// while a server commits, so the copy goes step by step (with progress)
// and never restarts. The copy is written beside dst, checked (PRAGMA
// quick_check), turned into a single file (journal_mode DELETE: no -wal
// to carry along), synced, and only then renamed to dst: a backup that
// stops half-way leaves no file that looks whole, and an older dst stays
// whole until the new one replaces it. It returns the copy's
// size in bytes.
func BackupSQLite(ctx context.Context, src, dst string, progress Progress) (int64, error) {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	if _, err := os.Stat(src); err != nil {
		return 0, fmt.Errorf("sqlite: no database at %s: %w", src, err)
	}
	pool, err := sql.Open("sqlite", "file:"+uriPath(src)+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return 0, fmt.Errorf("open sqlite: %w", err)
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("open sqlite %s: %w", src, err)
	}
	defer conn.Close()
	var pageSize int64
	if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return 0, fmt.Errorf("sqlite %s: %w", src, err)
	}
	// The snapshot: a read transaction, begun by the first read.
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return 0, fmt.Errorf("sqlite %s: %w", src, err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	var tables int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'").Scan(&tables); err != nil {
		return 0, fmt.Errorf("sqlite %s: %w", src, err)
	}
	if tables == 0 {
		return 0, fmt.Errorf("sqlite: %s holds no table; nothing to back up", src)
	}

	tmp := dst + ".partial"
	os.Remove(tmp)
	// The copy holds password hashes: the owner's only, before SQLite
	// writes a page to it.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	f.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmp)
			os.Remove(tmp + "-journal")
		}
	}()
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("the SQLite driver has no backup API")
		}
		bk, err := b.NewBackup(tmp)
		if err != nil {
			return err
		}
		step, prev, restarts := backupStep, -1, 0
		for {
			if err := ctx.Err(); err != nil {
				bk.Finish()
				return err
			}
			more, err := bk.Step(step)
			if err != nil {
				bk.Finish()
				return err
			}
			total := int64(bk.PageCount()) * pageSize
			if !more {
				progress(total, total)
				break
			}
			left := bk.Remaining()
			if prev >= 0 && left > prev {
				// Restarted: the snapshot was lost (it should not be).
				// Copy the rest in one step, which holds its own.
				if restarts++; restarts > 3 {
					step = -1
				}
			}
			prev = left
			progress(total-int64(left)*pageSize, total)
		}
		return bk.Finish()
	})
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", src, err)
	}
	if err := settle(ctx, tmp); err != nil {
		return 0, fmt.Errorf("backup: the copy: %w", err)
	}
	size, err := syncFile(tmp)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	done = true
	syncDir(filepath.Dir(dst))
	return size, nil
}

// settle turns the SQLite file path into one self-contained file
// (journal_mode DELETE) and checks it: quick_check answers ok, and it is a
// plaza store (it has the migrations' table).
func settle(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode, check string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		return fmt.Errorf("not an SQLite database: %w", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	if check != "ok" {
		return fmt.Errorf("quick_check: %s", check)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'goose_db_version'").Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errors.New("not a plaza store (it has no goose_db_version table)")
	}
	return db.Close()
}

// SQLiteHasStore tells whether the SQLite file path holds tables (a store
// that has been migrated or served), and how many users it has.
func SQLiteHasStore(ctx context.Context, path string) (bool, int64, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, err
	}
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return false, 0, err
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'").Scan(&tables); err != nil {
		return false, 0, fmt.Errorf("sqlite %s: %w", path, err)
	}
	if tables == 0 {
		return false, 0, nil
	}
	var users int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&users); err != nil {
		users = -1 // not a plaza store, or an old one: still a store
	}
	return true, users, nil
}

// RestoreSQLite puts the backup src (a file BackupSQLite wrote) in place
// of the SQLite database dst, which no process may have open (the caller
// holds the data folder's lock). The backup is copied beside dst, checked
// as BackupSQLite checks, synced, and renamed over dst after dst's -wal and
// -shm are removed (an old WAL must never be replayed onto the new file).
// The schema is left as the backup has it: migrations run when plaza
// opens the store. It returns the size in bytes.
func RestoreSQLite(ctx context.Context, src, dst string, progress Progress) (int64, error) {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	in, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("restore: %s is not a file", src)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	tmp := dst + ".restore"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
		os.Remove(p)
	}
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	done := false
	defer func() {
		out.Close()
		if !done {
			for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
				os.Remove(p)
			}
		}
	}()
	total := st.Size()
	var n int64
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		k, rerr := in.Read(buf)
		if k > 0 {
			if _, err := out.Write(buf[:k]); err != nil {
				return 0, fmt.Errorf("restore: %w", err)
			}
			n += int64(k)
			progress(n, max(total, n))
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, fmt.Errorf("restore: %w", rerr)
		}
	}
	if n == 0 {
		progress(0, 0)
	}
	if err := out.Sync(); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	if err := out.Close(); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	if err := settle(ctx, tmp); err != nil {
		return 0, fmt.Errorf("restore: %s is no usable backup: %w", src, err)
	}
	size, err := syncFile(tmp)
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	for _, p := range []string{dst + "-wal", dst + "-shm", dst + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	done = true
	syncDir(filepath.Dir(dst))
	return size, nil
}

// syncFile flushes path to disk and returns its size.
func syncFile(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), f.Close()
}

// syncDir flushes a directory's entries (a rename) where the OS can.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
