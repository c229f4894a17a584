package orders

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// AdminFilter picks orders for an operator; the zero value picks every
// order.
type AdminFilter struct {
	Status *Status // as shown: a pending order past its deadline is Cancelled
	UserID int64   // 0: anyone's
}

func (f AdminFilter) check() error {
	// Operators see refunded orders apart too.
	if f.Status != nil && (*f.Status < Pending || *f.Status > Refunded) {
		return errs.InvalidField("status", "status must be 0 (pending), 1 (paid), 2 (cancelled or expired) or 3 (refunded)")
	}
	if f.UserID < 0 {
		return errs.InvalidField("user_id", "user_id must be a user's id")
	}
	return nil
}

// AdminList is a page of everyone's orders that match f, newest first,
// with their first ticket, and how many match in all. An unknown user
// has no orders.
func (s *Service) AdminList(ctx context.Context, f AdminFilter, offset, limit int) ([]Listed, int, error) {
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	where, args := "1 = 1", []any{}
	if f.UserID != 0 {
		where, args = "o.user_id = ?", []any{f.UserID}
	}
	if f.UserID != 0 || f.Status != nil {
		return s.list(ctx, where, args, f.Status, offset, limit, true)
	}
	// Every order: the total is the counter row that the triggers of
	// migration 00026 keep, not a count of the table per page view.
	out, _, err := s.list(ctx, where, args, nil, offset, limit, false)
	if err != nil {
		return nil, 0, err
	}
	total, err := store.Count(ctx, s.DB, "SELECT COALESCE(SUM(n), 0) FROM row_counts WHERE name = 'orders'")
	return out, total, errs.Wrap(err, "count orders")
}

// AdminGet returns anyone's order and its items (unknown: ReasonOrder).
func (s *Service) AdminGet(ctx context.Context, orderID int64) (Order, []Item, error) {
	o, err := scanOrder(s.DB.QueryRow(ctx, "SELECT "+orderCols+" FROM orders WHERE id = ?", orderID))
	if store.NoRows(err) {
		return Order{}, nil, errNoOrder
	}
	if err != nil {
		return Order{}, nil, errs.Wrap(err, "read order")
	}
	return s.withItems(ctx, o)
}
