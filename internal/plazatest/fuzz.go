package plazatest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/store/storetest"
)

// Fuzz is one plaza for a fuzz target: started once per target (once per
// fuzzing worker), on SQLite, its handler called in process for every
// input. Serve fails an input whose answer is a 5xx, or during which the
// server logged an error: every internal error and every recovered panic
// is logged, also where a face answers it in its own envelope with HTTP 200.
type Fuzz struct {
	*Env
	handler http.Handler
	errors  *errorLog

	mu     sync.Mutex
	tokens map[string]string // phone -> a token of its user
}

// FuzzOTP is the code of every test number of NewFuzz (PLAZA_SMS_TEST_OTP).
const FuzzOTP = "1234"

// FuzzPhones are the test numbers of NewFuzz: every one signs in with
// FuzzOTP, with no sending limits.
var FuzzPhones = []string{"13800138000", "13800138001", "13800138002"}

// NewFuzz starts plaza for fuzz target f with the settings env (PLAZA_*;
// the test numbers FuzzPhones are added).
func NewFuzz(f *testing.F, env map[string]string) *Fuzz {
	f.Helper()
	vars := map[string]string{}
	var otp []string
	for _, p := range FuzzPhones {
		otp = append(otp, "86"+p+"="+FuzzOTP)
	}
	vars["PLAZA_SMS_TEST_OTP"] = strings.Join(otp, ",")
	for k, v := range env {
		vars[k] = v
	}
	el := &errorLog{}
	e := NewLogged(f, storetest.Engines()[0], vars, slog.New(el))
	return &Fuzz{Env: e, handler: e.App.Handler(), errors: el, tokens: map[string]string{}}
}

// Token is an access token of the user of test number phone (one of
// FuzzPhones), signed up on first use; a token that stopped working (an
// input signed it out) is replaced.
func (z *Fuzz) Token(t testing.TB, phone string) string {
	t.Helper()
	z.mu.Lock()
	defer z.mu.Unlock()
	ctx := context.Background()
	acc := z.App.Accounts
	if tok := z.tokens[phone]; tok != "" {
		if _, err := acc.Authenticate(ctx, tok); err == nil {
			return tok
		}
	}
	a, err := account.ParseAccount("86", phone)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := acc.LoginWithCode(ctx, a, FuzzOTP)
	if errs.Is(err, errs.NotFound) {
		_, pair, err = acc.Register(ctx, a, FuzzOTP, "fuzz-password-1")
	}
	if err != nil {
		t.Fatalf("a token for %s: %v", phone, err)
	}
	z.tokens[phone] = pair.Access
	return pair.Access
}

// Serve sends r to the handler in process and answers the response. It
// fails t when the answer is a 5xx or the server logged an error while
// serving it.
func (z *Fuzz) Serve(t testing.TB, r *http.Request) Response {
	t.Helper()
	before := z.errors.count()
	rec := httptest.NewRecorder()
	z.handler.ServeHTTP(rec, r)
	res := Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if logged := z.errors.since(before); len(logged) > 0 {
		t.Fatalf("%s %s: the server logged an error (an internal error or a panic):\n%s\nanswer: HTTP %d %.2000s",
			r.Method, r.URL, strings.Join(logged, "\n"), res.Status, res.Body)
	}
	if res.Status >= 500 {
		t.Fatalf("%s %s: HTTP %d %.2000s", r.Method, r.URL, res.Status, res.Body)
	}
	return res
}

// FuzzRequest builds the request a client would send: method, target (a
// path with its query), a content type ("" for none) and a body. ok is
// false when no HTTP/1.1 server would read such a request (a method that
// is no token, a target that is no origin-form URI, a header value with
// control characters): the input is not worth serving.
func FuzzRequest(method, target, contentType string, body []byte) (r *http.Request, ok bool) {
	if !isToken(method) || !strings.HasPrefix(target, "/") || !printable(target, false) || !printable(contentType, true) {
		return nil, false
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, false
	}
	r = &http.Request{
		Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Host: "plaza.test", RemoteAddr: "192.0.2.1:1234", RequestURI: target,
		Body: http.NoBody,
	}
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r.WithContext(context.Background()), true
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// printable: no control characters (spaces and tabs only where allowed).
func printable(s string, spaces bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if !spaces {
				return false
			}
		case c < ' ' || c == 0x7f:
			return false
		}
	}
	return true
}

// errorLog keeps the error records of the server's log.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	l.msgs = append(l.msgs, b.String())
	l.mu.Unlock()
	return nil
}

func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

func (l *errorLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.msgs)
}

func (l *errorLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs[n:]...)
}

// Redirected tells whether res is the router's own redirect, which no
// face sees: net/http's ServeMux answers 307 to the clean path of a
// request whose path is not clean ("//", "/./", "/../"), and to path+"/"
// when only that is served.
func Redirected(r *http.Request, res Response) bool {
	if res.Status != http.StatusTemporaryRedirect || res.Header.Get("Location") == "" {
		return false
	}
	p := r.URL.EscapedPath()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		return false
	}
	return cleanPath(p) != p || loc.Path == r.URL.Path+"/"
}

// cleanPath is net/http's: path.Clean keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}
