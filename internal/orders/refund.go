package orders

import (
	"context"
	"strconv"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/payment"
	"plaza/internal/store"
	"plaza/internal/valid"
	"plaza/internal/wallet"
)

// MaxRefundReason is the longest reason of a refund.
const MaxRefundReason = 200

// Refund refunds a paid order, in a unit of its own (RefundTx).
func (s *Service) Refund(ctx context.Context, orderID int64, reason string) (Order, error) {
	var o Order
	err := s.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		o, err = s.RefundTx(ctx, tx, orderID, reason)
		return err
	})
	return o, err
}

// RefundTx refunds anyone's paid order in the caller's unit: the order
// becomes Refunded (with the time and the operator's reason, required),
// its tickets are on sale again (sold -> available), and what paid it is
// given back in the same unit:
//   - paid from the wallet: a ledger reversal, wallet.Refund (shop ->
//     user, the order's price in cny), never a balance edit;
//   - paid through the payment core (sandbox, WeChat Pay, Alipay): its
//     paid payment is marked refunded (payment.MarkRefunded); the money
//     back at the vendor is the operator's to make in the vendor's
//     console;
//   - a free order: nothing to give back.
//
// The order's row is locked first (FOR UPDATE on PostgreSQL), so of two
// refunds at once one refunds and the other finds it refunded. Unknown
// order: ReasonOrder; refunded already: ReasonRefunded; not paid:
// ReasonNotPaid; nothing is written then.
func (s *Service) RefundTx(ctx context.Context, tx *store.Tx, orderID int64, reason string) (Order, error) {
	reason = strings.TrimSpace(reason)
	if err := valid.RequiredLine("reason", reason, MaxRefundReason); err != nil {
		return Order{}, err
	}
	o, err := lock(ctx, tx, 0, orderID)
	if err != nil {
		return Order{}, err
	}
	switch o.Status {
	case Done:
	case Refunded:
		return Order{}, errs.R(errs.Conflict, ReasonRefunded, "the order is refunded already")
	default:
		return Order{}, errs.R(errs.Conflict, ReasonNotPaid, "the order is not paid: nothing to refund")
	}
	now := tx.Now()
	ms := now.UnixMilli()
	id := strconv.FormatInt(o.ID, 10)
	switch {
	case o.Price == 0:
	case o.PayMethod == PayWallet:
		if _, err := s.Wallet.Refund(ctx, tx, o.UserID, Currency, o.Price, wallet.Meta{
			Reason: "refund of order " + id + ": " + reason, Ref: orderRef(o.ID), Key: "refund:order:" + id,
		}); err != nil {
			return Order{}, err
		}
	default:
		if _, err := s.Payments.MarkRefunded(ctx, tx, payment.PurposeOrder, id); err != nil {
			return Order{}, err
		}
	}
	res, err := tx.Exec(ctx, "UPDATE orders SET status = ?, refunded_at = ?, refund_reason = ?, updated_at = ? WHERE id = ? AND status = ?",
		Refunded, ms, reason, ms, o.ID, Done)
	if err != nil {
		return Order{}, errs.Wrap(err, "refund order")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Order{}, errs.E(errs.Internal, "a locked paid order changed")
	}
	_, err = tx.Exec(ctx, `UPDATE tickets SET sold_to = NULL, updated_at = ?
		WHERE sold_to = ? AND id IN (SELECT ticket_id FROM order_items WHERE order_id = ?)`, ms, o.UserID, o.ID)
	if err != nil {
		return Order{}, errs.Wrap(err, "release tickets")
	}
	o.Status, o.RefundedAt, o.RefundReason, o.UpdatedAt = Refunded, now, reason, now
	return o, nil
}

// PaidPerDay counts the orders paid on each of days and sums their
// prices (in Currency, fen): orders still paid, so a refunded order
// counts on no day. One query, an index range of orders_paid
// (status, paid_at) per day.
func (s *Service) PaidPerDay(ctx context.Context, days []store.Day) ([]store.DayTotal, error) {
	out, err := store.TotalsPerDay(ctx, s.DB, days, "orders o", "o.paid_at", "o.status = ?", []any{Done}, "o.price")
	return out, errs.Wrap(err, "count paid orders")
}
