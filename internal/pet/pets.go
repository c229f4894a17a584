package pet

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
	"plaza/internal/wallet"
)

// Pet is a user's dog.
type Pet struct {
	ID        int64
	UserID    int64
	Name      string
	Picture   string
	Breed     int // the document's type: 1 沙皮, 2 萨摩, 3 金毛, 4 蒂姆
	Sex       int
	Nature    int // the document's character, 1-8
	Wish      int // the character wished for, 1-8
	Eaten     bool
	Showered  bool
	GiftID    int64     // the gift it carries; 0: none
	LeaveAt   time.Time // when it leaves travelling; zero: not going
	BackAt    time.Time // when it is back from travelling; zero: not going
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewPet is what a user chooses of a new pet.
type NewPet struct {
	Breed, Sex, Nature, Wish int
}

// Check checks the choice.
func (n NewPet) Check() error {
	switch {
	case n.Breed < 1 || n.Breed > 4:
		return errs.InvalidField("type", "type must be 1 to 4")
	case n.Sex < 0 || n.Sex > 2:
		return errs.InvalidField("sex", "sex must be 0 to 2")
	case n.Nature < 1 || n.Nature > 8:
		return errs.InvalidField("character", "character must be 1 to 8")
	case n.Wish < 1 || n.Wish > 8:
		return errs.InvalidField("wish", "wish must be 1 to 8")
	}
	return nil
}

const petCols = "id, user_id, name, picture, breed, sex, nature, wish, eaten, showered, gift_id, leave_at, back_at, created_at, updated_at"

func petOf(r store.Scanner) (Pet, error) {
	var p Pet
	var gift, leave, back sql.NullInt64
	err := r.Scan(&p.ID, &p.UserID, &p.Name, &p.Picture, &p.Breed, &p.Sex, &p.Nature, &p.Wish, &p.Eaten, &p.Showered, &gift,
		&leave, &back, (*store.Millis)(&p.CreatedAt), (*store.Millis)(&p.UpdatedAt))
	p.GiftID = gift.Int64
	if leave.Valid {
		p.LeaveAt = time.UnixMilli(leave.Int64)
	}
	if back.Valid {
		p.BackAt = time.UnixMilli(back.Int64)
	}
	return p, err
}

// MaxName caps a pet's name.
const MaxName = 100

// Create gives the user their pet, named "{nick}的狗子", in a unit with
// joining the game. A second pet: Conflict (ReasonHasPet).
func (s *Service) Create(ctx context.Context, userID int64, nick string, n NewPet) (Pet, Player, error) {
	if err := n.Check(); err != nil {
		return Pet{}, Player{}, err
	}
	name := []rune(nick + "的狗子")
	if len(name) > MaxName {
		name = name[len(name)-MaxName:]
	}
	if err := valid.Line("name", string(name), MaxName); err != nil {
		return Pet{}, Player{}, err
	}
	var (
		p  Pet
		pl Player
	)
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if pl, err = s.Join(ctx, tx, userID); err != nil {
			return err
		}
		now := tx.Now().UnixMilli()
		p, err = petOf(tx.QueryRow(ctx, `INSERT INTO pets (user_id, name, breed, sex, nature, wish, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING RETURNING `+petCols,
			userID, string(name), n.Breed, n.Sex, n.Nature, n.Wish, now, now))
		if store.NoRows(err) {
			return errs.R(errs.Conflict, ReasonHasPet, "the user has a pet already")
		}
		return errs.Wrap(err, "write pet")
	})
	if err != nil {
		return Pet{}, Player{}, err
	}
	pl.Money, err = s.wallet.Balance(ctx, userID, wallet.Coin)
	return p, pl, err
}

// Heartbeat is the app's periodic look at its pet: in one unit it pairs
// the pet if it is back from travelling (pair), accrues the poop due (Join
// and accrue) and reads the pet. No pet: NotFound
// (ReasonNoPet), and nothing is written. New tells whether an encounter
// sent to the pet is unread.
func (s *Service) Heartbeat(ctx context.Context, userID int64) (p Pet, pl Player, unread bool, err error) {
	err = s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		// The player's row first, then the pet's: every unit of the game
		// locks them in that order, so two never wait for each other.
		if pl, err = s.Join(ctx, tx, userID); err != nil {
			return err
		}
		p, err = petOf(tx.QueryRow(ctx, "SELECT "+petCols+" FROM pets WHERE user_id = ?", userID))
		if store.NoRows(err) {
			return errNoPet
		}
		if err != nil {
			return errs.Wrap(err, "read pet")
		}
		if err := s.pair(ctx, tx, &p); err != nil {
			return err
		}
		if err := s.accrue(ctx, tx, &pl); err != nil {
			return err
		}
		n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM (SELECT 1 FROM petships WHERE receiver_user_id = ? AND is_read = FALSE LIMIT 1) x", userID)
		unread = n > 0
		return errs.Wrap(err, "read encounters")
	})
	if err != nil {
		return Pet{}, Player{}, false, err
	}
	pl.Money, err = s.wallet.Balance(ctx, userID, wallet.Coin)
	return p, pl, unread, err
}

// The actions of Act.
const (
	Feed = 1 // 喂食
	Bath = 2 // 洗澡
)

// Act feeds (Feed, FeedCoins) or bathes (Bath, BathCoins) the user's pet,
// once each until the pet is reset, in one unit: the pet's flag is set by a
// conditional UPDATE (so of two at once one does it) and the coins are
// debited (wallet.Purchase). Done already: Conflict (ReasonDone); too few
// coins: InsufficientFunds; no pet: NotFound (ReasonNoPet); another action:
// Invalid (ReasonAction). The second of the two sends the pet travelling
// (send). On an error nothing is written. It returns the
// coins left.
func (s *Service) Act(ctx context.Context, userID int64, action int) (int64, error) {
	col, cost, what := "", int64(0), ""
	switch action {
	case Feed:
		col, cost, what = "eaten", s.cfg.FeedCoins, "喂食"
	case Bath:
		col, cost, what = "showered", s.cfg.BathCoins, "洗澡"
	default:
		return 0, &errs.Error{Kind: errs.Invalid, Reason: ReasonAction, Field: "action", Msg: "action must be 1 (feed) or 2 (bath)"}
	}
	var money int64 = -1
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var (
			id              int64
			eaten, showered bool
		)
		// The player's row before the pet's (see Heartbeat).
		if _, err := s.Join(ctx, tx, userID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, "UPDATE pets SET "+col+" = TRUE, updated_at = ? WHERE user_id = ? AND "+col+" = FALSE RETURNING id, eaten, showered",
			tx.Now().UnixMilli(), userID).Scan(&id, &eaten, &showered)
		if store.NoRows(err) {
			n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM pets WHERE user_id = ?", userID)
			if err != nil {
				return errs.Wrap(err, "read pet")
			}
			if n == 0 {
				return errNoPet
			}
			return errs.R(errs.Conflict, ReasonDone, "done already")
		}
		if err != nil {
			return errs.Wrap(err, "write pet")
		}
		if eaten && showered {
			if err := s.send(ctx, tx, id); err != nil {
				return err
			}
		}
		if cost <= 0 {
			return nil
		}
		t, err := s.wallet.Purchase(ctx, tx, userID, wallet.Coin, cost, wallet.Meta{Reason: what, Ref: wallet.Ref{Kind: "pet_" + col, ID: strconv.FormatInt(id, 10)}})
		if err != nil {
			return err
		}
		money = t.Legs[0].Balance
		return nil
	})
	if err != nil {
		return 0, err
	}
	if money < 0 {
		return s.wallet.Balance(ctx, userID, wallet.Coin)
	}
	return money, nil
}
