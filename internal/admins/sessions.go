package admins

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
)

// The reasons the admin face tells apart by code.
var (
	// ReasonTOTPRequired: the password was right, the admin has TOTP on and
	// no code was given.
	ReasonTOTPRequired = errs.NewReason("admins.totp_required")
	// ReasonTOTPInvalid: the TOTP or recovery code given at sign-in is
	// wrong (or was used already).
	ReasonTOTPInvalid = errs.NewReason("admins.totp_invalid")
	// ReasonCSRF: a cookie session's write came without its CSRF token.
	ReasonCSRF = errs.NewReason("admins.csrf")
)

// Session is a signed-in admin: the token (a bearer token, or the value of
// the console's cookie), until when it works, and the CSRF token bound to
// it.
type Session struct {
	Token     string
	Admin     Admin
	ExpiresAt time.Time
	CSRF      string
}

// CSRFOf is the CSRF token of a session token: HMAC-SHA256 keyed with the
// token, base64url. It needs no storage (it holds across restarts and
// nodes) and only the token's holder can make it.
func CSRFOf(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("plaza admin csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF refuses (Forbidden, ReasonCSRF) a token that is not the
// session's CSRF token.
func (s Session) CheckCSRF(got string) error {
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) != 1 {
		return errs.R(errs.Forbidden, ReasonCSRF, "a cookie session's write needs the X-CSRF-Token header of that session")
	}
	return nil
}

var errLogin = errs.E(errs.Unauthenticated, "wrong e-mail or password")

// loginLimits are the counts a sign-in from ip with email is held to: per
// e-mail (known or not, so a limit tells nothing about who is an admin)
// and, when the address is known, per address.
func (s *Service) loginLimits(email, ip string) []ratelimit.Failures {
	ls := []ratelimit.Failures{{Key: "admin:login:fail:mail:" + account.HashToken(email), Max: s.cfg.LoginMaxFailures,
		Window: s.cfg.LoginFailureWindow, Msg: "too many wrong passwords for this e-mail address; try again later"}}
	if ip != "" {
		ls = append(ls, ratelimit.Failures{Key: "admin:login:fail:ip:" + ip, Max: s.cfg.LoginMaxFailuresPerIP,
			Window: s.cfg.LoginFailureWindow, Msg: "too many wrong passwords from this address; try again later"})
	}
	return ls
}

// Credentials are what a sign-in gives: e-mail and password, and when the
// admin has TOTP on, a TOTP code or a recovery code. IP is the client's
// address ("" when unknown: then only the per-e-mail limit holds).
type Credentials struct {
	Email, Password    string
	TOTP, RecoveryCode string
	IP                 string
}

// Login checks an admin's credentials and opens a session. Wrong passwords
// and wrong second-factor codes are counted (the account core's way, on
// the shared limiter); past a limit Login answers RateLimited until the
// window ends. An admin with TOTP on who gives no code is refused with
// ReasonTOTPRequired (not counted), a wrong code with ReasonTOTPInvalid.
func (s *Service) Login(ctx context.Context, c Credentials) (Session, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	limits := s.loginLimits(email, c.IP)
	if err := ratelimit.Refused(ctx, s.limiter, limits...); err != nil {
		return Session{}, err
	}
	var a Admin
	var hash string
	var secret sql.NullString
	err := s.db.QueryRow(ctx, "SELECT id, email, password_hash, disabled, totp_secret, created_at FROM admins WHERE email = ?", email).
		Scan(&a.ID, &a.Email, &hash, &a.Disabled, &secret, (*store.Millis)(&a.CreatedAt))
	if store.NoRows(err) {
		// Spend the time a wrong password takes, so the answer's timing
		// does not tell which e-mails are admins.
		s.hasher.Verify(s.decoy, c.Password)
		return Session{}, s.loginFailed(ctx, limits, errLogin)
	}
	if err != nil {
		return Session{}, errs.Wrap(err, "admin login")
	}
	ok, err := s.hasher.Verify(hash, c.Password)
	if err != nil {
		return Session{}, errs.Wrap(err, "admin login")
	}
	if !ok {
		return Session{}, s.loginFailed(ctx, limits, errLogin)
	}
	// Tries checked at once all pass the first check; look again, so the
	// right password is refused as every try is once a limit was passed
	// meanwhile.
	if err := ratelimit.Refused(ctx, s.limiter, limits...); err != nil {
		return Session{}, err
	}
	if a.Disabled {
		return Session{}, errs.E(errs.Forbidden, "this admin is disabled")
	}
	now := s.clock.Now()
	if secret.Valid {
		a.TOTPEnabled = true
		var used bool
		if c.TOTP != "" || c.RecoveryCode != "" {
			if err := s.codeTry(ctx, a.ID); err != nil {
				return Session{}, err
			}
		}
		switch {
		case c.TOTP != "":
			used, err = s.useTOTP(ctx, a.ID, secret.String, c.TOTP, now)
		case c.RecoveryCode != "":
			used, err = s.useRecoveryCode(ctx, a.ID, c.RecoveryCode)
		default:
			return Session{}, errs.R(errs.Unauthenticated, ReasonTOTPRequired, "this admin signs in with a TOTP code (totp) or a recovery code (recovery_code)")
		}
		if err != nil {
			return Session{}, err
		}
		if !used {
			return Session{}, s.loginFailed(ctx, limits, errs.R(errs.Unauthenticated, ReasonTOTPInvalid, "wrong or already used code"))
		}
	}
	tok := account.RandomString(50)
	a.LastLoginAt = now
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO admin_tokens (admin_id, hash, expires_at, created_at) VALUES (?, ?, ?, ?)",
			a.ID, account.HashToken(tok), now.Add(s.cfg.TokenTTL).UnixMilli(), now.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE admins SET last_login_at = ? WHERE id = ?", now.UnixMilli(), a.ID)
		return err
	})
	if err != nil {
		return Session{}, errs.Wrap(err, "admin login")
	}
	return Session{Token: tok, Admin: a, ExpiresAt: time.UnixMilli(now.Add(s.cfg.TokenTTL).UnixMilli()), CSRF: CSRFOf(tok)}, nil
}

// loginFailed counts a wrong password (or code) against every limit and
// answers the refusal: refusal, or RateLimited for a try past a limit.
func (s *Service) loginFailed(ctx context.Context, limits []ratelimit.Failures, refusal error) error {
	if err := ratelimit.Failed(ctx, s.limiter, limits...); err != nil {
		return err
	}
	return refusal
}

var errSession = errs.E(errs.Unauthenticated, "invalid or expired admin token")

// Session returns the session of a token: an unknown or expired token, or
// one of a disabled admin, is refused (Unauthenticated).
func (s *Service) Session(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, errSession
	}
	var ses Session
	a := &ses.Admin
	var expires int64
	var lastLogin sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT a.id, a.email, a.created_at, a.disabled, a.totp_secret IS NOT NULL, a.last_login_at, t.expires_at
		FROM admin_tokens t JOIN admins a ON a.id = t.admin_id WHERE t.hash = ?`, account.HashToken(token)).
		Scan(&a.ID, &a.Email, (*store.Millis)(&a.CreatedAt), &a.Disabled, &a.TOTPEnabled, &lastLogin, &expires)
	if store.NoRows(err) || (err == nil && (s.clock.Now().UnixMilli() >= expires || a.Disabled)) {
		return Session{}, errSession
	}
	if err != nil {
		return Session{}, errs.Wrap(err, "admin token")
	}
	if lastLogin.Valid {
		a.LastLoginAt = time.UnixMilli(lastLogin.Int64)
	}
	ses.Token, ses.ExpiresAt, ses.CSRF = token, time.UnixMilli(expires), CSRFOf(token)
	return ses, nil
}

// Authenticate returns the admin of a token (Session's checks).
func (s *Service) Authenticate(ctx context.Context, token string) (Admin, error) {
	ses, err := s.Session(ctx, token)
	return ses.Admin, err
}

// Sweep deletes expired admin tokens.
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "DELETE FROM admin_tokens WHERE expires_at <= ?", s.clock.Now().UnixMilli())
	return errs.Wrap(err, "sweep admin tokens")
}

// Logout revokes an admin token.
func (s *Service) Logout(ctx context.Context, token string) error {
	_, err := s.db.Exec(ctx, "DELETE FROM admin_tokens WHERE hash = ?", account.HashToken(token))
	return errs.Wrap(err, "admin logout")
}

// endSessions ends the sessions of an admin but the one of token keep ("":
// all of them).
func endSessions(ctx context.Context, tx *store.Tx, adminID int64, keep string) error {
	_, err := tx.Exec(ctx, "DELETE FROM admin_tokens WHERE admin_id = ? AND hash <> ?", adminID, account.HashToken(keep))
	return err
}
