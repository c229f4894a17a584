package showcase

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// ReasonTicket marks the NotFound of a ticket (the orders core's too).
var ReasonTicket = errs.NewReason("showcase.ticket")

// Ticket is an admin-made ticket of a project: a single item, sold once
// (internal/orders reserves and sells it).
type Ticket struct {
	ID          int64
	ProjectID   int64
	Name        string
	Image       string // media id
	Intro       string
	Price       int64 // fen
	Recommended bool
	SoldTo      int64 // the buyer, 0 while unsold
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const ticketCols = "id, project, name, image, intro, price, recommended, sold_to, created_at, updated_at"

func scanTicket(r store.Scanner) (Ticket, error) {
	var t Ticket
	var sold sql.NullInt64
	err := r.Scan(&t.ID, &t.ProjectID, &t.Name, &t.Image, &t.Intro, &t.Price, &t.Recommended, &sold, millis(&t.CreatedAt), millis(&t.UpdatedAt))
	t.SoldTo = sold.Int64
	return t, err
}

// prefixed qualifies every column of cols with p ("t.").
func prefixed(p, cols string) string { return p + strings.ReplaceAll(cols, ", ", ", "+p) }

// Ticket returns a ticket, sold or not (NotFound, ReasonTicket).
func (s *Service) Ticket(ctx context.Context, id int64) (Ticket, error) {
	return one(ctx, s, ReasonTicket, "SELECT "+ticketCols+" FROM tickets WHERE id = ?", id, scanTicket)
}

// TicketsByID returns the tickets with the given ids (unknown ids left out).
func (s *Service) TicketsByID(ctx context.Context, ids []int64) (map[int64]Ticket, error) {
	return byID(ctx, s, "tickets", "SELECT "+ticketCols+" FROM tickets", ids, scanTicket, func(t Ticket) int64 { return t.ID })
}

// Tickets lists a project's unsold tickets (a ticket a pending order
// reserves is unsold), newest first.
func (s *Service) Tickets(ctx context.Context, projectID int64, p Page) ([]Ticket, error) {
	return list(ctx, s, p, "tickets", "SELECT "+ticketCols+" FROM tickets WHERE project = ? AND sold_to IS NULL ORDER BY id DESC"+store.LimitOffset,
		[]any{projectID}, scanTicket)
}

// UnsoldTickets counts a project's unsold tickets.
func (s *Service) UnsoldTickets(ctx context.Context, projectID int64) (int, error) {
	n, err := store.Count(ctx, s.DB, "SELECT COUNT(*) FROM tickets WHERE project = ? AND sold_to IS NULL", projectID)
	return n, errs.Wrap(err, "count tickets")
}

var ticketShelf = shelf{what: "tickets", cols: ticketCols, set: "sold_to IS NULL", flagged: "id DESC"}

// RecommendedTickets lists the recommended unsold tickets, newest first;
// while none is flagged, the newest unsold tickets.
func (s *Service) RecommendedTickets(ctx context.Context, p Page) ([]Ticket, error) {
	return recommended(ctx, s, ticketShelf, nil, p, scanTicket)
}

// FollowedMastersTickets lists the unsold tickets of the projects of the
// masters user follows, newest first.
func (s *Service) FollowedMastersTickets(ctx context.Context, userID int64, p Page) ([]Ticket, error) {
	return list(ctx, s, p, "tickets", "SELECT "+prefixed("t.", ticketCols)+" FROM tickets t JOIN projects p ON p.id = t.project"+
		" JOIN master_follows f ON f.master = p.master WHERE f.user_id = ? AND t.sold_to IS NULL ORDER BY t.id DESC"+store.LimitOffset,
		[]any{userID}, scanTicket)
}

// BoughtTickets lists the tickets user bought, newest first.
func (s *Service) BoughtTickets(ctx context.Context, userID int64, p Page) ([]Ticket, error) {
	return list(ctx, s, p, "tickets", "SELECT "+ticketCols+" FROM tickets WHERE sold_to = ? ORDER BY id DESC"+store.LimitOffset,
		[]any{userID}, scanTicket)
}
