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
// it. A pending order past its deadline shows (and filters) as Cancelled.
func (s *Service) List(ctx context.Context, userID int64, status *Status, offset, limit int) ([]Listed, error) {
	at := s.Clock.Now()
	now := at.UnixMilli()
	where, args := "o.user_id = ?", []any{userID}
	if status != nil {
		switch *status {
		case Pending:
			where, args = where+" AND o.status = ? AND o.expires_at > ?", append(args, Pending, now)
		case Cancelled:
			where, args = where+" AND (o.status = ? OR o.status = ? AND o.expires_at <= ?)", append(args, Cancelled, Pending, now)
		default:
			where, args = where+" AND o.status = ?", append(args, *status)
		}
	}
	q := "SELECT o." + strings.ReplaceAll(orderCols, ", ", ", o.") + ", t.name, t.image FROM orders o" +
		" LEFT JOIN order_items i ON i.order_id = o.id AND i.pos = 0 LEFT JOIN tickets t ON t.id = i.ticket_id" +
		" WHERE " + where + " ORDER BY o.id DESC" + store.LimitOffset
	out, err := store.Collect(ctx, s.DB, q, append(args, limit, offset), func(r store.Scanner) (Listed, error) {
		var l Listed
		var name, image sql.NullString
		err := r.Scan(&l.ID, &l.UserID, &l.Price, &l.Status, &l.PayMethod, (*store.Millis)(&l.ExpiresAt),
			(*store.Millis)(&l.CreatedAt), (*store.Millis)(&l.UpdatedAt), &name, &image)
		l.Order = l.Order.shown(at)
		l.TicketName, l.TicketImage = name.String, image.String
		return l, err
	})
	return out, errs.Wrap(err, "list orders")
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
