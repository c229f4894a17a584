// Package catalog is what admins make and the faces show: FAQ entries,
// feedback categories and (later) goods, products, banners, masters... Each
// collection is declared once, as a table and its fields, in a small file of
// its own; this package lists, reads, creates, updates and deletes the
// records of any of them with the same checks.
package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

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
	Enum // text, one of Options
)

// Field is one column of a collection.
type Field struct {
	Name     string
	Kind     Kind
	Max      int64 // Text, Enum: max characters (default 255); Int: max value (default none)
	Min      int64 // Int: min value
	Required bool  // must be given on create (and non-empty for text)
	Options  []string
	Default  any // value on create when not given (else "", 0, false)
}

// Collection is a kind of admin-made record.
type Collection struct {
	Name   string // as in the admin API's URLs, e.g. "faqs"
	Table  string
	Fields []Field
}

// Record is one row: its fields by name, plus "id" (int64), "created_at"
// and "updated_at" (time.Time).
type Record map[string]any

// ID returns the record's id.
func (r Record) ID() int64 { id, _ := r["id"].(int64); return id }

var registry = map[string]*Collection{}

// register adds a collection; called from each collection's file.
func register(c *Collection) *Collection {
	if _, dup := registry[c.Name]; dup {
		panic("catalog: duplicate collection " + c.Name)
	}
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
	db    *store.DB
	clock clock.Clock
}

// New returns the catalog service.
func New(db *store.DB, c clock.Clock) *Service { return &Service{db: db, clock: c} }

func (c *Collection) columns() string {
	cols := []string{"id"}
	for _, f := range c.Fields {
		cols = append(cols, f.Name)
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
			vals = append(vals, new(int64))
		case Bool:
			vals = append(vals, new(bool))
		default:
			vals = append(vals, new(string))
		}
	}
	vals = append(vals, (*store.Millis)(&created), (*store.Millis)(&updated))
	if err := r.Scan(vals...); err != nil {
		return nil, err
	}
	rec := Record{"id": id, "created_at": created, "updated_at": updated}
	for i, f := range c.Fields {
		switch p := vals[i+1].(type) {
		case *int64:
			rec[f.Name] = *p
		case *bool:
			rec[f.Name] = *p
		case *string:
			rec[f.Name] = *p
		}
	}
	return rec, nil
}

// List returns a page of records, newest first, and the total.
func (s *Service) List(ctx context.Context, c *Collection, offset, limit int) ([]Record, int, error) {
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM "+c.Table)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count "+c.Name)
	}
	recs, err := store.Collect(ctx, s.db, "SELECT "+c.columns()+" FROM "+c.Table+" ORDER BY id DESC LIMIT ? OFFSET ?",
		[]any{limit, offset}, c.scan)
	return recs, total, errs.Wrap(err, "list "+c.Name)
}

// Get returns one record.
func (s *Service) Get(ctx context.Context, c *Collection, id int64) (Record, error) {
	return s.get(ctx, s.db, c, id)
}

func (s *Service) get(ctx context.Context, q store.Querier, c *Collection, id int64) (Record, error) {
	rec, err := c.scan(q.QueryRow(ctx, "SELECT "+c.columns()+" FROM "+c.Table+" WHERE id = ?", id))
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
	cols := []string{}
	args := []any{}
	for _, f := range c.Fields {
		cols = append(cols, f.Name)
		args = append(args, vals[f.Name])
	}
	now := s.clock.Now().UnixMilli()
	cols = append(cols, "created_at", "updated_at")
	args = append(args, now, now)
	rec, err := c.scan(s.db.QueryRowWrite(ctx, "INSERT INTO "+c.Table+" ("+strings.Join(cols, ", ")+") VALUES ("+
		store.Placeholders(len(cols))+") RETURNING "+c.columns(), args...))
	return rec, errs.Wrap(err, "create "+c.Name)
}

// Update changes the fields given in input.
func (s *Service) Update(ctx context.Context, c *Collection, id int64, in map[string]any) (Record, error) {
	vals, err := c.check(in, false)
	if err != nil {
		return nil, err
	}
	sets := []string{"updated_at = ?"}
	args := []any{s.clock.Now().UnixMilli()}
	for _, f := range c.Fields {
		if v, ok := vals[f.Name]; ok {
			sets = append(sets, f.Name+" = ?")
			args = append(args, v)
		}
	}
	rec, err := c.scan(s.db.QueryRowWrite(ctx, "UPDATE "+c.Table+" SET "+strings.Join(sets, ", ")+" WHERE id = ? RETURNING "+c.columns(),
		append(args, id)...))
	if store.NoRows(err) {
		return nil, errs.Ef(errs.NotFound, "no such %s record", c.Name)
	}
	return rec, errs.Wrap(err, "update "+c.Name)
}

// Delete removes a record.
func (s *Service) Delete(ctx context.Context, c *Collection, id int64) error {
	res, err := s.db.Exec(ctx, "DELETE FROM "+c.Table+" WHERE id = ?", id)
	if err != nil {
		return errs.Wrap(err, "delete "+c.Name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.Ef(errs.NotFound, "no such %s record", c.Name)
	}
	return nil
}

// check validates input against the fields. On create, absent fields get
// their defaults and required ones must be there.
func (c *Collection) check(in map[string]any, create bool) (map[string]any, error) {
	known := map[string]Field{}
	for _, f := range c.Fields {
		known[f.Name] = f
	}
	for name := range in {
		if _, ok := known[name]; !ok && name != "id" && name != "created_at" && name != "updated_at" {
			return nil, errs.InvalidField(name, "unknown field "+name)
		}
	}
	out := map[string]any{}
	for _, f := range c.Fields {
		raw, given := in[f.Name]
		if !given {
			if create {
				if f.Required {
					return nil, errs.InvalidField(f.Name, f.Name+" is required")
				}
				out[f.Name] = f.zero()
			}
			continue
		}
		v, err := f.value(raw)
		if err != nil {
			return nil, err
		}
		out[f.Name] = v
	}
	return out, nil
}

func (f Field) zero() any {
	if f.Default != nil {
		return f.Default
	}
	switch f.Kind {
	case Int:
		return int64(0)
	case Bool:
		return false
	}
	return ""
}

func (f Field) value(raw any) (any, error) {
	bad := func(want string) error { return errs.InvalidField(f.Name, f.Name+" must be "+want) }
	switch f.Kind {
	case Int:
		var n int64
		switch v := raw.(type) {
		case json.Number:
			i, err := strconv.ParseInt(v.String(), 10, 64)
			if err != nil {
				return nil, bad("an integer")
			}
			n = i
		case float64:
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return nil, bad("an integer")
			}
			n = int64(v)
		case int64:
			n = v
		case int:
			n = int64(v)
		default:
			return nil, bad("an integer")
		}
		if n < f.Min || (f.Max != 0 && n > f.Max) {
			return nil, errs.InvalidField(f.Name, fmt.Sprintf("%s must be %d to %d", f.Name, f.Min, f.Max))
		}
		return n, nil
	case Bool:
		b, ok := raw.(bool)
		if !ok {
			return nil, bad("true or false")
		}
		return b, nil
	}
	s, ok := raw.(string)
	if !ok {
		return nil, bad("a string")
	}
	max := f.Max
	if max == 0 {
		max = 255
	}
	if f.Required {
		if err := valid.Required(f.Name, s, int(max)); err != nil {
			return nil, err
		}
	} else if err := valid.Text(f.Name, s, int(max)); err != nil {
		return nil, err
	}
	if f.Kind == Enum {
		for _, o := range f.Options {
			if s == o {
				return s, nil
			}
		}
		return nil, bad("one of " + strings.Join(f.Options, ", "))
	}
	return s, nil
}
