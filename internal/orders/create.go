package orders

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"plaza/internal/errs"
	"plaza/internal/showcase"
	"plaza/internal/store"
)

// checkIDs refuses no ids, more than MaxTickets, ids below 1 and an id
// given twice, naming field.
func checkIDs(field string, ids []int64) error {
	if len(ids) == 0 {
		return errs.InvalidField(field, field+" needs at least one ticket id")
	}
	if len(ids) > MaxTickets {
		return errs.InvalidField(field, fmt.Sprintf("%s holds at most %d ticket ids", field, MaxTickets))
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id < 1 {
			return errs.InvalidField(field, field+" must hold positive ids")
		}
		if seen[id] {
			return errs.InvalidField(field, fmt.Sprintf("%s names ticket %d twice", field, id))
		}
		seen[id] = true
	}
	return nil
}

// Create makes a pending order of the tickets (in the given order) for
// user and reserves them; with fromCart it also takes them out of the
// user's cart. An unknown ticket is NotFound (showcase.ReasonTicket); a
// ticket sold, or held by another pending order, is OutOfStock. A refusal
// writes nothing.
func (s *Service) Create(ctx context.Context, userID int64, ticketIDs []int64, fromCart bool) (Order, error) {
	if err := checkIDs("ticket_id_list", ticketIDs); err != nil {
		return Order{}, err
	}
	var o Order
	err := s.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := tx.Now()
		in, args := store.InIDs(ticketIDs)
		// In id order, so that two orders of the same tickets lock them in
		// the same order on PostgreSQL.
		type row struct {
			id, price      int64
			reserved, sold sql.NullInt64
		}
		rows, err := store.Collect(ctx, tx, "SELECT id, price, reserved_order, sold_to FROM tickets WHERE id IN ("+in+") ORDER BY id"+tx.ForUpdate(), args,
			func(r store.Scanner) (row, error) { var x row; return x, r.Scan(&x.id, &x.price, &x.reserved, &x.sold) })
		if err != nil {
			return errs.Wrap(err, "read tickets")
		}
		prices := make(map[int64]int64, len(rows))
		for _, x := range rows {
			prices[x.id] = x.price
			switch {
			case x.sold.Valid:
				return errs.Ef(errs.OutOfStock, "ticket %d is sold", x.id)
			case x.reserved.Valid:
				// An order past its deadline that the sweep has not closed
				// yet gives its tickets up now.
				freed, err := expire(ctx, tx, x.reserved.Int64, now)
				if err != nil {
					return err
				}
				if !freed {
					return errs.Ef(errs.OutOfStock, "ticket %d is reserved by another order", x.id)
				}
			}
		}
		var sum int64
		for _, id := range ticketIDs {
			p, ok := prices[id]
			if !ok {
				return errs.R(errs.NotFound, showcase.ReasonTicket, fmt.Sprintf("no such ticket: %d", id))
			}
			sum += p
		}
		o, err = scanOrder(tx.QueryRow(ctx, "INSERT INTO orders (user_id, price, status, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING "+orderCols,
			userID, sum, Pending, now.Add(s.TTL).UnixMilli(), now.UnixMilli(), now.UnixMilli()))
		if err != nil {
			return errs.Wrap(err, "create order")
		}
		// The conditional write is what holds on either engine: it takes a
		// ticket only while no order holds it and nobody bought it.
		res, err := tx.Exec(ctx, "UPDATE tickets SET reserved_order = ?, updated_at = ? WHERE id IN ("+in+") AND reserved_order IS NULL AND sold_to IS NULL",
			append([]any{o.ID, now.UnixMilli()}, args...)...)
		if err != nil {
			return errs.Wrap(err, "reserve tickets")
		}
		if n, _ := res.RowsAffected(); n != int64(len(ticketIDs)) {
			return errs.E(errs.OutOfStock, "a ticket was taken by another order")
		}
		vals := make([]string, len(ticketIDs))
		itemArgs := make([]any, 0, 5*len(ticketIDs))
		for i, id := range ticketIDs {
			vals[i] = "(?, ?, ?, ?, ?, ?)"
			itemArgs = append(itemArgs, o.ID, id, i, prices[id], now.UnixMilli(), now.UnixMilli())
		}
		if _, err := tx.Exec(ctx, "INSERT INTO order_items (order_id, ticket_id, pos, price, created_at, updated_at) VALUES "+strings.Join(vals, ", "), itemArgs...); err != nil {
			return errs.Wrap(err, "create order items")
		}
		if fromCart {
			_, err := tx.Exec(ctx, "DELETE FROM shopping_cart WHERE user_id = ? AND ticket_id IN ("+in+")", append([]any{userID}, args...)...)
			return errs.Wrap(err, "empty cart")
		}
		return nil
	})
	return o, err
}

// Cancel cancels the user's pending order and releases its tickets. A
// paid order (ReasonPaid) or a cancelled one (ReasonClosed) is refused; an
// order past its deadline is closed as expired and refused (ReasonClosed).
func (s *Service) Cancel(ctx context.Context, userID, orderID int64) error {
	var refused error
	err := s.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		refused = nil
		o, err := lock(ctx, tx, userID, orderID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if refused = openOrder(o, now); refused != nil {
			// Expired: closed now (the write commits), refused all the same.
			_, err := expire(ctx, tx, o.ID, now)
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?", Cancelled, now.UnixMilli(), o.ID, Pending)
		if err != nil {
			return errs.Wrap(err, "cancel order")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Internal, "a locked pending order changed")
		}
		return release(ctx, tx, o.ID, now)
	})
	if err != nil {
		return err
	}
	return refused
}

// openOrder is nil for a pending order before its deadline, else the
// refusal to pay or cancel it.
func openOrder(o Order, now time.Time) error {
	switch {
	case o.Status == Done:
		return errs.R(errs.Conflict, ReasonPaid, "the order is paid already")
	case o.Status == Cancelled || o.expired(now):
		return closed(o, now)
	}
	return nil
}
