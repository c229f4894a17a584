// Package member is the member face (seed 002): accounts, profile, push
// devices and log, FAQ and feedback under /api/, answering HTTP 200 with
// {"code", "message", "data"}.
package member

import (
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/notify"
	"plaza/internal/support"
)

// Deps are the core services and settings the face uses.
type Deps struct {
	Accounts   *account.Service
	Support    *support.Service
	Notify     *notify.Service
	Log        *slog.Logger
	Location   *time.Location // for "2019-05-22 18:20:45" times
	AppID      string
	TrustProxy bool // take the client address from X-Forwarded-For
}

type face struct{ Deps }

type envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

type empty struct{}

// handler is a face endpoint: it returns the data of a success or an error.
type handler func(r *http.Request, p *httpx.Params) (any, error)

// authed is an endpoint that needs a signed-in user.
type authed func(r *http.Request, p *httpx.Params, u account.User) (any, error)

func (f *face) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer httpx.Recover(f.Log, r, func() { f.fail(w, r, errs.E(errs.Internal, "internal error")) })
		p, err := httpx.Parse(w, r)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		data, err := h(r, p)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		if data == nil {
			data = empty{}
		}
		httpx.SetCode(r, "0")
		httpx.WriteJSON(w, http.StatusOK, envelope{Code: codeOK, Message: messages[codeOK], Data: data})
	})
}

func (f *face) auth(h authed) http.Handler {
	return f.serve(func(r *http.Request, p *httpx.Params) (any, error) {
		u, err := f.user(r)
		if err != nil {
			return nil, err
		}
		return h(r, p, u)
	})
}

func (f *face) user(r *http.Request) (account.User, error) {
	tok := httpx.BearerToken(r)
	if tok == "" {
		return account.User{}, errs.E(errs.Unauthenticated, "missing Authorization: Token header")
	}
	return f.Accounts.Authenticate(r.Context(), tok)
}

func (f *face) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errs.KindOf(err) == errs.Internal {
		f.Log.Error("member face", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
		f.answer(w, r, codeGeneric, "")
		return
	}
	f.answer(w, r, codeOf(err), errs.Message(err))
}

// answer writes an error envelope: the document's words for code, then
// detail where it says more.
func (f *face) answer(w http.ResponseWriter, r *http.Request, code int, detail string) {
	msg := messages[code]
	if detail != "" && detail != msg {
		msg += ": " + detail
	}
	httpx.SetCode(r, strconv.Itoa(code))
	httpx.WriteJSON(w, http.StatusOK, envelope{Code: code, Message: msg, Data: empty{}})
}

// time formats t as the document does, in the configured zone.
func (f *face) time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(f.Location).Format(time.DateTime)
}

// Paging: page_no from 1, page_size 1 to 100 (default 20).
const (
	defaultPageSize = 20
	maxPageSize     = 100
	maxPageNo       = 1_000_000
)

type page struct{ no, size int }

func (pg page) offset() int { return (pg.no - 1) * pg.size }

func pageOf(p *httpx.Params) (page, error) {
	pg := page{no: 1, size: defaultPageSize}
	if n, ok, err := p.Int("page_no"); err != nil {
		return pg, err
	} else if ok {
		if n < 1 || n > maxPageNo {
			return pg, errs.InvalidField("page_no", "page_no must be 1 or more")
		}
		pg.no = int(n)
	}
	if n, ok, err := p.Int("page_size"); err != nil {
		return pg, err
	} else if ok {
		if n < 1 || n > maxPageSize {
			return pg, errs.InvalidField("page_size", "page_size must be 1 to 100")
		}
		pg.size = int(n)
	}
	return pg, nil
}

type paged struct {
	Total       int `json:"total"`
	Pages       int `json:"pages"`
	CurrentPage int `json:"current_page"`
	PageSize    int `json:"page_size"`
	Data        any `json:"data"`
}

func pagedOf[T, W any](pg page, items []T, total int, wire func(T) W) paged {
	out := make([]W, len(items))
	for i, it := range items {
		out[i] = wire(it)
	}
	return paged{
		Total:       total,
		Pages:       int(math.Ceil(float64(total) / float64(pg.size))),
		CurrentPage: pg.no,
		PageSize:    pg.size,
		Data:        out,
	}
}
