// Package pet is the pet game of the doge face (seed 000): a player's game
// state (pending poop and when it last accrued, the game's own profile
// fields), one pet per user, feeding and bathing paid in coins, the shop of
// goods (catalog.Goods) and the gifts bought there. Every coin move is a
// ledger transaction (internal/wallet, currency coin) in the same unit as
// the game state it pays for. Every rule number is a setting (Config).
package pet

import (
	"context"
	"strconv"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
	"plaza/internal/wallet"
)

// Config holds the rule numbers of the game; every field is a setting.
type Config struct {
	StartCoins int64         // coins a new player is granted; default 30
	StartPoop  int           // pending poop of a new player; default 8
	PoopEvery  time.Duration // one more pending poop per this; default 5 minutes
	PoopMax    int           // at most this many pending; default 12
	PickCoins  int64         // coins a picked poop pays; default 1
	FeedCoins  int64         // what feeding costs; default 4
	BathCoins  int64         // what bathing costs; default 2
	// Travel: a pet fed and bathed leaves LeaveMin to LeaveMax later and
	// is back BackMin to BackMax after it left (at random within each);
	// defaults 1-5 and 6-9 minutes.
	LeaveMin, LeaveMax time.Duration
	BackMin, BackMax   time.Duration
}

// DefaultConfig returns the original game's numbers.
func DefaultConfig() Config {
	return Config{StartCoins: 30, StartPoop: 8, PoopEvery: 5 * time.Minute, PoopMax: 12, PickCoins: 1, FeedCoins: 4, BathCoins: 2,
		LeaveMin: time.Minute, LeaveMax: 5 * time.Minute, BackMin: 6 * time.Minute, BackMax: 9 * time.Minute}
}

// Reasons of the pet core's errors, for the faces' tables.
var (
	ReasonNoPet    = errs.NewReason("pet.no_pet")     // NotFound: the user has no pet
	ReasonHasPet   = errs.NewReason("pet.has_pet")    // Conflict: the user has a pet already
	ReasonNoPoop   = errs.NewReason("pet.no_poop")    // NotFound: no poop is pending
	ReasonDone     = errs.NewReason("pet.done")       // Conflict: already fed / bathed since the last reset
	ReasonNoGoods  = errs.NewReason("pet.no_goods")   // NotFound: no such goods
	ReasonNoGift   = errs.NewReason("pet.no_gift")    // NotFound: no such unused gift of the user
	ReasonCarrying = errs.NewReason("pet.carrying")   // Conflict: the pet carries a gift already
	ReasonAction   = errs.NewReason("pet.bad_action") // Invalid: not an action
)

var (
	errNoPet    = errs.R(errs.NotFound, ReasonNoPet, "the user has no pet")
	errNoGoods  = errs.R(errs.NotFound, ReasonNoGoods, "no such goods")
	errNoGift   = errs.R(errs.NotFound, ReasonNoGift, "no such gift")
	errCarrying = errs.R(errs.Conflict, ReasonCarrying, "the pet carries a gift already")
)

// Service is the pet core.
type Service struct {
	db       *store.DB
	wallet   *wallet.Service
	accounts *account.Service
	cfg      Config
}

// New returns the pet core.
func New(db *store.DB, w *wallet.Service, a *account.Service, cfg Config) *Service {
	return &Service{db: db, wallet: w, accounts: a, cfg: cfg}
}

// SignUp creates a player: a plaza user known by a device/open id
// (account.RegisterDevice; "" makes one, a taken one is Conflict), with
// the account's profile fields (a, prepared by account.PrepareProfile) and
// the game's (g), who joins the game (the starting coins and poop), all in
// one unit. It returns the user, their token and the player with coins.
func (s *Service) SignUp(ctx context.Context, openID string, a account.Profile, g ProfileChange) (account.User, account.TokenPair, Player, error) {
	if err := g.Check(); err != nil {
		return account.User{}, account.TokenPair{}, Player{}, err
	}
	var (
		u    account.User
		pair account.TokenPair
		p    Player
	)
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if u, pair, err = s.accounts.RegisterDevice(ctx, tx, openID, a); err != nil {
			return err
		}
		if _, err = s.Join(ctx, tx, u.ID); err != nil {
			return err
		}
		p, err = s.SetProfile(ctx, tx, u.ID, g)
		return err
	})
	if err != nil {
		return account.User{}, account.TokenPair{}, Player{}, err
	}
	p.Money, err = s.wallet.Balance(ctx, u.ID, wallet.Coin)
	return u, pair, p, err
}

// Update changes a player's profile, the account's fields (prepared) and
// the game's, in one unit (joining the game if they had not).
func (s *Service) Update(ctx context.Context, userID int64, a account.Profile, g ProfileChange) (account.User, Player, error) {
	if err := g.Check(); err != nil {
		return account.User{}, Player{}, err
	}
	var (
		u account.User
		p Player
	)
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if u, err = s.accounts.UpdateProfileIn(ctx, tx, userID, a); err != nil {
			return err
		}
		if _, err = s.Join(ctx, tx, u.ID); err != nil {
			return err
		}
		p, err = s.SetProfile(ctx, tx, u.ID, g)
		return err
	})
	if err != nil {
		return account.User{}, Player{}, err
	}
	p.Money, err = s.wallet.Balance(ctx, u.ID, wallet.Coin)
	return u, p, err
}

// Config returns the rules in force.
func (s *Service) Config() Config { return s.cfg }

// Player is a user's game state.
type Player struct {
	UserID    int64
	Pick      int       // pending poop
	PickAt    time.Time // when poop last accrued
	Profile   Profile
	Money     int64 // coins (filled by the calls that say so)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Profile are the game's own profile fields (the rest are the account's).
type Profile struct {
	Age, Sports, Foods, Country, Travel string
}

// ProfileChange changes the fields that are not nil.
type ProfileChange struct {
	Age, Sports, Foods, Country, Travel *string
}

// MaxField caps each of the game's profile fields.
const MaxField = 64

// Check checks a change.
func (c ProfileChange) Check() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"age", c.Age}, {"sports", c.Sports}, {"foods", c.Foods}, {"country", c.Country}, {"travel", c.Travel}} {
		if f.v != nil {
			if err := valid.Line(f.name, *f.v, MaxField); err != nil {
				return err
			}
		}
	}
	return nil
}

const playerCols = "user_id, pick, pick_at, age, sports, foods, country, travel, created_at, updated_at"

func playerOf(r store.Scanner) (Player, error) {
	var p Player
	err := r.Scan(&p.UserID, &p.Pick, (*store.Millis)(&p.PickAt), &p.Profile.Age, &p.Profile.Sports, &p.Profile.Foods,
		&p.Profile.Country, &p.Profile.Travel, (*store.Millis)(&p.CreatedAt), (*store.Millis)(&p.UpdatedAt))
	return p, err
}

// Join makes the user a player in the caller's unit, if they are not one
// yet (a user made by another face comes to the game this way too): the
// starting poop, and the starting coins granted through the wallet under
// an idempotency key, so that a user is granted them once whatever
// happens. It returns the player, its row locked until the unit ends.
func (s *Service) Join(ctx context.Context, tx *store.Tx, userID int64) (Player, error) {
	now := tx.Now().UnixMilli()
	p, err := playerOf(tx.QueryRow(ctx, `INSERT INTO pet_players (user_id, pick, pick_at, created_at, updated_at)
		SELECT id, ?, ?, ?, ? FROM users WHERE id = ? ON CONFLICT (user_id) DO NOTHING RETURNING `+playerCols,
		s.cfg.StartPoop, now, now, now, userID))
	if err == nil {
		if s.cfg.StartCoins > 0 {
			if _, err := s.wallet.Grant(ctx, tx, userID, wallet.Coin, s.cfg.StartCoins, wallet.Meta{
				Reason: "新用户", Ref: wallet.Ref{Kind: "pet_start", ID: strconv.FormatInt(userID, 10)}, Key: "pet_start",
			}); err != nil {
				return Player{}, err
			}
		}
		return p, nil
	}
	if !store.NoRows(err) {
		return Player{}, errs.Wrap(err, "write player")
	}
	p, err = playerOf(tx.QueryRow(ctx, "SELECT "+playerCols+" FROM pet_players WHERE user_id = ?"+tx.ForUpdate(), userID))
	if store.NoRows(err) {
		return Player{}, errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
	}
	return p, errs.Wrap(err, "read player")
}

// SetProfile applies a checked change of the game's profile fields in the
// caller's unit (Join first).
func (s *Service) SetProfile(ctx context.Context, tx *store.Tx, userID int64, c ProfileChange) (Player, error) {
	if err := c.Check(); err != nil {
		return Player{}, err
	}
	q, args := "UPDATE pet_players SET updated_at = ?", []any{tx.Now().UnixMilli()}
	for _, f := range []struct {
		col string
		v   *string
	}{{"age", c.Age}, {"sports", c.Sports}, {"foods", c.Foods}, {"country", c.Country}, {"travel", c.Travel}} {
		if f.v != nil {
			q, args = q+", "+f.col+" = ?", append(args, *f.v)
		}
	}
	p, err := playerOf(tx.QueryRow(ctx, q+" WHERE user_id = ? RETURNING "+playerCols, append(args, userID)...))
	return p, errs.Wrap(err, "write player")
}

// Player returns a user's game state with their coins; a user who never
// played shows the starting state they would get (nothing is written).
func (s *Service) Player(ctx context.Context, userID int64) (Player, error) {
	p, err := playerOf(s.db.QueryRow(ctx, "SELECT "+playerCols+" FROM pet_players WHERE user_id = ?", userID))
	if store.NoRows(err) {
		p, err = Player{UserID: userID, Pick: s.cfg.StartPoop}, nil
	}
	if err != nil {
		return Player{}, errs.Wrap(err, "read player")
	}
	p.Money, err = s.wallet.Balance(ctx, userID, wallet.Coin)
	return p, err
}

// accrue adds the poop due since the last accrual to a locked player: one
// per PoopEvery, at most PoopMax pending. The time of a part period is
// kept; when the cap is reached the clock starts again from now (no poop
// is banked while the yard is full).
func (s *Service) accrue(ctx context.Context, tx *store.Tx, p *Player) error {
	now := tx.Now()
	if p.Pick >= s.cfg.PoopMax {
		if !p.PickAt.Equal(now) && p.PickAt.Before(now) {
			p.PickAt = now
			return s.savePick(ctx, tx, p)
		}
		return nil
	}
	n := int64(0)
	if el := now.Sub(p.PickAt); el > 0 {
		n = int64(el / s.cfg.PoopEvery)
	}
	if n == 0 {
		return nil
	}
	if int64(p.Pick)+n >= int64(s.cfg.PoopMax) {
		p.Pick, p.PickAt = s.cfg.PoopMax, now
	} else {
		p.Pick += int(n)
		p.PickAt = p.PickAt.Add(time.Duration(n) * s.cfg.PoopEvery)
	}
	return s.savePick(ctx, tx, p)
}

func (s *Service) savePick(ctx context.Context, tx *store.Tx, p *Player) error {
	_, err := tx.Exec(ctx, "UPDATE pet_players SET pick = ?, pick_at = ?, updated_at = ? WHERE user_id = ?",
		p.Pick, p.PickAt.UnixMilli(), tx.Now().UnixMilli(), p.UserID)
	return errs.Wrap(err, "write poop")
}

// Pick picks one pending poop (after accruing what is due) and pays
// PickCoins for it, in one unit: none pending, NotFound (ReasonNoPoop).
// The player's row lock holds parallel picks apart, so each poop is picked
// once.
func (s *Service) Pick(ctx context.Context, userID int64) (Player, error) {
	var p Player
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if p, err = s.Join(ctx, tx, userID); err != nil {
			return err
		}
		if err := s.accrue(ctx, tx, &p); err != nil {
			return err
		}
		if p.Pick == 0 {
			return errs.R(errs.NotFound, ReasonNoPoop, "无屎可捡")
		}
		res, err := tx.Exec(ctx, "UPDATE pet_players SET pick = pick - 1, updated_at = ? WHERE user_id = ? AND pick > 0",
			tx.Now().UnixMilli(), userID)
		if err != nil {
			return errs.Wrap(err, "pick")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.R(errs.NotFound, ReasonNoPoop, "无屎可捡")
		}
		p.Pick--
		if s.cfg.PickCoins <= 0 {
			return nil
		}
		t, err := s.wallet.Grant(ctx, tx, userID, wallet.Coin, s.cfg.PickCoins, wallet.Meta{Reason: "捡屎", Ref: wallet.Ref{Kind: "pet_pick", ID: strconv.FormatInt(userID, 10)}})
		if err != nil {
			return err
		}
		p.Money = t.Legs[1].Balance
		return nil
	})
	if err != nil {
		return Player{}, err
	}
	if s.cfg.PickCoins <= 0 {
		p.Money, err = s.wallet.Balance(ctx, userID, wallet.Coin)
	}
	return p, err
}
