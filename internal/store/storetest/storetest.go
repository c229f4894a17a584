// Package storetest opens fresh databases for tests: always SQLite in a
// temporary directory, and PostgreSQL (in a schema of its own, dropped at the
// end) when PLAZA_TEST_DATABASE_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"plaza/internal/store"
)

// EnvURL names the variable that points the tests at PostgreSQL.
const EnvURL = "PLAZA_TEST_DATABASE_URL"

// Engine is one engine a test can run on.
type Engine struct {
	Name string
	// Open returns a fresh, migrated database that is closed (and dropped)
	// when the test ends, and the options that reach it again.
	Open func(t testing.TB) (*store.DB, store.Options)
}

// Engines lists SQLite and, when configured, PostgreSQL.
func Engines() []Engine {
	es := []Engine{{Name: "sqlite", Open: OpenSQLite}}
	if os.Getenv(EnvURL) != "" {
		es = append(es, Engine{Name: "postgres", Open: OpenPostgres})
	}
	return es
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db, _ := e.Open(t)
			fn(t, db)
		})
	}
}

// OpenSQLite opens a fresh SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) (*store.DB, store.Options) {
	t.Helper()
	o := store.Options{Path: filepath.Join(t.TempDir(), "plaza.db")}
	db, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, o
}

// OpenPostgres opens PostgreSQL in a new schema of its own.
func OpenPostgres(t testing.TB) (*store.DB, store.Options) {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(EnvURL + " is not set")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	o := store.Options{URL: u.String(), MaxConns: 8}
	db, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, o
}
