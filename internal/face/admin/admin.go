// Package admin is the admin face, /admin/v1/: JSON with real HTTP statuses
// and {"error": {"code", "message"}} on errors, for the operator's console.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/audit"
	"plaza/internal/catalog"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/live"
	"plaza/internal/market"
	"plaza/internal/media"
	"plaza/internal/message"
	"plaza/internal/notify"
	"plaza/internal/orders"
	"plaza/internal/payment"
	"plaza/internal/support"
	"plaza/internal/wallet"
)

// Deps are the core services the face uses.
type Deps struct {
	Admins   *admins.Service
	Accounts *account.Service
	Catalog  *catalog.Service
	Support  *support.Service
	Notify   *notify.Service
	Messages *message.Service
	Wallet   *wallet.Service
	Orders   *orders.Service
	Market   *market.Service
	Payments *payment.Service
	Audit    *audit.Service
	Media    *media.Service // admin uploads (POST /admin/v1/media)
	Log      *slog.Logger

	// The console's dashboard (issue 10): the live rooms core, the clock
	// and the zone its days are in (the server's, setting time-zone).
	Rooms    *live.Rooms
	Clock    clock.Clock
	Location *time.Location

	TrustProxy bool // take the client address from X-Forwarded-For
}

type face struct{ Deps }

// handler serves a request of a signed-in admin; it returns the HTTP status
// and the body of a success.
type handler func(r *http.Request, a admins.Admin) (int, any, error)

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// answer is how the face answers an error: its HTTP status and its code
// ("": the name of its kind).
type answer struct {
	status int
	code   string
}

// statuses is the HTTP status of every kind of core error (errs.Codes; a
// test checks it is whole). The admin face tells reasons apart by its
// message and field only, with the few codes of Reasons (sign-in's second
// factor, CSRF) that the console acts on: its clients are operators, who
// read them; so every other reason keeps its kind's status and code.
var statuses = errs.Codes[answer]{Default: answer{http.StatusInternalServerError, ""}, Kinds: map[errs.Kind]answer{
	errs.Internal:          {http.StatusInternalServerError, ""},
	errs.Invalid:           {http.StatusBadRequest, ""},
	errs.Unauthenticated:   {http.StatusUnauthorized, ""},
	errs.Forbidden:         {http.StatusForbidden, ""},
	errs.NotFound:          {http.StatusNotFound, ""},
	errs.Conflict:          {http.StatusConflict, ""},
	errs.InsufficientFunds: {http.StatusConflict, ""},
	errs.OutOfStock:        {http.StatusConflict, ""},
	errs.RateLimited:       {http.StatusTooManyRequests, ""},
	errs.Unavailable:       {http.StatusServiceUnavailable, ""},
	errs.CodeInvalid:       {http.StatusBadRequest, ""},
	errs.CodeExhausted:     {http.StatusBadRequest, ""},
	errs.Expired:           {http.StatusBadRequest, ""},
}, Reasons: map[errs.Reason]answer{
	admins.ReasonTOTPRequired: {http.StatusUnauthorized, "totp_required"},
	admins.ReasonTOTPInvalid:  {http.StatusUnauthorized, "totp_invalid"},
	admins.ReasonCSRF:         {http.StatusForbidden, "csrf"},
}}

func (f *face) fail(w http.ResponseWriter, r *http.Request, err error) {
	k, ans := errs.KindOf(err), statuses.Of(err)
	status := ans.status
	if k == errs.Internal {
		f.Log.Error("admin face", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
	}
	var b errorBody
	b.Error.Code = ans.code
	if b.Error.Code == "" {
		b.Error.Code = k.String()
	}
	b.Error.Message = errs.Message(err)
	if b.Error.Message == "" {
		b.Error.Message = http.StatusText(status)
	}
	var e *errs.Error
	if errors.As(err, &e) {
		b.Error.Field = e.Field
		if k == errs.RateLimited && e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
		}
	}
	httpx.SetCode(r, b.Error.Code)
	httpx.WriteJSON(w, status, b)
}

func (f *face) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ses, err := f.session(r)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, ses))
		r = f.audited(r, ses.Admin) // every write of a non-GET request records its audit entry (audit.go)
		status, body, err := h(r, ses.Admin)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		if c, ok := body.(withCookie); ok {
			http.SetCookie(w, c.cookie)
			body = c.body
		}
		httpx.SetCode(r, "ok")
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		httpx.WriteJSON(w, status, body)
	})
}

// decode reads a JSON object body.
func decode(r *http.Request) (map[string]any, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, httpx.MaxBody))
	if err != nil {
		return nil, errs.E(errs.Invalid, "the request body is too large or unreadable")
	}
	return httpx.DecodeObject(body)
}

// only refuses a field of in that is not one of names (id, created_at,
// updated_at included: they are read-only), as any unknown field.
func only(in map[string]any, names ...string) error {
	for k := range in {
		if !slices.Contains(names, k) {
			return errs.InvalidField(k, "unknown field "+k)
		}
	}
	return nil
}

// idOf reads the record id of the path (httpx.PathID: plain digits).
func idOf(r *http.Request) (int64, error) { return httpx.PathID(r, "id") }

// limitOf reads ?limit= of a cursor-paged list: 0 when absent (the core's
// default), else 1 to max.
func limitOf(r *http.Request, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, errs.InvalidField("limit", fmt.Sprintf("limit must be 1 to %d", max))
	}
	return n, nil
}

// page reads ?page= (from 1) and ?page_size= (1 to 100, default 20).
func page(r *http.Request) (no, size int, err error) {
	q := r.URL.Query()
	no, size = 1, 20
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return 0, 0, errs.InvalidField("page", "page must be a whole number from 1")
		}
		no = n
	}
	if s := q.Get("page_size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, errs.InvalidField("page_size", "page_size must be 1 to 100")
		}
		size = n
	}
	return no, size, nil
}

type listBody struct {
	Items    any `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"page_size"`
}

func listOf[T, W any](items []T, total, no, size int, wire func(T) W) listBody {
	out := make([]W, len(items))
	for i, it := range items {
		out[i] = wire(it)
	}
	return listBody{Items: out, Total: total, Page: no, PageSize: size}
}

// paged serves a page of a list: query gets the offset and limit and
// answers the items and their total.
func paged[T, W any](query func(ctx context.Context, offset, limit int) ([]T, int, error), wire func(T) W) handler {
	return func(r *http.Request, _ admins.Admin) (int, any, error) {
		no, size, err := page(r)
		if err != nil {
			return 0, nil, err
		}
		items, total, err := query(r.Context(), (no-1)*size, size)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, listOf(items, total, no, size, wire), nil
	}
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }
