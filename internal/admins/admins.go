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
	"plaza/internal/ratelimit"
	"plaza/internal/store"
)

// Admin is an operator.
type Admin struct {
	ID          int64
	Email       string
	CreatedAt   time.Time
	Disabled    bool      // a disabled admin cannot sign in; their sessions end
	TOTPEnabled bool      // sign-in needs a TOTP or recovery code
	LastLoginAt time.Time // zero: never signed in
}

// Config is the admin accounts' policy.
type Config struct {
	// TokenTTL is the lifetime of a session (its token and cookie) from
	// sign-in (setting admin-session-ttl).
	TokenTTL time.Duration
	// Wrong passwords are counted per e-mail and per client address for
	// LoginFailureWindow from the first; past LoginMaxFailures for one
	// e-mail or LoginMaxFailuresPerIP from one address, sign-in pauses
	// (RateLimited) until the window ends, right password or not.
	LoginMaxFailures      int
	LoginMaxFailuresPerIP int
	LoginFailureWindow    time.Duration
}

// DefaultConfig is the policy of the default settings.
func DefaultConfig() Config {
	return Config{TokenTTL: 12 * time.Hour, LoginMaxFailures: 10, LoginMaxFailuresPerIP: 50, LoginFailureWindow: 15 * time.Minute}
}

// Service is the admin accounts core.
type Service struct {
	db      *store.DB
	clock   clock.Clock
	hasher  *account.Hasher
	limiter ratelimit.Limiter
	cfg     Config
	decoy   string // a hash to check when the e-mail is unknown
}

// New returns the service; limiter keeps the wrong-password counts (the
// one the account core uses).
func New(db *store.DB, c clock.Clock, h *account.Hasher, limiter ratelimit.Limiter, cfg Config) *Service {
	decoy, err := h.Hash(account.RandomString(20))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return &Service{db: db, clock: c, hasher: h, limiter: limiter, cfg: cfg, decoy: decoy}
}

// Create adds an admin.
func (s *Service) Create(ctx context.Context, email, password string) (Admin, error) {
	email, err := account.ParseEmail(strings.TrimSpace(email))
	if err != nil {
		return Admin{}, errs.InvalidField("email", "invalid e-mail address")
	}
	if err := checkPassword("password", password); err != nil {
		return Admin{}, err
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

// checkPassword is the admin password policy: 8 to 1024 bytes.
func checkPassword(field, password string) error {
	if len(password) < 8 {
		return errs.InvalidField(field, "an admin password has at least 8 characters")
	}
	if len(password) > 1024 {
		return errs.InvalidField(field, "an admin password has at most 1024 bytes")
	}
	return nil
}

// Ensure creates the admin unless one with that e-mail exists.
func (s *Service) Ensure(ctx context.Context, email, password string) (created bool, err error) {
	_, err = s.Create(ctx, email, password)
	if errs.Is(err, errs.Conflict) {
		return false, nil
	}
	return err == nil, err
}
