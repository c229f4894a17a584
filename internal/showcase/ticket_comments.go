package showcase

import (
	"context"
	"slices"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// TicketComment is a user's comment on a ticket.
type TicketComment struct {
	ID        int64
	TicketID  int64
	UserID    int64
	Content   string
	CreatedAt time.Time
}

// MaxTicketComment caps a ticket comment in characters.
const MaxTicketComment = 1000

// ReasonTicketComment marks the NotFound of a ticket comment.
var ReasonTicketComment = errs.NewReason("showcase.ticket_comment")

var ticketCommentTable = commentTable{table: "ticket_comments", item: "ticket_id"}

const ticketCommentCols = "id, ticket_id, user_id, content, created_at"

func scanTicketComment(r store.Scanner) (TicketComment, error) {
	var c TicketComment
	return c, r.Scan(&c.ID, &c.TicketID, &c.UserID, &c.Content, millis(&c.CreatedAt))
}

// CommentTicket adds the user's comment on a ticket and makes it the
// ticket's last comment (the ticket circle).
func (s *Service) CommentTicket(ctx context.Context, userID int64, t Ticket, content string) (TicketComment, error) {
	if err := checkComment(content, MaxTicketComment); err != nil {
		return TicketComment{}, err
	}
	var c TicketComment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = scanTicketComment(tx.QueryRow(ctx, "INSERT INTO ticket_comments (ticket_id, user_id, content, created_at) VALUES (?, ?, ?, ?) RETURNING "+
			ticketCommentCols, t.ID, userID, content, tx.Now().UnixMilli()))
		if store.IsForeignKeyViolation(err) {
			return errs.R(errs.NotFound, ReasonTicket, "no such ticket")
		}
		if err != nil {
			return errs.Wrap(err, "comment ticket")
		}
		// Only forward: of two comments made at once, the slower writer
		// must not put back the older one.
		_, err = tx.Exec(ctx, "UPDATE tickets SET last_comment = ? WHERE id = ? AND (last_comment IS NULL OR last_comment < ?)", c.ID, t.ID, c.ID)
		return errs.Wrap(err, "comment ticket")
	})
	return c, err
}

// TicketComments lists a ticket's comments, newest first.
func (s *Service) TicketComments(ctx context.Context, t Ticket, p Page) ([]TicketComment, error) {
	return list(ctx, s, p, "ticket comments", "SELECT "+ticketCommentCols+" FROM ticket_comments WHERE ticket_id = ? ORDER BY id DESC"+store.LimitOffset,
		[]any{t.ID}, scanTicketComment)
}

// DeleteTicketComments deletes the user's own ticket comments (another
// user's among ids refuses the whole call: Forbidden; ids of no comment
// are passed over) and sets the last comment of their tickets anew.
func (s *Service) DeleteTicketComments(ctx context.Context, userID int64, ids []int64) error {
	if err := checkBatch("ticket_comment_id_list", ids); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		tickets, err := deleteOwn(ctx, tx, ticketCommentTable, userID, ids)
		if err != nil || len(tickets) == 0 {
			return err
		}
		// The tickets' rows are locked (in id order) before their last
		// comment is read anew: on PostgreSQL the statement after the lock
		// sees every delete committed meanwhile, where one UPDATE would
		// compute it from before a concurrent delete and could name a
		// deleted comment.
		slices.Sort(tickets)
		in, args := store.InIDs(tickets)
		if tx.Engine() == store.Postgres {
			if _, err := store.Collect(ctx, tx, "SELECT id FROM tickets WHERE id IN ("+in+") ORDER BY id FOR UPDATE", args,
				func(r store.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) }); err != nil {
				return errs.Wrap(err, "lock tickets")
			}
		}
		_, err = tx.Exec(ctx, "UPDATE tickets SET last_comment = (SELECT MAX(c.id) FROM ticket_comments c WHERE c.ticket_id = tickets.id) WHERE id IN ("+in+")", args...)
		return errs.Wrap(err, "delete ticket comments")
	})
}

// CircleItem is a ticket of the ticket circle (票儿玩圈) with its last
// comment.
type CircleItem struct {
	Ticket  Ticket
	Comment TicketComment
}

// TicketCircle lists the tickets that have comments, the most recently
// commented first, each with its last comment.
func (s *Service) TicketCircle(ctx context.Context, p Page) ([]CircleItem, error) {
	tickets, err := list(ctx, s, p, "ticket circle", "SELECT "+ticketCols+" FROM tickets WHERE last_comment IS NOT NULL ORDER BY last_comment DESC"+store.LimitOffset,
		nil, scanTicket)
	if err != nil || len(tickets) == 0 {
		return nil, err
	}
	ids := make([]int64, len(tickets))
	for i, t := range tickets {
		ids[i] = t.ID
	}
	in, args := store.InIDs(ids)
	comments, err := store.Collect(ctx, s.DB, "SELECT "+prefixed("c.", ticketCommentCols)+" FROM ticket_comments c JOIN tickets t ON t.last_comment = c.id WHERE t.id IN ("+in+")",
		args, scanTicketComment)
	if err != nil {
		return nil, errs.Wrap(err, "read ticket circle")
	}
	last := map[int64]TicketComment{}
	for _, c := range comments {
		last[c.TicketID] = c
	}
	out := make([]CircleItem, 0, len(tickets))
	for _, t := range tickets {
		if c, ok := last[t.ID]; ok { // a comment deleted meanwhile: left out
			out = append(out, CircleItem{Ticket: t, Comment: c})
		}
	}
	return out, nil
}
