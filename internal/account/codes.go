package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"plaza/internal/errs"
	mailp "plaza/internal/provider/mail"
	"plaza/internal/provider/sms"
	"plaza/internal/store"
)

// SendCodeRequest asks for a verification code.
type SendCodeRequest struct {
	Account Account
	IP      string // the client's address, for the per-IP quota
	Length  int    // digits; 4 to 8, default 6
	// MustBeNew refuses (Conflict, ReasonAccountExists) to send to a
	// registered account: for faces whose code only serves sign-up.
	MustBeNew bool
}

// testCode returns the fixed code of a configured test number.
func (s *Service) testCode(a Account) (string, bool) {
	if a.IsEmail() || len(s.cfg.TestOTP) == 0 {
		return "", false
	}
	c, ok := s.cfg.TestOTP[a.Area+a.Phone]
	return c, ok
}

// SendCode makes a new code for the account and sends it by SMS or mail.
// The per-account cooldown, the daily per-account and per-IP quotas apply,
// except to test numbers. When delivery fails the code is removed again.
func (s *Service) SendCode(ctx context.Context, r SendCodeRequest) error {
	length := r.Length
	if length == 0 {
		length = 6
	}
	if length < 4 || length > 8 {
		return errs.E(errs.Invalid, "code length must be 4 to 8")
	}
	if err := s.mayGetCode(ctx, r); err != nil {
		return err
	}
	if _, ok := s.testCode(r.Account); ok {
		return nil
	}
	target := r.Account.target()
	if err := s.checkSendLimits(ctx, target, r.IP); err != nil {
		return err
	}
	code := randomDigits(length)
	id, err := s.storeCode(ctx, target, code, "")
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, r.Account, code, s.now()); err != nil {
		s.dropCode(ctx, id) // leave no half-made code behind
		return err
	}
	return nil
}

// mayGetCode refuses a code to a banned account (its codes would only
// serve to sign in or reset a password, both refused), and to a registered
// one when the face wants codes for sign-up only.
func (s *Service) mayGetCode(ctx context.Context, r SendCodeRequest) error {
	u, err := s.userByAccount(ctx, r.Account)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil
	case err != nil:
		return err
	case !u.Active:
		return errBanned
	case r.MustBeNew:
		return errs.R(errs.Conflict, ReasonRegistered, "account is already registered")
	}
	return nil
}

// storeCode keeps a new code of target (hashed), with its challenge when
// given.
func (s *Service) storeCode(ctx context.Context, target, code, challenge string) (int64, error) {
	salt := RandomString(16)
	now := s.now()
	var ch any
	if challenge != "" {
		ch = challenge
	}
	var id int64
	err := s.db.QueryRowWrite(ctx, `INSERT INTO verification_codes (target, salt, code_hash, attempts, expires_at, created_at, challenge)
		VALUES (?, ?, ?, 0, ?, ?, ?) RETURNING id`,
		target, salt, hashCode(salt, target, code), now.Add(s.cfg.CodeTTL).UnixMilli(), now.UnixMilli(), ch).Scan(&id)
	if err != nil {
		return 0, errs.Wrap(err, "store code")
	}
	return id, nil
}

// dropCode removes a code that could not be delivered.
func (s *Service) dropCode(ctx context.Context, id int64) {
	if _, err := s.db.Exec(context.WithoutCancel(ctx), "DELETE FROM verification_codes WHERE id = ?", id); err != nil {
		s.log.Error("remove undelivered code", "err", err)
	}
}

func (s *Service) checkSendLimits(ctx context.Context, target, ip string) error {
	type limit struct {
		key    string
		limit  int
		window time.Duration
		msg    string
	}
	limits := []limit{
		{"code:cool:" + target, 1, s.cfg.CodeCooldown, "a code was sent moments ago; wait before asking again"},
		{"code:day:" + target, s.cfg.CodeMaxPerAccountDay, 24 * time.Hour, "too many codes for this account today"},
	}
	if ip != "" {
		limits = append(limits, limit{"code:ip:" + ip, s.cfg.CodeMaxPerIPDay, 24 * time.Hour, "too many codes from this address today"})
	}
	// A send that one limit refuses counts against none: read them all
	// first (else a client over its address's quota would still use up
	// the quota of every account it names). The hits below decide when
	// sends race.
	for _, l := range limits {
		n, err := s.limiter.Count(ctx, l.key)
		if err != nil {
			return err
		}
		if n >= l.limit {
			return errs.E(errs.RateLimited, l.msg)
		}
	}
	for _, l := range limits {
		res, err := s.limiter.Hit(ctx, l.key, l.limit, l.window)
		if err != nil {
			return err
		}
		if !res.Allowed {
			return errs.E(errs.RateLimited, l.msg)
		}
	}
	return nil
}

func (s *Service) deliver(ctx context.Context, a Account, code string, now time.Time) error {
	minutes := int(s.cfg.CodeTTL / time.Minute)
	text := fmt.Sprintf("【%s】您的验证码是 %s，%d 分钟内有效，请勿泄露。", s.cfg.AppName, code, minutes)
	if a.IsEmail() {
		return s.mail.Send(ctx, mailp.Message{
			To: a.Email, Subject: s.cfg.AppName + " 验证码 / verification code", Text: text, Code: code, Time: now,
		})
	}
	return s.sms.Send(ctx, sms.Message{To: a.Area + a.Phone, Code: code, Text: text, Time: now})
}

// CheckCode tells whether code is the account's current code, without using
// it up. A wrong code counts against the code's tries.
func (s *Service) CheckCode(ctx context.Context, a Account, code string) error {
	var failure error
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		failure, err = s.verifyCode(ctx, tx, a, code, false)
		return err
	})
	if err != nil {
		return err
	}
	return failure
}

// verifyCode checks code inside tx. A wrong code is recorded and returned as
// failure with a nil err, so that the caller commits the recorded try. A
// right code is used up when consume is set.
func (s *Service) verifyCode(ctx context.Context, tx *store.Tx, a Account, code string, consume bool) (failure, err error) {
	if code == "" {
		return errs.InvalidField("code", "code is required"), nil
	}
	if fixed, ok := s.testCode(a); ok {
		if subtle.ConstantTimeCompare([]byte(fixed), []byte(code)) == 1 {
			return nil, nil
		}
		return errs.E(errs.CodeInvalid, "wrong verification code"), nil
	}
	target := a.target()
	var (
		id        int64
		salt      string
		hash      string
		attempts  int
		expiresAt int64
	)
	err = tx.QueryRow(ctx, `SELECT id, salt, code_hash, attempts, expires_at FROM verification_codes
		WHERE target = ? ORDER BY id DESC LIMIT 1`+tx.ForUpdate(), target).Scan(&id, &salt, &hash, &attempts, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.CodeInvalid, "no code was sent to this account"), nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "read code")
	}
	if s.now().UnixMilli() >= expiresAt {
		return errs.E(errs.Expired, "the code has expired; ask for a new one"), nil
	}
	if attempts >= s.cfg.CodeMaxTries {
		return errs.E(errs.CodeExhausted, "too many wrong tries; ask for a new code"), nil
	}
	if subtle.ConstantTimeCompare([]byte(hashCode(salt, target, code)), []byte(hash)) != 1 {
		if _, err := tx.Exec(ctx, "UPDATE verification_codes SET attempts = attempts + 1 WHERE id = ?", id); err != nil {
			return nil, errs.Wrap(err, "count try")
		}
		return errs.E(errs.CodeInvalid, "wrong verification code"), nil
	}
	if consume {
		if _, err := tx.Exec(ctx, "DELETE FROM verification_codes WHERE target = ?", target); err != nil {
			return nil, errs.Wrap(err, "use code")
		}
	}
	return nil, nil
}

// SweepCodes deletes expired codes.
func (s *Service) SweepCodes(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "DELETE FROM verification_codes WHERE expires_at <= ?", s.now().UnixMilli())
	return err
}

func hashCode(salt, target, code string) string {
	h := sha256.Sum256([]byte(salt + "\x00" + target + "\x00" + code))
	return hex.EncodeToString(h[:])
}

func randomDigits(n int) string {
	b := make([]byte, n)
	ten := big.NewInt(10)
	for i := range b {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			panic(err)
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}
