package account

import (
	"context"
	"database/sql"
	"errors"
	"plaza/internal/ratelimit"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// TokenPair is what a sign-in returns.
type TokenPair struct {
	Access        string
	Refresh       string
	AccessExpires time.Time
	AccessTTL     time.Duration
	UserID        int64
}

const tokenLen = 50

var (
	errBadToken = errs.E(errs.Unauthenticated, "invalid or expired token")
	errBanned   = errs.R(errs.Forbidden, ReasonBanned, "this account is banned")
)

// issue writes a new access/refresh pair of family into tx.
func (s *Service) issue(ctx context.Context, tx *store.Tx, userID int64, family string, accessTTL time.Duration) (TokenPair, error) {
	if accessTTL <= 0 {
		accessTTL = s.cfg.AccessTTL
	}
	now := s.now()
	p := TokenPair{
		Access:        RandomString(tokenLen),
		Refresh:       RandomString(tokenLen),
		AccessExpires: now.Add(accessTTL),
		AccessTTL:     accessTTL,
		UserID:        userID,
	}
	const ins = `INSERT INTO tokens (user_id, kind, hash, family, expires_at, used, revoked, created_at)
		VALUES (?, ?, ?, ?, ?, FALSE, FALSE, ?)`
	if _, err := tx.Exec(ctx, ins, userID, "access", HashToken(p.Access), family, p.AccessExpires.UnixMilli(), now.UnixMilli()); err != nil {
		return TokenPair{}, errs.Wrap(err, "issue token")
	}
	if _, err := tx.Exec(ctx, ins, userID, "refresh", HashToken(p.Refresh), family, now.Add(s.cfg.RefreshTTL).UnixMilli(), now.UnixMilli()); err != nil {
		return TokenPair{}, errs.Wrap(err, "issue token")
	}
	return p, nil
}

// Login checks a password and signs the user in.
func (s *Service) Login(ctx context.Context, a Account, password string) (TokenPair, error) {
	return s.LoginFor(ctx, a, password, 0)
}

// LoginFor is Login with an access-token lifetime of ttl (0: the default;
// larger values are capped at the default).
func (s *Service) LoginFor(ctx context.Context, a Account, password string, ttl time.Duration) (TokenPair, error) {
	u, hash, err := s.userAndHash(ctx, a)
	if err != nil {
		return TokenPair{}, err
	}
	if password == "" {
		return TokenPair{}, errs.InvalidField("password", "password is required")
	}
	// Wrong passwords are counted per account: past the limit, sign-in by
	// password pauses for the rest of the window, right password or not.
	// Tries at once are held to the same number: a wrong password past the
	// limit is answered as limited, and a right one is checked against the
	// limit again after the (slow) hash, so of many simultaneous tries only
	// LoginMaxFailures learn whether their password was right.
	fails := ratelimit.Failures{Key: "login:fail:" + a.target(), Max: s.cfg.LoginMaxFailures, Window: s.cfg.LoginFailureWindow,
		Msg: "too many wrong passwords; try again later or sign in with a code"}
	if err := ratelimit.Refused(ctx, s.limiter, fails); err != nil {
		return TokenPair{}, err
	}
	if hash == "" {
		return TokenPair{}, errs.R(errs.Unauthenticated, ReasonWrongPassword, "no password is set for this account; sign in with a code")
	}
	ok, err := s.hasher.Verify(hash, password)
	if err != nil {
		return TokenPair{}, errs.Wrap(err, "verify password")
	}
	if !ok {
		if err := ratelimit.Failed(ctx, s.limiter, fails); err != nil {
			return TokenPair{}, err
		}
		return TokenPair{}, errs.R(errs.Unauthenticated, ReasonWrongPassword, "wrong password")
	}
	if err := ratelimit.Refused(ctx, s.limiter, fails); err != nil {
		return TokenPair{}, err
	}
	if !u.Active {
		return TokenPair{}, errBanned
	}
	if ttl > s.cfg.AccessTTL {
		ttl = s.cfg.AccessTTL
	}
	// A hash made with other parameters (older, cheaper defaults) is
	// replaced by one with the hasher's, in the sign-in's own write; only
	// if it is still the stored one (a reset meanwhile wins).
	var rehash string
	if s.hasher.NeedsRehash(hash) {
		if rehash, err = s.hasher.Hash(password); err != nil {
			return TokenPair{}, errs.Wrap(err, "hash password")
		}
	}
	var p TokenPair
	var failure error
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// The password was checked against the hash read before the (slow)
		// hash: a reset or a ban that committed since wins. The user's row
		// is locked, as a reset locks it, so a reset after this point
		// revokes the pair issued here.
		var now string
		var active bool
		if err := tx.QueryRow(ctx, "SELECT password_hash, is_active FROM users WHERE id = ?"+tx.ForUpdate(), u.ID).Scan(&now, &active); err != nil {
			return errs.Wrap(err, "sign in")
		}
		switch {
		case now != hash:
			failure = errs.R(errs.Unauthenticated, ReasonWrongPassword, "wrong password")
			return nil
		case !active:
			failure = errBanned
			return nil
		}
		if rehash != "" {
			if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", rehash, u.ID); err != nil {
				return errs.Wrap(err, "rehash password")
			}
		}
		p, err = s.issue(ctx, tx, u.ID, RandomString(24), ttl)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	if failure != nil {
		return TokenPair{}, failure
	}
	return p, nil
}

// LoginWithCode signs the user in with a verification code, which it uses up.
func (s *Service) LoginWithCode(ctx context.Context, a Account, code string) (TokenPair, error) {
	u, err := s.userByAccount(ctx, a)
	if err != nil {
		return TokenPair{}, err
	}
	if !u.Active {
		return TokenPair{}, errBanned
	}
	var p TokenPair
	var failure error
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		failure, err = s.verifyCode(ctx, tx, a, code, true)
		if err != nil || failure != nil {
			return err
		}
		p, err = s.issue(ctx, tx, u.ID, RandomString(24), 0)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	return p, failure
}

// Authenticate returns the active user an access token belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (User, error) {
	if len(token) != tokenLen {
		return User{}, errBadToken
	}
	hash := HashToken(token)
	var stamp uint64
	if s.auth != nil {
		if u, ok := s.auth.get(hash, s.now()); ok {
			return u, nil
		}
		stamp = s.auth.stamp()
	}
	var (
		u         User
		expiresAt int64
		revoked   bool
	)
	dest := append(u.scanDest(), &expiresAt, &revoked)
	err := s.db.QueryRow(ctx, `SELECT `+userColsU+`, t.expires_at, t.revoked
		FROM tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.kind = 'access'`, hash).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errBadToken
	}
	if err != nil {
		return User{}, errs.Wrap(err, "authenticate")
	}
	if revoked || s.now().UnixMilli() >= expiresAt || !u.Active {
		return User{}, errBadToken
	}
	if s.auth != nil {
		s.auth.put(hash, u, expiresAt, stamp, s.now())
	}
	return u, nil
}

// Refresh trades a refresh token for a new pair. The refresh token is used
// up and the family's earlier access tokens are revoked; a refresh token
// presented a second time revokes its whole family, except within the
// reuse interval of its rotation, when it gets the pair its rotation issued
// again (reuse.go).
func (s *Service) Refresh(ctx context.Context, refresh string) (TokenPair, error) {
	if len(refresh) != tokenLen {
		return TokenPair{}, errBadToken
	}
	var p TokenPair
	var failure error
	var userID int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var (
			r         rotatedRow
			expiresAt int64
			used      bool
			revoked   bool
			active    bool
		)
		err := tx.QueryRow(ctx, `SELECT t.user_id, t.family, t.expires_at, t.used, t.revoked, t.rotated_at, t.successor, u.is_active
			FROM tokens t JOIN users u ON u.id = t.user_id
			WHERE t.hash = ? AND t.kind = 'refresh'`+tx.ForUpdate(), HashToken(refresh)).
			Scan(&r.userID, &r.family, &expiresAt, &used, &revoked, &r.rotatedAt, &r.successor, &active)
		userID = r.userID
		if errors.Is(err, sql.ErrNoRows) {
			failure = errBadToken
			return nil
		}
		if err != nil {
			return errs.Wrap(err, "refresh")
		}
		if used && active {
			again, ok, err := s.reusePair(ctx, tx, refresh, r)
			if err != nil {
				return err
			}
			if ok {
				p = again
				return nil
			}
		}
		if used {
			// Reuse of a rotated token: the family may be stolen.
			if _, err := tx.Exec(ctx, "UPDATE tokens SET revoked = TRUE, successor = NULL WHERE family = ?", r.family); err != nil {
				return errs.Wrap(err, "revoke family")
			}
			s.log.Warn("refresh token reused; family revoked", "user_id", userID)
			failure = errBadToken
			return nil
		}
		if revoked || !active || s.now().UnixMilli() >= expiresAt {
			failure = errBadToken
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE tokens SET used = TRUE, revoked = TRUE WHERE family = ? AND revoked = FALSE", r.family); err != nil {
			return errs.Wrap(err, "rotate")
		}
		p, err = s.issue(ctx, tx, userID, r.family, 0)
		if err != nil {
			return err
		}
		return s.keepSuccessor(ctx, tx, refresh, r.family, p)
	})
	if userID != 0 {
		s.userChanged(userID)
	}
	if err != nil {
		return TokenPair{}, err
	}
	return p, failure
}

// Revoke ends the session of an access token: the token and its refresh
// token stop working.
func (s *Service) Revoke(ctx context.Context, access string) error {
	rows, err := s.db.Exec(ctx, `UPDATE tokens SET revoked = TRUE
		WHERE family = (SELECT family FROM tokens WHERE hash = ? AND kind = 'access')`, HashToken(access))
	if err != nil {
		return errs.Wrap(err, "revoke")
	}
	if n, _ := rows.RowsAffected(); n > 0 && s.auth != nil {
		u, err := s.userOfToken(ctx, access)
		if err != nil {
			return err
		}
		s.userChanged(u)
	}
	return nil
}

func (s *Service) userOfToken(ctx context.Context, tok string) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, "SELECT user_id FROM tokens WHERE hash = ?", HashToken(tok)).Scan(&id)
	return id, errs.Wrap(err, "token owner")
}

// SweepTokens deletes tokens that expired more than a day ago, and erases
// the seals of rotated refresh tokens past the reuse interval.
func (s *Service) SweepTokens(ctx context.Context) error {
	if _, err := s.db.Exec(ctx, "DELETE FROM tokens WHERE expires_at <= ?", s.now().Add(-24*time.Hour).UnixMilli()); err != nil {
		return err
	}
	return s.sweepSeals(ctx)
}
