package orders

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// Listed is an order in a list, with its first ticket's name and image.
type Listed struct {
	Order
	TicketName, TicketImage string
}

// List lists the user's orders, newest first; with status, only those in
// it (another status is Invalid, field status). A pending order past its
// deadline shows (and filters) as Cancelled.
func (s *Service) List(ctx context.Context, userID int64, status *Status, offset, limit int) ([]Listed, error) {
	if err := checkStatus(status); err != nil {
		return nil, err
	}
	out, _, err := s.list(ctx, "o.user_id = ?", []any{userID}, status, offset, limit, false)
	return out, err
}

// checkStatus refuses a status filter that is none of the statuses.
func checkStatus(status *Status) error {
	if status != nil && (*status < Pending || *status > Cancelled) {
		return errs.InvalidField("status", "status must be 0 (pending), 1 (paid) or 2 (cancelled or expired)")
	}
	return nil
}

// statusWhere is the condition of the orders shown in status at now (a
// pending order past its deadline is shown as Cancelled).
func statusWhere(status Status, now int64) (string, []any) {
	switch status {
	case Pending:
		return "o.status = ? AND o.expires_at > ?", []any{Pending, now}
	case Cancelled:
		return "(o.status = ? OR o.status = ? AND o.expires_at <= ?)", []any{Cancelled, Pending, now}
	}
	return "o.status = ?", []any{status}
}

// list reads a page of the orders that match where (and status), newest
// first, with their first ticket; with count, also how many match.
func (s *Service) list(ctx context.Context, where string, args []any, status *Status, offset, limit int, count bool) ([]Listed, int, error) {
	at := s.Clock.Now()
	if status != nil {
		w, a := statusWhere(*status, at.UnixMilli())
		where, args = where+" AND "+w, append(args, a...)
	}
	total := 0
	if count {
		var err error
		if total, err = store.Count(ctx, s.DB, "SELECT COUNT(*) FROM orders o WHERE "+where, args...); err != nil {
			return nil, 0, errs.Wrap(err, "count orders")
		}
	}
	// The page's ids first (an index walk, or a sort of ids alone when the
	// status is an OR of two index ranges), then their rows and first
	// tickets: the joins never run for the orders of other pages. CROSS
	// JOIN keeps SQLite from scanning orders and probing the page's ids.
	q := "SELECT o." + strings.ReplaceAll(orderCols, ", ", ", o.") + ", t.name, t.image" +
		" FROM (SELECT o.id FROM orders o WHERE " + where + " ORDER BY o.id DESC" + store.LimitOffset + ") p" +
		" CROSS JOIN orders o" +
		" LEFT JOIN order_items i ON i.order_id = o.id AND i.pos = 0 LEFT JOIN tickets t ON t.id = i.ticket_id" +
		" WHERE o.id = p.id ORDER BY o.id DESC"
	out, err := store.Collect(ctx, s.DB, q, append(args, limit, offset), func(r store.Scanner) (Listed, error) {
		var l Listed
		var name, image sql.NullString
		err := r.Scan(append(orderDest(&l.Order), &name, &image)...)
		l.Order = l.Order.shown(at)
		l.TicketName, l.TicketImage = name.String, image.String
		return l, err
	})
	return out, total, errs.Wrap(err, "list orders")
}

// Item is a ticket of an order, at its price then.
type Item struct {
	TicketID  int64
	Name      string
	Image     string
	Price     int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Get returns the user's order and its items (another user's order is not
// found: ReasonOrder).
func (s *Service) Get(ctx context.Context, userID, orderID int64) (Order, []Item, error) {
	o, err := scanOrder(s.DB.QueryRow(ctx, "SELECT "+orderCols+" FROM orders WHERE id = ?", orderID))
	if store.NoRows(err) || err == nil && o.UserID != userID {
		return Order{}, nil, errNoOrder
	}
	if err != nil {
		return Order{}, nil, errs.Wrap(err, "read order")
	}
	return s.withItems(ctx, o)
}

// withItems reads the items of o and shows o as at now.
func (s *Service) withItems(ctx context.Context, o Order) (Order, []Item, error) {
	items, err := store.Collect(ctx, s.DB, "SELECT i.ticket_id, t.name, t.image, i.price, i.created_at, i.updated_at FROM order_items i"+
		" JOIN tickets t ON t.id = i.ticket_id WHERE i.order_id = ? ORDER BY i.pos", []any{o.ID}, func(r store.Scanner) (Item, error) {
		var it Item
		return it, r.Scan(&it.TicketID, &it.Name, &it.Image, &it.Price, (*store.Millis)(&it.CreatedAt), (*store.Millis)(&it.UpdatedAt))
	})
	if err != nil {
		return Order{}, nil, errs.Wrap(err, "read order items")
	}
	return o.shown(s.Clock.Now()), items, nil
}
