// Package audit is the admin audit log: one entry per committed admin
// write (who, what, the object before and the change asked, when, from
// which address), written in the write's own transaction, and read newest
// first.
//
// The admin face records the entry with a commit hook (store.WithCommitHook)
// on every write request, so an entry commits with its write or not at all,
// whatever core makes the write.
package audit

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Entry is one admin write.
type Entry struct {
	ID         int64
	AdminID    int64
	AdminEmail string          // read from the admin's account (lists only)
	Action     string          // method and route pattern: "PATCH /admin/v1/masters/{id}"
	Target     string          // the request's path: "/admin/v1/masters/7"
	Before     json.RawMessage // the object before the write; nil when not read
	After      json.RawMessage // the change asked; nil when the request had no JSON body
	IP         string
	RequestID  string
	CreatedAt  time.Time // the write's transaction time
}

// Service is the audit log core.
type Service struct{ db *store.DB }

// New returns the service.
func New(db *store.DB) *Service { return &Service{db: db} }

// The sizes of an entry's texts (longer ones are cut, an entry is never
// refused for its size: the write it records has already been accepted).
const (
	MaxAction = 200
	MaxTarget = 2000
	MaxJSON   = 64 << 10 // a longer before or after is kept as {"truncated": true, "bytes": n}
)

// Record writes e in tx, at tx.Now() (e.ID and e.CreatedAt are ignored).
func (s *Service) Record(ctx context.Context, tx *store.Tx, e Entry) error {
	if e.AdminID <= 0 {
		return errs.E(errs.Internal, "audit: an entry without its admin")
	}
	_, err := tx.Exec(ctx, `INSERT INTO admin_audit (admin_id, action, target, before, after, ip, request_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.AdminID, cut(e.Action, MaxAction), cut(e.Target, MaxTarget),
		jsonText(e.Before), jsonText(e.After), cut(e.IP, 100), cut(e.RequestID, 100), tx.Now().UnixMilli())
	if err != nil {
		return errs.Wrap(err, "record audit entry")
	}
	return nil
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// jsonText is the column value of a JSON document: NULL for none.
func jsonText(j json.RawMessage) any {
	if len(j) == 0 {
		return nil
	}
	if len(j) > MaxJSON {
		return `{"truncated":true,"bytes":` + strconv.Itoa(len(j)) + `}`
	}
	return string(j)
}

// Filter chooses the entries of a page.
type Filter struct {
	AdminID int64  // 0: every admin's
	Action  string // "": every action; else exactly this one
	Cursor  string // "": the newest; else a Page.Next
	Limit   int    // 0: DefaultPage; at most MaxPage
}

// Page is a page of the log, newest first; Next is the cursor of the
// following (older) page, "" at the end.
type Page struct {
	Entries []Entry
	Next    string
}

const (
	DefaultPage = 20
	MaxPage     = 100
)

// List returns a page of the log, newest first, by the primary key (or the
// admin's or the action's index): never a count of the table.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	before, err := entryCursor.Decode(f.Cursor)
	if err != nil {
		return Page{}, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultPage
	}
	if limit < 0 || limit > MaxPage {
		return Page{}, errs.InvalidField("limit", "limit must be 1 to 100")
	}
	if f.AdminID < 0 {
		return Page{}, errs.InvalidField("admin_id", "admin_id must be an admin's id")
	}
	if err := valid.Line("action", f.Action, MaxAction); err != nil {
		return Page{}, err
	}
	where, args := "a.id < ?", []any{before}
	if f.AdminID > 0 {
		where += " AND a.admin_id = ?"
		args = append(args, f.AdminID)
	}
	if f.Action != "" {
		where += " AND a.action = ?"
		args = append(args, f.Action)
	}
	args = append(args, limit+1)
	entries, err := store.Collect(ctx, s.db, `SELECT a.id, a.admin_id, COALESCE(m.email, ''), a.action, a.target, a.before, a.after,
		a.ip, a.request_id, a.created_at FROM admin_audit a LEFT JOIN admins m ON m.id = a.admin_id
		WHERE `+where+` ORDER BY a.id DESC LIMIT (? + 0)`, args, scanEntry)
	if err != nil {
		return Page{}, errs.Wrap(err, "read audit log")
	}
	p := Page{Entries: entries}
	if p.Entries == nil {
		p.Entries = []Entry{}
	}
	if len(entries) > limit {
		p.Entries = entries[:limit]
		p.Next = entryCursor.Encode(p.Entries[limit-1].ID)
	}
	return p, nil
}

func scanEntry(r store.Scanner) (Entry, error) {
	var e Entry
	var before, after *string
	err := r.Scan(&e.ID, &e.AdminID, &e.AdminEmail, &e.Action, &e.Target, &before, &after, &e.IP, &e.RequestID,
		(*store.Millis)(&e.CreatedAt))
	if before != nil {
		e.Before = json.RawMessage(*before)
	}
	if after != nil {
		e.After = json.RawMessage(*after)
	}
	return e, err
}

// cursor pages the entries newest first (store.IDCursor).
const entryCursor = store.IDCursor("a1.")
