package account

import (
	"context"
	"crypto/subtle"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// A challenge is the live face's way of asking for a sign-up code: the
// client is given a random challenge instead of the code, sends it back
// with the code the user typed (VerifyChallenge), and a right code marks
// the challenge verified. Sign-up (RegisterVerified) then needs a challenge
// of that phone verified a short while ago: the code itself never reaches
// the client from the server, and a code is checked only on the server.

// ChallengeLen is the length of a challenge.
const ChallengeLen = 32

// VerifiedFor is how long a verified challenge allows sign-up.
const VerifiedFor = 10 * time.Minute

// SendChallenge sends a code as SendCode does and returns the challenge
// that names it. A test number gets a challenge of its fixed code, and
// nothing is sent.
func (s *Service) SendChallenge(ctx context.Context, r SendCodeRequest) (challenge string, err error) {
	challenge, _, err = s.sendChallenge(ctx, r)
	return challenge, err
}

// EchoChallenge is SendChallenge for the echo mode, the old behaviour of
// the live face kept for trusted test set-ups: it returns the code itself
// (sent all the same), which the client sends back with the code the user
// typed (VerifyEcho).
func (s *Service) EchoChallenge(ctx context.Context, r SendCodeRequest) (code string, err error) {
	_, code, err = s.sendChallenge(ctx, r)
	return code, err
}

func (s *Service) sendChallenge(ctx context.Context, r SendCodeRequest) (challenge, code string, err error) {
	if r.Account.IsEmail() {
		return "", "", errs.R(errs.Invalid, ReasonBadPhone, "a challenge goes to a phone")
	}
	if r.Length == 0 {
		r.Length = 4
	}
	if r.Length < 4 || r.Length > 8 {
		return "", "", errs.E(errs.Invalid, "code length must be 4 to 8")
	}
	if err := s.mayGetCode(ctx, r); err != nil {
		return "", "", err
	}
	code, test := s.testCode(r.Account)
	if !test {
		if err := s.checkSendLimits(ctx, r.Account.target(), r.IP); err != nil {
			return "", "", err
		}
		code = randomDigits(r.Length)
	}
	challenge = RandomString(ChallengeLen)
	id, err := s.storeCode(ctx, r.Account.target(), code, challenge)
	if err != nil || test {
		return challenge, code, err
	}
	if err := s.deliver(ctx, r.Account, code, s.now()); err != nil {
		s.dropCode(ctx, id)
		return "", "", err
	}
	return challenge, code, nil
}

// VerifyEcho is the echo mode's check: the code the server echoed against
// the code the user typed.
func (s *Service) VerifyEcho(echoed, code string) error {
	if err := checkChallengeText(echoed, code); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(echoed), []byte(code)) != 1 {
		return errs.E(errs.CodeInvalid, "wrong verification code")
	}
	return nil
}

// VerifyChallenge checks code against the code of challenge. A wrong code
// counts against its tries (errs.CodeInvalid; after CodeMaxTries,
// errs.CodeExhausted); an expired or unknown challenge is errs.CodeInvalid
// too (errs.Expired when it has expired). A right code marks the challenge
// verified: it allows the sign-up of its phone for VerifiedFor.
func (s *Service) VerifyChallenge(ctx context.Context, challenge, code string) error {
	if err := checkChallengeText(challenge, code); err != nil {
		return err
	}
	var failure error
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var (
			id        int64
			target    string
			salt      string
			hash      string
			attempts  int
			expiresAt int64
		)
		err := tx.QueryRow(ctx, `SELECT id, target, salt, code_hash, attempts, expires_at FROM verification_codes
			WHERE challenge = ?`+tx.ForUpdate(), challenge).Scan(&id, &target, &salt, &hash, &attempts, &expiresAt)
		if store.NoRows(err) {
			failure = errs.E(errs.CodeInvalid, "no such challenge; ask for a new code")
			return nil
		}
		if err != nil {
			return errs.Wrap(err, "read challenge")
		}
		now := s.now()
		switch {
		case now.UnixMilli() >= expiresAt:
			failure = errs.E(errs.Expired, "the code has expired; ask for a new one")
			return nil
		case attempts >= s.cfg.CodeMaxTries:
			failure = errs.E(errs.CodeExhausted, "too many wrong tries; ask for a new code")
			return nil
		case subtle.ConstantTimeCompare([]byte(hashCode(salt, target, code)), []byte(hash)) != 1:
			if _, err := tx.Exec(ctx, "UPDATE verification_codes SET attempts = attempts + 1 WHERE id = ?", id); err != nil {
				return errs.Wrap(err, "count try")
			}
			failure = errs.E(errs.CodeInvalid, "wrong verification code")
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE verification_codes SET verified_at = ? WHERE id = ?", now.UnixMilli(), id); err != nil {
			return errs.Wrap(err, "mark challenge")
		}
		return nil
	})
	if err != nil {
		return err
	}
	return failure
}

func checkChallengeText(challenge, code string) error {
	if challenge == "" {
		return errs.InvalidField("code_v", "code_v is required")
	}
	if code == "" {
		return errs.InvalidField("code", "code is required")
	}
	if err := valid.Line("code_v", challenge, 64); err != nil {
		return err
	}
	return valid.Line("code", code, 16)
}

// Registration is a sign-up after a verified challenge.
type Registration struct {
	Account  Account
	Password string
	// Strong applies the stricter password policy of the live face: at
	// least 8 characters with letters and digits.
	Strong  bool
	Profile Profile // nickname, avatar, gender: checked as UpdateProfile does
	// Challenge, when given, must be the verified one (the client that
	// verified it signs up, not anyone who knows the phone); else any
	// challenge of the phone verified in the window will do.
	Challenge string
	// Echo (the echo mode) accepts a code sent to the phone in the last
	// VerifiedFor without a verified challenge.
	Echo bool
}

// RegisterVerified creates the account of r once a challenge of its phone
// was verified in the last VerifiedFor (else errs.CodeInvalid), using the
// challenge up. It signs no one in: the live face's sign-up answers no
// token.
func (s *Service) RegisterVerified(ctx context.Context, r Registration) (User, error) {
	if err := CheckPassword(r.Password); err != nil {
		return User{}, err
	}
	if r.Strong {
		if err := CheckStrongPassword(r.Password); err != nil {
			return User{}, err
		}
	}
	p, err := s.PrepareProfile(ctx, r.Profile)
	if err != nil {
		return User{}, err
	}
	if _, err := s.userByAccount(ctx, r.Account); err == nil {
		return User{}, errs.R(errs.Conflict, ReasonRegistered, "account is already registered")
	} else if !errs.Is(err, errs.NotFound) {
		return User{}, err
	}
	hash, err := s.hasher.Hash(r.Password)
	if err != nil {
		return User{}, errs.Wrap(err, "hash password")
	}
	var u User
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		target := r.Account.target()
		now := s.now().UnixMilli()
		q := "SELECT COUNT(*) FROM verification_codes WHERE target = ? AND challenge IS NOT NULL AND verified_at >= ?"
		args := []any{target, now - VerifiedFor.Milliseconds()}
		switch {
		case r.Echo:
			q = "SELECT COUNT(*) FROM verification_codes WHERE target = ? AND challenge IS NOT NULL AND created_at >= ?"
		case r.Challenge != "":
			q += " AND challenge = ?"
			args = append(args, r.Challenge)
		}
		n, err := store.Count(ctx, tx, q, args...)
		if err != nil {
			return errs.Wrap(err, "read challenges")
		}
		if n == 0 {
			return errs.E(errs.CodeInvalid, "verify the phone with a code first")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM verification_codes WHERE target = ?", target); err != nil {
			return errs.Wrap(err, "use challenge")
		}
		u, err = s.insertUser(ctx, tx, r.Account, hash, "", "")
		if err != nil {
			return err
		}
		u, err = s.UpdateProfileIn(ctx, tx, u.ID, p)
		return err
	})
	return u, err
}

// CheckStrongPassword is the stricter policy: 8 characters or more, with
// letters and digits.
func CheckStrongPassword(p string) error {
	var letter, digit bool
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		}
	}
	if len([]rune(p)) < 8 || !letter || !digit {
		return errs.InvalidField("password", "password must be at least 8 characters with letters and digits")
	}
	return nil
}
