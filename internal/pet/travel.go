package pet

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// within is a random duration from lo to hi (both included), to the
// millisecond.
func within(lo, hi time.Duration) time.Duration {
	span := (hi - lo).Milliseconds()
	if span <= 0 {
		return lo
	}
	return lo + time.Duration(rand.Int64N(span+1))*time.Millisecond
}

// send sends a pet travelling in the caller's unit: it leaves LeaveMin to
// LeaveMax after the unit's time and is back BackMin to BackMax after it
// left.
func (s *Service) send(ctx context.Context, tx *store.Tx, petID int64) error {
	leave := tx.Now().Add(within(s.cfg.LeaveMin, s.cfg.LeaveMax))
	back := leave.Add(within(s.cfg.BackMin, s.cfg.BackMax))
	_, err := tx.Exec(ctx, "UPDATE pets SET leave_at = ?, back_at = ? WHERE id = ?", leave.UnixMilli(), back.UnixMilli(), petID)
	return errs.Wrap(err, "send pet")
}

const resetPets = "UPDATE pets SET eaten = FALSE, showered = FALSE, gift_id = NULL, leave_at = NULL, back_at = NULL, updated_at = ?" +
	" WHERE id IN (?, ?) AND back_at IS NOT NULL AND back_at <= ?"

// pair runs in the heartbeat's unit: a pet back from travelling (back_at
// passed) is paired with another pet that is back, the one back first: two
// petships are written, one each way, each with the gift its sender's pet
// carried (and the receiver's); both pets are reset (not fed, not bathed,
// no gift, no travel). With no partner the pet is reset all the same. p
// is updated.
//
// The claim is safe with heartbeats on several nodes: the pet's own row is
// locked (FOR UPDATE, and read again: another heartbeat may have paired it
// meanwhile), the partner is taken with FOR UPDATE SKIP LOCKED (a pet
// being looked at by its own heartbeat or claimed by another is passed
// over), and one conditional UPDATE resets both, which must reset each of
// them. SQLite's unit holds the write lock from its start. So a pet is
// paired at most once, and never with itself.
func (s *Service) pair(ctx context.Context, tx *store.Tx, p *Pet) error {
	now := tx.Now()
	if p.BackAt.IsZero() || p.BackAt.After(now) {
		return nil
	}
	me, err := petOf(tx.QueryRow(ctx, "SELECT "+petCols+" FROM pets WHERE id = ?"+tx.ForUpdate(), p.ID))
	if err != nil {
		return errs.Wrap(err, "read pet")
	}
	*p = me
	if me.BackAt.IsZero() || me.BackAt.After(now) {
		return nil // paired by another heartbeat meanwhile
	}
	skip := ""
	if tx.Engine() == store.Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	ms := now.UnixMilli()
	other, err := petOf(tx.QueryRow(ctx, "SELECT "+petCols+" FROM pets WHERE back_at IS NOT NULL AND back_at <= ? AND id <> ?"+
		" ORDER BY back_at, id LIMIT 1"+skip, ms, me.ID))
	found := err == nil
	if err != nil && !store.NoRows(err) {
		return errs.Wrap(err, "find partner")
	}
	want, otherID := int64(1), me.ID
	if found {
		want, otherID = 2, other.ID
	}
	res, err := tx.Exec(ctx, resetPets, ms, me.ID, otherID, ms)
	if err != nil {
		return errs.Wrap(err, "reset pets")
	}
	if n, _ := res.RowsAffected(); n != want {
		return errs.E(errs.Conflict, "the pets were paired meanwhile")
	}
	if found {
		for _, w := range [][2]Pet{{me, other}, {other, me}} {
			if _, err := tx.Exec(ctx, `INSERT INTO petships (sender_pet_id, receiver_pet_id, receiver_user_id, gift_id, receiver_gift_id, is_read, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, FALSE, ?, ?)`, w[0].ID, w[1].ID, w[1].UserID, nullID(w[0].GiftID), nullID(w[1].GiftID), ms, ms); err != nil {
				return errs.Wrap(err, "write petship")
			}
		}
	}
	p.Eaten, p.Showered, p.GiftID, p.LeaveAt, p.BackAt, p.UpdatedAt = false, false, 0, time.Time{}, time.Time{}, time.UnixMilli(ms)
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Encounter is a petship: what one pet met on its travels, sent to the
// other's owner.
type Encounter struct {
	ID             int64
	SenderPetID    int64
	ReceiverPetID  int64
	ReceiverUserID int64
	GiftID         int64 // the gift the sender's pet carried; 0: none
	ReceiverGiftID int64 // the gift the receiver's pet carried; 0: none
	Read           bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const encounterCols = "id, sender_pet_id, receiver_pet_id, receiver_user_id, gift_id, receiver_gift_id, is_read, created_at, updated_at"

func encounterOf(r store.Scanner) (Encounter, error) {
	var e Encounter
	var g, rg sql.NullInt64
	err := r.Scan(&e.ID, &e.SenderPetID, &e.ReceiverPetID, &e.ReceiverUserID, &g, &rg, &e.Read,
		(*store.Millis)(&e.CreatedAt), (*store.Millis)(&e.UpdatedAt))
	e.GiftID, e.ReceiverGiftID = g.Int64, rg.Int64
	return e, err
}

// Encounters returns a page of the petships sent to the user's pet, unread
// first, then newest, and their total.
func (s *Service) Encounters(ctx context.Context, userID int64, offset, limit int) ([]Encounter, int, error) {
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM petships WHERE receiver_user_id = ?", userID)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count encounters")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+encounterCols+" FROM petships WHERE receiver_user_id = ? ORDER BY is_read, id DESC"+store.LimitOffset,
		[]any{userID, limit, offset}, encounterOf)
	return out, total, errs.Wrap(err, "list encounters")
}

// ReadEncounter returns one petship sent to the user and marks it read.
// Unknown: NotFound; sent to another user: Forbidden.
func (s *Service) ReadEncounter(ctx context.Context, userID, id int64) (Encounter, error) {
	var e Encounter
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		e, err = encounterOf(tx.QueryRow(ctx, "UPDATE petships SET is_read = TRUE, updated_at = ? WHERE id = ? AND receiver_user_id = ? RETURNING "+encounterCols,
			tx.Now().UnixMilli(), id, userID))
		if store.NoRows(err) {
			n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM petships WHERE id = ?", id)
			if err != nil {
				return errs.Wrap(err, "read encounter")
			}
			if n == 0 {
				return errs.E(errs.NotFound, "no such encounter")
			}
			return errs.E(errs.Forbidden, "not your encounter")
		}
		return errs.Wrap(err, "write encounter")
	})
	return e, err
}

// Pet returns a pet by id (NotFound, ReasonNoPet, when absent).
func (s *Service) Pet(ctx context.Context, id int64) (Pet, error) {
	p, err := petOf(s.db.QueryRow(ctx, "SELECT "+petCols+" FROM pets WHERE id = ?", id))
	if store.NoRows(err) {
		return Pet{}, errNoPet
	}
	return p, errs.Wrap(err, "read pet")
}

// Gift returns a gift by id, used or not (NotFound, ReasonNoGift, when
// absent).
func (s *Service) Gift(ctx context.Context, id int64) (Gift, error) {
	g, err := giftOf(s.db.QueryRow(ctx, "SELECT "+giftCols+" FROM pet_gifts t JOIN goods g ON g.id = t.goods_id WHERE t.id = ?", id))
	if store.NoRows(err) {
		return Gift{}, errNoGift
	}
	return g, errs.Wrap(err, "read gift")
}
