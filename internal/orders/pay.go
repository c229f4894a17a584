package orders

import (
	"context"
	"strconv"
	"time"

	"plaza/internal/errs"
	"plaza/internal/payment"
	"plaza/internal/provider/pay"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// Checkout is what order_pay answers: the order paid at once, or a vendor
// payment waiting for the app to pay it.
type Checkout struct {
	OrderID int64
	Method  string
	Paid    bool // paid now: sandbox, wallet, or a free order
	// OutTradeNo and Prepay (WeChat Pay, Alipay): the payment the app pays
	// through the vendor's SDK; the vendor's notification settles it.
	OutTradeNo string
	Prepay     pay.Prepay
}

// Pay pays the user's pending order by method ("" is sandbox).
//   - wallet debits the user's cny balance (short: InsufficientFunds,
//     nothing written) in the unit that marks the order paid and its
//     tickets sold.
//   - sandbox pays through the payment core at once, in the same unit (the
//     payment core refuses it while a vendor is configured, unless the
//     sandbox setting says otherwise).
//   - wechat and alipay write a pending payment for the order's price,
//     which the vendor stops taking at the order's deadline, and once the
//     unit has committed ask the vendor for what the app needs (Prepay).
//     Asked again while that payment waits, Pay asks the vendor for the
//     same payment again rather than starting a second one.
//
// A paid order (ReasonPaid), a cancelled or expired one (ReasonClosed) and
// another user's (ReasonOrder) are refused.
func (s *Service) Pay(ctx context.Context, userID, orderID int64, method string) (Checkout, error) {
	c := Checkout{OrderID: orderID, Method: method}
	switch method {
	case "":
		c.Method = PaySandbox
	case PaySandbox, PayWallet, PayWechat, PayAlipay:
	default:
		return c, errs.InvalidField("pay_method", "pay_method must be sandbox, wallet, wechat or alipay")
	}
	if c.Method != PayWallet {
		if err := s.Payments.Available(c.Method); err != nil {
			return c, err
		}
	}
	var refused error
	err := s.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		refused, c.Paid, c.OutTradeNo = nil, false, ""
		o, err := lock(ctx, tx, userID, orderID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if refused = openOrder(o, now); refused != nil {
			_, err := expire(ctx, tx, o.ID, now) // an expired order is closed now
			return err
		}
		switch {
		case o.Price == 0: // nothing to pay: no payment, no ledger entry
			c.Paid = true
			return markPaid(ctx, tx, o, c.Method, now)
		case c.Method == PayWallet:
			id := strconv.FormatInt(o.ID, 10)
			if _, err := s.Wallet.Purchase(ctx, tx, userID, Currency, o.Price, wallet.Meta{
				Reason: "order " + id, Ref: orderRef(o.ID), Key: "order:" + id,
			}); err != nil {
				return err
			}
			c.Paid = true
			return markPaid(ctx, tx, o, c.Method, now)
		}
		if no, err := s.Payments.Waiting(ctx, tx, payment.PurposeOrder, strconv.FormatInt(o.ID, 10), c.Method, o.Price); err != nil || no != "" {
			c.OutTradeNo = no
			return err
		}
		p, err := s.Payments.Start(ctx, tx, payment.Request{
			UserID: userID, Method: c.Method, Purpose: payment.PurposeOrder, Ref: strconv.FormatInt(o.ID, 10),
			Amount: o.Price, Subject: "order " + strconv.FormatInt(o.ID, 10), ExpiresAt: o.ExpiresAt,
		})
		if err != nil {
			return err
		}
		if c.Paid = p.Status == payment.Paid; !c.Paid {
			c.OutTradeNo = p.OutTradeNo
		}
		return nil
	})
	switch {
	case err != nil:
		return c, err
	case refused != nil:
		return c, refused
	case c.OutTradeNo != "":
		c.Prepay, err = s.Payments.Prepay(ctx, c.OutTradeNo)
	}
	return c, err
}

// Settle is the payment core's settler of PurposeOrder, run in the unit
// that marks payment p paid (a vendor's notification, the reconcile job,
// or Pay's own unit for the sandbox): it marks the order paid and its
// tickets sold. The payment core runs it once per payment. A payment that
// cannot pay its order is refused with a Conflict, and the payment core
// keeps it as unsettled (money owed back): an order paid already
// (ReasonPaid: a second payment), cancelled or closed as expired
// (ReasonClosed), of another user or another amount. A pending order past
// its deadline that no sweep has closed yet is paid: see below.
func (s *Service) Settle(ctx context.Context, tx *store.Tx, p payment.Payment) error {
	id, err := strconv.ParseInt(p.Ref, 10, 64)
	if err != nil {
		return errs.Ef(errs.Internal, "payment %s names no order (%q)", p.OutTradeNo, p.Ref)
	}
	o, err := lock(ctx, tx, 0, id)
	if err != nil {
		return err
	}
	if o.UserID != p.UserID || o.Price != p.Amount {
		return errs.Ef(errs.Conflict, "payment %s (user %d, %d fen) does not match order %d", p.OutTradeNo, p.UserID, p.Amount, o.ID)
	}
	now := tx.Now()
	if o.Status != Pending {
		return openOrder(o, now) // paid (by another payment) or closed
	}
	// Still pending, even past its deadline: the vendor took no payment
	// after the deadline (Pay gives it as the payment's), so this one was
	// paid in time and its notification came late; the order still holds
	// its tickets (an order that gave them up is closed).
	return markPaid(ctx, tx, o, p.Method, now)
}

// markPaid marks the pending order o paid and its tickets sold to its
// user, and takes them out of every cart.
func markPaid(ctx context.Context, tx *store.Tx, o Order, method string, now time.Time) error {
	ms := now.UnixMilli()
	res, err := tx.Exec(ctx, "UPDATE orders SET status = ?, pay_method = ?, paid_at = ?, updated_at = ? WHERE id = ? AND status = ?",
		Done, method, ms, ms, o.ID, Pending)
	if err != nil {
		return errs.Wrap(err, "pay order")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Internal, "a locked pending order changed")
	}
	items, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM order_items WHERE order_id = ?", o.ID)
	if err != nil {
		return errs.Wrap(err, "count order items")
	}
	res, err = tx.Exec(ctx, "UPDATE tickets SET sold_to = ?, reserved_order = NULL, updated_at = ? WHERE reserved_order = ?", o.UserID, ms, o.ID)
	if err != nil {
		return errs.Wrap(err, "sell tickets")
	}
	if n, _ := res.RowsAffected(); n != int64(items) {
		return errs.Ef(errs.Internal, "order %d holds %d of its %d tickets", o.ID, n, items)
	}
	_, err = tx.Exec(ctx, "DELETE FROM shopping_cart WHERE ticket_id IN (SELECT ticket_id FROM order_items WHERE order_id = ?)", o.ID)
	return errs.Wrap(err, "take sold tickets out of carts")
}
