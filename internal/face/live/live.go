// Package live is the live face (seed 001, the friends + live-streaming
// app) at the root: /register, /upload, /log, /room, /list, /friend and
// /golden, answering {"result","message"} with the document's four-digit
// codes, HTTP 200. Parameters come from the query, form and JSON bodies;
// the operation on a shared path is chosen by its marker parameter
// (live=1, friendlist=1, ...); the token is the parameter token.
package live

import (
	"log/slog"
	"net/http"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/friend"
	"plaza/internal/httpx"
	"plaza/internal/live"
	"plaza/internal/media"
)

// Config is the face's settings.
type Config struct {
	// EchoCode answers the code itself on /register instead of a
	// challenge, the original app's behaviour, for trusted test set-ups.
	EchoCode bool
	// MaxTokenTTL caps expire_in of /log.
	MaxTokenTTL time.Duration
	// PayMethod is the payment method of a refill when none is asked for.
	PayMethod  string
	TrustProxy bool
	Location   *time.Location
}

// Deps are the cores and settings the face uses.
type Deps struct {
	Accounts *account.Service
	Friends  *friend.Service
	Rooms    *live.Rooms
	Gold     *live.Gold
	Media    *media.Service
	Log      *slog.Logger
	Config   Config
}

type face struct{ Deps }

// envelope is every answer. Flag is set by search=1 only.
type envelope struct {
	Result  string `json:"result"`
	Message any    `json:"message"`
	Flag    string `json:"flag,omitempty"`
}

// handler serves a request: the message of a success (an envelope for an
// answer with more than a message), or an error.
type handler = httpx.Handler

// authed serves a request of a signed-in user.
type authed func(r *http.Request, p *httpx.Params, u account.User) (any, error)

// route serves one path, GET and POST alike (the app posts; a browser
// test gets); another method is HTTP 405 with 0009.
func (f *face) route(h handler) http.Handler {
	return httpx.Face{
		Log: f.Log,
		OK: func(w http.ResponseWriter, r *http.Request, body any) {
			e, ok := body.(envelope)
			if !ok {
				e = envelope{Result: okCode, Message: body}
			}
			f.write(w, r, http.StatusOK, e)
		},
		Fail: f.fail,
		NotAllowed: func(w http.ResponseWriter, r *http.Request) {
			f.write(w, r, http.StatusMethodNotAllowed, envelope{Result: codeBadRequest, Message: "method not allowed"})
		},
	}.Route(map[string]handler{http.MethodGet: h, http.MethodPost: h})
}

func (f *face) write(w http.ResponseWriter, r *http.Request, status int, e envelope) {
	httpx.SetCode(r, e.Result)
	httpx.WriteJSON(w, status, e)
}

// fail answers an error with its code and words, HTTP 200.
func (f *face) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errs.KindOf(err) == errs.Internal {
		f.Log.Error("live face", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
	}
	code, msg := Answer(err)
	f.write(w, r, http.StatusOK, envelope{Result: code, Message: msg})
}

var errNoToken = errs.E(errs.Unauthenticated, "token is required")

// auth runs h for the user of the parameter token.
func (f *face) auth(h authed) authed {
	return func(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
		t, err := p.Str("token")
		if err != nil {
			return nil, errs.E(errs.Unauthenticated, "bad token")
		}
		if t == "" {
			return nil, errNoToken
		}
		u, err := f.Accounts.Authenticate(r.Context(), t)
		if err != nil {
			return nil, err
		}
		return h(r, p, u)
	}
}

// op is one operation of a shared path: the marker parameter that picks
// it (value "1") and what it does.
type op struct {
	marker string
	do     authed
}

var errNoOp = errs.E(errs.Invalid, "no operation: send one marker parameter with the value 1")

// dispatch picks the operation whose marker is "1"; none (unless none is
// given) or several are 0009.
func dispatch(none authed, ops ...op) handler {
	return func(r *http.Request, p *httpx.Params) (any, error) {
		var pick authed
		for _, o := range ops {
			v, err := p.Str(o.marker)
			if err != nil {
				return nil, errs.InvalidField(o.marker, o.marker+" must be \"1\"")
			}
			if v != "1" {
				continue
			}
			if pick != nil {
				return nil, errs.E(errs.Invalid, "more than one operation asked for")
			}
			pick = o.do
		}
		if pick == nil {
			pick = none
		}
		if pick == nil {
			return nil, errNoOp
		}
		return pick(r, p, account.User{})
	}
}

// phone reads the 11-digit userId parameter (or name) as an account.
func phone(p *httpx.Params, name string) (account.Account, error) {
	v, err := p.Str(name)
	if err != nil {
		return account.Account{}, err
	}
	if v == "" {
		return account.Account{}, errs.InvalidField(name, name+" is required")
	}
	a, err := account.ParsePhone(account.DefaultArea, v)
	if err != nil {
		return account.Account{}, &errs.Error{Kind: errs.Invalid, Reason: account.ReasonBadPhone, Field: name, Msg: name + " must be an 11-digit mainland phone number"}
	}
	return a, nil
}

// time formats t as "2006-01-02 15:04:05" in the zone of the settings.
func (f *face) time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(f.Config.Location).Format(time.DateTime)
}
