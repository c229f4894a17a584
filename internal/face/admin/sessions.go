package admin

import (
	"net/http"
	"strings"
	"time"

	"plaza/internal/admins"
	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// CookieName is the console's session cookie.
const CookieName = "plaza_admin"

type sessionKey struct{}

// sessionOf is the session serve authenticated the request with.
func sessionOf(r *http.Request) admins.Session {
	s, _ := r.Context().Value(sessionKey{}).(admins.Session)
	return s
}

// withCookie is a handler's body that sets a cookie too.
type withCookie struct {
	cookie *http.Cookie
	body   any
}

// session authenticates a request: by Authorization: Bearer (API clients:
// no CSRF token), else by the console's cookie, whose writes (any method
// but GET and HEAD) must carry X-CSRF-Token, the session's CSRF token.
func (f *face) session(r *http.Request) (admins.Session, error) {
	if r.Header.Get("Authorization") != "" {
		tok := httpx.BearerToken(r)
		if tok == "" {
			return admins.Session{}, errs.E(errs.Unauthenticated, "Authorization must be Bearer <token>")
		}
		return f.Admins.Session(r.Context(), tok)
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return admins.Session{}, errs.E(errs.Unauthenticated, "sign in: no Authorization: Bearer header and no session cookie")
	}
	ses, err := f.Admins.Session(r.Context(), c.Value)
	if err != nil {
		return admins.Session{}, err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := ses.CheckCSRF(r.Header.Get("X-CSRF-Token")); err != nil {
			return admins.Session{}, err
		}
	}
	return ses, nil
}

// secure tells whether the client reached plaza over TLS (itself, or the
// operator's proxy saying so when trusted).
func (f *face) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !f.TrustProxy {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

func (f *face) cookie(r *http.Request, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: CookieName, Value: value, Path: "/admin", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: f.secure(r)}
	if value == "" {
		c.MaxAge = -1
		return c
	}
	// Max-Age as well as Expires: a browser goes by Max-Age, which does not
	// depend on its clock agreeing with the server's.
	c.Expires = expires.UTC()
	now := time.Now()
	if f.Clock != nil {
		now = f.Clock.Now()
	}
	c.MaxAge = max(1, int(expires.Sub(now)/time.Second))
	return c
}

type sessionAdminBody struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	TOTPEnabled bool   `json:"totp_enabled"`
}

type loginBody struct {
	Token     string           `json:"token,omitempty"` // not with "cookie": true
	CSRFToken string           `json:"csrf_token"`
	ExpiresAt string           `json:"expires_at"`
	Admin     sessionAdminBody `json:"admin"`
}

type sessionBody struct {
	Admin     sessionAdminBody `json:"admin"`
	CSRFToken string           `json:"csrf_token"`
	ExpiresAt string           `json:"expires_at"`
}

func wireSessionAdmin(a admins.Admin) sessionAdminBody {
	return sessionAdminBody{ID: a.ID, Email: a.Email, TOTPEnabled: a.TOTPEnabled}
}

// texts reads the named string fields of in (absent: ""); any other type
// is refused with the field's name.
func texts(in map[string]any, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		switch v := in[n].(type) {
		case nil:
		case string:
			out[i] = v
		default:
			return nil, errs.InvalidField(n, n+" must be a string")
		}
	}
	return out, nil
}

// login takes {"email","password","totp"?,"recovery_code"?,"cookie"?} and
// answers the session; the console's cookie is set too. With "cookie":
// true (a browser) the answer leaves the token out: the cookie, which no
// script can read, is the session.
func (f *face) login(w http.ResponseWriter, r *http.Request) {
	in, err := decode(r)
	if err == nil {
		err = only(in, "email", "password", "totp", "recovery_code", "cookie")
	}
	cookieOnly, isBool := in["cookie"].(bool)
	if _, given := in["cookie"]; err == nil && given && !isBool {
		err = errs.InvalidField("cookie", "cookie must be true or false")
	}
	var v []string
	if err == nil {
		v, err = texts(in, "email", "password", "totp", "recovery_code")
	}
	if err == nil && (v[0] == "" || v[1] == "") {
		err = errs.E(errs.Invalid, "email and password are required")
	}
	if err != nil {
		f.fail(w, r, err)
		return
	}
	ses, err := f.Admins.Login(r.Context(), admins.Credentials{Email: v[0], Password: v[1], TOTP: v[2], RecoveryCode: v[3],
		IP: httpx.ClientIP(r, f.TrustProxy)})
	if err != nil {
		f.fail(w, r, err)
		return
	}
	http.SetCookie(w, f.cookie(r, ses.Token, ses.ExpiresAt))
	httpx.SetCode(r, "ok")
	body := loginBody{Token: ses.Token, CSRFToken: ses.CSRF, ExpiresAt: ts(ses.ExpiresAt), Admin: wireSessionAdmin(ses.Admin)}
	if cookieOnly {
		body.Token = ""
	}
	httpx.WriteJSON(w, http.StatusOK, body)
}

// logout ends the session and clears the cookie.
func (f *face) logout(r *http.Request, _ admins.Admin) (int, any, error) {
	if err := f.Admins.Logout(r.Context(), sessionOf(r).Token); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, withCookie{cookie: f.cookie(r, "", time.Time{})}, nil
}

func (f *face) getSession(r *http.Request, a admins.Admin) (int, any, error) {
	ses := sessionOf(r)
	return http.StatusOK, sessionBody{Admin: wireSessionAdmin(a), CSRFToken: ses.CSRF, ExpiresAt: ts(ses.ExpiresAt)}, nil
}

// ---- admins ---------------------------------------------------------------

type adminBody struct {
	ID          int64   `json:"id"`
	Email       string  `json:"email"`
	Disabled    bool    `json:"disabled"`
	TOTPEnabled bool    `json:"totp_enabled"`
	CreatedAt   string  `json:"created_at"`
	LastLoginAt *string `json:"last_login_at"` // null: never signed in
}

func wireAdmin(a admins.Admin) adminBody {
	b := adminBody{ID: a.ID, Email: a.Email, Disabled: a.Disabled, TOTPEnabled: a.TOTPEnabled, CreatedAt: ts(a.CreatedAt)}
	if !a.LastLoginAt.IsZero() {
		s := ts(a.LastLoginAt)
		b.LastLoginAt = &s
	}
	return b
}

// createAdmin takes {"email","password"}.
func (f *face) createAdmin(r *http.Request, _ admins.Admin) (int, any, error) {
	in, err := decode(r)
	if err == nil {
		err = only(in, "email", "password")
	}
	if err != nil {
		return 0, nil, err
	}
	v, err := texts(in, "email", "password")
	if err != nil {
		return 0, nil, err
	}
	a, err := f.Admins.Create(r.Context(), v[0], v[1])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, wireAdmin(a), nil
}

// patchAdmin takes {"disabled"?: bool, "password"?: string, "totp"?: false}.
func (f *face) patchAdmin(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decode(r)
	if err == nil {
		err = only(in, "disabled", "password", "totp")
	}
	if err != nil {
		return 0, nil, err
	}
	var c admins.Change
	if x, ok := in["disabled"]; ok {
		b, isBool := x.(bool)
		if !isBool {
			return 0, nil, errs.InvalidField("disabled", "disabled must be true or false")
		}
		c.Disabled = &b
	}
	if x, ok := in["password"]; ok {
		p, isText := x.(string)
		if !isText {
			return 0, nil, errs.InvalidField("password", "password must be a string")
		}
		c.Password = &p
	}
	if x, ok := in["totp"]; ok {
		if x != false {
			return 0, nil, errs.InvalidField("totp", "totp can only be set to false (turn the admin's TOTP off); the admin enrols again")
		}
		c.TOTPOff = true
	}
	a, err := f.Admins.Update(r.Context(), sessionOf(r), id, c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wireAdmin(a), nil
}

// changePassword takes {"old_password","new_password"}; the admin's other
// sessions end.
func (f *face) changePassword(r *http.Request, _ admins.Admin) (int, any, error) {
	in, err := decode(r)
	if err == nil {
		err = only(in, "old_password", "new_password")
	}
	if err != nil {
		return 0, nil, err
	}
	v, err := texts(in, "old_password", "new_password")
	if err != nil {
		return 0, nil, err
	}
	if v[0] == "" {
		return 0, nil, errs.InvalidField("old_password", "old_password is required")
	}
	err = f.Admins.ChangePassword(r.Context(), sessionOf(r), v[0], v[1], httpx.ClientIP(r, f.TrustProxy))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- TOTP -----------------------------------------------------------------

type enrolmentBody struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
	QRPNG      string `json:"qr_png"`
}

// startTOTP takes {"password"}: the admin's own.
func (f *face) startTOTP(r *http.Request, a admins.Admin) (int, any, error) {
	password, err := oneText(r, "password", "password is required: your own, to enrol a second factor")
	if err != nil {
		return 0, nil, err
	}
	e, err := f.Admins.StartTOTP(r.Context(), a.ID, password, httpx.ClientIP(r, f.TrustProxy))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, enrolmentBody{Secret: e.Secret, OTPAuthURL: e.URL, QRPNG: e.QRDataURI}, nil
}

// codeOf reads {"code"} (a string of digits).
func codeOf(r *http.Request) (string, error) { return oneText(r, "code", "code is required") }

// oneText reads a body of one text field, name, that must not be empty
// (required is the message when it is).
func oneText(r *http.Request, name, required string) (string, error) {
	in, err := decode(r)
	if err == nil {
		err = only(in, name)
	}
	if err != nil {
		return "", err
	}
	v, err := texts(in, name)
	if err != nil {
		return "", err
	}
	if v[0] == "" {
		return "", errs.InvalidField(name, required)
	}
	return v[0], nil
}

func (f *face) confirmTOTP(r *http.Request, a admins.Admin) (int, any, error) {
	code, err := codeOf(r)
	if err != nil {
		return 0, nil, err
	}
	codes, err := f.Admins.ConfirmTOTP(r.Context(), a.ID, code, httpx.ClientIP(r, f.TrustProxy))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"recovery_codes": codes}, nil
}

func (f *face) disableTOTP(r *http.Request, a admins.Admin) (int, any, error) {
	code, err := codeOf(r)
	if err != nil {
		return 0, nil, err
	}
	if err := f.Admins.DisableTOTP(r.Context(), a.ID, code, httpx.ClientIP(r, f.TrustProxy)); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
