// Package catalog is what admins make and the faces show: FAQ entries,
// feedback categories, masters, merchants, clothes, games, banners... Each
// collection is declared once, as a table and its fields, in a small file of
// its own; this package lists, reads, creates, updates and deletes the
// records of any of them with the same checks. The domains that show the
// records (support, showcase) read the tables with typed queries of their
// own.
package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"plaza/internal/cachesync"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Kind is the type of a field.
type Kind int

const (
	Text Kind = iota
	Int
	Bool
	Enum     // text, one of Options
	PublicID // 32 lowercase hex digits: made on create unless given, never changed, unique
	Ref      // the id of a row of RefTable, or null
	List     // a list of texts, kept as a JSON array in a text column
	// Object is a JSON object of Sub fields (Text or Enum), or null; each
	// sub-field is a column <name>_<sub>. Null is every column empty, so a
	// given object needs a non-empty Required sub-field. An object is given
	// whole: on update its absent sub-fields become empty.
	Object
)

// Field is one column of a collection.
type Field struct {
	Name     string
	Kind     Kind
	Max      int64 // Text, Enum: max characters (default 255); Int: max value (default none); List: max items (default 20)
	Min      int64 // Int: min value
	Required bool  // must be given on create (non-empty for text, at least one item for a list, not null for a ref)
	Options  []string
	Default  any // value on create when not given (else "", 0, false, null, [])

	// Check is an extra rule for a non-empty text (or each item of a list),
	// e.g. a date or an e-mail address; it returns an Invalid error.
	Check func(field, v string) error
	// ItemMax caps each item of a List in characters (default 255).
	ItemMax int
	// Multiline lets a Text hold tabs and line breaks (an intro, an
	// answer); other texts are one line (valid.Line).
	Multiline bool
	// Unique refuses (Conflict) a value another record of the collection
	// has; empty texts and null refs are not compared.
	Unique bool
	// RefTable is the table whose id a Ref holds ("users", "merchants");
	// the migration declares the foreign key too. RefName names it in
	// messages (default: the table's name).
	RefTable string
	RefName  string
	// RefPublic is the column of RefTable that holds its 32-hex public id
	// ("merchant_id", "uid"): a Ref then also takes that id, as the faces
	// show it, and stores the row's integer id.
	RefPublic string

	// Aliases are earlier names of the field that bodies may still use
	// (never together with the name, nor two of them); records and errors
	// carry Name.
	Aliases []string
	// Column is the table's column when it is not Name (a field renamed on
	// the wire keeps its column).
	Column string

	// Null lets an Int be null (given as null, or null by default).
	Null bool
	// ReadOnly fields are shown but never written by the catalog (a count
	// its core keeps, such as a product's bought): a body naming one is
	// refused, and a new record has the column's default.
	ReadOnly bool
	// Sub are the fields of an Object.
	Sub []Field
}

// Collection is a kind of admin-made record.
type Collection struct {
	Name   string // as in the admin API's URLs, e.g. "faqs"
	Table  string
	Fields []Field
	// Check is a rule over the whole record (after defaults on create, on
	// the record as it would become on update), e.g. "a merchant cloth
	// names its merchant". It returns an Invalid error.
	Check func(Record) error
}

// Record is one row: its fields by name, plus "id" (int64), "created_at"
// and "updated_at" (time.Time). Field values: Text, Enum, PublicID string;
// Int int64; Bool bool; Ref int64 or nil; List []string.
type Record map[string]any

// ID returns the record's id.
func (r Record) ID() int64 { id, _ := r["id"].(int64); return id }

var registry = map[string]*Collection{}

// register adds a collection; called from each collection's file.
func register(c *Collection) *Collection {
	if _, dup := registry[c.Name]; dup {
		panic("catalog: duplicate collection " + c.Name)
	}
	for _, f := range c.Fields {
		if f.Kind == Ref && f.RefTable == "" {
			panic("catalog: ref field " + c.Name + "." + f.Name + " without RefTable")
		}
		if f.Kind == Object && !slices.ContainsFunc(f.Sub, func(s Field) bool { return s.Required }) {
			panic("catalog: object field " + c.Name + "." + f.Name + " without a required sub-field")
		}
		for _, sf := range f.Sub {
			if sf.Kind != Text && sf.Kind != Enum {
				panic("catalog: object field " + c.Name + "." + f.Name + "." + sf.Name + " is not a text")
			}
		}
	}
	checkNames(c)
	registry[c.Name] = c
	return c
}

// Collections lists every collection by name.
func Collections() []*Collection {
	out := make([]*Collection, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Service stores records.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	watchers map[*Collection][]func()
	versions map[*Collection]*atomic.Uint64
	sync     *cachesync.Sync
}

// New returns the catalog service.
func New(db *store.DB, c clock.Clock) *Service {
	s := &Service{db: db, clock: c, watchers: map[*Collection][]func(){}, versions: map[*Collection]*atomic.Uint64{}}
	for _, c := range registry {
		s.versions[c] = new(atomic.Uint64)
	}
	return s
}

// Version is a number that changes after every committed create, update
// and delete of a record of c, on any node sharing the service's Sync:
// the generation of a page cache of c's records (httpx.PageCache). Read
// it before the read whose answer is kept. While a node may have missed
// a change (cachesync.Sync.Usable), every call answers a new number, so
// nothing kept is served.
func (s *Service) Version(c *Collection) uint64 {
	if !s.sync.Usable() {
		return s.versions[c].Add(1)
	}
	return s.versions[c].Load()
}

// WithSync carries the changes of every collection to every node sharing
// the database (Version, Watch). Call it while wiring the server.
func (s *Service) WithSync(sync *cachesync.Sync) *Service {
	s.sync = sync
	sync.Register("catalog", syncedCatalog{s})
	return s
}

// Watch makes f run after every committed create, update and delete of a
// record of c, on this node or another sharing the Sync: the hook of a
// core that keeps the collection's records in memory. Call it while
// wiring the server, before any write.
func (s *Service) Watch(c *Collection, f func()) { s.watchers[c] = append(s.watchers[c], f) }

// changed tells every node that c changed.
func (s *Service) changed(c *Collection) { s.sync.Changed(syncedCatalog{s}, "catalog", c.Name) }

// local bumps c's version and runs its watchers.
func (s *Service) local(c *Collection) {
	s.versions[c].Add(1)
	for _, f := range s.watchers[c] {
		f()
	}
}

// syncedCatalog is the service's cachesync.Cache: a change's data is the
// collection's name.
type syncedCatalog struct{ s *Service }

func (sc syncedCatalog) Apply(name string) {
	if c := registry[name]; c != nil {
		sc.s.local(c)
		return
	}
	sc.DropAll()
}

func (sc syncedCatalog) DropAll() {
	for _, c := range registry {
		sc.s.local(c)
	}
}

// NewPublicID makes a public id: 32 lowercase hex digits.
func NewPublicID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// column is the field's column in the table.
func (f Field) column() string {
	if f.Column != "" {
		return f.Column
	}
	return f.Name
}

// columns are the field's columns: its sub-fields' for an Object.
func (f Field) columns() []string {
	if f.Kind != Object {
		return []string{f.column()}
	}
	out := make([]string, len(f.Sub))
	for i, sf := range f.Sub {
		out[i] = f.column() + "_" + sf.Name
	}
	return out
}

func (c *Collection) columns() string {
	cols := []string{"id"}
	for _, f := range c.Fields {
		cols = append(cols, f.columns()...)
	}
	return strings.Join(append(cols, "created_at", "updated_at"), ", ")
}

func (c *Collection) scan(r store.Scanner) (Record, error) {
	vals := make([]any, 0, len(c.Fields)+3)
	var id int64
	var created, updated time.Time
	vals = append(vals, &id)
	for _, f := range c.Fields {
		switch f.Kind {
		case Int:
			if f.Null {
				vals = append(vals, new(sql.NullInt64))
			} else {
				vals = append(vals, new(int64))
			}
		case Bool:
			vals = append(vals, new(bool))
		case Ref:
			vals = append(vals, new(sql.NullInt64))
		case Object:
			vals = append(vals, &object{f: f, v: make([]string, len(f.Sub))})
		default:
			vals = append(vals, new(string))
		}
	}
	vals = append(vals, (*store.Millis)(&created), (*store.Millis)(&updated))
	dest := make([]any, 0, len(vals))
	for _, v := range vals {
		if o, ok := v.(*object); ok {
			for i := range o.v {
				dest = append(dest, &o.v[i])
			}
			continue
		}
		dest = append(dest, v)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	rec := Record{"id": id, "created_at": created, "updated_at": updated}
	for i, f := range c.Fields {
		switch p := vals[i+1].(type) {
		case *object:
			rec[f.Name] = p.value()
		case *int64:
			rec[f.Name] = *p
		case *bool:
			rec[f.Name] = *p
		case *sql.NullInt64:
			if p.Valid {
				rec[f.Name] = p.Int64
			} else {
				rec[f.Name] = nil
			}
		case *string:
			if f.Kind != List {
				rec[f.Name] = *p
				continue
			}
			list, err := DecodeList(*p)
			if err != nil {
				return nil, fmt.Errorf("%s.%s of record %d: %w", c.Name, f.Name, id, err)
			}
			rec[f.Name] = list
		}
	}
	return rec, nil
}

// object holds the columns of an Object field as scanned.
type object struct {
	f Field
	v []string
}

// value is the Object's record value: nil when every column is empty.
func (o *object) value() any {
	m := make(map[string]any, len(o.v))
	empty := true
	for i, sf := range o.f.Sub {
		m[sf.Name] = o.v[i]
		empty = empty && o.v[i] == ""
	}
	if empty {
		return nil
	}
	return m
}

// DecodeList reads a List column ("" reads as no items).
func DecodeList(s string) ([]string, error) {
	list := []string{}
	if s == "" {
		return list, nil
	}
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, err
	}
	if list == nil {
		list = []string{}
	}
	return list, nil
}

// args are a field's value as the arguments of its columns.
func (f Field) args(v any) []any {
	switch f.Kind {
	case List:
		b, _ := json.Marshal(v)
		return []any{string(b)}
	case Object:
		m, _ := v.(map[string]any)
		out := make([]any, len(f.Sub))
		for i, sf := range f.Sub {
			s, _ := m[sf.Name].(string)
			out[i] = s
		}
		return out
	}
	return []any{v}
}

// Query is which records a list shows and in what order.
type Query struct {
	// Q finds the records that contain it (case-insensitively for Latin
	// letters) in one of their searchable texts (Field.Searchable), whose
	// public id it is, or whose id it is. A collection is made by admins (hundreds or
	// thousands of records, not millions), so the search reads the table;
	// the users, the ledger and the orders are searched by index instead.
	Q string
	// Sort names a sortable field (Field.Sortable), "id", "created_at" or
	// "updated_at", with a leading "-" for descending order; ties go
	// newest first. Empty is "-id": newest first.
	Sort          string
	Offset, Limit int
}

// MaxSearch is the longest Query.Q.
const MaxSearch = 100

// Searchable tells whether a list's Query.Q looks in the field: a one-line
// text (not a media id) or an enum, which it may be part of, or a public
// id, which it must be whole.
func (f Field) Searchable() bool {
	switch f.Kind {
	case Text:
		return !f.Multiline && !f.IsMedia()
	case Enum, PublicID:
		return true
	}
	return false
}

// Sortable tells whether a list can be sorted by the field: one column of
// a one-line text, an enum, a number, a yes/no, a public id or a ref.
func (f Field) Sortable() bool {
	switch f.Kind {
	case Text:
		return !f.Multiline
	case Enum, PublicID, Int, Bool, Ref:
		return true
	}
	return false
}

// likeEscaper makes a text a LIKE pattern that matches it literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// where is the condition (with its arguments) of the records q finds.
func (c *Collection) where(q string) (string, []any, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", nil, nil
	}
	if err := valid.Line("q", q, MaxSearch); err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	pattern := "%" + likeEscaper.Replace(strings.ToLower(q)) + "%"
	for _, f := range c.Fields {
		switch {
		case f.Kind == PublicID:
			if lower := strings.ToLower(q); valid.IsHexID(lower) {
				conds, args = append(conds, f.column()+" = ?"), append(args, lower)
			}
		case f.Searchable():
			conds, args = append(conds, "LOWER("+f.column()+`) LIKE ? ESCAPE '\'`), append(args, pattern)
		}
	}
	if id, ok := valid.ID(q); ok {
		conds, args = append(conds, "id = ?"), append(args, id)
	}
	if len(conds) == 0 {
		return " WHERE 1 = 0", nil, nil
	}
	return " WHERE (" + strings.Join(conds, " OR ") + ")", args, nil
}

// orderBy is the ORDER BY of sort. Texts sort in code point order on
// both engines (COLLATE "C" on PostgreSQL, SQLite's BINARY).
func (c *Collection) orderBy(sort string, e store.Engine) (string, error) {
	name, dir := strings.TrimPrefix(sort, "-"), " ASC"
	if strings.HasPrefix(sort, "-") {
		dir = " DESC"
	}
	switch name {
	case "":
		return " ORDER BY id DESC", nil
	case "id", "created_at", "updated_at":
		return " ORDER BY " + name + dir + ", id DESC", nil
	}
	for _, f := range c.Fields {
		if f.Name == name && f.Sortable() {
			col := f.column()
			if e == store.Postgres && (f.Kind == Text || f.Kind == Enum || f.Kind == PublicID) {
				col += ` COLLATE "C"`
			}
			return " ORDER BY " + col + dir + ", id DESC", nil
		}
	}
	return "", errs.InvalidField("sort", fmt.Sprintf("%s records cannot be sorted by %q", c.Name, name))
}

// List returns a page of the records q finds, in its order, and how many
// it finds.
func (s *Service) List(ctx context.Context, c *Collection, q Query) ([]Record, int, error) {
	where, args, err := c.where(q.Q)
	if err != nil {
		return nil, 0, err
	}
	order, err := c.orderBy(q.Sort, s.db.Engine())
	if err != nil {
		return nil, 0, err
	}
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM "+c.Table+where, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count "+c.Name)
	}
	recs, err := store.Collect(ctx, s.db, "SELECT "+c.columns()+" FROM "+c.Table+where+order+store.LimitOffset,
		append(args, q.Limit, q.Offset), c.scan)
	return recs, total, errs.Wrap(err, "list "+c.Name)
}

// Get returns one record.
func (s *Service) Get(ctx context.Context, c *Collection, id int64) (Record, error) {
	return s.get(ctx, s.db, c, id, "")
}

func (s *Service) get(ctx context.Context, q store.Querier, c *Collection, id int64, suffix string) (Record, error) {
	rec, err := c.scan(q.QueryRow(ctx, "SELECT "+c.columns()+" FROM "+c.Table+" WHERE id = ?"+suffix, id))
	if store.NoRows(err) {
		return nil, errs.Ef(errs.NotFound, "no such %s record", c.Name)
	}
	return rec, errs.Wrap(err, "read "+c.Name)
}

// Create adds a record from input (field name -> JSON-decoded value).
func (s *Service) Create(ctx context.Context, c *Collection, in map[string]any) (Record, error) {
	vals, err := c.check(in, true)
	if err != nil {
		return nil, err
	}
	for _, f := range c.Fields {
		if f.Kind == PublicID && vals[f.Name] == "" {
			vals[f.Name] = NewPublicID()
		}
	}
	if c.Check != nil {
		if err := c.Check(Record(vals)); err != nil {
			return nil, err
		}
	}
	var rec Record
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		tx.AfterCommit(func() { s.changed(c) })
		if err := s.constraints(ctx, tx, c, vals, 0); err != nil {
			return err
		}
		cols := []string{}
		args := []any{}
		for _, f := range c.Fields {
			if f.ReadOnly {
				continue
			}
			cols = append(cols, f.columns()...)
			args = append(args, f.args(vals[f.Name])...)
		}
		now := s.clock.Now().UnixMilli()
		cols = append(cols, "created_at", "updated_at")
		args = append(args, now, now)
		rec, err = c.scan(tx.QueryRow(ctx, "INSERT INTO "+c.Table+" ("+strings.Join(cols, ", ")+") VALUES ("+
			store.Placeholders(len(cols))+") RETURNING "+c.columns(), args...))
		return writeError(err, c, "create")
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Update changes the fields given in input.
func (s *Service) Update(ctx context.Context, c *Collection, id int64, in map[string]any) (Record, error) {
	vals, err := c.check(in, false)
	if err != nil {
		return nil, err
	}
	var rec Record
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		tx.AfterCommit(func() { s.changed(c) })
		cur, err := s.get(ctx, tx, c, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		next := maps.Clone(cur)
		for _, f := range c.Fields {
			v, ok := vals[f.Name]
			if !ok {
				continue
			}
			if f.Kind == PublicID {
				if v != cur[f.Name] {
					return errs.InvalidField(f.Name, f.Name+" cannot be changed")
				}
				delete(vals, f.Name)
				continue
			}
			next[f.Name] = v
		}
		if c.Check != nil {
			if err := c.Check(next); err != nil {
				return err
			}
		}
		if err := s.constraints(ctx, tx, c, vals, id); err != nil {
			return err
		}
		sets := []string{"updated_at = ?"}
		args := []any{s.clock.Now().UnixMilli()}
		for _, f := range c.Fields {
			if v, ok := vals[f.Name]; ok {
				for _, col := range f.columns() {
					sets = append(sets, col+" = ?")
				}
				args = append(args, f.args(v)...)
			}
		}
		rec, err = c.scan(tx.QueryRow(ctx, "UPDATE "+c.Table+" SET "+strings.Join(sets, ", ")+" WHERE id = ? RETURNING "+c.columns(),
			append(args, id)...))
		return writeError(err, c, "update")
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Delete removes a record. A record other records refer to (a merchant
// with clothes) is refused with Conflict.
func (s *Service) Delete(ctx context.Context, c *Collection, id int64) error {
	res, err := s.db.Exec(ctx, "DELETE FROM "+c.Table+" WHERE id = ?", id)
	if err == nil {
		s.changed(c)
	}
	if store.IsForeignKeyViolation(err) {
		return errs.Ef(errs.Conflict, "%s record %d is still referred to by other records; change or delete those first", c.Name, id)
	}
	if err != nil {
		return errs.Wrap(err, "delete "+c.Name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.Ef(errs.NotFound, "no such %s record", c.Name)
	}
	return nil
}

// constraints checks, inside the writing transaction, that the refs given
// in vals name existing rows (a ref given by public id becomes the row's
// id in vals) and that unique values are free. id is the record being
// updated (0 on create).
func (s *Service) constraints(ctx context.Context, tx *store.Tx, c *Collection, vals map[string]any, id int64) error {
	for _, f := range c.Fields {
		v, ok := vals[f.Name]
		if !ok || v == nil || v == "" || f.Kind == Object {
			continue
		}
		if p, public := v.(publicRef); f.Kind == Ref && public {
			var ref int64
			err := tx.QueryRow(ctx, "SELECT id FROM "+f.RefTable+" WHERE "+f.RefPublic+" = ?", string(p)).Scan(&ref)
			if store.NoRows(err) {
				return errs.InvalidField(f.Name, fmt.Sprintf("no such %s: %s", f.refName(), p))
			}
			if err != nil {
				return errs.Wrap(err, "check "+c.Name+"."+f.Name)
			}
			v, vals[f.Name] = ref, ref
		} else if f.Kind == Ref {
			n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM "+f.RefTable+" WHERE id = ?", v)
			if err != nil {
				return errs.Wrap(err, "check "+c.Name+"."+f.Name)
			}
			if n == 0 {
				return errs.InvalidField(f.Name, fmt.Sprintf("no such %s: %d", f.refName(), v))
			}
		}
		if f.Unique || f.Kind == PublicID {
			n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM "+c.Table+" WHERE "+f.column()+" = ? AND id <> ?", v, id)
			if err != nil {
				return errs.Wrap(err, "check "+c.Name+"."+f.Name)
			}
			if n > 0 {
				return &errs.Error{Kind: errs.Conflict, Field: f.Name, Msg: fmt.Sprintf("another %s record has this %s", c.Name, f.Name)}
			}
		}
	}
	return nil
}

func (f Field) refName() string {
	if f.RefName != "" {
		return f.RefName
	}
	return f.RefTable
}

// writeError maps the constraint failures that slip past the checks (two
// writers at once on PostgreSQL) to client errors.
func writeError(err error, c *Collection, op string) error {
	switch {
	case err == nil:
		return nil
	case store.IsUniqueViolation(err):
		return errs.Ef(errs.Conflict, "another %s record has the same unique value", c.Name)
	case store.IsForeignKeyViolation(err):
		return errs.Ef(errs.Invalid, "a %s record refers to a record that does not exist", c.Name)
	}
	return errs.Wrap(err, op+" "+c.Name)
}
