package market

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// OrderFilter picks exchange orders for an operator; the zero value picks
// every order.
type OrderFilter struct {
	UserID int64 // 0: anyone's
}

// OrderNumberLen is the length of an order number (all digits).
const OrderNumberLen = 26

// CheckOrderNumber refuses what cannot be an order number (26 ASCII
// digits), naming field.
func CheckOrderNumber(field, number string) error {
	ok := len(number) == OrderNumberLen
	for i := 0; ok && i < len(number); i++ {
		ok = number[i] >= '0' && number[i] <= '9'
	}
	if !ok {
		return errs.InvalidField(field, field+" must be 26 digits")
	}
	return nil
}

// AdminOrders returns a page of everyone's orders that match f, newest
// first, and how many match in all. An unknown user has no orders.
func (s *Service) AdminOrders(ctx context.Context, f OrderFilter, offset, limit int) ([]Order, int, error) {
	if f.UserID < 0 {
		return nil, 0, errs.InvalidField("user_id", "user_id must be a user's id")
	}
	cond, args := "1 = 1", []any{}
	if f.UserID != 0 {
		cond, args = "o.user_id = ?", []any{f.UserID}
	}
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM exchange_orders o WHERE "+cond, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count orders")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+orderCols+` FROM exchange_orders o
		JOIN exchange_products p ON p.id = o.product_id WHERE `+cond+` ORDER BY o.id DESC`+store.LimitOffset,
		append(args, limit, offset), orderOf)
	return out, total, errs.Wrap(err, "list orders")
}

// AdminOrder returns anyone's order by its number: a malformed number is
// Invalid (field order_number), an unknown one NotFound.
func (s *Service) AdminOrder(ctx context.Context, number string) (Order, error) {
	if err := CheckOrderNumber("order_number", number); err != nil {
		return Order{}, err
	}
	o, err := orderOf(s.db.QueryRow(ctx, "SELECT "+orderCols+` FROM exchange_orders o
		JOIN exchange_products p ON p.id = o.product_id WHERE o.order_number = ?`, number))
	if store.NoRows(err) {
		return Order{}, errs.E(errs.NotFound, "no such order")
	}
	return o, errs.Wrap(err, "read order")
}
