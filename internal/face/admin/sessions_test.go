package admin_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"plaza/internal/plazatest"
)

func cookieOf(t *testing.T, res plazatest.Response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == "plaza_admin" {
			return c
		}
	}
	t.Fatalf("no plaza_admin cookie in %v", res.Header.Values("Set-Cookie"))
	return nil
}

// withCookie sends a request with the console's cookie (and a CSRF token
// when csrf is not "").
func withCookie(e *plazatest.Env, method, path string, body any, cookie, csrf string, more ...string) plazatest.Response {
	e.T.Helper()
	h := append([]string{"Cookie", "plaza_admin=" + cookie}, more...)
	if csrf != "" {
		h = append(h, "X-CSRF-Token", csrf)
	}
	return e.Do(method, path, body, h...)
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// The console's session: the cookie's attributes, GET /session, writes
// with and without the CSRF token, Bearer without one, logout.
func TestCookieSession(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		wantError(t, e.Do("GET", "/admin/v1/session", nil), "no session", 401, "unauthenticated", "")
		res := e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword})
		m := wantOK(t, res, "login", 200)
		tok, csrf := str(m, "token"), str(m, "csrf_token")
		if len(csrf) < 40 || csrf == tok {
			t.Fatalf("csrf_token %q", csrf)
		}
		if got := str(m, "expires_at"); got != plazatest.Start.Add(12*time.Hour).Format(time.RFC3339) {
			t.Fatalf("expires_at %q", got)
		}
		ad, _ := m["admin"].(map[string]any)
		sameKeys(t, "login admin", ad, "id", "email", "totp_enabled")
		if ad["email"] != adminEmail || ad["totp_enabled"] != false {
			t.Fatalf("login admin %v", ad)
		}
		c := cookieOf(t, res)
		if c.Value != tok || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/admin" || c.Secure {
			t.Fatalf("cookie %+v (%v)", c, res.Header.Values("Set-Cookie"))
		}
		// A browser's sign-in asks for the cookie alone: no token in the
		// answer, and the cookie is a session.
		res = e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword, "cookie": true})
		bm := wantOK(t, res, "login for a browser", 200)
		sameKeys(t, "cookie-only login", bm, "csrf_token", "expires_at", "admin")
		if got := wantOK(t, e.Do("GET", "/admin/v1/session", nil, "Cookie", "plaza_admin="+cookieOf(t, res).Value), "cookie-only session", 200); got["csrf_token"] != bm["csrf_token"] {
			t.Fatalf("session %v, login %v", got, bm)
		}
		wantError(t, e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword, "cookie": "yes"}), "cookie a string", 400, "invalid", "cookie")
		// Over TLS (the trusted proxy says so) the cookie is Secure.
		res = e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, "X-Forwarded-Proto", "https")
		if c := cookieOf(t, res); !c.Secure {
			t.Fatalf("cookie over https is not Secure: %v", res.Header.Values("Set-Cookie"))
		}

		s := wantOK(t, withCookie(e, "GET", "/admin/v1/session", nil, tok, ""), "session", 200)
		sameKeys(t, "session", s, "admin", "csrf_token", "expires_at")
		if s["csrf_token"] != csrf || s["expires_at"] != m["expires_at"] {
			t.Fatalf("session %v, login %v", s, m)
		}
		push := map[string]any{"push_title": "T", "push_body": "B"}
		wantError(t, withCookie(e, "POST", "/admin/v1/pushes", push, tok, ""), "cookie write without CSRF", 403, "csrf", "")
		wantError(t, withCookie(e, "POST", "/admin/v1/pushes", push, tok, csrf+"x"), "cookie write with a wrong CSRF", 403, "csrf", "")
		wantError(t, withCookie(e, "DELETE", "/admin/v1/pushes/1", nil, tok, ""), "cookie DELETE without CSRF", 403, "csrf", "")
		other := login(t, e) // another session: its CSRF token is not this one's
		wantError(t, withCookie(e, "POST", "/admin/v1/pushes", push, tok, csrfOf(t, e, other.token)), "another session's CSRF", 403, "csrf", "")
		if n := total(t, other, "/admin/v1/pushes"); n != 0 {
			t.Fatalf("%d pushes sent without CSRF", n)
		}
		wantOK(t, withCookie(e, "POST", "/admin/v1/pushes", push, tok, csrf), "cookie write with CSRF", 201)
		wantOK(t, withCookie(e, "GET", "/admin/v1/pushes", nil, tok, ""), "cookie read", 200)
		if res := withCookie(e, "HEAD", "/admin/v1/pushes", nil, tok, ""); res.Status != 200 {
			t.Fatalf("cookie HEAD: %d", res.Status)
		}
		// Bearer needs no CSRF token, and wins over a cookie.
		api{t: t, e: e, token: tok}.ok("POST", "/admin/v1/pushes", push, 201)
		wantOK(t, e.Do("POST", "/admin/v1/pushes", push, "Authorization", "Bearer "+tok, "Cookie", "plaza_admin=nonsense"), "bearer and cookie", 201)
		// Junk credentials.
		wantError(t, withCookie(e, "GET", "/admin/v1/session", nil, "nonsense", ""), "junk cookie", 401, "unauthenticated", "")
		wantError(t, e.Do("GET", "/admin/v1/session", nil, "Authorization", "Basic b3BzOng="), "basic auth", 401, "unauthenticated", "")
		wantError(t, e.Do("GET", "/admin/v1/session", nil, "Authorization", "Bearer"), "empty bearer", 401, "unauthenticated", "")

		// Logout: a cookie session's logout is a write (CSRF); it ends the
		// session and clears the cookie.
		wantError(t, withCookie(e, "POST", "/admin/v1/logout", nil, tok, ""), "logout without CSRF", 403, "csrf", "")
		res = withCookie(e, "POST", "/admin/v1/logout", nil, tok, csrf)
		wantOK(t, res, "logout", 204)
		if c := cookieOf(t, res); c.Value != "" || c.MaxAge >= 0 || c.Path != "/admin" {
			t.Fatalf("logout cookie %+v", c)
		}
		wantError(t, withCookie(e, "GET", "/admin/v1/session", nil, tok, ""), "cookie after logout", 401, "unauthenticated", "")
		wantError(t, withCookie(e, "POST", "/admin/v1/pushes", push, tok, csrf), "write after logout", 401, "unauthenticated", "")
		api{t: t, e: e, token: tok}.fail("GET", "/admin/v1/session", nil, 401, "unauthenticated", "")
		other.ok("GET", "/admin/v1/session", nil, 200) // other sessions go on
	})
}

// Sessions end admin-session-ttl after sign-in, cookie or token.
func TestSessionExpiry(t *testing.T) {
	plazatest.Each(t, settings("PLAZA_ADMIN_SESSION_TTL", "1h"), func(t *testing.T, e *plazatest.Env) {
		m := wantOK(t, e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}), "login", 200)
		tok := str(m, "token")
		if got := str(m, "expires_at"); got != plazatest.Start.Add(time.Hour).Format(time.RFC3339) {
			t.Fatalf("expires_at %q", got)
		}
		e.Clock.Advance(time.Hour - time.Millisecond)
		wantOK(t, withCookie(e, "GET", "/admin/v1/session", nil, tok, ""), "just before the end", 200)
		api{t: t, e: e, token: tok}.ok("GET", "/admin/v1/admins", nil, 200)
		e.Clock.Advance(time.Millisecond)
		wantError(t, withCookie(e, "GET", "/admin/v1/session", nil, tok, ""), "expired cookie", 401, "unauthenticated", "")
		api{t: t, e: e, token: tok}.fail("GET", "/admin/v1/admins", nil, 401, "unauthenticated", "")
	})
}

// totpCode is the code of secret at the fake clock's time.
func totpCode(t *testing.T, e *plazatest.Env, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func loginWith(e *plazatest.Env, extra ...string) plazatest.Response {
	e.T.Helper()
	body := map[string]any{"email": adminEmail, "password": adminPassword}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	return e.Do("POST", "/admin/v1/login", body, "X-Forwarded-For", "10.0.0.1")
}

// enrol turns TOTP on for a's admin (the first admin) and returns the
// secret and the recovery codes.
func enrol(t *testing.T, e *plazatest.Env, a api) (string, []string) {
	t.Helper()
	return enrolWith(t, e, a, adminPassword)
}

// enrolWith is enrol for an admin whose password is password.
func enrolWith(t *testing.T, e *plazatest.Env, a api, password string) (string, []string) {
	t.Helper()
	// The admin's own password is needed (a session alone is not enough).
	a.fail("POST", "/admin/v1/admins/me/totp", map[string]any{}, 400, "invalid", "password")
	a.fail("POST", "/admin/v1/admins/me/totp", map[string]any{"password": "not-the-password"}, 400, "invalid", "password")
	a.fail("POST", "/admin/v1/admins/me/totp", map[string]any{"password": password, "secret": "mine"}, 400, "invalid", "secret")
	en := a.ok("POST", "/admin/v1/admins/me/totp", map[string]any{"password": password}, 200)
	sameKeys(t, "enrolment", en, "secret", "otpauth_url", "qr_png")
	secret := str(en, "secret")
	if !strings.HasPrefix(str(en, "otpauth_url"), "otpauth://totp/") || !strings.Contains(str(en, "otpauth_url"), "secret="+secret) {
		t.Fatalf("otpauth_url %q", en["otpauth_url"])
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(str(en, "qr_png"), "data:image/png;base64,"))
	if err != nil || !strings.HasPrefix(str(en, "qr_png"), "data:image/png;base64,") {
		t.Fatalf("qr_png: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("qr_png is not a PNG: %v", err)
	}
	// Not on until confirmed.
	wantOK(t, loginWith(e), "login while enrolling", 200)
	a.fail("POST", "/admin/v1/admins/me/totp/confirm", map[string]any{"code": "000000"}, 400, "invalid", "code")
	a.fail("POST", "/admin/v1/admins/me/totp/confirm", map[string]any{"code": 123456}, 400, "invalid", "code")
	a.fail("POST", "/admin/v1/admins/me/totp/confirm", map[string]any{}, 400, "invalid", "code")
	res := a.ok("POST", "/admin/v1/admins/me/totp/confirm", map[string]any{"code": totpCode(t, e, secret)}, 200)
	sameKeys(t, "confirm", res, "recovery_codes")
	list, _ := res["recovery_codes"].([]any)
	codes := map[string]bool{}
	var out []string
	for _, c := range list {
		s, _ := c.(string)
		if len(s) < 16 || codes[s] {
			t.Fatalf("recovery codes %v", list)
		}
		codes[s] = true
		out = append(out, s)
	}
	if len(out) != 10 {
		t.Fatalf("%d recovery codes", len(out))
	}
	return secret, out
}

// TOTP: enrolment, sign-in with a code (never the same code twice), with
// a recovery code (once each), disabling.
func TestTOTP(t *testing.T) {
	plazatest.Each(t, settings("PLAZA_ADMIN_LOGIN_MAX_FAILURES", "100"), func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		secret, recovery := enrol(t, e, a)
		a.fail("POST", "/admin/v1/admins/me/totp", map[string]any{"password": adminPassword}, 409, "conflict", "")
		if s := a.ok("GET", "/admin/v1/session", nil, 200); s["admin"].(map[string]any)["totp_enabled"] != true {
			t.Fatalf("session %v", s)
		}
		wantError(t, loginWith(e), "no code", 401, "totp_required", "")
		wantError(t, loginWith(e, "totp", "12345"), "short code", 401, "totp_invalid", "")
		wantError(t, loginWith(e, "password", "wrong-password", "totp", totpCode(t, e, secret)), "wrong password with a code", 401, "unauthenticated", "")
		// The confirming code was used: not again in its window.
		wantError(t, loginWith(e, "totp", totpCode(t, e, secret)), "the confirming code", 401, "totp_invalid", "")
		e.Clock.Advance(30 * time.Second)
		code := totpCode(t, e, secret)
		m := wantOK(t, loginWith(e, "totp", code), "login with a code", 200)
		if m["admin"].(map[string]any)["totp_enabled"] != true {
			t.Fatalf("login %v", m)
		}
		wantError(t, loginWith(e, "totp", code), "the code replayed", 401, "totp_invalid", "")
		e.Clock.Advance(20 * time.Second) // the same code is still in its window
		wantError(t, loginWith(e, "totp", code), "the code replayed later", 401, "totp_invalid", "")
		// Recovery codes: once each, any case, dashes or not.
		wantOK(t, loginWith(e, "recovery_code", recovery[0]), "recovery code", 200)
		wantError(t, loginWith(e, "recovery_code", recovery[0]), "recovery code again", 401, "totp_invalid", "")
		wantOK(t, loginWith(e, "recovery_code", strings.ToUpper(strings.ReplaceAll(recovery[1], "-", ""))), "recovery code in capitals", 200)
		wantError(t, loginWith(e, "recovery_code", "not-a-code"), "junk recovery code", 401, "totp_invalid", "")
		wantError(t, loginWith(e, "recovery_code", strings.Repeat("x", 5000)), "long recovery code", 401, "totp_invalid", "")
		wantError(t, e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword, "totp": 123456}), "totp a number", 400, "invalid", "totp")

		// Disabling needs a current, unused code.
		a.fail("DELETE", "/admin/v1/admins/me/totp", map[string]any{"code": "000000"}, 400, "invalid", "code")
		e.Clock.Advance(30 * time.Second)
		code = totpCode(t, e, secret)
		wantOK(t, loginWith(e, "totp", code), "login", 200)
		a.fail("DELETE", "/admin/v1/admins/me/totp", map[string]any{"code": code}, 400, "invalid", "code")
		e.Clock.Advance(30 * time.Second)
		a.ok("DELETE", "/admin/v1/admins/me/totp", map[string]any{"code": totpCode(t, e, secret)}, 204)
		a.fail("DELETE", "/admin/v1/admins/me/totp", map[string]any{"code": totpCode(t, e, secret)}, 409, "conflict", "")
		wantOK(t, loginWith(e), "login without TOTP", 200)
		wantOK(t, loginWith(e, "totp", "whatever"), "a code given when TOTP is off", 200)
		// The old recovery codes went with it; a new enrolment has a new secret.
		secret2, _ := enrol(t, e, a)
		if secret2 == secret {
			t.Fatal("the same secret again")
		}
		wantError(t, loginWith(e, "recovery_code", recovery[2]), "an old recovery code", 401, "totp_invalid", "")
	})
}

// Wrong codes count in the sign-in limit (the enrolment's wrong confirming
// code too); a missing code does not.
func TestTOTPThrottle(t *testing.T) {
	plazatest.Each(t, settings("PLAZA_ADMIN_LOGIN_MAX_FAILURES", "4"), func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		secret, _ := enrol(t, e, a)
		e.Clock.Advance(30 * time.Second)
		for range 5 {
			wantError(t, loginWith(e), "no code", 401, "totp_required", "")
		}
		// Every code checked counts, right or wrong, before it is checked:
		// the enrolment checked 2 (a wrong and the right), these 2 more.
		for i := range 2 {
			wantError(t, loginWith(e, "totp", fmt.Sprintf("%06d", i)), "wrong code", 401, "totp_invalid", "")
		}
		wantLimited(t, loginWith(e, "totp", totpCode(t, e, secret)), "right code past the limit", 0, 900)
		a.fail("DELETE", "/admin/v1/admins/me/totp", map[string]any{"code": totpCode(t, e, secret)}, 429, "rate_limited", "")
		e.Clock.Advance(15 * time.Minute)
		wantOK(t, loginWith(e, "totp", totpCode(t, e, secret)), "after the window", 200)
	})
}

// A code is counted before it is checked, so tries sent at once cannot
// all be checked: a right code counts too, and past the limit even the
// right code is not checked.
func TestTOTPEveryCheckCounts(t *testing.T) {
	plazatest.Each(t, settings("PLAZA_ADMIN_LOGIN_MAX_FAILURES", "4"), func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		secret, recovery := enrol(t, e, a) // 2 codes checked
		e.Clock.Advance(30 * time.Second)
		wantOK(t, loginWith(e, "totp", totpCode(t, e, secret)), "3rd code", 200)
		wantOK(t, loginWith(e, "recovery_code", recovery[0]), "4th code", 200)
		e.Clock.Advance(30 * time.Second)
		wantLimited(t, loginWith(e, "totp", totpCode(t, e, secret)), "5th code, right", 0, 900)
		wantLimited(t, loginWith(e, "recovery_code", recovery[1]), "6th code, right", 0, 900)
		// Not used up by the refused tries: it works after the window.
		e.Clock.Advance(15 * time.Minute)
		wantOK(t, loginWith(e, "recovery_code", recovery[1]), "after the window", 200)
	})
}

// Admins: list, create, disable (never oneself, never the last), a new
// password; a disabled admin's sessions end at once.
func TestAdminManagement(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		items := page(t, a.ok("GET", "/admin/v1/admins", nil, 200), 1, 1, 20)
		sameKeys(t, "admin", items[0], "id", "email", "disabled", "totp_enabled", "created_at", "last_login_at")
		if items[0]["email"] != adminEmail || items[0]["disabled"] != false || items[0]["last_login_at"] != plazatest.Start.Format(time.RFC3339) {
			t.Fatalf("admin %v", items[0])
		}
		me := num(t, items[0]["id"])

		b := a.ok("POST", "/admin/v1/admins", map[string]any{"email": " Second@Example.com ", "password": "second-password"}, 201)
		sameKeys(t, "created", b, "id", "email", "disabled", "totp_enabled", "created_at", "last_login_at")
		if b["email"] != "second@example.com" || b["last_login_at"] != nil {
			t.Fatalf("created %v", b)
		}
		bid := strconv.FormatInt(num(t, b["id"]), 10)
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "second@example.com", "password": "second-password"}, 409, "conflict", "")
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "nope", "password": "second-password"}, 400, "invalid", "email")
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "third@example.com", "password": "short"}, 400, "invalid", "password")
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "third@example.com", "password": strings.Repeat("p", 2000)}, 400, "invalid", "password")
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "third@example.com", "password": 12345678}, 400, "invalid", "password")
		a.fail("POST", "/admin/v1/admins", map[string]any{"email": "third@example.com", "password": "third-password", "role": "root"}, 400, "invalid", "role")
		login2 := func(password string) plazatest.Response {
			return e.Do("POST", "/admin/v1/login", map[string]any{"email": "second@example.com", "password": password})
		}
		bTok := str(wantOK(t, login2("second-password"), "second admin", 200), "token")
		bAPI := api{t: t, e: e, token: bTok}

		// Nobody disables themself.
		a.fail("PATCH", "/admin/v1/admins/"+strconv.FormatInt(me, 10), map[string]any{"disabled": true}, 409, "conflict", "disabled")
		a.fail("PATCH", "/admin/v1/admins/"+bid, map[string]any{"disabled": "yes"}, 400, "invalid", "disabled")
		a.fail("PATCH", "/admin/v1/admins/"+bid, map[string]any{"password": []any{"x"}}, 400, "invalid", "password")
		a.fail("PATCH", "/admin/v1/admins/"+bid, map[string]any{"password": "short"}, 400, "invalid", "password")
		a.fail("PATCH", "/admin/v1/admins/"+bid, map[string]any{"email": "x@example.com"}, 400, "invalid", "email")
		a.fail("PATCH", "/admin/v1/admins/9999", map[string]any{"disabled": true}, 404, "not_found", "")
		// Disabled: the token stops at once, sign-in is refused; enabled
		// again, the old session stays ended.
		if got := a.ok("PATCH", "/admin/v1/admins/"+bid, map[string]any{"disabled": true}, 200); got["disabled"] != true {
			t.Fatalf("patched %v", got)
		}
		bAPI.fail("GET", "/admin/v1/session", nil, 401, "unauthenticated", "")
		wantError(t, login2("second-password"), "disabled admin's login", 403, "forbidden", "")
		wantError(t, login2("wrong-password"), "disabled admin's wrong password", 401, "unauthenticated", "")
		a.ok("PATCH", "/admin/v1/admins/"+bid, map[string]any{"disabled": true}, 200) // again: nothing changes
		a.ok("PATCH", "/admin/v1/admins/"+bid, map[string]any{"disabled": false}, 200)
		bAPI.fail("GET", "/admin/v1/session", nil, 401, "unauthenticated", "")
		bAPI = api{t: t, e: e, token: str(wantOK(t, login2("second-password"), "enabled again", 200), "token")}
		// A new password set by another admin ends the admin's sessions.
		a.ok("PATCH", "/admin/v1/admins/"+bid, map[string]any{"password": "second-password-2"}, 200)
		bAPI.fail("GET", "/admin/v1/session", nil, 401, "unauthenticated", "")
		wantError(t, login2("second-password"), "old password", 401, "unauthenticated", "")
		bAPI = api{t: t, e: e, token: str(wantOK(t, login2("second-password-2"), "new password", 200), "token")}
		// Nobody sets their own password or turns their own TOTP off here:
		// those need the old password or a code (a stolen session must not
		// lock the owner out).
		bAPI.fail("PATCH", "/admin/v1/admins/"+bid, map[string]any{"password": "taken-over-1"}, 400, "invalid", "password")
		bAPI.fail("PATCH", "/admin/v1/admins/"+bid, map[string]any{"totp": false}, 400, "invalid", "totp")
		// Another admin's TOTP: turned off by A, so B, who lost the
		// authenticator, signs in with the password alone and enrols again.
		_, bRecovery := enrolWith(t, e, bAPI, "second-password-2")
		wantError(t, login2("second-password-2"), "B without a code", 401, "totp_required", "")
		for _, bad := range []any{true, "false", 0, nil} {
			a.fail("PATCH", "/admin/v1/admins/"+bid, map[string]any{"totp": bad}, 400, "invalid", "totp")
		}
		if got := a.ok("PATCH", "/admin/v1/admins/"+bid, map[string]any{"totp": false}, 200); got["totp_enabled"] != false {
			t.Fatalf("after TOTP off: %v", got)
		}
		bAPI = api{t: t, e: e, token: str(wantOK(t, login2("second-password-2"), "B after TOTP off", 200), "token")}
		if n := rows(t, e, "admin_recovery_codes"); n != 0 || len(bRecovery) == 0 {
			t.Fatalf("%d recovery codes left after TOTP off", n)
		}
		// B disables A; B is now the last enabled admin.
		bAPI.ok("PATCH", "/admin/v1/admins/"+strconv.FormatInt(me, 10), map[string]any{"disabled": true}, 200)
		a.fail("GET", "/admin/v1/admins", nil, 401, "unauthenticated", "")
		bAPI.ok("PATCH", "/admin/v1/admins/"+strconv.FormatInt(me, 10), map[string]any{"disabled": false}, 200)
		a = login(t, e)

		// Own password: the old one is needed (wrong: counted, 400); the
		// other sessions end, this one goes on.
		other := login(t, e)
		a.fail("POST", "/admin/v1/admins/me/password", map[string]any{"old_password": "wrong-password", "new_password": "fresh-password"}, 400, "invalid", "old_password")
		a.fail("POST", "/admin/v1/admins/me/password", map[string]any{"old_password": adminPassword, "new_password": "short"}, 400, "invalid", "new_password")
		a.fail("POST", "/admin/v1/admins/me/password", map[string]any{"new_password": "fresh-password"}, 400, "invalid", "old_password")
		a.fail("POST", "/admin/v1/admins/me/password", map[string]any{"old_password": adminPassword, "new_password": true}, 400, "invalid", "new_password")
		a.ok("POST", "/admin/v1/admins/me/password", map[string]any{"old_password": adminPassword, "new_password": "fresh-password"}, 204)
		other.fail("GET", "/admin/v1/session", nil, 401, "unauthenticated", "")
		a.ok("GET", "/admin/v1/session", nil, 200)
		wantError(t, loginWith(e), "old password", 401, "unauthenticated", "")
		wantOK(t, e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": "fresh-password"}), "new password", 200)
	})
}

// Two admins disabling each other at once leave one enabled admin.
func TestLastAdminRace(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		me := num(t, a.ok("GET", "/admin/v1/session", nil, 200)["admin"].(map[string]any)["id"])
		for round := range 6 { // each round starts with a the one enabled admin
			email := fmt.Sprintf("b%d@example.com", round)
			bid := num(t, a.ok("POST", "/admin/v1/admins", map[string]any{"email": email, "password": "second-password"}, 201)["id"])
			b := api{t: t, e: e, token: str(wantOK(t, e.Do("POST", "/admin/v1/login", map[string]any{"email": email, "password": "second-password"}), "b", 200), "token")}
			var wg sync.WaitGroup
			st := make([]int, 2)
			for i, p := range []struct {
				who    api
				target int64
			}{{a, bid}, {b, me}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st[i] = p.who.do("PATCH", fmt.Sprintf("/admin/v1/admins/%d", p.target), map[string]any{"disabled": true}).Status
				}()
			}
			wg.Wait()
			ok := 0
			for _, s := range st {
				switch s {
				case 200:
					ok++
				case 401, 409:
				default:
					t.Fatalf("round %d: statuses %v", round, st)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: statuses %v, want one 200", round, st)
			}
			if st[0] != 200 { // b won: a enabled again, b disabled, a is the one enabled admin again
				b.ok("PATCH", fmt.Sprintf("/admin/v1/admins/%d", me), map[string]any{"disabled": false}, 200)
				a = login(t, e)
				a.ok("PATCH", fmt.Sprintf("/admin/v1/admins/%d", bid), map[string]any{"disabled": true}, 200)
			}
		}
	})
}

// Bodies too large, not JSON, or of the wrong shape are refused (400),
// never a 500.
func TestSessionBadInput(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		huge := `{"email": "` + strings.Repeat("a", 12<<20) + `"}`
		for _, r := range []struct{ method, path string }{
			{"POST", "/admin/v1/login"}, {"POST", "/admin/v1/admins"}, {"PATCH", "/admin/v1/admins/1"},
			{"POST", "/admin/v1/admins/me/password"}, {"POST", "/admin/v1/admins/me/totp/confirm"}, {"DELETE", "/admin/v1/admins/me/totp"},
		} {
			for _, body := range []string{huge, "garbage", "[1,2]", `{"code": {"a": 1}}`, `{"email": null, "password": 5}`, "ÿþ"} {
				res := a.do(r.method, r.path, body)
				if r.path == "/admin/v1/login" {
					res = e.Do(r.method, r.path, body)
				}
				if res.Status != 400 {
					t.Fatalf("%s %s %.40q: HTTP %d: %s", r.method, r.path, body, res.Status, res.Body)
				}
			}
		}
	})
}

func csrfOf(t *testing.T, e *plazatest.Env, token string) string {
	t.Helper()
	return str(wantOK(t, e.Do("GET", "/admin/v1/session", nil, "Authorization", "Bearer "+token), "session", 200), "csrf_token")
}
