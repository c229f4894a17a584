// Package doge is the doge face (seed 000, the DogeDoge pet game) under
// /api/v1/: the {"status","msg","body"} envelope with the document's
// status codes (HTTP 200 but for unknown paths and methods), the token
// from ?token=, a form field token or Authorization: Token, form and JSON
// bodies, and Django's paging (20 a page, is_paginated, page_obj).
package doge

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/media"
	"plaza/internal/pet"
	"plaza/internal/wallet"
)

// Deps are the core services and settings the face uses.
type Deps struct {
	Accounts *account.Service
	Pets     *pet.Service
	Media    *media.Service // POST /api/v1/upload/
	Log      *slog.Logger
	Location *time.Location // of the "2018-03-17 21:29:13" times
	// GoodsVersion, when set, keeps the encoded goods pages in memory
	// under it (the catalog's version of goods: exact on one node).
	GoodsVersion func() uint64
}

type face struct {
	Deps
	goodsPages httpx.PageCache
}

// rawAnswer is a whole success answer, envelope included, already encoded
// (a kept page).
type rawAnswer []byte

// envelope is every answer.
type envelope struct {
	Status int    `json:"status"`
	Msg    string `json:"msg"`
	Body   any    `json:"body"`
}

// handler serves a request; it returns the body of a success.
type handler = httpx.Handler

// authed serves a request of a signed-in user.
type authed func(r *http.Request, p *httpx.Params, u account.User) (any, error)

var empty = struct{}{}

// route serves one path with a handler per method; another method is
// HTTP 405 with status 7 in the envelope.
func (f *face) route(methods map[string]handler) http.Handler {
	return httpx.Face{
		Log: f.Log,
		OK: func(w http.ResponseWriter, r *http.Request, body any) {
			if raw, ok := body.(rawAnswer); ok {
				httpx.SetCode(r, strconv.Itoa(stOK))
				httpx.WriteRawJSON(w, http.StatusOK, raw)
				return
			}
			f.write(w, r, http.StatusOK, envelope{stOK, "success", body})
		},
		Fail: f.fail,
		NotAllowed: func(w http.ResponseWriter, r *http.Request) {
			f.write(w, r, http.StatusMethodNotAllowed, envelope{stNotFound, "不存在: method not allowed", empty})
		},
	}.Route(methods)
}

func (f *face) write(w http.ResponseWriter, r *http.Request, httpStatus int, e envelope) {
	httpx.SetCode(r, strconv.Itoa(e.Status))
	httpx.WriteJSON(w, httpStatus, e)
}

// fail answers an error in the envelope, HTTP 200: the table's status and
// words, and for a bad field the field and why.
func (f *face) fail(w http.ResponseWriter, r *http.Request, err error) {
	a := answerOf(err)
	if errs.KindOf(err) == errs.Internal {
		f.Log.Error("doge face", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
	}
	msg := a.Msg
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Invalid && e.Msg != "" {
		msg += ": " + e.Msg
	}
	f.write(w, r, http.StatusOK, envelope{a.Status, msg, empty})
}

// token is the request's token: ?token=, a body field token, or
// Authorization: Token x.
func token(r *http.Request, p *httpx.Params) (string, error) {
	t, err := p.Str("token")
	if err != nil {
		return "", errs.E(errs.Unauthenticated, "bad token")
	}
	if t == "" {
		t = httpx.BearerToken(r)
	}
	return t, nil
}

var errNoToken = errs.E(errs.Unauthenticated, "a token is required")

// user is the signed-in user, or ok false when no token came.
func (f *face) user(r *http.Request, p *httpx.Params) (u account.User, ok bool, err error) {
	t, err := token(r, p)
	if err != nil || t == "" {
		return account.User{}, false, err
	}
	u, err = f.Accounts.Authenticate(r.Context(), t)
	return u, err == nil, err
}

func (f *face) auth(h authed) handler {
	return func(r *http.Request, p *httpx.Params) (any, error) {
		u, ok, err := f.user(r, p)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNoToken
		}
		return h(r, p, u)
	}
}

// pageSize is the app's paginate_by; maxOffset caps how deep a page reads.
const (
	pageSize  = 20
	maxOffset = wallet.MaxOffset
)

var errBadPage = errs.InvalidField("page", "page must be a whole number from 1")

// pageNo reads ?page= (from 1).
func pageNo(p *httpx.Params) (int, error) {
	s, err := p.Str("page")
	if err != nil {
		return 0, errBadPage
	}
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n-1 > maxOffset/pageSize { // (n-1)*pageSize could overflow
		return 0, errBadPage
	}
	return n, nil
}

// pageObj is Django's page object, as the app reads it.
type pageObj struct {
	Number      int  `json:"number"`
	NumPages    int  `json:"num_pages"`
	Count       int  `json:"count"`
	HasNext     bool `json:"has_next"`
	HasPrevious bool `json:"has_previous"`
}

// paged answers a page under key with is_paginated and page_obj (an
// empty object while everything fits on one page). A page past the last
// (but the first) is status 7, as Django's 404.
func paged[T, W any](p *httpx.Params, key string, query func(offset, limit int) ([]T, int, error), wire func(T) W) (any, error) {
	no, err := pageNo(p)
	if err != nil {
		return nil, err
	}
	items, total, err := query((no-1)*pageSize, pageSize)
	if err != nil {
		return nil, err
	}
	pages := max(1, (total+pageSize-1)/pageSize)
	if no > pages {
		return nil, errs.E(errs.NotFound, "no such page")
	}
	out := map[string]any{key: wireAll(items, wire), "is_paginated": pages > 1, "page_obj": empty}
	if pages > 1 {
		out["page_obj"] = pageObj{Number: no, NumPages: pages, Count: total, HasNext: no < pages, HasPrevious: no > 1}
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

// time formats t as the app's "2018-03-17 21:29:13" in the zone of the
// settings ("" for no time).
func (f *face) time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(f.Location).Format(time.DateTime)
}
