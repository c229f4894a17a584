package store_test

// Introspection of a migrated database into an engine-neutral description,
// for the parity test in schema_test.go: what SQLite and PostgreSQL end with
// after every migration, written so that the same intent reads the same on
// both engines.

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"plaza/internal/store"
)

// schema is a database's tables and its views and triggers.
type schema struct {
	tables  map[string]*tableSchema
	objects map[string]string // "view v", "trigger t on x" -> ""
}

// tableSchema describes one table. Columns map a name to its normalised
// description ("integer not null default 0"); facts map each primary key,
// index, unique constraint, foreign key and CHECK, written without its name
// ("unique (email) where email <> ”"), to the name it has on this engine
// (shown in reports, never compared).
type tableSchema struct {
	columns map[string]string
	facts   map[string]string
}

func newSchema() *schema {
	return &schema{tables: map[string]*tableSchema{}, objects: map[string]string{}}
}

func (s *schema) table(name string) *tableSchema {
	t := s.tables[name]
	if t == nil {
		t = &tableSchema{columns: map[string]string{}, facts: map[string]string{}}
		s.tables[name] = t
	}
	return t
}

// gooseTable is goose's own version table, left out of the comparison.
const gooseTable = "goose_db_version"

// introspect reads the schema of db on its engine.
func introspect(ctx context.Context, db *store.DB) (*schema, error) {
	if db.Engine() == store.Postgres {
		return introspectPostgres(ctx, db)
	}
	return introspectSQLite(ctx, db)
}

// column renders a column: type class, nullability, default, and whether
// the engine numbers it itself.
func column(class string, notNull bool, def, auto string) string {
	s := class
	if notNull {
		s += " not null"
	} else {
		s += " null"
	}
	if def != "" {
		s += " default " + def
	}
	if auto != "" {
		s += " " + auto
	}
	return s
}

// The type classes compared. plaza keeps every time as Unix milliseconds in
// an integer column (INTEGER on SQLite, BIGINT on PostgreSQL), so a time
// column is "integer" on both; "timestamp" is for a column declared with a
// date or time type, which then differs from an integer one.
const (
	classInteger   = "integer"
	classText      = "text"
	classBoolean   = "boolean"
	classTimestamp = "timestamp"
	classReal      = "real"
	classBytes     = "bytes"
)

// sqliteClass maps a declared SQLite type to its class, following SQLite's
// affinity rules after two types SQLite has no affinity for (booleans and
// times, which plaza spells BOOLEAN and would spell TIMESTAMP or DATETIME).
func sqliteClass(decl string) string {
	t := strings.ToUpper(strings.TrimSpace(decl))
	switch {
	case strings.Contains(t, "BOOL"):
		return classBoolean
	case strings.Contains(t, "TIMESTAMP"), strings.Contains(t, "DATETIME"), t == "DATE", t == "TIME":
		return classTimestamp
	case strings.Contains(t, "INT"):
		return classInteger
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return classText
	case t == "", strings.Contains(t, "BLOB"):
		return classBytes
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"),
		strings.HasPrefix(t, "NUMERIC"), strings.HasPrefix(t, "DECIMAL"):
		return classReal
	}
	return "other(" + strings.ToLower(t) + ")"
}

// postgresClass maps information_schema.columns.data_type (and udt_name for
// user-defined and array types) to its class. Types with no SQLite
// counterpart (json, uuid, arrays, ...) stay "other(...)" and so show as a
// difference, to be allowed explicitly if meant.
func postgresClass(dataType, udt string) string {
	switch dataType {
	case "smallint", "integer", "bigint":
		return classInteger
	case "text", "character varying", "character":
		return classText
	case "boolean":
		return classBoolean
	case "timestamp with time zone", "timestamp without time zone", "date",
		"time with time zone", "time without time zone":
		return classTimestamp
	case "real", "double precision", "numeric":
		return classReal
	case "bytea":
		return classBytes
	case "USER-DEFINED", "ARRAY":
		return "other(" + udt + ")"
	}
	return "other(" + dataType + ")"
}

// normDefault normalises a column default for its class.
func normDefault(def, class string) string {
	d := normExpr(def)
	if class == classBoolean {
		switch d {
		case "1":
			return "true"
		case "0":
			return "false"
		}
	}
	return d
}

// indexFact renders an index: unique or not, its key columns in order with
// their direction, the access method when it is not a b-tree, INCLUDE
// columns, and the partial-index predicate.
func indexFact(unique bool, cols []string, method string, include []string, where string) string {
	s := "index"
	if unique {
		s = "unique"
	}
	if method != "" && method != "btree" {
		s += " using " + method
	}
	s += " (" + strings.Join(cols, ", ") + ")"
	if len(include) > 0 {
		s += " include (" + strings.Join(include, ", ") + ")"
	}
	if where != "" {
		s += " where " + where
	}
	return s
}

func fkFact(cols []string, ref string, refCols []string, onDelete, onUpdate string) string {
	return fmt.Sprintf("foreign key (%s) references %s (%s) on delete %s on update %s",
		strings.Join(cols, ", "), ref, strings.Join(refCols, ", "),
		strings.ToLower(onDelete), strings.ToLower(onUpdate))
}

// queryAll runs q and calls scan for every row, closing the rows before it
// returns (so the caller may query again).
func queryAll(ctx context.Context, db *store.DB, q string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}

// --- SQLite ---

func introspectSQLite(ctx context.Context, db *store.DB) (*schema, error) {
	s := newSchema()
	type tbl struct {
		name, sql    string
		withoutRowid bool
	}
	var tables []tbl
	err := queryAll(ctx, db, `SELECT l.name, l.wr, m.sql FROM pragma_table_list AS l
		JOIN sqlite_schema AS m ON m.type = 'table' AND m.name = l.name
		WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND l.name <> ?`,
		func(r *sql.Rows) error {
			var t tbl
			if err := r.Scan(&t.name, &t.withoutRowid, &t.sql); err != nil {
				return err
			}
			tables = append(tables, t)
			return nil
		}, gooseTable)
	if err != nil {
		return nil, err
	}
	pks := map[string][]string{}
	type pendingFK struct {
		table, ref, onDelete, onUpdate string
		cols, refCols                  []string
		implicit                       bool
	}
	var fks []pendingFK
	for _, t := range tables {
		ts := s.table(t.name)
		autoinc := false
		for _, tok := range tokenize(t.sql) {
			if tok.kind == 'w' && tok.text == "autoincrement" {
				autoinc = true
			}
		}
		type col struct {
			name, decl string
			notNull    bool
			def        sql.NullString
			pk, hidden int
		}
		var cols []col
		err := queryAll(ctx, db, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`,
			func(r *sql.Rows) error {
				var c col
				if err := r.Scan(&c.name, &c.decl, &c.notNull, &c.def, &c.pk, &c.hidden); err != nil {
					return err
				}
				cols = append(cols, c)
				return nil
			}, t.name)
		if err != nil {
			return nil, err
		}
		var pk []string
		for _, c := range cols {
			if c.pk > 0 {
				for len(pk) < c.pk {
					pk = append(pk, "")
				}
				pk[c.pk-1] = c.name
			}
		}
		for _, c := range cols {
			if c.hidden == 1 { // a virtual table's hidden column
				continue
			}
			class := sqliteClass(c.decl)
			notNull := c.notNull
			auto := ""
			// A rowid table's lone INTEGER PRIMARY KEY is the rowid: never
			// NULL, numbered by SQLite (without AUTOINCREMENT it reuses the
			// highest id once that row is deleted, which PostgreSQL's
			// identity never does).
			if !t.withoutRowid && len(pk) == 1 && c.pk == 1 && strings.EqualFold(strings.TrimSpace(c.decl), "INTEGER") {
				notNull = true
				auto = "auto"
				if !autoinc {
					auto = "auto (rowid, reused)"
				}
			}
			// WITHOUT ROWID tables refuse NULL in their primary key.
			if t.withoutRowid && c.pk > 0 {
				notNull = true
			}
			if c.hidden == 2 || c.hidden == 3 {
				auto = "generated"
			}
			def := ""
			if c.def.Valid {
				def = normDefault(c.def.String, class)
			}
			ts.columns[c.name] = column(class, notNull, def, auto)
		}
		if len(pk) > 0 {
			ts.facts["primary key ("+strings.Join(pk, ", ")+")"] = "primary key"
		}
		pks[t.name] = pk

		type idx struct {
			name, origin string
			unique       bool
		}
		var idxs []idx
		err = queryAll(ctx, db, `SELECT name, "unique", origin FROM pragma_index_list(?)`, func(r *sql.Rows) error {
			var i idx
			if err := r.Scan(&i.name, &i.unique, &i.origin); err != nil {
				return err
			}
			idxs = append(idxs, i)
			return nil
		}, t.name)
		if err != nil {
			return nil, err
		}
		for _, i := range idxs {
			if i.origin == "pk" { // the primary key, compared above
				continue
			}
			var text sql.NullString
			if err := db.QueryRow(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, i.name).Scan(&text); err != nil && err != sql.ErrNoRows {
				return nil, err
			}
			exprs, where := sqliteIndexParts(text.String)
			var keys []string
			err := queryAll(ctx, db, `SELECT seqno, cid, name, "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`,
				func(r *sql.Rows) error {
					var seq, cid int
					var name sql.NullString
					var desc bool
					if err := r.Scan(&seq, &cid, &name, &desc); err != nil {
						return err
					}
					k := name.String
					if cid == -2 { // an expression
						k = "?"
						if seq < len(exprs) {
							k = exprs[seq]
						}
					}
					if desc {
						k += " desc"
					}
					keys = append(keys, k)
					return nil
				}, i.name)
			if err != nil {
				return nil, err
			}
			ts.facts[indexFact(i.unique, keys, "", nil, where)] = i.name
		}

		byID := map[int]*pendingFK{}
		var order []int
		err = queryAll(ctx, db, `SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`,
			func(r *sql.Rows) error {
				var id int
				var ref, from, onUpdate, onDelete string
				var to sql.NullString
				if err := r.Scan(&id, &ref, &from, &to, &onUpdate, &onDelete); err != nil {
					return err
				}
				fk := byID[id]
				if fk == nil {
					fk = &pendingFK{table: t.name, ref: ref, onDelete: onDelete, onUpdate: onUpdate}
					byID[id] = fk
					order = append(order, id)
				}
				fk.cols = append(fk.cols, from)
				if to.Valid {
					fk.refCols = append(fk.refCols, to.String)
				} else {
					fk.implicit = true // REFERENCES t without columns: t's primary key
				}
				return nil
			}, t.name)
		if err != nil {
			return nil, err
		}
		for _, id := range order {
			fks = append(fks, *byID[id])
		}

		for _, c := range sqliteChecks(t.sql) {
			ts.facts["check ("+c+")"] = "check"
		}
	}
	for _, fk := range fks {
		refCols := fk.refCols
		if fk.implicit {
			refCols = pks[fk.ref]
		}
		s.table(fk.table).facts[fkFact(fk.cols, fk.ref, refCols, fk.onDelete, fk.onUpdate)] = "foreign key"
	}
	err = queryAll(ctx, db, `SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('view', 'trigger')`,
		func(r *sql.Rows) error {
			var typ, name, tbl string
			if err := r.Scan(&typ, &name, &tbl); err != nil {
				return err
			}
			if typ == "view" {
				s.objects["view "+name] = ""
			} else {
				s.objects["trigger "+name+" on "+tbl] = ""
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// sqliteIndexParts returns the normalised key expressions and the WHERE
// predicate of a CREATE INDEX statement (empty for the automatic indexes of
// UNIQUE constraints, which have no statement).
func sqliteIndexParts(stmt string) (keys []string, where string) {
	ts := tokenize(stmt)
	depth, on := 0, false
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		switch {
		case t.is("("):
			if depth == 0 && on && keys == nil {
				j := matching(ts, i)
				for _, part := range splitTop(ts[i+1 : j]) {
					keys = append(keys, normTokens(trimOrdering(part)))
				}
				i = j
				continue
			}
			depth++
		case t.is(")"):
			depth--
		case depth == 0 && t.kind == 'w' && t.text == "on":
			on = true
		case depth == 0 && t.kind == 'w' && t.text == "where":
			return keys, normTokens(ts[i+1:])
		}
	}
	return keys, ""
}

// trimOrdering drops a trailing ASC, DESC or COLLATE x from an index key.
func trimOrdering(ts []token) []token {
	for {
		n := len(ts)
		switch {
		case n > 0 && ts[n-1].kind == 'w' && (ts[n-1].text == "asc" || ts[n-1].text == "desc"):
			ts = ts[:n-1]
		case n > 1 && ts[n-2].kind == 'w' && ts[n-2].text == "collate":
			ts = ts[:n-2]
		default:
			return ts
		}
	}
}

// sqliteChecks returns the normalised CHECK expressions of a CREATE TABLE
// statement, column and table constraints alike (PostgreSQL keeps both as
// table constraints).
func sqliteChecks(stmt string) []string {
	ts := tokenize(stmt)
	var out []string
	for i := 0; i+1 < len(ts); i++ {
		if ts[i].kind == 'w' && ts[i].text == "check" && ts[i+1].is("(") {
			j := matching(ts, i+1)
			out = append(out, normTokens(ts[i+2:j]))
			i = j
		}
	}
	return out
}

// --- PostgreSQL ---

func introspectPostgres(ctx context.Context, db *store.DB) (*schema, error) {
	s := newSchema()
	err := queryAll(ctx, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> ?`,
		func(r *sql.Rows) error {
			var name string
			if err := r.Scan(&name); err != nil {
				return err
			}
			s.table(name)
			return nil
		}, gooseTable)
	if err != nil {
		return nil, err
	}
	err = queryAll(ctx, db, `SELECT table_name, column_name, is_nullable, data_type, udt_name,
			COALESCE(column_default, ''), is_identity, COALESCE(identity_generation, ''), is_generated
		FROM information_schema.columns WHERE table_schema = current_schema()`,
		func(r *sql.Rows) error {
			var tbl, name, nullable, dataType, udt, def, identity, generation, generated string
			if err := r.Scan(&tbl, &name, &nullable, &dataType, &udt, &def, &identity, &generation, &generated); err != nil {
				return err
			}
			t, ok := s.tables[tbl]
			if !ok { // a view's column
				return nil
			}
			class := postgresClass(dataType, udt)
			auto := ""
			switch {
			case identity == "YES" && generation == "ALWAYS":
				// Refuses explicit ids, which SQLite's rowid takes.
				auto = "generated always as identity"
			case identity == "YES", strings.HasPrefix(def, "nextval("):
				auto, def = "auto", ""
			case generated == "ALWAYS":
				auto, def = "generated", ""
			}
			if def != "" {
				def = normDefault(def, class)
			}
			t.columns[name] = column(class, nullable == "NO", def, auto)
			return nil
		})
	if err != nil {
		return nil, err
	}
	pks := map[string][]string{}
	err = queryAll(ctx, db, `SELECT t.relname, a.attname
		FROM pg_constraint con
		JOIN pg_class t ON t.oid = con.conrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)
		JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
		WHERE con.contype = 'p' AND ns.nspname = current_schema()
		ORDER BY t.relname, k.i`,
		func(r *sql.Rows) error {
			var tbl, col string
			if err := r.Scan(&tbl, &col); err != nil {
				return err
			}
			pks[tbl] = append(pks[tbl], col)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for tbl, cols := range pks {
		if t, ok := s.tables[tbl]; ok {
			t.facts["primary key ("+strings.Join(cols, ", ")+")"] = "primary key"
		}
	}

	// Every index but the primary key's, unique constraints included (a
	// UNIQUE constraint is a unique index on both engines).
	type idx struct {
		table, name, method, where string
		unique                     bool
		nkey                       int
		cols                       []string
	}
	var idxs []*idx
	byName := map[string]*idx{}
	err = queryAll(ctx, db, `SELECT t.relname, c.relname, i.indisunique, i.indnkeyatts, am.amname,
			COALESCE(pg_get_expr(i.indpred, i.indrelid), ''),
			k.n, pg_get_indexdef(i.indexrelid, k.n, true), COALESCE(i.indoption[k.n - 1] & 1, 0)
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		JOIN pg_am am ON am.oid = c.relam
		CROSS JOIN LATERAL generate_series(1, i.indnatts) AS k(n)
		WHERE ns.nspname = current_schema() AND NOT i.indisprimary AND t.relname <> ?
		ORDER BY t.relname, c.relname, k.n`,
		func(r *sql.Rows) error {
			var tbl, name, method, where, col string
			var unique bool
			var nkey, n, desc int
			if err := r.Scan(&tbl, &name, &unique, &nkey, &method, &where, &n, &col, &desc); err != nil {
				return err
			}
			x := byName[name]
			if x == nil {
				x = &idx{table: tbl, name: name, method: method, unique: unique, nkey: nkey, where: where}
				byName[name] = x
				idxs = append(idxs, x)
			}
			col = normExpr(col)
			if desc == 1 && n <= nkey {
				col += " desc"
			}
			x.cols = append(x.cols, col)
			return nil
		}, gooseTable)
	if err != nil {
		return nil, err
	}
	for _, x := range idxs {
		t, ok := s.tables[x.table]
		if !ok {
			continue
		}
		where := ""
		if x.where != "" {
			where = normExpr(x.where)
		}
		t.facts[indexFact(x.unique, x.cols[:x.nkey], x.method, x.cols[x.nkey:], where)] = x.name
	}

	type fk struct {
		table, ref, onDelete, onUpdate string
		cols, refCols                  []string
	}
	var fks []*fk
	fkByName := map[string]*fk{}
	actions := map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
	err = queryAll(ctx, db, `SELECT t.relname, con.conname, ft.relname, con.confdeltype, con.confupdtype, a.attname, fa.attname
		FROM pg_constraint con
		JOIN pg_class t ON t.oid = con.conrelid
		JOIN pg_class ft ON ft.oid = con.confrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, i)
		JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
		JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum
		WHERE con.contype = 'f' AND ns.nspname = current_schema()
		ORDER BY t.relname, con.conname, k.i`,
		func(r *sql.Rows) error {
			var tbl, name, ref, del, upd, col, refCol string
			if err := r.Scan(&tbl, &name, &ref, &del, &upd, &col, &refCol); err != nil {
				return err
			}
			key := tbl + "." + name
			f := fkByName[key]
			if f == nil {
				f = &fk{table: tbl, ref: ref, onDelete: actions[del], onUpdate: actions[upd]}
				fkByName[key] = f
				fks = append(fks, f)
			}
			f.cols = append(f.cols, col)
			f.refCols = append(f.refCols, refCol)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, f := range fks {
		if t, ok := s.tables[f.table]; ok {
			t.facts[fkFact(f.cols, f.ref, f.refCols, f.onDelete, f.onUpdate)] = "foreign key"
		}
	}

	err = queryAll(ctx, db, `SELECT t.relname, con.conname, pg_get_expr(con.conbin, con.conrelid)
		FROM pg_constraint con
		JOIN pg_class t ON t.oid = con.conrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE con.contype = 'c' AND ns.nspname = current_schema()`,
		func(r *sql.Rows) error {
			var tbl, name, expr string
			if err := r.Scan(&tbl, &name, &expr); err != nil {
				return err
			}
			if t, ok := s.tables[tbl]; ok {
				t.facts["check ("+normExpr(expr)+")"] = name
			}
			return nil
		})
	if err != nil {
		return nil, err
	}

	err = queryAll(ctx, db, `SELECT 'view ' || table_name FROM information_schema.views WHERE table_schema = current_schema()
		UNION ALL
		SELECT 'trigger ' || tg.tgname || ' on ' || t.relname
		FROM pg_trigger tg
		JOIN pg_class t ON t.oid = tg.tgrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE NOT tg.tgisinternal AND ns.nspname = current_schema()`,
		func(r *sql.Rows) error {
			var o string
			if err := r.Scan(&o); err != nil {
				return err
			}
			s.objects[o] = ""
			return nil
		})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// --- comparison ---

// difference is one way two schemas differ: on table (empty for views and
// triggers), the thing named by key is described as a on one engine and b
// on the other ("" where it is missing).
type difference struct {
	table, key, a, b string
}

// diffSchemas lists the differences between a and b, sorted.
func diffSchemas(a, b *schema) []difference {
	var out []difference
	for _, name := range unionKeys(a.tables, b.tables) {
		ta, tb := a.tables[name], b.tables[name]
		switch {
		case ta == nil:
			out = append(out, difference{table: name, key: "table", b: fmt.Sprintf("%d columns", len(tb.columns))})
			continue
		case tb == nil:
			out = append(out, difference{table: name, key: "table", a: fmt.Sprintf("%d columns", len(ta.columns))})
			continue
		}
		for _, c := range unionKeys(ta.columns, tb.columns) {
			ca, oka := ta.columns[c]
			cb, okb := tb.columns[c]
			if oka && okb && ca == cb {
				continue
			}
			out = append(out, difference{table: name, key: "column " + c, a: ca, b: cb})
		}
		for _, f := range unionKeys(ta.facts, tb.facts) {
			na, oka := ta.facts[f]
			nb, okb := tb.facts[f]
			if oka && okb {
				continue
			}
			out = append(out, difference{table: name, key: f, a: na, b: nb})
		}
	}
	for _, o := range unionKeys(a.objects, b.objects) {
		_, oka := a.objects[o]
		_, okb := b.objects[o]
		if oka != okb {
			d := difference{key: o}
			if oka {
				d.a = "present"
			} else {
				d.b = "present"
			}
			out = append(out, d)
		}
	}
	return out
}

// render writes a difference for a developer: what each engine has.
func (d difference) render(nameA, nameB string) string {
	where := d.key
	if d.table != "" {
		where = d.table + ": " + d.key
		if d.key == "table" {
			where = "table " + d.table
		}
	}
	switch {
	case d.b == "":
		return fmt.Sprintf("%s: only on %s (%s), missing on %s", where, nameA, d.a, nameB)
	case d.a == "":
		return fmt.Sprintf("%s: only on %s (%s), missing on %s", where, nameB, d.b, nameA)
	}
	return fmt.Sprintf("%s: %s has %q, %s has %q", where, nameA, d.a, nameB, d.b)
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// --- expressions ---

// token is one lexical token of an SQL expression.
type token struct {
	kind byte // 'w' word or identifier, 'n' number, 's' string literal, 'o' operator or punctuation
	text string
}

func (t token) is(op string) bool { return t.kind == 'o' && t.text == op }

// tokenize splits SQL text into tokens, dropping comments and lowering
// unquoted words.
func tokenize(s string) []token {
	var ts []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(s)
			}
		case c == '\'':
			j := i + 1
			for j < len(s) {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(s))
			ts = append(ts, token{'s', s[i:end]})
			i = end
		case c == '"' || c == '`':
			end := len(s)
			if j := strings.IndexByte(s[i+1:], c); j >= 0 {
				end = i + 1 + j
			}
			ts = append(ts, token{'w', s[i+1 : end]})
			i = end + 1
		case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
			j := i
			for j < len(s) && (isDigit(s[j]) || s[j] == '.') {
				j++
			}
			ts = append(ts, token{'n', s[i:j]})
			i = j
		case c == '_' || c >= 0x80 || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '$' || s[j] >= 0x80 || isDigit(s[j]) || (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z')) {
				j++
			}
			ts = append(ts, token{'w', strings.ToLower(s[i:j])})
			i = j
		default:
			n := 1
			for _, op := range []string{"!~~*", "!~~", "~~*", "::", "<>", "!=", "<=", ">=", "||", "==", "~~"} {
				if strings.HasPrefix(s[i:], op) {
					n = len(op)
					break
				}
			}
			ts = append(ts, token{'o', s[i : i+n]})
			i += n
		}
	}
	return ts
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// matching returns the index of the bracket closing the one at ts[open], or
// len(ts) when it is not closed.
func matching(ts []token, open int) int {
	o := ts[open].text
	c := map[string]string{"(": ")", "[": "]"}[o]
	depth := 0
	for i := open; i < len(ts); i++ {
		switch {
		case ts[i].is(o):
			depth++
		case ts[i].is(c):
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(ts)
}

// splitTop splits tokens at the commas outside brackets.
func splitTop(ts []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range ts {
		switch {
		case t.is("(") || t.is("["):
			depth++
		case t.is(")") || t.is("]"):
			depth--
		case t.is(",") && depth == 0:
			out = append(out, ts[start:i])
			start = i + 1
		}
	}
	return append(out, ts[start:])
}

// normExpr normalises an expression (a default, a CHECK, an index key or
// predicate) as either engine prints it, so that the same intent compares
// equal: words lowered, PostgreSQL's casts dropped ('-1'::integer is -1),
// "x = ANY (ARRAY[a, b])" read as "x IN (a, b)", != as <>, ~~ as LIKE, and
// grouping parentheses dropped (PostgreSQL adds them around every
// operation; an expression that differs only in its grouping is not told
// apart, a price paid for comparing deparsed text).
func normExpr(s string) string { return normTokens(tokenize(s)) }

// keywords before "(" that open a group, not a function call or list.
var groupingWords = map[string]bool{
	"and": true, "or": true, "not": true, "when": true, "then": true, "else": true,
	"case": true, "is": true, "like": true, "between": true, "where": true, "on": true,
	"check": true, "default": true,
}

// words that continue a PostgreSQL type name after its first word.
var typeWords = map[string]bool{"varying": true, "precision": true, "with": true, "without": true, "time": true, "zone": true}

var numericTypes = map[string]bool{
	"smallint": true, "integer": true, "bigint": true, "int": true, "int2": true, "int4": true, "int8": true,
	"numeric": true, "decimal": true, "real": true, "double": true, "float4": true, "float8": true,
}

func normTokens(in []token) string {
	// Operators spelt two ways.
	var ts []token
	for _, t := range in {
		switch {
		case t.is("!="):
			ts = append(ts, token{'o', "<>"})
		case t.is("=="):
			ts = append(ts, token{'o', "="})
		case t.is("~~"):
			ts = append(ts, token{'w', "like"})
		case t.is("!~~"):
			ts = append(ts, token{'w', "not"}, token{'w', "like"})
		default:
			ts = append(ts, t)
		}
	}

	// Casts: dropped; a quoted number cast to a numeric type is that number.
	var out []token
	for i := 0; i < len(ts); i++ {
		if !ts[i].is("::") {
			out = append(out, ts[i])
			continue
		}
		j, typ := i+1, ""
		if j < len(ts) && ts[j].kind == 'w' {
			typ = ts[j].text
			j++
			for j < len(ts) && ts[j].kind == 'w' && typeWords[ts[j].text] {
				j++
			}
		}
		if j < len(ts) && ts[j].is("(") {
			j = matching(ts, j) + 1
		}
		for j+1 < len(ts) && ts[j].is("[") && ts[j+1].is("]") {
			j += 2
		}
		if n := len(out); numericTypes[typ] && n > 0 && out[n-1].kind == 's' {
			lit := strings.Trim(out[n-1].text, "'")
			if _, err := strconv.ParseFloat(lit, 64); err == nil {
				out[n-1] = token{'n', lit}
			}
		}
		i = j - 1
	}
	ts = out

	// x = ANY (ARRAY[...]) is x IN (...); x <> ALL (ARRAY[...]) is x NOT IN (...).
	for i := 0; i+4 < len(ts); i++ {
		anyForm := ts[i].is("=") && ts[i+1].kind == 'w' && ts[i+1].text == "any"
		allForm := ts[i].is("<>") && ts[i+1].kind == 'w' && ts[i+1].text == "all"
		if !(anyForm || allForm) || !ts[i+2].is("(") || ts[i+3].kind != 'w' || ts[i+3].text != "array" || !ts[i+4].is("[") {
			continue
		}
		closeB := matching(ts, i+4)
		if closeB+1 >= len(ts) || !ts[closeB+1].is(")") {
			continue
		}
		repl := []token{{'w', "in"}}
		if allForm {
			repl = []token{{'w', "not"}, {'w', "in"}}
		}
		repl = append(repl, token{'o', "("})
		repl = append(repl, ts[i+5:closeB]...)
		repl = append(repl, token{'o', ")"})
		ts = append(append(append([]token{}, ts[:i]...), repl...), ts[closeB+2:]...)
	}

	// A minus sign before a number, where no operand precedes it, belongs
	// to the number.
	out = out[:0:0]
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		if t.is("-") && i+1 < len(ts) && ts[i+1].kind == 'n' {
			n := len(out)
			if n == 0 || (out[n-1].kind == 'o' && !out[n-1].is(")") && !out[n-1].is("]")) || (out[n-1].kind == 'w' && groupingWords[out[n-1].text]) {
				out = append(out, token{'n', "-" + ts[i+1].text})
				i++
				continue
			}
		}
		// now() is CURRENT_TIMESTAMP.
		if t.kind == 'w' && t.text == "now" && i+2 < len(ts) && ts[i+1].is("(") && ts[i+2].is(")") {
			out = append(out, token{'w', "current_timestamp"})
			i += 2
			continue
		}
		out = append(out, t)
	}
	ts = out

	// Grouping parentheses: those not after a function name, IN, ANY, ...
	var kept []token
	var groups []bool
	for i, t := range ts {
		switch {
		case t.is("("):
			call := i > 0 && ts[i-1].kind == 'w' && !groupingWords[ts[i-1].text]
			groups = append(groups, !call)
			if call {
				kept = append(kept, t)
			}
		case t.is(")"):
			group := false
			if n := len(groups); n > 0 {
				group = groups[n-1]
				groups = groups[:n-1]
			}
			if !group {
				kept = append(kept, t)
			}
		default:
			kept = append(kept, t)
		}
	}

	var b strings.Builder
	for i, t := range kept {
		if i > 0 {
			prev := kept[i-1]
			space := !prev.is("(") && !prev.is("[") && !t.is(")") && !t.is("]") && !t.is(",")
			if t.is("(") && prev.kind == 'w' && !groupingWords[prev.text] && prev.text != "in" {
				space = false // a call: f(x)
			}
			if space {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.text)
	}
	return b.String()
}
