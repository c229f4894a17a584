package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"plaza/internal/admins"
	"plaza/internal/audit"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// The audit log: every write request of a signed-in admin (any method but
// GET and HEAD through serve) carries a commit hook that records an entry
// in each transaction the request commits, whatever core writes it; a
// request that commits nothing (refused, or failed) leaves no entry.

// auditNote is what a write request's entries share that is learnt while
// the handler runs: the object before the write (before).
type auditNote struct{ before json.RawMessage }

type auditKey struct{}

// audited returns r with the commit hook of a write request of a; GET and
// HEAD requests are returned as they are.
func (f *face) audited(r *http.Request, a admins.Admin) *http.Request {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r
	}
	// The change asked is the body; the handler reads it again after.
	body, _ := io.ReadAll(io.LimitReader(r.Body, httpx.MaxBody+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	var after json.RawMessage
	if len(body) <= httpx.MaxBody {
		after = audit.Redact(body)
	}
	action := r.Pattern
	if action == "" {
		action = httpx.InfoFrom(r.Context()).Route
	}
	if !strings.HasPrefix(action, r.Method+" ") {
		action = r.Method + " " + action
	}
	e := audit.Entry{AdminID: a.ID, Action: action, Target: r.URL.Path, After: after,
		IP: httpx.ClientIP(r, f.TrustProxy), RequestID: httpx.InfoFrom(r.Context()).ID}
	note := &auditNote{}
	ctx := store.WithCommitHook(r.Context(), func(ctx context.Context, tx *store.Tx) error {
		e := e
		e.Before = note.before
		return f.Audit.Record(ctx, tx, e)
	})
	return r.WithContext(context.WithValue(ctx, auditKey{}, note))
}

// before wraps a write handler h with the read of the object it changes
// (through the face's own read path), kept as the "before" of the
// request's audit entries. A failed read keeps none: h answers the error.
func before(read func(r *http.Request) (any, error), h handler) handler {
	return func(r *http.Request, a admins.Admin) (int, any, error) {
		if note, ok := r.Context().Value(auditKey{}).(*auditNote); ok {
			if v, err := read(r); err == nil {
				note.before, _ = json.Marshal(v)
			}
		}
		return h(r, a)
	}
}

// reading makes a GET handler of the object a write changes the read of
// its before.
func reading(get handler) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		_, v, err := get(r, admins.Admin{})
		return v, err
	}
}

func (f *face) adminBefore(r *http.Request) (any, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	a, err := f.Admins.Get(r.Context(), id)
	return wireAdmin(a), err
}

// balancesBefore is the user's balances before a grant or a take.
func (f *face) balancesBefore(r *http.Request) (any, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	balances, err := f.Wallet.Balances(r.Context(), id)
	return map[string]any{"balances": wireBalances(balances)}, err
}

func (f *face) userBefore(r *http.Request) (any, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	u, err := f.Accounts.User(r.Context(), id)
	return wireUser(u), err
}

func (f *face) pushBefore(r *http.Request) (any, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	return f.readPush(r.Context(), id)
}

type auditEntryBody struct {
	ID         int64           `json:"id"`
	AdminID    int64           `json:"admin_id"`
	AdminEmail string          `json:"admin_email"`
	Action     string          `json:"action"`
	Target     string          `json:"target"`
	Before     json.RawMessage `json:"before"` // null when not read
	After      json.RawMessage `json:"after"`  // null without a JSON body
	IP         string          `json:"ip"`
	RequestID  string          `json:"request_id"`
	CreatedAt  string          `json:"created_at"`
}

type auditPageBody struct {
	Entries []auditEntryBody `json:"entries"`
	Next    string           `json:"next_cursor"` // "" at the end
}

func rawOrNull(j json.RawMessage) json.RawMessage {
	if len(j) == 0 {
		return json.RawMessage("null")
	}
	return j
}

// auditLog is a page of the audit log, newest first: ?cursor= (the
// next_cursor of the page before), ?limit= (1 to 100, default 20),
// ?admin_id=, ?action= (exactly, as "PATCH /admin/v1/masters/{id}").
func (f *face) auditLog(r *http.Request, _ admins.Admin) (int, any, error) {
	q := r.URL.Query()
	var flt audit.Filter
	var err error
	if flt.Limit, err = limitOf(r, audit.MaxPage); err != nil {
		return 0, nil, err
	}
	if s := q.Get("admin_id"); s != "" {
		id, ok := valid.ID(s)
		if !ok {
			return 0, nil, errs.InvalidField("admin_id", "admin_id must be an admin's id")
		}
		flt.AdminID = id
	}
	flt.Action, flt.Cursor = q.Get("action"), q.Get("cursor")
	p, err := f.Audit.List(r.Context(), flt)
	if err != nil {
		return 0, nil, err
	}
	out := auditPageBody{Entries: make([]auditEntryBody, len(p.Entries)), Next: p.Next}
	for i, e := range p.Entries {
		out.Entries[i] = auditEntryBody{ID: e.ID, AdminID: e.AdminID, AdminEmail: e.AdminEmail, Action: e.Action, Target: e.Target,
			Before: rawOrNull(e.Before), After: rawOrNull(e.After), IP: e.IP, RequestID: e.RequestID, CreatedAt: ts(e.CreatedAt)}
	}
	return http.StatusOK, out, nil
}
