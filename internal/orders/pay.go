package orders

import (
	"context"
	"strconv"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// Pay pays the user's pending order by method: PaySandbox ("" too) pays
// at once; PayWallet debits the user's cny balance (short:
// InsufficientFunds, nothing written) in the unit that marks the order
// paid and its tickets sold. PayWechat and PayAlipay are Unavailable until
// the payment core serves them. A paid order (ReasonPaid), a cancelled or
// expired one (ReasonClosed) and another user's (ReasonOrder) are refused.
func (s *Service) Pay(ctx context.Context, userID, orderID int64, method string) error {
	switch method {
	case "":
		method = PaySandbox
	case PaySandbox, PayWallet:
	case PayWechat, PayAlipay:
		// TODO(payment core): start a vendor payment for Payable's amount
		// here and answer the client what it needs to pay; the vendor's
		// callback then runs Settle in the payment core's unit.
		return errs.Ef(errs.Unavailable, "pay_method %s is not available yet", method)
	default:
		return errs.InvalidField("pay_method", "pay_method must be sandbox, wallet, wechat or alipay")
	}
	var refused error
	err := s.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		refused = nil
		o, err := lock(ctx, tx, userID, orderID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if refused = openOrder(o, now); refused != nil {
			_, err := expire(ctx, tx, o.ID, now) // an expired order is closed now
			return err
		}
		if method == PayWallet && o.Price > 0 {
			_, err := s.Wallet.Purchase(ctx, tx, userID, Currency, o.Price, wallet.Meta{
				Reason: "order " + strconv.FormatInt(o.ID, 10), Ref: orderRef(o.ID), Key: "order:" + strconv.FormatInt(o.ID, 10),
			})
			if err != nil {
				return err
			}
		}
		return markPaid(ctx, tx, o, method, now)
	})
	if err != nil {
		return err
	}
	return refused
}

// Settle is the payment core's, in its unit, when a vendor payment for an
// order arrives: it marks the pending order paid and its tickets sold. An
// order paid already is left as it is (nil: a callback delivered twice).
// A cancelled or expired order is ReasonClosed (Conflict): the payment is
// to be refunded; an expired one is closed in tx.
func (s *Service) Settle(ctx context.Context, tx *store.Tx, orderID int64) error {
	o, err := lock(ctx, tx, 0, orderID)
	if err != nil {
		return err
	}
	now := tx.Now()
	switch err := openOrder(o, now); {
	case o.Status == Done:
		return nil
	case err != nil:
		if _, xerr := expire(ctx, tx, o.ID, now); xerr != nil {
			return xerr
		}
		return err
	}
	return markPaid(ctx, tx, o, payVendor, now)
}

// Payable is what the user's pending order costs, read (and locked on
// PostgreSQL) in the payment core's unit: the amount a vendor payment must
// bring. Another user's order is ReasonOrder; a paid one ReasonPaid; a
// cancelled or expired one ReasonClosed.
func (s *Service) Payable(ctx context.Context, tx *store.Tx, userID, orderID int64) (amountFen int64, err error) {
	o, err := lock(ctx, tx, userID, orderID)
	if err != nil {
		return 0, err
	}
	if err := openOrder(o, tx.Now()); err != nil {
		return 0, err
	}
	return o.Price, nil
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
