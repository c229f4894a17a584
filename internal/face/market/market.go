// Package market is the market face (seed 004): the diamond exchange shop
// and the user info with the props a user has on, in Django REST
// Framework's conventions (Authorization: Token, {"detail": ...} errors
// with real HTTP statuses, {"count","next","previous","results"} pages),
// under /market/ and /program_face2face/market/, and /userinfo/ and
// /program_face2face/userinfo/.
package market

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/market"
	"plaza/internal/wallet"
)

// Deps are the core services and settings the face uses.
type Deps struct {
	Accounts   *account.Service
	Market     *market.Service
	Wallet     *wallet.Service
	Log        *slog.Logger
	Location   *time.Location // of the "2017-11-03T14:45:33.719105" times
	TrustProxy bool           // read the scheme of next/previous from X-Forwarded-Proto
	// Cache keeps the encoded product list pages in memory while no
	// product changes (exact on one node only: see cache.go).
	Cache bool
}

type face struct {
	Deps
	pages *httpx.PageCache // nil: off
}

// handler serves a request; it returns the body of a 200.
type handler = httpx.Handler

// authed serves a request of a signed-in user.
type authed func(r *http.Request, p *httpx.Params, u account.User) (any, error)

// route serves one path with a handler per method; another method is 405
// as DRF answers it.
func (f *face) route(methods map[string]handler) http.Handler {
	return httpx.Face{
		Log:  f.Log,
		OK:   func(w http.ResponseWriter, r *http.Request, body any) { f.write(w, r, http.StatusOK, body) },
		Fail: f.fail,
		NotAllowed: func(w http.ResponseWriter, r *http.Request) {
			f.write(w, r, http.StatusMethodNotAllowed, map[string]string{"detail": fmt.Sprintf("Method %q not allowed.", r.Method)})
		},
	}.Route(methods)
}

func (f *face) write(w http.ResponseWriter, r *http.Request, status int, body any) {
	httpx.SetCode(r, strconv.Itoa(status))
	if raw, ok := body.(rawJSON); ok {
		httpx.WriteRawJSON(w, status, raw)
		return
	}
	httpx.WriteJSON(w, status, body)
}

// errNoCredentials is DRF's answer to a request without a token.
var errNoCredentials = errors.New("no credentials")

func (f *face) auth(h authed) handler {
	return func(r *http.Request, p *httpx.Params) (any, error) {
		tok := httpx.BearerToken(r)
		if tok == "" {
			return nil, errNoCredentials
		}
		u, err := f.Accounts.Authenticate(r.Context(), tok)
		if err != nil {
			return nil, err
		}
		return h(r, p, u)
	}
}

// fail answers an error: {"detail": ...}, or {"<field>": ["..."]} for a
// bad field, as DRF's validation errors.
func (f *face) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNoCredentials) {
		w.Header().Set("WWW-Authenticate", "Token")
		f.write(w, r, http.StatusUnauthorized, map[string]string{"detail": detailNoAuth})
		return
	}
	if errors.Is(err, errInvalidPage) {
		f.write(w, r, http.StatusNotFound, map[string]string{"detail": detailInvalidPage})
		return
	}
	a := answerOf(err)
	if errs.KindOf(err) == errs.Internal {
		f.Log.Error("market face", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
	}
	if a.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Token")
	}
	var e *errs.Error
	if a.Detail == "" && errors.As(err, &e) && e.Field != "" && e.Kind == errs.Invalid {
		f.write(w, r, a.Status, map[string][]string{e.Field: {e.Msg}})
		return
	}
	detail := a.Detail
	if detail == "" {
		detail = errs.Message(err)
	}
	f.write(w, r, a.Status, map[string]string{"detail": detail})
}

// errInvalidPage is DRF's answer to a page that is not there.
var errInvalidPage = errs.E(errs.NotFound, detailInvalidPage)

// pageSize is DRF's PAGE_SIZE of the app; maxOffset caps how deep a
// numbered page reads (as the other faces' lists).
const (
	pageSize  = 20
	maxOffset = wallet.MaxOffset
)

// pageNo reads ?page= (from 1, or "last" once the total is known: 0).
func pageNo(p *httpx.Params) (int, error) {
	s, _, err := p.String("page")
	if err != nil {
		return 0, errInvalidPage
	}
	if s == "" {
		return 1, nil
	}
	if s == "last" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	// n is compared before it is multiplied: (n-1)*pageSize wraps around
	// for a large n, to a negative offset.
	if err != nil || n < 1 || n > maxOffset/pageSize+1 {
		return 0, errInvalidPage
	}
	return n, nil
}

// page is DRF's PageNumberPagination body.
type page struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  any     `json:"results"`
}

// paged serves a numbered page: query answers the items at an offset and
// their total. A page past the last (but the first) is "Invalid page.".
func paged[T, W any](f *face, r *http.Request, p *httpx.Params, query func(offset, limit int) ([]T, int, error), wire func(T) W) (any, error) {
	no, err := pageNo(p)
	if err != nil {
		return nil, err
	}
	last := no == 0
	if last {
		no = 1
	}
	items, total, err := query((no-1)*pageSize, pageSize)
	if err != nil {
		return nil, err
	}
	pages := max(1, (total+pageSize-1)/pageSize)
	if last && pages > 1 {
		no = min(pages, maxOffset/pageSize+1)
		if items, total, err = query((no-1)*pageSize, pageSize); err != nil {
			return nil, err
		}
	}
	if no > pages {
		return nil, errInvalidPage
	}
	out := page{Count: total, Results: wireAll(items, wire)}
	if no < pages && no*pageSize <= maxOffset {
		out.Next = f.pageURL(r, no+1)
	}
	if no > 1 {
		out.Previous = f.pageURL(r, no-1)
	}
	return out, nil
}

func wireAll[T, W any](items []T, wire func(T) W) []W {
	out := make([]W, len(items))
	for i, it := range items {
		out[i] = wire(it)
	}
	return out
}

// pageURL is the absolute URL of the request at page no (DRF leaves page
// out of the first page's).
// scheme is how the client reached plaza.
func (f *face) scheme(r *http.Request) string {
	if r.TLS != nil || (f.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")) {
		return "https"
	}
	return "http"
}

func (f *face) pageURL(r *http.Request, no int) *string {
	scheme := f.scheme(r)
	q := r.URL.Query()
	if no == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(no))
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	s := u.String()
	return &s
}

// time formats t as Python's isoformat: local time, microseconds when
// there are any.
func (f *face) time(t time.Time) string {
	t = t.In(f.Location)
	if us := t.Nanosecond() / 1000; us != 0 {
		return t.Format("2006-01-02T15:04:05") + fmt.Sprintf(".%06d", us)
	}
	return t.Format("2006-01-02T15:04:05")
}

// choice reads an optional filter that is one of 0 and 1 ("" is none).
func choice(p *httpx.Params, name string) (*int, error) {
	s, _, err := p.String(name)
	if err != nil || (s != "" && s != "0" && s != "1") {
		return nil, errs.InvalidField(name, "Select a valid choice. That choice is not one of the available choices.")
	}
	if s == "" {
		return nil, nil
	}
	n := int(s[0] - '0')
	return &n, nil
}
