package admins

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"image/png"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
)

// TOTP is RFC 6238 as authenticator apps make it: SHA-1, 6 digits, 30
// seconds; a code of the step before or after the current one is taken
// too (clocks drift), but never a step at or before the last one used.
const (
	totpPeriod = 30
	totpIssuer = "plaza"
	// RecoveryCodes is how many recovery codes a confirmed enrolment gives.
	RecoveryCodes = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a TOTP secret waiting to be confirmed: the secret (base32),
// the otpauth:// URL of it and that URL as a QR code (a PNG data: URI).
type Enrolment struct {
	Secret    string
	URL       string
	QRDataURI string
}

// matchStep returns the step (of totpOpts) whose code is code, near now,
// or 0.
func matchStep(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0
	}
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step
		}
	}
	return 0
}

// useTOTP checks a code of the admin's secret and, when right, records its
// step as the last used (a conditional UPDATE: of two uses of one code at
// once one wins). It reports whether the code was right and unused.
func (s *Service) useTOTP(ctx context.Context, adminID int64, secret, code string, now time.Time) (bool, error) {
	step := matchStep(secret, code, now)
	if step == 0 {
		return false, nil
	}
	res, err := s.db.Exec(ctx, "UPDATE admins SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", step, adminID, step)
	if err != nil {
		return false, errs.Wrap(err, "use totp code")
	}
	n, err := res.RowsAffected()
	return n == 1, errs.Wrap(err, "use totp code")
}

// normalRecovery is a recovery code as stored (hashed): lower case,
// without dashes or spaces.
func normalRecovery(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, code)
}

// useRecoveryCode spends a recovery code of the admin (it is deleted); it
// reports whether there was one.
func (s *Service) useRecoveryCode(ctx context.Context, adminID int64, code string) (bool, error) {
	if len(code) > 100 {
		return false, nil
	}
	res, err := s.db.Exec(ctx, "DELETE FROM admin_recovery_codes WHERE admin_id = ? AND hash = ?", adminID, account.HashToken(normalRecovery(code)))
	if err != nil {
		return false, errs.Wrap(err, "use recovery code")
	}
	n, err := res.RowsAffected()
	return n == 1, errs.Wrap(err, "use recovery code")
}

// newRecoveryCode is 80 random bits, base32, as xxxx-xxxx-xxxx-xxxx.
func newRecoveryCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail
	}
	c := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// StartTOTP begins a TOTP enrolment of an admin who proves it with their
// password (a wrong one is refused, field "password", and counts in the
// sign-in limits): a new secret, kept pending (sign-in does not ask for
// it) until ConfirmTOTP. So a session alone (a stolen one) cannot put a
// second factor of its own on the account. Starting again replaces a
// pending secret. An admin with TOTP on disables it first (Conflict).
func (s *Service) StartTOTP(ctx context.Context, adminID int64, password, ip string) (Enrolment, error) {
	if err := s.provePassword(ctx, adminID, "password", password, ip); err != nil {
		return Enrolment{}, err
	}
	var email string
	var secret sql.NullString
	err := s.db.QueryRow(ctx, "SELECT email, totp_secret FROM admins WHERE id = ?", adminID).Scan(&email, &secret)
	if store.NoRows(err) {
		return Enrolment{}, errs.E(errs.NotFound, "no such admin")
	}
	if err != nil {
		return Enrolment{}, errs.Wrap(err, "start totp")
	}
	if secret.Valid {
		return Enrolment{}, errs.E(errs.Conflict, "TOTP is on already; disable it to enrol again")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, errs.Wrap(err, "start totp")
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return Enrolment{}, errs.Wrap(err, "totp qr code")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, errs.Wrap(err, "totp qr code")
	}
	res, err := s.db.Exec(ctx, "UPDATE admins SET totp_pending = ?, updated_at = ? WHERE id = ? AND totp_secret IS NULL",
		key.Secret(), s.clock.Now().UnixMilli(), adminID)
	if err == nil {
		if n, _ := res.RowsAffected(); n != 1 {
			return Enrolment{}, errs.E(errs.Conflict, "TOTP is on already; disable it to enrol again")
		}
	}
	if err != nil {
		return Enrolment{}, errs.Wrap(err, "start totp")
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(),
		QRDataURI: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// codeLimits are the sign-in limits of an admin's e-mail and ip: wrong
// codes of a signed-in admin (confirm, disable) count there too, so a
// stolen session cannot try codes faster than sign-in can.
func (s *Service) codeLimits(ctx context.Context, adminID int64, ip string) ([]ratelimit.Failures, error) {
	var email string
	err := s.db.QueryRow(ctx, "SELECT email FROM admins WHERE id = ?", adminID).Scan(&email)
	if store.NoRows(err) {
		return nil, errs.E(errs.NotFound, "no such admin")
	}
	if err != nil {
		return nil, errs.Wrap(err, "admin")
	}
	limits := s.loginLimits(email, ip)
	return limits, ratelimit.Refused(ctx, s.limiter, limits...)
}

var errCode = errs.InvalidField("code", "wrong or already used code")

// codeTry counts one check of a second-factor code of the admin (TOTP or
// recovery), right or wrong, before it is made, and refuses it past the
// limit: at most LoginMaxFailures codes are checked per admin within
// LoginFailureWindow, however many tries come at once (a count made
// after the check would let every simultaneous try be checked).
func (s *Service) codeTry(ctx context.Context, adminID int64) error {
	return ratelimit.Failed(ctx, s.limiter, ratelimit.Failures{Key: "admin:code:try:" + strconv.FormatInt(adminID, 10),
		Max: s.cfg.LoginMaxFailures, Window: s.cfg.LoginFailureWindow, Msg: "too many codes tried for this admin; try again later"})
}

// ConfirmTOTP turns TOTP on with the pending secret when code is one of
// its codes, and returns new recovery codes (RecoveryCodes, each good
// once; only their hashes are kept). ip is the client's address for the
// wrong-code count.
func (s *Service) ConfirmTOTP(ctx context.Context, adminID int64, code, ip string) ([]string, error) {
	limits, err := s.codeLimits(ctx, adminID, ip)
	if err != nil {
		return nil, err
	}
	var pending sql.NullString
	if err := s.db.QueryRow(ctx, "SELECT totp_pending FROM admins WHERE id = ?", adminID).Scan(&pending); err != nil {
		return nil, errs.Wrap(err, "confirm totp")
	}
	if !pending.Valid {
		return nil, errs.E(errs.Conflict, "no TOTP enrolment to confirm; start one first")
	}
	if err := s.codeTry(ctx, adminID); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	step := matchStep(pending.String, code, now)
	if step == 0 {
		return nil, s.loginFailed(ctx, limits, errCode)
	}
	codes := make([]string, RecoveryCodes)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE admins SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?, updated_at = ?
			WHERE id = ? AND totp_pending = ?`, step, now.UnixMilli(), adminID, pending.String)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err == nil {
				err = errs.E(errs.Conflict, "the enrolment changed meanwhile; start again")
			}
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM admin_recovery_codes WHERE admin_id = ?", adminID); err != nil {
			return err
		}
		for i := range codes {
			codes[i] = newRecoveryCode()
			if _, err := tx.Exec(ctx, "INSERT INTO admin_recovery_codes (admin_id, hash, created_at) VALUES (?, ?, ?)",
				adminID, account.HashToken(normalRecovery(codes[i])), now.UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap(err, "confirm totp")
	}
	return codes, nil
}

// DisableTOTP turns TOTP off when code is a current code of it (not one
// used already); the recovery codes go with it.
func (s *Service) DisableTOTP(ctx context.Context, adminID int64, code, ip string) error {
	limits, err := s.codeLimits(ctx, adminID, ip)
	if err != nil {
		return err
	}
	var secret sql.NullString
	if err := s.db.QueryRow(ctx, "SELECT totp_secret FROM admins WHERE id = ?", adminID).Scan(&secret); err != nil {
		return errs.Wrap(err, "disable totp")
	}
	if !secret.Valid {
		return errs.E(errs.Conflict, "TOTP is off")
	}
	if err := s.codeTry(ctx, adminID); err != nil {
		return err
	}
	used, err := s.useTOTP(ctx, adminID, secret.String, code, s.clock.Now())
	if err != nil {
		return err
	}
	if !used {
		return s.loginFailed(ctx, limits, errCode)
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE admins SET totp_secret = NULL, totp_pending = NULL, updated_at = ? WHERE id = ?",
			s.clock.Now().UnixMilli(), adminID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM admin_recovery_codes WHERE admin_id = ?", adminID)
		return err
	})
	return errs.Wrap(err, "disable totp")
}
