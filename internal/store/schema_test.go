package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// allowedDifferences are the differences between the engines' schemas that
// are meant: an engine-specific feature with no counterpart on the other,
// each with the reason. table and key are as the parity test prints them
// ("media" and "column id", or "index using gin (...)"). Keep it short: a
// difference not listed here is a migration missing on one engine.
var allowedDifferences = []struct{ table, key, why string }{}

// TestSchemaParity migrates SQLite and PostgreSQL to the latest version
// (whatever migrations exist) and compares what they end with: tables,
// columns (type class, nullability, default, numbering), primary keys,
// unique constraints and indexes, other indexes, foreign keys, CHECKs, views
// and triggers. Without PLAZA_TEST_DATABASE_URL only the SQLite side is
// checked.
func TestSchemaParity(t *testing.T) {
	ctx := context.Background()

	t.Run("files", func(t *testing.T) {
		lite, pg := migrationFiles(t, "sqlite"), migrationFiles(t, "postgres")
		for _, d := range diffNames(lite, pg) {
			t.Errorf("migration %s", d)
		}
	})

	lite, _ := storetest.OpenSQLite(t)
	ls, err := introspect(ctx, lite)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("sqlite", func(t *testing.T) { checkSQLiteSchema(t, lite, ls) })

	t.Run("postgres", func(t *testing.T) {
		pg, _ := storetest.OpenPostgres(t) // skips without PLAZA_TEST_DATABASE_URL
		ps, err := introspect(ctx, pg)
		if err != nil {
			t.Fatal(err)
		}
		used := make([]bool, len(allowedDifferences))
		var lines []string
	next:
		for _, d := range diffSchemas(ls, ps) {
			for i, a := range allowedDifferences {
				if a.table == d.table && a.key == d.key {
					used[i] = true
					continue next
				}
			}
			lines = append(lines, d.render("sqlite", "postgres"))
		}
		if len(lines) > 0 {
			t.Errorf("the SQLite and PostgreSQL schemas differ after all migrations (%d differences); "+
				"add the missing part with a migration on the engine that lacks it, or, if it is an "+
				"engine-specific feature, allow it in allowedDifferences (schema_test.go):\n  %s",
				len(lines), strings.Join(lines, "\n  "))
		}
		for i, a := range allowedDifferences {
			if !used[i] {
				t.Errorf("allowedDifferences: %s: %s no longer differs; remove it", a.table, a.key)
			}
		}
	})
}

// migrationFiles lists the migration files of an engine.
func migrationFiles(t *testing.T, engine string) []string {
	t.Helper()
	es, err := os.ReadDir("migrations/" + engine)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatalf("no migrations in migrations/%s", engine)
	}
	return names
}

// diffNames says which names are in one list only.
func diffNames(lite, pg []string) []string {
	in := map[string]int{}
	for _, n := range lite {
		in[n] |= 1
	}
	for _, n := range pg {
		in[n] |= 2
	}
	var out []string
	for n, m := range in {
		switch m {
		case 1:
			out = append(out, n+" is only in migrations/sqlite")
		case 2:
			out = append(out, n+" is only in migrations/postgres")
		}
	}
	sort.Strings(out)
	return out
}

// checkSQLiteSchema checks that the introspection saw every table and index
// SQLite lists, and that every foreign key points at a primary key or a
// unique index (PostgreSQL refuses any other at CREATE TABLE; SQLite takes
// it and fails every later write with "foreign key mismatch").
func checkSQLiteSchema(t *testing.T, db *store.DB, s *schema) {
	ctx := context.Background()
	rows, err := db.Query(ctx, `SELECT type, name, tbl_name FROM sqlite_schema
		WHERE type IN ('table', 'index') AND NOT (type = 'table' AND name LIKE 'sqlite\_%' ESCAPE '\') AND tbl_name <> ?`, gooseTable)
	if err != nil {
		t.Fatal(err)
	}
	type obj struct{ typ, name, table string }
	var objs []obj
	for rows.Next() {
		var o obj
		if err := rows.Scan(&o.typ, &o.name, &o.table); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	rows.Close()
	nTables := 0
	for _, o := range objs {
		ts := s.tables[o.table]
		if ts == nil {
			t.Errorf("%s %s: its table %s was not introspected", o.typ, o.name, o.table)
			continue
		}
		if o.typ == "table" {
			nTables++
			if len(ts.columns) == 0 {
				t.Errorf("table %s: no columns introspected", o.name)
			}
			continue
		}
		found := false
		for _, name := range ts.facts {
			found = found || name == o.name
		}
		var origin string
		if err := db.QueryRow(ctx, `SELECT origin FROM pragma_index_list(?) WHERE name = ?`, o.table, o.name).Scan(&origin); err != nil {
			t.Fatal(err)
		}
		if !found && origin != "pk" {
			t.Errorf("index %s on %s was not introspected", o.name, o.table)
		}
	}
	if nTables != len(s.tables) || nTables == 0 {
		t.Errorf("introspected %d tables, sqlite_schema lists %d", len(s.tables), nTables)
	}

	for name, ts := range s.tables {
		for f := range ts.facts {
			if !strings.HasPrefix(f, "foreign key ") {
				continue
			}
			// foreign key (a) references t (b) on delete ...
			_, rest, _ := strings.Cut(f, " references ")
			ref, rest, _ := strings.Cut(rest, " (")
			cols, _, _ := strings.Cut(rest, ")")
			refCols := "(" + cols + ")"
			rt := s.tables[ref]
			if rt == nil {
				t.Errorf("%s: %s: no table %s", name, f, ref)
				continue
			}
			_, pk := rt.facts["primary key "+refCols]
			_, uniq := rt.facts["unique "+refCols]
			if !pk && !uniq {
				t.Errorf("%s: %s: %s %s is neither its primary key nor a unique index", name, f, ref, refCols)
			}
		}
	}
	t.Logf("sqlite: %d tables introspected", len(s.tables))
}

// The fixture: the same table on both engines, written as each engine's
// migrations write it. Its introspection must read the same, and as
// expected, on both.
const fixtureDDL = `
CREATE TABLE fx_parent (
    id    %ID%,
    code  TEXT    NOT NULL UNIQUE,
    flag  BOOLEAN NOT NULL DEFAULT FALSE,
    on_   BOOLEAN NOT NULL DEFAULT TRUE,
    score REAL,
    data  %BYTES%,
    seen  %TIME%,
    state TEXT    NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'done')), -- a comment
    n     BIGINT  NOT NULL DEFAULT -1 CHECK (n >= -1),
    label VARCHAR(20) NOT NULL DEFAULT '',
    CHECK (n < 100 OR state != 'new')
);
CREATE UNIQUE INDEX fx_parent_state ON fx_parent (state, code) WHERE state <> 'done';
CREATE INDEX fx_parent_lower ON fx_parent (lower(code), id DESC);
CREATE TABLE fx_child (
    parent_id BIGINT NOT NULL REFERENCES fx_parent (id) ON DELETE CASCADE,
    other_id  BIGINT REFERENCES fx_parent (id) ON DELETE SET NULL,
    code      TEXT   REFERENCES fx_parent (code) ON UPDATE CASCADE,
    at        BIGINT NOT NULL,
    PRIMARY KEY (parent_id, at)
);
CREATE INDEX fx_child_other ON fx_child (other_id) WHERE other_id IS NOT NULL;
`

var fixtureWant = []string{
	"fx_child: column at: integer not null",
	"fx_child: column code: text null",
	"fx_child: column other_id: integer null",
	"fx_child: column parent_id: integer not null",
	"fx_child: foreign key (code) references fx_parent (code) on delete no action on update cascade",
	"fx_child: foreign key (other_id) references fx_parent (id) on delete set null on update no action",
	"fx_child: foreign key (parent_id) references fx_parent (id) on delete cascade on update no action",
	"fx_child: index (other_id) where other_id is not null",
	"fx_child: primary key (parent_id, at)",
	"fx_parent: check (n < 100 or state <> 'new')",
	"fx_parent: check (n >= -1)",
	"fx_parent: check (state in ('new', 'done'))",
	"fx_parent: column code: text not null",
	"fx_parent: column data: bytes null",
	"fx_parent: column flag: boolean not null default false",
	"fx_parent: column id: integer not null auto",
	"fx_parent: column label: text not null default ''",
	"fx_parent: column n: integer not null default -1",
	"fx_parent: column on_: boolean not null default true",
	"fx_parent: column score: real null",
	"fx_parent: column seen: timestamp null",
	"fx_parent: column state: text not null default 'new'",
	"fx_parent: index (lower(code), id desc)",
	"fx_parent: primary key (id)",
	"fx_parent: unique (code)",
	"fx_parent: unique (state, code) where state <> 'done'",
}

// TestSchemaIntrospection checks the introspection itself, on each engine,
// against a fixture whose normalised form is known.
func TestSchemaIntrospection(t *testing.T) {
	spell := map[store.Engine]*strings.Replacer{
		store.SQLite:   strings.NewReplacer("%ID%", "INTEGER PRIMARY KEY AUTOINCREMENT", "%BYTES%", "BLOB", "%TIME%", "DATETIME"),
		store.Postgres: strings.NewReplacer("%ID%", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "%BYTES%", "BYTEA", "%TIME%", "TIMESTAMPTZ"),
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, stmt := range strings.Split(spell[db.Engine()].Replace(fixtureDDL), ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := db.Exec(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		s, err := introspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for name, ts := range s.tables {
			if !strings.HasPrefix(name, "fx_") {
				continue
			}
			for c, d := range ts.columns {
				got = append(got, name+": column "+c+": "+d)
			}
			for f := range ts.facts {
				got = append(got, name+": "+f)
			}
		}
		sort.Strings(got)
		if g, w := strings.Join(got, "\n"), strings.Join(fixtureWant, "\n"); g != w {
			t.Errorf("introspected fixture:\n%s\nwant:\n%s", g, w)
		}
	})
}

// The report names each difference and what each engine has.
func TestSchemaDiffReport(t *testing.T) {
	a, b := newSchema(), newSchema()
	a.table("users").columns["id"] = "integer not null auto"
	b.table("users").columns["id"] = "integer not null auto"
	a.table("users").columns["email"] = "text null"
	b.table("users").columns["email"] = "text not null default ''"
	a.table("users").columns["phone"] = "text not null"
	a.table("users").facts["unique (email) where email <> ''"] = "users_email"
	b.table("users").facts["index (phone)"] = "users_phone"
	a.table("users").facts["primary key (id)"] = "primary key"
	b.table("users").facts["primary key (id)"] = "primary key"
	b.table("tags").columns["name"] = "text not null"
	a.objects["view v"] = ""
	var got []string
	for _, d := range diffSchemas(a, b) {
		got = append(got, d.render("sqlite", "postgres"))
	}
	want := []string{
		`table tags: only on postgres (1 columns), missing on sqlite`,
		`users: column email: sqlite has "text null", postgres has "text not null default ''"`,
		`users: column phone: only on sqlite (text not null), missing on postgres`,
		`users: index (phone): only on postgres (users_phone), missing on sqlite`,
		`users: unique (email) where email <> '': only on sqlite (users_email), missing on postgres`,
		`view v: only on sqlite (present), missing on postgres`,
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("report:\n%s\nwant:\n%s", g, w)
	}
}

// Each engine's spelling of an expression normalises to the same text.
func TestNormExpr(t *testing.T) {
	for _, c := range []struct{ sqlite, postgres, want string }{
		{`''`, `''::text`, `''`},
		{`TRUE`, `true`, `true`},
		{`-1`, `'-1'::integer`, `-1`},
		{`'[]'`, `'[]'::text`, `'[]'`},
		{`phone <> ''`, `(phone <> ''::text)`, `phone <> ''`},
		{`phone != ''`, `(phone <> ''::text)`, `phone <> ''`},
		{`user_id IS NOT NULL`, `(user_id IS NOT NULL)`, `user_id is not null`},
		{`vote IN (1, -1)`, `(vote = ANY (ARRAY[(1)::bigint, ('-1'::integer)::bigint]))`, `vote in (1, -1)`},
		{`status IN ('issued', 'storing')`, `(status = ANY (ARRAY['issued'::text, 'storing'::text]))`, `status in ('issued', 'storing')`},
		{`kind NOT IN ('a')`, `(kind <> ALL (ARRAY['a'::text]))`, `kind not in ('a')`},
		{`name LIKE 'a%'`, `(name ~~ 'a%'::text)`, `name like 'a%'`},
		{`length(name) > 0 AND x = 1`, `((length(name) > 0) AND (x = 1))`, `length(name) > 0 and x = 1`},
		{`CURRENT_TIMESTAMP`, `now()`, `current_timestamp`},
		{`"Key" = 'x' -- note`, `("Key" = 'x'::character varying)`, `Key = 'x'`},
		{`a - 1 > 0`, `((a - 1) > 0)`, `a - 1 > 0`},
	} {
		if g := normExpr(c.sqlite); g != c.want {
			t.Errorf("normExpr(%q) = %q, want %q", c.sqlite, g, c.want)
		}
		if g := normExpr(c.postgres); g != c.want {
			t.Errorf("normExpr(%q) = %q, want %q", c.postgres, g, c.want)
		}
	}
}

// Migration 00010 rebuilds SQLite's media and rate_counters with NOT NULL
// keys: the rows are kept (but those with a NULL key, which nothing could
// reach), the indexes and the foreign key still work, and a NULL key is
// refused from then on.
func TestSQLiteParityMigrationKeepsRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plaza.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations/sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, openid, created_at, updated_at) VALUES (7, 'o', 1, 1)`,
		`INSERT INTO media (id, owner_id, status, ext, size, created_at) VALUES ('a', 7, 'uploaded', 'png', 10, 1)`,
		`INSERT INTO media (id, owner_id, created_at) VALUES ('b', NULL, 2)`,
		`INSERT INTO media (id, created_at) VALUES (NULL, 3)`, // SQLite took it before 00010
		`INSERT INTO rate_counters (key, count, reset_at) VALUES ('k', 3, 99)`,
		`INSERT INTO rate_counters (key, count, reset_at) VALUES (NULL, 1, 99)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var media []string
	err = queryAll(ctx, db, `SELECT COALESCE(id, 'NULL') || ':' || COALESCE(owner_id, 0) || ':' || status || ':' || ext || ':' || size FROM media ORDER BY id`,
		func(r *sql.Rows) error {
			var s string
			if err := r.Scan(&s); err != nil {
				return err
			}
			media = append(media, s)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if g, w := strings.Join(media, " "), "a:7:uploaded:png:10 b:0:issued::0"; g != w {
		t.Errorf("media after 00010 = %q, want %q", g, w)
	}
	var key string
	var count int
	if err := db.QueryRow(ctx, `SELECT key, count FROM rate_counters`).Scan(&key, &count); err != nil || key != "k" || count != 3 {
		t.Errorf("rate_counters after 00010 = %q %d (%v), want k 3 alone", key, count, err)
	}
	for _, q := range []string{
		`INSERT INTO media (id, created_at) VALUES (NULL, 4)`,
		`INSERT INTO rate_counters (key, count, reset_at) VALUES (NULL, 1, 99)`,
	} {
		if _, err := db.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "NOT NULL") {
			t.Errorf("%s: err = %v, want a NOT NULL failure", q, err)
		}
	}
	// The foreign key to users came along: deleting the owner clears it.
	if _, err := db.Exec(ctx, `DELETE FROM users WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	var owner sql.NullInt64
	if err := db.QueryRow(ctx, `SELECT owner_id FROM media WHERE id = 'a'`).Scan(&owner); err != nil || owner.Valid {
		t.Errorf("owner_id after its user was deleted = %v (%v), want NULL", owner, err)
	}
}
