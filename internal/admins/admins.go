// Package admins is the operators' accounts: e-mail and password, and the
// bearer tokens of the admin API. Admin tokens are a separate kind from
// users' tokens: one never works as the other.
package admins

import (
	"context"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
)

// Admin is an operator.
type Admin struct {
	ID        int64
	Email     string
	CreatedAt time.Time
}

// Service is the admin accounts core.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	hasher   *account.Hasher
	tokenTTL time.Duration
	decoy    string // a hash to check when the e-mail is unknown
}

// New returns the service.
func New(db *store.DB, c clock.Clock, h *account.Hasher, tokenTTL time.Duration) *Service {
	decoy, err := h.Hash(account.RandomString(20))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return &Service{db: db, clock: c, hasher: h, tokenTTL: tokenTTL, decoy: decoy}
}

// Create adds an admin.
func (s *Service) Create(ctx context.Context, email, password string) (Admin, error) {
	email, err := account.ParseEmail(strings.TrimSpace(email))
	if err != nil {
		return Admin{}, errs.InvalidField("email", "invalid e-mail address")
	}
	if len(password) < 8 {
		return Admin{}, errs.InvalidField("password", "an admin password has at least 8 characters")
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return Admin{}, errs.Wrap(err, "hash password")
	}
	now := s.clock.Now()
	var a Admin
	err = s.db.QueryRowWrite(ctx, "INSERT INTO admins (email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
		email, hash, now.UnixMilli(), now.UnixMilli()).Scan(&a.ID)
	if store.IsUniqueViolation(err) {
		return Admin{}, errs.E(errs.Conflict, "an admin with this e-mail exists")
	}
	if err != nil {
		return Admin{}, errs.Wrap(err, "create admin")
	}
	a.Email, a.CreatedAt = email, now
	return a, nil
}

// Ensure creates the admin unless one with that e-mail exists.
func (s *Service) Ensure(ctx context.Context, email, password string) (created bool, err error) {
	_, err = s.Create(ctx, email, password)
	if errs.Is(err, errs.Conflict) {
		return false, nil
	}
	return err == nil, err
}

var errLogin = errs.E(errs.Unauthenticated, "wrong e-mail or password")

// Login checks an admin's password and returns a new token.
func (s *Service) Login(ctx context.Context, email, password string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var id int64
	var hash string
	err := s.db.QueryRow(ctx, "SELECT id, password_hash FROM admins WHERE email = ?", email).Scan(&id, &hash)
	if store.NoRows(err) {
		// Spend the time a wrong password takes, so the answer's timing
		// does not tell which e-mails are admins.
		s.hasher.Verify(s.decoy, password)
		return "", errLogin
	}
	if err != nil {
		return "", errs.Wrap(err, "admin login")
	}
	ok, err := s.hasher.Verify(hash, password)
	if err != nil {
		return "", errs.Wrap(err, "admin login")
	}
	if !ok {
		return "", errLogin
	}
	tok := account.RandomString(50)
	now := s.clock.Now()
	_, err = s.db.Exec(ctx, "INSERT INTO admin_tokens (admin_id, hash, expires_at, created_at) VALUES (?, ?, ?, ?)",
		id, account.HashToken(tok), now.Add(s.tokenTTL).UnixMilli(), now.UnixMilli())
	if err != nil {
		return "", errs.Wrap(err, "admin login")
	}
	return tok, nil
}

// Authenticate returns the admin of a token.
func (s *Service) Authenticate(ctx context.Context, token string) (Admin, error) {
	var a Admin
	var expires int64
	err := s.db.QueryRow(ctx, `SELECT a.id, a.email, a.created_at, t.expires_at FROM admin_tokens t JOIN admins a ON a.id = t.admin_id
		WHERE t.hash = ?`, account.HashToken(token)).Scan(&a.ID, &a.Email, (*store.Millis)(&a.CreatedAt), &expires)
	if store.NoRows(err) || (err == nil && s.clock.Now().UnixMilli() >= expires) {
		return Admin{}, errs.E(errs.Unauthenticated, "invalid or expired admin token")
	}
	if err != nil {
		return Admin{}, errs.Wrap(err, "admin token")
	}
	return a, nil
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
