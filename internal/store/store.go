// Package store opens plaza's database on one of its two engines, embedded
// SQLite (the default) or PostgreSQL, applies the embedded migrations, and
// gives the core one small contract over both: queries written once with "?"
// placeholders, and write transactions that never see "database is locked".
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"

	"plaza/internal/clock"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

//go:embed migrations
var migrations embed.FS

// Querier runs statements; both *DB (reads) and *Tx implement it.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// DB is an open database.
//
// On SQLite, reads go to a pool of read-only connections and every write goes
// through one connection that begins its transactions IMMEDIATE, so writers
// queue in Go instead of failing with SQLITE_BUSY. On PostgreSQL one pool
// serves both.
type DB struct {
	engine Engine
	read   *sql.DB
	write  *sql.DB
	binds  sync.Map // query text -> rebound text (PostgreSQL)

	// SQLite prepares a statement anew for every unprepared query, and
	// parsing was a third of the CPU of a point read; so on SQLite
	// statements are prepared once and kept (pgx caches them itself).
	readStmts  stmtCache
	writeStmts stmtCache

	clock clock.Clock // the time of each transaction (SetClock); nil: the real clock
}

// maxCachedStmts bounds each statement cache; queries beyond it (say, IN
// lists of many lengths) run unprepared.
const maxCachedStmts = 512

type stmtCache struct {
	m sync.Map // query text -> *sql.Stmt
	n atomic.Int32
}

// get returns the prepared statement of q on pool, or nil when the cache is
// full.
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, q string) (*sql.Stmt, error) {
	if s, ok := c.m.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	if c.n.Load() >= maxCachedStmts {
		return nil, nil
	}
	s, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	c.n.Add(1)
	return s, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// Options say which database to open.
type Options struct {
	// URL is a PostgreSQL URL (postgres://...). When empty, SQLite is used.
	URL string
	// Path is the SQLite file. Ignored when URL is set.
	Path string
	// MaxConns caps the PostgreSQL pool (default 20).
	MaxConns int
}

// Open opens the database and applies migrations.
func Open(ctx context.Context, o Options) (*DB, error) {
	db, err := open(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database without touching its schema. An SQLite
// file that does not exist is an error (it is not made).
func OpenNoMigrate(ctx context.Context, o Options) (*DB, error) {
	if o.URL == "" {
		if _, err := os.Stat(o.Path); err != nil {
			return nil, fmt.Errorf("sqlite: no database at %s: %w", o.Path, err)
		}
	}
	return open(ctx, o)
}

func open(ctx context.Context, o Options) (*DB, error) {
	if o.URL != "" {
		return openPostgres(ctx, o)
	}
	return openSQLite(ctx, o.Path)
}

func openPostgres(ctx context.Context, o Options) (*DB, error) {
	if !strings.HasPrefix(o.URL, "postgres://") && !strings.HasPrefix(o.URL, "postgresql://") {
		return nil, errors.New("database URL must start with postgres:// or postgresql://")
	}
	pool, err := sql.Open("pgx", o.URL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	n := o.MaxConns
	if n <= 0 {
		n = 20
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{engine: Postgres, read: pool, write: pool}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	// The database holds password hashes and messages: its directory is
	// the owner's only, and the file is made 0600 before SQLite opens it
	// (SQLite gives the -wal and -shm files the database file's mode).
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	f.Close()
	base := "file:" + uriPath(path) + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	write, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// The writer connection sets WAL mode before any reader opens.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	return &DB{engine: SQLite, read: read, write: write}, nil
}

// uriPath escapes the characters that end or escape the path of an SQLite
// "file:" URI, so a directory named "a#b" or "a?b" is the directory meant.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(p)
}

// Engine tells which engine is open.
func (db *DB) Engine() Engine { return db.engine }

// Close closes every connection.
func (db *DB) Close() error {
	db.readStmts.close()
	db.writeStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Migrate applies the embedded migrations that are not applied yet.
func (db *DB) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.engine))
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.write, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// rebind turns "?" placeholders into "$n" for PostgreSQL. Question marks
// inside quoted strings are left alone.
func (db *DB) rebind(q string) string {
	if db.engine != Postgres {
		return q
	}
	if v, ok := db.binds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	s := b.String()
	db.binds.Store(q, s)
	return s
}

// prepared returns the cached statement of q on the read or write side
// (SQLite only), or nil to run q unprepared.
func (db *DB) prepared(ctx context.Context, write bool, q string) *sql.Stmt {
	if db.engine != SQLite {
		return nil
	}
	c, pool := &db.readStmts, db.read
	if write {
		c, pool = &db.writeStmts, db.write
	}
	s, err := c.get(ctx, pool, q)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	return s
}

// Query runs a read on the read pool. Inside a unit of work it fails with
// ErrNested: read through the Tx.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if InUnit(ctx) {
		return nil, ErrNested
	}
	if s := db.prepared(ctx, false, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.rebind(q), args...)
}

// QueryRow runs a one-row read on the read pool. Inside a unit of work its
// row fails with ErrNested.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if InUnit(ctx) {
		ctx = nestedCtx{ctx}
	}
	if s := db.prepared(ctx, false, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.rebind(q), args...)
}

// Exec runs one write statement on its own (it is its own transaction,
// with the commit hooks of ctx: hook.go). Inside a unit of work it fails with ErrNested: write through the Tx.
// DeleteChunks runs q, a DELETE of at most chunk rows (its last
// placeholder is the limit: chunk follows args), again and again until a
// run deletes fewer: a big sweep as short statements, each its own
// transaction, so that the writers waiting meanwhile wait little.
func (db *DB) DeleteChunks(ctx context.Context, chunk int, q string, args ...any) error {
	args = append(args, chunk)
	for {
		res, err := db.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n < int64(chunk) {
			return err
		}
	}
}

func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if InUnit(ctx) {
		return nil, ErrNested
	}
	if hooksOf(ctx) != nil {
		return db.execHooked(ctx, q, args)
	}
	if s := db.prepared(ctx, true, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return db.write.ExecContext(ctx, db.rebind(q), args...)
}

// Tx is a write transaction.
type Tx struct {
	db  *DB
	tx  *sql.Tx
	now time.Time // when it began (Now)

	unprepared []string // queries run unprepared (SQLite), to prepare after the commit
	after      []func() // AfterCommit's
	noHooks    bool     // it wrote nothing: commit hooks do not run (hook.go)
}

// AfterCommit runs f once fn has succeeded and the commit has been tried,
// whether it committed or failed (its outcome may then be unknown, and a
// PostgreSQL unit whose commit failed to serialize runs again, its f too),
// never after fn's failure and rollback: the place to drop what an
// in-memory cache holds of the rows the unit changed, so that no reader
// fills the cache again from before the change once f has run (an extra
// run costs a cache miss, no more).
func (t *Tx) AfterCommit(f func()) { t.after = append(t.after, f) }

// stmt returns the transaction's handle on the cached statement of q, or
// nil. It never prepares: on SQLite the transaction holds the only write
// connection, which preparing on the pool would wait for forever. A query
// not cached yet is noted, and prepared once the transaction has committed
// (so the next transaction finds it).
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.db.engine != SQLite {
		return nil
	}
	if s, ok := t.db.writeStmts.m.Load(q); ok {
		return t.tx.StmtContext(ctx, s.(*sql.Stmt))
	}
	if len(t.unprepared) < 32 {
		t.unprepared = append(t.unprepared, q)
	}
	return nil
}

func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.db.rebind(q), args...)
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.db.rebind(q), args...)
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := t.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.db.rebind(q), args...)
}

// Engine tells which engine the transaction runs on.
func (t *Tx) Engine() Engine { return t.db.engine }

// ForUpdate is the row-locking suffix of a SELECT inside a transaction:
// "FOR UPDATE" on PostgreSQL, nothing on SQLite (whose writers are serialized).
func (t *Tx) ForUpdate() string {
	if t.db.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// SkipLocked is the suffix of a SELECT that claims rows of a queue inside a
// transaction: "FOR UPDATE SKIP LOCKED" on PostgreSQL (workers on several
// nodes each take rows no other holds), nothing on SQLite (one writer).
func (t *Tx) SkipLocked() string {
	if t.db.engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise. It is Unit for a fn that needs no context: new
// code that calls other cores' write functions uses Unit, whose context
// carries the transaction (and so catches a nested InTx). Called inside a
// unit, InTx fails with ErrNested.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.Unit(ctx, func(_ context.Context, tx *Tx) error { return fn(tx) })
}

func (db *DB) inTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	t := &Tx{db: db, tx: sqlTx, now: db.now()}
	uctx := context.WithValue(ctx, txKey{}, t)
	if err = fn(uctx, t); err != nil {
		return err
	}
	if err = t.runHooks(uctx, hooksOf(ctx)); err != nil {
		return err
	}
	err = sqlTx.Commit()
	for _, f := range t.after {
		f()
	}
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, q := range t.unprepared {
		_ = db.prepared(ctx, true, q) // a query that does not prepare runs unprepared again
	}
	return nil
}

// retryable reports PostgreSQL serialization failures and deadlocks.
func retryable(err error) bool {
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		switch s.SQLState() {
		case "40001", "40P01":
			return true
		}
	}
	return false
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		return s.SQLState() == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsForeignKeyViolation reports whether err is a foreign-key failure on
// either engine.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		return s.SQLState() == "23503"
	}
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// LimitOffset is the paging clause of a query whose last two arguments are
// the limit and the offset. SQLite (3.53) plans with the value bound to a
// bare "LIMIT ?" and so re-prepares the statement at every run, which costs
// as much as not preparing it at all; "? + 0" is an expression it does not
// look into, and the kept statement is reused. PostgreSQL takes both forms.
const LimitOffset = " LIMIT (? + 0) OFFSET (? + 0)"

// Placeholders returns "?, ?, ?" with n marks, for IN lists.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// InIDs returns the placeholders and arguments of an IN list of ids,
// padded (the last id repeated) to 1, 2, 4, 8, ... items: a query then has
// a handful of texts instead of one per list length, and the prepared
// statements kept per text (at most 512 on SQLite) are not used up by IN
// lists.
func InIDs(ids []int64) (string, []any) {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	return Placeholders(n), args
}

// QueryRowWrite runs a one-row statement that writes (INSERT ... RETURNING)
// on the write connection, as its own transaction (with the commit hooks of
// ctx: hook.go). Inside a unit of work its row fails with ErrNested.
func (db *DB) QueryRowWrite(ctx context.Context, q string, args ...any) *Row {
	if InUnit(ctx) {
		ctx = nestedCtx{ctx}
	} else if hooksOf(ctx) != nil {
		return db.queryRowHooked(ctx, q, args)
	}
	if s := db.prepared(ctx, true, q); s != nil {
		return &Row{row: s.QueryRowContext(ctx, args...)}
	}
	return &Row{row: db.write.QueryRowContext(ctx, db.rebind(q), args...)}
}
