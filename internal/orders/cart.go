package orders

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"plaza/internal/errs"
	"plaza/internal/showcase"
	"plaza/internal/store"
)

// AddToCart puts a ticket in the user's cart; again, it only touches its
// updated_at. An unknown ticket is NotFound (showcase.ReasonTicket), a
// sold one OutOfStock; one reserved by a pending order may be added (the
// order may be cancelled or expire). A cart holds at most MaxCart tickets.
func (s *Service) AddToCart(ctx context.Context, userID, ticketID int64) error {
	return s.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		// The user's row serializes the adds to one cart on PostgreSQL, so
		// that the count below sees every other add (an SQLite unit holds
		// the write lock already).
		var locked int64
		if err := tx.QueryRow(ctx, "SELECT id FROM users WHERE id = ?"+tx.ForUpdate(), userID).Scan(&locked); err != nil {
			return errs.Wrap(err, "lock user")
		}
		share := ""
		if tx.Engine() == store.Postgres {
			share = " FOR SHARE" // against a sale committing meanwhile
		}
		var sold sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT sold_to FROM tickets WHERE id = ?"+share, ticketID).Scan(&sold)
		if store.NoRows(err) {
			return errs.R(errs.NotFound, showcase.ReasonTicket, "no such ticket")
		}
		if err != nil {
			return errs.Wrap(err, "read ticket")
		}
		if sold.Valid {
			return errs.E(errs.OutOfStock, "the ticket is sold")
		}
		n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM shopping_cart WHERE user_id = ? AND ticket_id <> ?", userID, ticketID)
		if err != nil {
			return errs.Wrap(err, "count cart")
		}
		if n >= MaxCart {
			return errs.InvalidField("ticket_id", fmt.Sprintf("the cart holds at most %d tickets", MaxCart))
		}
		now := tx.Now().UnixMilli()
		_, err = tx.Exec(ctx, "INSERT INTO shopping_cart (user_id, ticket_id, created_at, updated_at) VALUES (?, ?, ?, ?)"+
			" ON CONFLICT (user_id, ticket_id) DO UPDATE SET updated_at = excluded.updated_at", userID, ticketID, now, now)
		return errs.Wrap(err, "add to cart")
	})
}

// RemoveFromCart takes a ticket out of the user's cart; a ticket not in it
// changes nothing.
func (s *Service) RemoveFromCart(ctx context.Context, userID, ticketID int64) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM shopping_cart WHERE user_id = ? AND ticket_id = ?", userID, ticketID)
	return errs.Wrap(err, "remove from cart")
}

// CartItem is a ticket in a cart.
type CartItem struct {
	TicketID  int64
	Name      string
	Image     string
	Intro     string
	Price     int64 // fen, the ticket's price now
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Cart lists the tickets in the user's cart, the latest added first.
func (s *Service) Cart(ctx context.Context, userID int64, offset, limit int) ([]CartItem, error) {
	out, err := store.Collect(ctx, s.DB, "SELECT c.ticket_id, t.name, t.image, t.intro, t.price, c.created_at, c.updated_at"+
		" FROM shopping_cart c JOIN tickets t ON t.id = c.ticket_id WHERE c.user_id = ? ORDER BY c.created_at DESC, c.ticket_id DESC"+store.LimitOffset,
		[]any{userID, limit, offset}, func(r store.Scanner) (CartItem, error) {
			var c CartItem
			return c, r.Scan(&c.TicketID, &c.Name, &c.Image, &c.Intro, &c.Price, (*store.Millis)(&c.CreatedAt), (*store.Millis)(&c.UpdatedAt))
		})
	return out, errs.Wrap(err, "read cart")
}
