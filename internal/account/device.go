package account

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// MaxOpenID caps a device/open id a client chooses.
const MaxOpenID = 64

// UserByOpenID returns the user with a device/open id.
func (s *Service) UserByOpenID(ctx context.Context, openID string) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE openid = ?", openID))
	if errs.Is(err, errs.NotFound) {
		return User{}, errs.R(errs.NotFound, ReasonNoUser, "no such user")
	}
	return u, err
}

// RegisterDevice creates, in the caller's unit, a user known by a
// device/open id only (no phone, e-mail nor password: the doge app's), with
// a prepared profile (PrepareProfile), and signs them in. openID "" makes a
// random one; one that a user has already: Conflict, ReasonRegistered. The
// user is an ordinary plaza user: one who later binds a phone or an e-mail
// keeps everything.
func (s *Service) RegisterDevice(ctx context.Context, tx *store.Tx, openID string, p Profile) (User, TokenPair, error) {
	if openID != "" {
		if err := valid.Line("user_id", openID, MaxOpenID); err != nil {
			return User{}, TokenPair{}, err
		}
	}
	var exists int
	if openID != "" {
		n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM users WHERE openid = ?", openID)
		if err != nil {
			return User{}, TokenPair{}, errs.Wrap(err, "read user")
		}
		exists = n
	}
	if exists > 0 {
		return User{}, TokenPair{}, errs.R(errs.Conflict, ReasonRegistered, "this user_id is registered")
	}
	u, err := s.insertUser(ctx, tx, Account{}, "", openID, "")
	if err != nil {
		return User{}, TokenPair{}, err
	}
	if u, err = s.UpdateProfileIn(ctx, tx, u.ID, p); err != nil {
		return User{}, TokenPair{}, err
	}
	pair, err := s.issue(ctx, tx, u.ID, RandomString(24), 0)
	if err != nil {
		return User{}, TokenPair{}, err
	}
	return u, pair, nil
}
