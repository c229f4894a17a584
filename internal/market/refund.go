package market

import (
	"context"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
	"plaza/internal/wallet"
)

// Reasons of the market core's refunds.
var (
	// Conflict: the exchange order is refunded already.
	ReasonRefunded = errs.NewReason("market.refunded")
	// Conflict: the user has the order's virtual product on; it is taken
	// off (by the user) before the order can be refunded.
	ReasonInUse = errs.NewReason("market.in_use")
)

// MaxRefundReason is the longest reason of a refund.
const MaxRefundReason = 200

// Refund refunds an exchange order, in a unit of its own (RefundTx).
func (s *Service) Refund(ctx context.Context, number, reason string) (Order, error) {
	var o Order
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		o, err = s.RefundTx(ctx, tx, number, reason)
		return err
	})
	return o, err
}

// RefundTx refunds anyone's exchange order in the caller's unit: the
// diamonds paid go back (wallet.Refund, shop -> user), the unit goes back
// to the product (bought - 1, stock + 1 when it has a stock), the virtual
// product the order gave is taken from the user, and the order becomes
// OrderRefunded with the time and the operator's reason (required).
//
// A virtual product the user has on (Used) is not taken off behind their
// back: the refund is refused with ReasonInUse, nothing written. The
// locks, in this order: the order's row (two refunds: one refunds, the
// other finds it refunded), the product's row (as Buy takes it first, so
// the two never wait on each other crosswise) and the user's row, which
// Use and Unuse lock first (so a use racing the refund either lands
// before it, and the refund is refused, or after it, and finds no
// product). Malformed number: Invalid; unknown: NotFound; refunded
// already: ReasonRefunded.
func (s *Service) RefundTx(ctx context.Context, tx *store.Tx, number, reason string) (Order, error) {
	if err := CheckOrderNumber("order_number", number); err != nil {
		return Order{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := valid.RequiredLine("reason", reason, MaxRefundReason); err != nil {
		return Order{}, err
	}
	var id, userID, productID int64
	var status int
	err := tx.QueryRow(ctx, "SELECT id, user_id, product_id, status FROM exchange_orders WHERE order_number = ?"+tx.ForUpdate(), number).
		Scan(&id, &userID, &productID, &status)
	if store.NoRows(err) {
		return Order{}, errs.E(errs.NotFound, "no such order")
	}
	if err != nil {
		return Order{}, errs.Wrap(err, "read order")
	}
	if status == OrderRefunded {
		return Order{}, errs.R(errs.Conflict, ReasonRefunded, "the order is refunded already")
	}
	if _, err := tx.Exec(ctx, `UPDATE exchange_products SET bought = CASE WHEN bought > 0 THEN bought - 1 ELSE 0 END,
		stock = stock + 1 WHERE id = ?`, productID); err != nil {
		return Order{}, errs.Wrap(err, "put the unit back")
	}
	tx.AfterCommit(s.changed)
	var locked int64
	if err := tx.QueryRow(ctx, "SELECT id FROM users WHERE id = ?"+tx.ForUpdate(), userID).Scan(&locked); err != nil {
		return Order{}, errs.Wrap(err, "lock user")
	}
	var used int
	err = tx.QueryRow(ctx, "SELECT COUNT(*) FROM user_products WHERE order_id = ? AND status = ?", id, Used).Scan(&used)
	if err != nil {
		return Order{}, errs.Wrap(err, "read user product")
	}
	if used > 0 {
		return Order{}, errs.R(errs.Conflict, ReasonInUse, "the user has the product on: it must be taken off before the refund")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM user_products WHERE order_id = ?", id); err != nil {
		return Order{}, errs.Wrap(err, "take the user product")
	}
	now := tx.Now().UnixMilli()
	if _, err := tx.Exec(ctx, "UPDATE exchange_orders SET status = ?, refunded_at = ?, refund_reason = ? WHERE id = ?",
		OrderRefunded, now, reason, id); err != nil {
		return Order{}, errs.Wrap(err, "refund order")
	}
	o, err := orderOf(tx.QueryRow(ctx, "SELECT "+orderCols+` FROM exchange_orders o
		JOIN exchange_products p ON p.id = o.product_id WHERE o.id = ?`, id))
	if err != nil {
		return Order{}, errs.Wrap(err, "read order")
	}
	if _, err := s.wallet.Refund(ctx, tx, userID, wallet.Diamond, o.Diamond, wallet.Meta{
		Reason: "退款" + o.Product.Name + ": " + reason, Ref: wallet.Ref{Kind: "exchange_order", ID: number}, Key: "refund:exchange_order:" + number,
	}); err != nil {
		return Order{}, err
	}
	return o, nil
}

// ExchangedPerDay counts the exchange orders made on each of days and
// sums their diamonds: orders not refunded. One query, an index range of
// exchange_orders_created (status, created_at) per day.
func (s *Service) ExchangedPerDay(ctx context.Context, days []store.Day) ([]store.DayTotal, error) {
	out, err := store.TotalsPerDay(ctx, s.db, days, "exchange_orders o", "o.created_at", "o.status = ?", []any{OrderExchanged}, "o.diamond")
	return out, errs.Wrap(err, "count exchange orders")
}
