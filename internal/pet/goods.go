package pet

import (
	"context"
	"strconv"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// Goods are what the shop sells (admin-made: catalog.Goods).
type Goods struct {
	ID      int64
	Name    string
	Price   int64 // coins
	Picture string
	Desc    string
}

const goodsCols = "g.id, g.name, g.price, g.picture, g.description"

func goodsOf(r store.Scanner) (Goods, error) {
	var g Goods
	return g, r.Scan(&g.ID, &g.Name, &g.Price, &g.Picture, &g.Desc)
}

// GoodsList returns a page of the goods, in the order admins made them,
// and their total.
func (s *Service) GoodsList(ctx context.Context, offset, limit int) ([]Goods, int, error) {
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM goods")
	if err != nil {
		return nil, 0, errs.Wrap(err, "count goods")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+goodsCols+" FROM goods g ORDER BY g.id"+store.LimitOffset, []any{limit, offset}, goodsOf)
	return out, total, errs.Wrap(err, "list goods")
}

// Gift is one unit of goods a user bought.
type Gift struct {
	ID        int64
	UserID    int64
	Goods     Goods
	Used      bool // carried by the pet
	CreatedAt time.Time
	UpdatedAt time.Time
}

const giftCols = "t.id, t.user_id, t.used, t.created_at, t.updated_at, " + goodsCols

func giftOf(r store.Scanner) (Gift, error) {
	var g Gift
	err := r.Scan(&g.ID, &g.UserID, &g.Used, (*store.Millis)(&g.CreatedAt), (*store.Millis)(&g.UpdatedAt),
		&g.Goods.ID, &g.Goods.Name, &g.Goods.Price, &g.Goods.Picture, &g.Goods.Desc)
	return g, err
}

// Buy buys one unit of goods in one unit: the coins are debited
// (wallet.Purchase; too few: InsufficientFunds) and a new unused gift is
// written. Unknown goods: NotFound (ReasonNoGoods). It returns the gift
// and the coins left.
func (s *Service) Buy(ctx context.Context, userID, goodsID int64) (Gift, int64, error) {
	var (
		g     Gift
		money int64 = -1
	)
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		goods, err := goodsOf(tx.QueryRow(ctx, "SELECT "+goodsCols+" FROM goods g WHERE g.id = ?", goodsID))
		if store.NoRows(err) {
			return errNoGoods
		}
		if err != nil {
			return errs.Wrap(err, "read goods")
		}
		if _, err := s.Join(ctx, tx, userID); err != nil {
			return err
		}
		now := tx.Now()
		g = Gift{UserID: userID, Goods: goods, CreatedAt: now, UpdatedAt: now}
		if err := tx.QueryRow(ctx, `INSERT INTO pet_gifts (user_id, goods_id, price, used, created_at, updated_at)
			VALUES (?, ?, ?, FALSE, ?, ?) RETURNING id`, userID, goods.ID, goods.Price, now.UnixMilli(), now.UnixMilli()).Scan(&g.ID); err != nil {
			return errs.Wrap(err, "write gift")
		}
		if goods.Price == 0 {
			return nil
		}
		t, err := s.wallet.Purchase(ctx, tx, userID, wallet.Coin, goods.Price, wallet.Meta{
			Reason: "购买" + goods.Name, Ref: wallet.Ref{Kind: "pet_gift", ID: strconv.FormatInt(g.ID, 10)},
		})
		if err != nil {
			return err
		}
		money = t.Legs[0].Balance
		return nil
	})
	if err != nil {
		return Gift{}, 0, err
	}
	if money < 0 {
		money, err = s.wallet.Balance(ctx, userID, wallet.Coin)
	}
	return g, money, err
}

const giftsFrom = " FROM pet_gifts t JOIN goods g ON g.id = t.goods_id WHERE t.user_id = ?"

// Gifts returns a page of the user's unused gifts, newest first, and
// their total.
func (s *Service) Gifts(ctx context.Context, userID int64, offset, limit int) ([]Gift, int, error) {
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM pet_gifts t WHERE t.user_id = ? AND t.used = FALSE", userID)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count gifts")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+giftCols+giftsFrom+" AND t.used = FALSE ORDER BY t.id DESC"+store.LimitOffset,
		[]any{userID, limit, offset}, giftOf)
	return out, total, errs.Wrap(err, "list gifts")
}

// Carry gives one of the user's unused gifts to their pet to carry, in one
// unit: the gift becomes used. No pet: NotFound (ReasonNoPet); the pet
// carries one already: Conflict (ReasonCarrying); not the user's unused
// gift: NotFound (ReasonNoGift). Both are conditional UPDATEs, so a gift
// is carried once and a pet carries one.
func (s *Service) Carry(ctx context.Context, userID, giftID int64) (Pet, error) {
	var p Pet
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := tx.Now().UnixMilli()
		res, err := tx.Exec(ctx, "UPDATE pet_gifts SET used = TRUE, updated_at = ? WHERE id = ? AND user_id = ? AND used = FALSE", now, giftID, userID)
		if err != nil {
			return errs.Wrap(err, "write gift")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errNoGift
		}
		p, err = petOf(tx.QueryRow(ctx, "UPDATE pets SET gift_id = ?, updated_at = ? WHERE user_id = ? AND gift_id IS NULL RETURNING "+petCols,
			giftID, now, userID))
		if store.NoRows(err) {
			n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM pets WHERE user_id = ?", userID)
			if err != nil {
				return errs.Wrap(err, "read pet")
			}
			if n == 0 {
				return errNoPet
			}
			return errCarrying
		}
		return errs.Wrap(err, "write pet")
	})
	return p, err
}
