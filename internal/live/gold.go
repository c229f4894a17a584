package live

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/payment"
	"plaza/internal/store"
	"plaza/internal/valid"
	"plaza/internal/wallet"
)

// Gold is the live face's money: wallet currency gold, bought through the
// payment core (a refill of 10, 50 or 100 yuan) and given to anchors
// (Send, one ledger transaction from viewer to anchor).

// PurposeGold is the payment purpose of a refill; its settler is Gold.
const PurposeGold = "gold"

// MaxGiftDescription is the longest gift description, in characters.
const MaxGiftDescription = 64

// Reasons of the gold's refusals.
var (
	ReasonGoldAmount = errs.NewReason("live.gold_amount") // Invalid: a refill of another amount than the offered ones
	ReasonGiftSelf   = errs.NewReason("live.gift_self")   // Invalid: a gift to oneself
)

// GoldConfig is the refill offer.
type GoldConfig struct {
	PerYuan int64   // gold per yuan; default 10
	Yuan    []int64 // the amounts a refill may be, in yuan; default 10, 50, 100
}

// GoldDeps are what Gold needs.
type GoldDeps struct {
	DB       *store.DB
	Wallet   *wallet.Service
	Payments *payment.Service
	Log      *slog.Logger
}

// Gift is a gift as given, for the room's announcement.
type Gift struct {
	From, Anchor int64
	Value        int64
	Description  string
	Balance      int64 // the sender's gold after it
	At           time.Time
}

// Gold refills and gives gold.
type Gold struct {
	d   GoldDeps
	cfg GoldConfig
	// OnGift, when set (before serving), is called after the commit of
	// every gift: the room chat announces it.
	OnGift func(Gift)
}

// NewGold returns the gold service; register it with the payment core as
// the settler of PurposeGold.
func NewGold(d GoldDeps, cfg GoldConfig) *Gold {
	if cfg.PerYuan <= 0 {
		cfg.PerYuan = 10
	}
	if len(cfg.Yuan) == 0 {
		cfg.Yuan = []int64{10, 50, 100}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Gold{d: d, cfg: cfg}
}

// Refill starts a refill of yuan by method: the sandbox credits the gold
// at once, a vendor once its payment is notified (the checkout says what
// the app needs to pay).
func (g *Gold) Refill(ctx context.Context, userID, yuan int64, method string) (payment.Checkout, error) {
	if !slices.Contains(g.cfg.Yuan, yuan) {
		return payment.Checkout{}, &errs.Error{Kind: errs.Invalid, Reason: ReasonGoldAmount, Field: "money",
			Msg: fmt.Sprintf("a refill is one of %v yuan", g.cfg.Yuan)}
	}
	gold := strconv.FormatInt(yuan*g.cfg.PerYuan, 10)
	return g.d.Payments.Pay(ctx, payment.Request{
		UserID: userID, Method: method, Purpose: PurposeGold, Amount: yuan * 100,
		Ref: gold, Subject: gold + " gold", // the gold bought is fixed now, whatever the rate when it is paid
	})
}

// Settle credits a paid refill, in the payment's unit (payment.Settler):
// the gold its start fixed (the payment's ref). The key makes a second
// run credit nothing.
func (g *Gold) Settle(ctx context.Context, tx *store.Tx, p payment.Payment) error {
	gold, err := strconv.ParseInt(p.Ref, 10, 64)
	if err != nil || gold <= 0 {
		gold = p.Amount / 100 * g.cfg.PerYuan
	}
	_, err = g.d.Wallet.TopUp(ctx, tx, p.UserID, wallet.Gold, gold, wallet.Meta{
		Reason: "gold refill (" + p.Method + ")", Ref: wallet.Ref{Kind: "payment", ID: p.OutTradeNo}, Key: "payment:" + p.OutTradeNo,
	})
	return err
}

// Send moves value gold from a viewer to an anchor in one ledger
// transaction (errs.InsufficientFunds when the viewer has less), then
// announces it (OnGift).
func (g *Gold) Send(ctx context.Context, from, anchor, value int64, description string) (Gift, error) {
	if anchor == from {
		return Gift{}, &errs.Error{Kind: errs.Invalid, Reason: ReasonGiftSelf, Field: "object", Msg: "a gift goes to another user"}
	}
	if anchor <= 0 {
		return Gift{}, errs.R(errs.NotFound, account.ReasonNoUser, "no such anchor")
	}
	if value <= 0 || value > wallet.MaxAmount {
		return Gift{}, errs.InvalidField("value", "value must be a whole number of gold from 1")
	}
	if err := valid.Line("description", description, MaxGiftDescription); err != nil {
		return Gift{}, err
	}
	gift := Gift{From: from, Anchor: anchor, Value: value, Description: description}
	err := g.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		reason := "gift"
		if description != "" {
			reason += ": " + description
		}
		t, err := g.d.Wallet.Transfer(ctx, tx, from, anchor, wallet.Gold, value, wallet.Meta{
			Reason: reason, Ref: wallet.Ref{Kind: "gift", ID: strconv.FormatInt(anchor, 10)},
		})
		if err != nil {
			return err
		}
		gift.Balance, gift.At = t.BalanceOf(from), t.CreatedAt
		if g.OnGift != nil {
			tx.AfterCommit(func() { g.OnGift(gift) })
		}
		return nil
	})
	if err != nil {
		return Gift{}, err
	}
	return gift, nil
}
