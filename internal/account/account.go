// Package account is plaza's one user base: users and their profiles,
// passwords, verification codes sent by SMS or mail, and access/refresh
// tokens. Every face signs users in through this package.
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/mail"
	"plaza/internal/cachesync"
	"strings"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	mailp "plaza/internal/provider/mail"
	"plaza/internal/provider/sms"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
)

// Config holds the account policies; every field is a setting.
type Config struct {
	AccessTTL  time.Duration // default 7 days
	RefreshTTL time.Duration // default 30 days
	// RefreshReuseInterval: a rotated refresh token presented again this
	// soon gets the same new pair instead of revoking its family (0: off).
	RefreshReuseInterval time.Duration // default 10 s

	CodeTTL              time.Duration // default 10 minutes
	CodeMaxTries         int           // wrong tries before a code is dead; default 5
	CodeCooldown         time.Duration // one send per account per cooldown; default 60 s
	CodeMaxPerAccountDay int           // default 10
	CodeMaxPerIPDay      int           // default 50

	LoginMaxFailures   int           // wrong passwords per account before sign-in pauses; default 10
	LoginFailureWindow time.Duration // how long they count; default 15 minutes

	// TestOTP maps test numbers (area and number, digits only, e.g.
	// "8613800138000") to their fixed code. Nothing is sent to them, the
	// code is never used up and no limit applies.
	TestOTP map[string]string

	// AppName is used in the text of messages.
	AppName string

	// AuthCacheTTL keeps answers of Authenticate in memory this long
	// (0: off). Exact on a single node only; see authcache.go.
	AuthCacheTTL time.Duration
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		AccessTTL:            7 * 24 * time.Hour,
		RefreshTTL:           30 * 24 * time.Hour,
		RefreshReuseInterval: 10 * time.Second,
		CodeTTL:              10 * time.Minute,
		CodeMaxTries:         5,
		CodeCooldown:         60 * time.Second,
		CodeMaxPerAccountDay: 10,
		CodeMaxPerIPDay:      50,
		LoginMaxFailures:     10,
		LoginFailureWindow:   15 * time.Minute,
		AppName:              "plaza",
	}
}

// Service is the accounts core.
type Service struct {
	db      *store.DB
	clock   clock.Clock
	limiter ratelimit.Limiter
	sms     sms.Sender
	mail    mailp.Sender
	hasher  *Hasher
	media   Media // nil: avatars are URLs only
	cfg     Config
	log     *slog.Logger
	auth    *authCache      // nil: off
	sync    *cachesync.Sync // nil: one node
}

// Deps are what the service needs.
type Deps struct {
	DB      *store.DB
	Clock   clock.Clock
	Limiter ratelimit.Limiter
	SMS     sms.Sender
	Mail    mailp.Sender
	Hasher  *Hasher
	Media   Media // resolves avatars that name uploaded media
	Log     *slog.Logger
}

// New returns the accounts service.
func New(d Deps, cfg Config) *Service {
	if d.Hasher == nil {
		d.Hasher = NewHasher(DefaultArgon2)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, clock: d.Clock, limiter: d.Limiter, sms: d.SMS, mail: d.Mail, hasher: d.Hasher, media: d.Media, cfg: cfg, log: d.Log,
		auth: newAuthCache(cfg.AuthCacheTTL, 100_000)}
}

// WithSync carries the token-check cache's invalidations to every node
// sharing the database (and makes the cache unused while they may have
// been missed). Call it before the service is used.
func (s *Service) WithSync(sync *cachesync.Sync) *Service {
	s.sync = sync
	if s.auth != nil && sync != nil {
		s.auth.usable = sync.Usable
		sync.Register("users", s.auth)
	}
	return s
}

// userChanged drops what the caches of every node hold of the users, once
// a change of them (a session ended, a ban, a profile) has committed.
func (s *Service) userChanged(ids ...int64) {
	if s.auth != nil {
		s.sync.Changed(s.auth, "users", cachesync.IDs(ids...))
	}
}

// Config returns the policies in force.
func (s *Service) Config() Config { return s.cfg }

// Account is a sign-in identity: a phone number with its area code, or an
// e-mail address. Exactly one of Phone and Email is set.
type Account struct {
	Area  string
	Phone string
	Email string
}

// IsEmail tells whether the account is an e-mail address.
func (a Account) IsEmail() bool { return a.Email != "" }

// target is the key codes and limits are kept under.
func (a Account) target() string {
	if a.IsEmail() {
		return "mail:" + a.Email
	}
	return "sms:" + a.Area + ":" + a.Phone
}

// String is the account as a user would write it.
func (a Account) String() string {
	if a.IsEmail() {
		return a.Email
	}
	return "+" + a.Area + " " + a.Phone
}

// DefaultArea is the area code of a phone number given without one.
const DefaultArea = "86"

// ParseAccount reads a phone number (with its area code, default 86) or an
// e-mail address.
func ParseAccount(area, account string) (Account, error) {
	account = strings.TrimSpace(account)
	if account == "" {
		return Account{}, errs.InvalidField("account", "account is required")
	}
	if strings.Contains(account, "@") {
		e, err := ParseEmail(account)
		if err != nil {
			return Account{}, err
		}
		return Account{Email: e}, nil
	}
	return ParsePhone(area, account)
}

// ParsePhone reads a phone number. Mainland (86) numbers are 11 digits
// starting with 1; other areas take 5 to 15 digits.
func ParsePhone(area, phone string) (Account, error) {
	area = strings.TrimPrefix(strings.TrimSpace(area), "+")
	if area == "" {
		area = DefaultArea
	}
	if len(area) > 4 || !allDigits(area) || area[0] == '0' {
		return Account{}, &errs.Error{Kind: errs.Invalid, Reason: ReasonBadPhone, Field: "area", Msg: "invalid area code"}
	}
	phone = strings.TrimSpace(phone)
	ok := allDigits(phone)
	if area == DefaultArea {
		ok = ok && len(phone) == 11 && phone[0] == '1'
	} else {
		ok = ok && len(phone) >= 5 && len(phone) <= 15
	}
	if !ok {
		return Account{}, &errs.Error{Kind: errs.Invalid, Reason: ReasonBadPhone, Field: "account", Msg: "invalid phone number"}
	}
	return Account{Area: area, Phone: phone}, nil
}

// ParseEmail checks and normalizes (lower-cases) an e-mail address.
func ParseEmail(s string) (string, error) {
	bad := &errs.Error{Kind: errs.Invalid, Reason: ReasonBadEmail, Field: "account", Msg: "invalid e-mail address"}
	if len(s) > 254 {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") {
		return "", bad
	}
	return strings.ToLower(s), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomString returns n characters of [A-Za-z0-9] from crypto/rand.
func RandomString(n int) string {
	out := make([]byte, n)
	buf := make([]byte, n+n/2)
	i := 0
	for i < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for _, b := range buf {
			if b >= 248 { // 248 = 4*62: reject to keep the choice uniform
				continue
			}
			out[i] = tokenAlphabet[int(b)%62]
			i++
			if i == n {
				break
			}
		}
	}
	return string(out)
}

// HashToken is how opaque tokens are stored: hex SHA-256.
func HashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func (s *Service) now() time.Time { return s.clock.Now() }
