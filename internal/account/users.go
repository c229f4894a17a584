package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// User is an account holder and their profile.
type User struct {
	ID        int64
	Area      string
	Phone     string
	Email     string
	OpenID    string // device/open id; random when the client gives none
	UID       string // 32 lowercase hex: the public id of the yuanyi face
	Nickname  string
	Avatar    string
	Gender    int // 0 female, 1 male, 2 secret
	Birthday  string
	Address   string
	Province  string
	City      string
	Intro     string // opaque text (the yuanyi app keeps a JSON list in it)
	Role      int
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Username is the phone number, else the e-mail address, else the open id.
func (u User) Username() string {
	switch {
	case u.Phone != "":
		return u.Phone
	case u.Email != "":
		return u.Email
	}
	return u.OpenID
}

const (
	userCols  = "id, area, phone, email, openid, uid, nickname, avatar, gender, birthday, address, province, city, intro, role, is_active, created_at, updated_at"
	userColsU = "u.id, u.area, u.phone, u.email, u.openid, u.uid, u.nickname, u.avatar, u.gender, u.birthday, u.address, u.province, u.city, u.intro, u.role, u.is_active, u.created_at, u.updated_at"
)

func (u *User) scanDest() []any {
	return []any{&u.ID, &u.Area, &u.Phone, &u.Email, &u.OpenID, &u.UID, &u.Nickname, &u.Avatar, &u.Gender,
		&u.Birthday, &u.Address, &u.Province, &u.City, &u.Intro, &u.Role, &u.Active, (*store.Millis)(&u.CreatedAt), (*store.Millis)(&u.UpdatedAt)}
}

func scanUser(row store.Scanner) (User, error) {
	var u User
	err := row.Scan(u.scanDest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.E(errs.NotFound, "no such user")
	}
	if err != nil {
		return User{}, errs.Wrap(err, "read user")
	}
	return u, nil
}

// NewUID makes a public user id: 32 lowercase hex digits.
func NewUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// UserByUID returns the user with a public id.
func (s *Service) UserByUID(ctx context.Context, uid string) (User, error) {
	return scanUser(s.db.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE uid = ?", uid))
}

// UsersByID returns the users with the given ids, by id (unknown ids are
// left out): one query for a whole page of authors.
func (s *Service) UsersByID(ctx context.Context, ids []int64) (map[int64]User, error) {
	out := make(map[int64]User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := store.InIDs(ids)
	users, err := store.Collect(ctx, s.db, "SELECT "+userCols+" FROM users WHERE id IN ("+in+")", args, scanUser)
	if err != nil {
		return nil, errs.Wrap(err, "read users")
	}
	for _, u := range users {
		out[u.ID] = u
	}
	return out, nil
}

// Author is how a user shows next to what they wrote.
type Author struct {
	ID       int64
	UID      string
	Nickname string
	Avatar   string
	Phone    string // "" for an account without one (the live face's userId)
	Gender   int
}

// Authors returns the authors with the given ids, by id (unknown ids are
// left out): at most one query for a whole page, none when the token-check
// cache is on and holds them all (it is told of every profile change).
func (s *Service) Authors(ctx context.Context, ids []int64) (map[int64]Author, error) {
	out := make(map[int64]Author, len(ids))
	missing := ids
	var stamp uint64
	if c := s.auth; c != nil {
		now := s.now()
		missing = make([]int64, 0, len(ids))
		c.mu.Lock()
		for _, id := range ids {
			if a, ok := c.getAuthor(id, now); ok {
				out[id] = a
			} else {
				missing = append(missing, id)
			}
		}
		stamp = c.gen
		c.mu.Unlock()
	}
	if len(missing) == 0 {
		return out, nil
	}
	in, args := store.InIDs(missing)
	got, err := store.Collect(ctx, s.db, "SELECT id, uid, nickname, avatar, phone, gender FROM users WHERE id IN ("+in+")", args,
		func(r store.Scanner) (Author, error) {
			var a Author
			return a, r.Scan(&a.ID, &a.UID, &a.Nickname, &a.Avatar, &a.Phone, &a.Gender)
		})
	if err != nil {
		return nil, errs.Wrap(err, "read authors")
	}
	if c := s.auth; c != nil {
		now := s.now()
		c.mu.Lock()
		for _, a := range got {
			c.putAuthor(a, stamp, now)
		}
		c.mu.Unlock()
	}
	for _, a := range got {
		out[a.ID] = a
	}
	return out, nil
}

// User returns the user with id.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	return scanUser(s.db.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
}

func accountWhere(a Account) (string, []any) {
	if a.IsEmail() {
		return "email = ?", []any{a.Email}
	}
	return "area = ? AND phone = ?", []any{a.Area, a.Phone}
}

// UserByAccount finds the user of an account (NotFound with
// ReasonAccountNotFound when none).
func (s *Service) UserByAccount(ctx context.Context, a Account) (User, error) {
	return s.userByAccount(ctx, a)
}

func (s *Service) userByAccount(ctx context.Context, a Account) (User, error) {
	u, _, err := s.userAndHash(ctx, a)
	return u, err
}

func (s *Service) userAndHash(ctx context.Context, a Account) (User, string, error) {
	where, args := accountWhere(a)
	var u User
	var hash string
	err := s.db.QueryRow(ctx, "SELECT "+userCols+", password_hash FROM users WHERE "+where, args...).
		Scan(append(u.scanDest(), &hash)...)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", errs.R(errs.NotFound, ReasonNotRegistered, "account is not registered")
	}
	if err != nil {
		return User{}, "", errs.Wrap(err, "read user")
	}
	return u, hash, nil
}

// CheckPassword applies the password policy: 6 to 128 characters.
func CheckPassword(p string) error {
	if p == "" {
		return errs.InvalidField("password", "password is required")
	}
	if len([]rune(p)) < 6 {
		return errs.InvalidField("password", "password must be at least 6 characters")
	}
	return valid.Line("password", p, 128)
}

// Register creates an account after checking (and using up) its code, and
// signs the new user in.
func (s *Service) Register(ctx context.Context, a Account, code, password string) (User, TokenPair, error) {
	return s.RegisterWith(ctx, a, code, password, "")
}

// RegisterWith is Register with the new user's nickname.
func (s *Service) RegisterWith(ctx context.Context, a Account, code, password, nickname string) (User, TokenPair, error) {
	if err := CheckPassword(password); err != nil {
		return User{}, TokenPair{}, err
	}
	if err := valid.Line("nickname", nickname, MaxNickname); err != nil {
		return User{}, TokenPair{}, err
	}
	if _, err := s.userByAccount(ctx, a); err == nil {
		return User{}, TokenPair{}, errs.R(errs.Conflict, ReasonRegistered, "account is already registered")
	} else if !errs.Is(err, errs.NotFound) {
		return User{}, TokenPair{}, err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return User{}, TokenPair{}, errs.Wrap(err, "hash password")
	}
	var (
		u       User
		p       TokenPair
		failure error
	)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		failure, err = s.verifyCode(ctx, tx, a, code, true)
		if err != nil || failure != nil {
			return err
		}
		u, err = s.insertUser(ctx, tx, a, hash, "", nickname)
		if err != nil {
			return err
		}
		p, err = s.issue(ctx, tx, u.ID, RandomString(24), 0)
		return err
	})
	if err != nil {
		return User{}, TokenPair{}, err
	}
	if failure != nil {
		return User{}, TokenPair{}, failure
	}
	return u, p, nil
}

// insertUser adds a user; openID is made when empty.
func (s *Service) insertUser(ctx context.Context, tx *store.Tx, a Account, passwordHash, openID, nickname string) (User, error) {
	if openID == "" {
		openID = RandomString(40)
	}
	now := s.now().UnixMilli()
	u, err := scanUser(tx.QueryRow(ctx, `INSERT INTO users (area, phone, email, openid, uid, password_hash, nickname, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+userCols, a.Area, a.Phone, a.Email, openID, NewUID(), passwordHash, nickname, now, now))
	if store.IsUniqueViolation(err) {
		return User{}, errs.R(errs.Conflict, ReasonRegistered, "account is already registered")
	}
	return u, err
}

// ResetPassword sets a new password after checking (and using up) a code.
// Every session of the user ends. A banned account cannot (Forbidden,
// ReasonBanned), whatever code it holds.
func (s *Service) ResetPassword(ctx context.Context, a Account, code, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	u, err := s.userByAccount(ctx, a)
	if err != nil {
		return err
	}
	if !u.Active {
		return errBanned
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return errs.Wrap(err, "hash password")
	}
	var failure error
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// Again under the row lock a ban takes: a ban that landed since
		// the read above refuses the reset, and leaves the code unused.
		var active bool
		if err := tx.QueryRow(ctx, "SELECT is_active FROM users WHERE id = ?"+tx.ForUpdate(), u.ID).Scan(&active); err != nil {
			return errs.Wrap(err, "read user")
		}
		if !active {
			return errBanned
		}
		failure, err = s.verifyCode(ctx, tx, a, code, true)
		if err != nil || failure != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, s.now().UnixMilli(), u.ID); err != nil {
			return errs.Wrap(err, "set password")
		}
		_, err := tx.Exec(ctx, "UPDATE tokens SET revoked = TRUE WHERE user_id = ?", u.ID)
		return errs.Wrap(err, "end sessions")
	})
	s.userChanged(u.ID)
	if err != nil {
		return err
	}
	return failure
}

// Profile is a change to a user's profile; nil fields stay as they are.
type Profile struct {
	Nickname *string
	Avatar   *string
	Gender   *int
	Birthday *string
	Address  *string
	Province *string
	City     *string
	Intro    *string
	Email    *string // "" clears it
}

// Field caps of the profile.
const (
	MaxNickname = 64
	MaxAvatar   = 1024
	MaxAddress  = 256
	MaxPlace    = 64
	MaxIntro    = 4000
)

func (p Profile) check(now time.Time) error {
	if p.Nickname != nil {
		if err := valid.Line("nickname", *p.Nickname, MaxNickname); err != nil {
			return err
		}
	}
	if p.Address != nil {
		if err := valid.Line("address", *p.Address, MaxAddress); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name  string
		v     *string
		max   int
		check func(field, v string, max int) error
	}{{"province", p.Province, MaxPlace, valid.Line}, {"city", p.City, MaxPlace, valid.Line}, {"intro", p.Intro, MaxIntro, valid.Text}} {
		if f.v != nil {
			if err := f.check(f.name, *f.v, f.max); err != nil {
				return err
			}
		}
	}
	if p.Email != nil && *p.Email != "" {
		if _, err := ParseEmail(*p.Email); err != nil {
			return errs.InvalidField("email", "invalid e-mail address")
		}
	}
	if p.Gender != nil && (*p.Gender < 0 || *p.Gender > 2) {
		return errs.InvalidField("gender", "gender must be 0 (female), 1 (male) or 2 (secret)")
	}
	if p.Birthday != nil && *p.Birthday != "" {
		if err := valid.Date("birthday", *p.Birthday); err != nil {
			return err
		}
		d, _ := time.Parse(time.DateOnly, *p.Birthday)
		if d.Year() < 1900 || d.After(now) {
			return errs.InvalidField("birthday", "birthday is out of range")
		}
	}
	return nil
}

// UpdateProfile applies p to the user and returns the result. The avatar
// is checked (and a media reference resolved) as avatar.go says.
func (s *Service) UpdateProfile(ctx context.Context, id int64, p Profile) (User, error) {
	p, err := s.PrepareProfile(ctx, p)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		u, err = s.UpdateProfileIn(ctx, tx, id, p)
		return err
	})
	return u, err
}

// PrepareProfile checks a profile change and resolves its avatar (a media
// reference to its media id), before the unit that applies it
// (UpdateProfileIn, RegisterDevice): it reads the media core, which a unit
// may not.
func (s *Service) PrepareProfile(ctx context.Context, p Profile) (Profile, error) {
	if err := p.check(s.now()); err != nil {
		return Profile{}, err
	}
	if p.Avatar != nil {
		a, err := s.avatar(ctx, *p.Avatar)
		if err != nil {
			return Profile{}, err
		}
		p.Avatar = &a
	}
	return p, nil
}

// UpdateProfileIn applies a prepared profile change (PrepareProfile) in
// the caller's unit.
func (s *Service) UpdateProfileIn(ctx context.Context, tx *store.Tx, id int64, p Profile) (User, error) {
	sets := []string{"updated_at = ?"}
	args := []any{tx.Now().UnixMilli()}
	add := func(col string, v any) {
		sets = append(sets, col+" = ?")
		args = append(args, v)
	}
	if p.Nickname != nil {
		add("nickname", strings.TrimSpace(*p.Nickname))
	}
	if p.Avatar != nil {
		add("avatar", *p.Avatar)
	}
	if p.Gender != nil {
		add("gender", *p.Gender)
	}
	if p.Birthday != nil {
		add("birthday", *p.Birthday)
	}
	if p.Address != nil {
		add("address", *p.Address)
	}
	if p.Province != nil {
		add("province", *p.Province)
	}
	if p.City != nil {
		add("city", *p.City)
	}
	if p.Intro != nil {
		add("intro", *p.Intro)
	}
	if p.Email != nil {
		e := strings.ToLower(strings.TrimSpace(*p.Email))
		add("email", e)
	}
	args = append(args, id)
	u, err := scanUser(tx.QueryRow(ctx, "UPDATE users SET "+strings.Join(sets, ", ")+" WHERE id = ? RETURNING "+userCols, args...))
	tx.AfterCommit(func() { s.userChanged(id) })
	s.auth.invalidate(id) // and the fills under way in this transaction
	if store.IsUniqueViolation(err) {
		return User{}, errs.R(errs.Conflict, ReasonRegistered, "this e-mail address belongs to another account")
	}
	return u, err
}

// Users lists users, newest first.
func (s *Service) Users(ctx context.Context, offset, limit int) ([]User, int, error) {
	total, err := s.UsersTotal(ctx) // the counter row, not COUNT(*) over the table
	if err != nil {
		return nil, 0, err
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+userCols+" FROM users ORDER BY id DESC"+store.LimitOffset,
		[]any{limit, offset}, scanUser)
	return out, total, errs.Wrap(err, "list users")
}

// SetActive bans (false) or restores (true) a user. A ban ends every
// session of the user at once.
func (s *Service) SetActive(ctx context.Context, id int64, active bool) (User, error) {
	var u User
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, "UPDATE users SET is_active = ?, updated_at = ? WHERE id = ? RETURNING "+userCols,
			active, s.now().UnixMilli(), id))
		if err != nil || active {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE tokens SET revoked = TRUE WHERE user_id = ?", id)
		return errs.Wrap(err, "end sessions")
	})
	s.userChanged(id)
	return u, err
}
