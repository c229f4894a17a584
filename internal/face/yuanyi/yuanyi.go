// Package yuanyi is the yuanyi face (seed 003): one URL taking signed JSON
// calls {"method", "ver", "ts", "app", "token", "sig", ...params} and
// answering HTTP 200 with {"code": 0, ...} or {"code": N, "err_msg": "..."}.
package yuanyi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"plaza/internal/account"
	"plaza/internal/content"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/media"
	"plaza/internal/message"
	"plaza/internal/orders"
	"plaza/internal/showcase"
	"plaza/internal/social"
)

// Config are the face's settings.
type Config struct {
	Path       string // default "/yuanyiapi/"
	App        string // the app name the client signs with
	Secret     string // the shared signing secret
	CheckSig   bool
	MaxSkew    time.Duration // with CheckSig: refuse a ts further than this from Now (0: any ts)
	CodeLength int           // digits of SMS codes (4-8)
	TrustProxy bool
	Location   *time.Location // for birthdays (dates) shown as milliseconds
}

// ArticleCounter counts a user's articles (the content core).
type ArticleCounter interface {
	ArticleCount(ctx context.Context, userID int64) (int, error)
}

// Deps are the core services the face uses.
type Deps struct {
	Accounts *account.Service
	Social   *social.Service
	Messages *message.Service
	Showcase *showcase.Service
	Articles ArticleCounter   // nil: counts show 0
	Content  *content.Service // nil: the article functions are not served
	Media    *media.Service   // nil: get_media_id and uploads answer 110
	Orders   *orders.Service  // the cart and orders
	Log      *slog.Logger
	Config   Config
	Now      func() time.Time
}

type face struct {
	Deps
	methods map[string]method
	memo    *itemMemo // JSON of article list items
}

// access says who may call a method.
type access int

const (
	// open: no token needed (a bad one is ignored). Only the functions the
	// document marks 不用登录可用: current_time, send_sms_code, user_signup,
	// user_login, user_password_update.
	open     access = iota
	required        // a signed-in user only: every other function
)

// call is one request to a method.
type call struct {
	r    *http.Request
	p    *httpx.Params
	user account.User // ID 0 when nobody is signed in
	tok  string
}

// result is the answer of a method: its keys go next to "code": 0.
type result map[string]any

type method struct {
	access access
	fn     func(c *call) (result, error)
}

// Routes registers the face on rt.
func Routes(rt *httpx.Router, d Deps) {
	if d.Config.Path == "" {
		d.Config.Path = "/yuanyiapi/"
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	f := &face{Deps: d, memo: newItemMemo()}
	f.methods = f.table()
	rt.Handle("POST "+d.Config.Path+"{$}", http.HandlerFunc(f.serve))
	f.routeUploads(rt)
	// Anything else under the face's URL answers in its envelope.
	rt.Handle(d.Config.Path, http.HandlerFunc(f.noRoute))
}

// noRoute answers what the face does not serve: another HTTP method than
// POST on its URL or its upload URL is a bad call (400), another path under
// its URL an unknown function (401).
func (f *face) noRoute(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case f.Config.Path, f.Config.Path + "upload":
		f.answer(w, r, codeBadParam, r.Method+" is not served here: send POST", nil)
	default:
		f.answer(w, r, codeNoMethod, "no such path: calls go to "+f.Config.Path, nil)
	}
}

// table is every method of the face, by the document's names and the
// client's own.
func (f *face) table() map[string]method {
	all := map[string]method{}
	for _, part := range []map[string]method{
		f.accountMethods(), f.socialMethods(), f.mediaMethods(), f.contentMethods(), f.catalogMethods(), f.gameCommentMethods(), f.messageMethods(),
		f.ticketMethods(), f.orderMethods(),
	} {
		for name, m := range part {
			if _, dup := all[name]; dup {
				panic("yuanyi: method " + name + " defined twice")
			}
			all[name] = m
		}
	}
	for alias, name := range aliases {
		if m, ok := all[name]; ok {
			all[alias] = m
		}
	}
	return all
}

// aliases are the client's names for the document's functions.
var aliases = map[string]string{
	"article_comment": "article_comment_publish",
	"send_message":    "send_message_to_user",
	"my_following":    "my_following_users",
	"sns_follow":      "user_follow",
	"sns_unfollow":    "user_unfollow",
}

func (f *face) serve(w http.ResponseWriter, r *http.Request) {
	defer httpx.Recover(f.Log, r, func() { f.fail(w, r, errs.E(errs.Internal, "internal error")) })
	p, err := httpx.Parse(w, r)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	name, _ := p.Str("method")
	m, ok := f.methods[name]
	if !ok {
		f.answer(w, r, codeNoMethod, "unknown method "+strconv.Quote(name), nil)
		return
	}
	if f.Config.CheckSig && !f.signed(p) {
		f.answer(w, r, codeBadSig, "bad signature", nil)
		return
	}
	if f.Config.CheckSig && name != clockMethod {
		if msg := f.stale(p); msg != "" {
			f.answer(w, r, codeBadSig, msg, nil)
			return
		}
	}
	c := &call{r: r, p: p}
	c.tok, _ = p.Str("token")
	if c.tok == "" {
		c.tok = httpx.BearerToken(r)
	}
	if c.tok != "" {
		u, err := f.Accounts.Authenticate(r.Context(), c.tok)
		if err != nil && m.access == required {
			f.fail(w, r, err)
			return
		}
		if err == nil {
			c.user = u
		}
	}
	if m.access == required && c.user.ID == 0 {
		f.answer(w, r, codeNotSignedIn, "", nil)
		return
	}
	res, err := m.fn(c)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.answer(w, r, codeOK, "", res)
}

// signed checks the app name and the signature of a call.
func (f *face) signed(p *httpx.Params) bool {
	app, _ := p.Str("app")
	sig, _ := p.Str("sig")
	if app != f.Config.App || sig == "" {
		return false
	}
	return signatureOK(p.All(), f.Config.Secret, sig)
}

// clockMethod answers the server's time whatever the call's ts: a phone
// whose clock is off learns the offset from it (the 402 of stale says the
// server's time too). It reveals nothing else and changes nothing, so a
// replay of it does no harm.
const clockMethod = "current_time"

// stale refuses a call whose ts (the client's clock, in milliseconds) is
// further than MaxSkew from the server's clock, so that a signed call
// caught on the wire cannot be replayed forever. It answers why, or "".
func (f *face) stale(p *httpx.Params) string {
	if f.Config.MaxSkew <= 0 {
		return ""
	}
	ts, ok, err := p.Int("ts")
	if err != nil || !ok {
		return "ts (the time of the call, in milliseconds) is required"
	}
	now := f.Now()
	earliest, latest := now.Add(-f.Config.MaxSkew).UnixMilli(), now.Add(f.Config.MaxSkew).UnixMilli()
	if ts < earliest || ts > latest {
		return "ts is more than " + f.Config.MaxSkew.String() + " away from the server's time (" +
			strconv.FormatInt(now.UnixMilli(), 10) + "): check the phone's clock"
	}
	return ""
}

func (f *face) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := codeOf(err)
	detail := ""
	if errs.KindOf(err) == errs.Internal {
		f.Log.Error("yuanyi face", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
	} else {
		detail = errs.Message(err)
	}
	f.answer(w, r, code, detail, nil)
}

// answer writes {"code": code, ...res} or, for errors,
// {"code": code, "err_msg": text}.
func (f *face) answer(w http.ResponseWriter, r *http.Request, code int, detail string, res result) {
	httpx.SetCode(r, strconv.Itoa(code))
	if code == codeOK && len(res) == 1 {
		for _, v := range res {
			if raw, ok := v.(rawJSON); ok {
				f.answerRaw(w, raw)
				return
			}
		}
	}
	out := make(map[string]any, len(res)+1)
	for k, v := range res {
		out[k] = v
	}
	out["code"] = code
	if code != codeOK {
		msg := texts[code]
		if detail != "" && detail != msg {
			msg = strings.TrimSpace(msg + ": " + detail)
		}
		if msg == "" {
			msg = fmt.Sprintf("error %d", code)
		}
		out["err_msg"] = msg
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// rawJSON is an answer encoded by its method up to the code,
// `{"key":value`, in a pooled buffer: a method answers
// result{key: raw} and the face adds `,"code":0}` and writes it without
// going through encoding/json again.
type rawJSON struct{ buf *[]byte }

var rawBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// newRaw starts the answer {"key":...
func newRaw(key string) rawJSON {
	b := rawBuffers.Get().(*[]byte)
	*b = append(strconv.AppendQuote(append((*b)[:0], '{'), key), ':')
	return rawJSON{b}
}

func (f *face) answerRaw(w http.ResponseWriter, raw rawJSON) {
	b := append(*raw.buf, `,"code":0}`+"\n"...)
	httpx.WriteRawJSON(w, http.StatusOK, b)
	if cap(b) <= 1<<20 {
		*raw.buf = b[:0]
		rawBuffers.Put(raw.buf)
	}
}

// ms is a time as the face shows it: integer milliseconds.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// orNull shows an empty text as null, as the document's examples do.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
