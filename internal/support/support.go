// Package support is FAQ, feedback categories, users' feedback and the
// admins' replies to it.
package support

import (
	"context"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Service is the support core.
type Service struct {
	db    *store.DB
	clock clock.Clock
}

// New returns the support service.
func New(db *store.DB, c clock.Clock) *Service { return &Service{db: db, clock: c} }

// FAQ is an admin-made question and answer.
type FAQ struct {
	ID           int64
	Title        string
	Content      string
	Category     string
	ExternalLink string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Category is an admin-made kind of feedback.
type Category struct {
	ID          int64
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Feedback is what a user told the operator.
type Feedback struct {
	ID           int64
	UserID       int64
	CategoryID   int64 // 0: none
	Content      string
	Status       int // Open or Replied
	ContactPhone string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Reply is an admin's answer to feedback.
type Reply struct {
	ID         int64
	FeedbackID int64
	AdminID    int64
	Content    string
	Read       bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Caps of the feedback fields.
const (
	MaxFeedback     = 2000
	MaxContactPhone = 32
	MaxReply        = 4000
)

func notFound(err error, what string) error {
	if store.NoRows(err) {
		return errs.E(errs.NotFound, "no such "+what)
	}
	return errs.Wrap(err, "read "+what)
}

func scanFAQ(r store.Scanner) (FAQ, error) {
	var f FAQ
	err := r.Scan(&f.ID, &f.Title, &f.Content, &f.Category, &f.ExternalLink, (*store.Millis)(&f.CreatedAt), (*store.Millis)(&f.UpdatedAt))
	return f, err
}

const faqCols = "id, title, content, category, external_link, created_at, updated_at"

// FAQs lists FAQ entries, oldest first, and their total.
func (s *Service) FAQs(ctx context.Context, offset, limit int) ([]FAQ, int, error) {
	return list(ctx, s.db, "faqs", "SELECT "+faqCols+" FROM faqs ORDER BY id"+store.LimitOffset, nil, offset, limit, scanFAQ)
}

// FAQ returns one entry.
func (s *Service) FAQ(ctx context.Context, id int64) (FAQ, error) {
	f, err := scanFAQ(s.db.QueryRow(ctx, "SELECT "+faqCols+" FROM faqs WHERE id = ?", id))
	return f, notFound(err, "FAQ entry")
}

func scanCategory(r store.Scanner) (Category, error) {
	var c Category
	err := r.Scan(&c.ID, &c.Name, &c.Description, (*store.Millis)(&c.CreatedAt), (*store.Millis)(&c.UpdatedAt))
	return c, err
}

// Categories lists feedback categories, oldest first.
func (s *Service) Categories(ctx context.Context, offset, limit int) ([]Category, int, error) {
	return list(ctx, s.db, "feedback_categories",
		"SELECT id, name, description, created_at, updated_at FROM feedback_categories ORDER BY id"+store.LimitOffset,
		nil, offset, limit, scanCategory)
}

const feedbackCols = "id, user_id, COALESCE(category_id, 0), content, status, contact_phone, created_at, updated_at"

func scanFeedback(r store.Scanner) (Feedback, error) {
	var f Feedback
	err := r.Scan(&f.ID, &f.UserID, &f.CategoryID, &f.Content, &f.Status, &f.ContactPhone, (*store.Millis)(&f.CreatedAt), (*store.Millis)(&f.UpdatedAt))
	return f, err
}

// NewFeedback is feedback as a user writes it.
type NewFeedback struct {
	Content      string
	CategoryID   int64 // 0: none
	ContactPhone string
}

// CreateFeedback records a user's feedback.
func (s *Service) CreateFeedback(ctx context.Context, userID int64, in NewFeedback) (Feedback, error) {
	if err := valid.Required("feedback_content", in.Content, MaxFeedback); err != nil {
		return Feedback{}, err
	}
	if err := valid.Line("contact_phone", in.ContactPhone, MaxContactPhone); err != nil {
		return Feedback{}, err
	}
	var cat any
	if in.CategoryID != 0 {
		cat = in.CategoryID
	}
	now := s.clock.Now().UnixMilli()
	f, err := scanFeedback(s.db.QueryRowWrite(ctx, `INSERT INTO feedback (user_id, category_id, content, status, contact_phone, created_at, updated_at)
		VALUES (?, ?, ?, 0, ?, ?, ?) RETURNING `+feedbackCols, userID, cat, in.Content, in.ContactPhone, now, now))
	if store.IsForeignKeyViolation(err) {
		return Feedback{}, errs.InvalidField("feedback_category_id", "no such feedback category")
	}
	return f, errs.Wrap(err, "create feedback")
}

// UserFeedback lists a user's own feedback, newest first.
func (s *Service) UserFeedback(ctx context.Context, userID int64, offset, limit int) ([]Feedback, int, error) {
	return list(ctx, s.db, "feedback WHERE user_id = ?",
		"SELECT "+feedbackCols+" FROM feedback WHERE user_id = ? ORDER BY id DESC"+store.LimitOffset,
		[]any{userID}, offset, limit, scanFeedback)
}

// The states of a feedback.
const (
	Open    = 0 // no admin has replied
	Replied = 1
)

// AllFeedback lists everyone's feedback, newest first (for admins); with
// a state, only the feedback in it (an index range of feedback_status, so
// the inbox of open feedback costs its page, not the table).
func (s *Service) AllFeedback(ctx context.Context, state *int, offset, limit int) ([]Feedback, int, error) {
	if state == nil {
		return list(ctx, s.db, "feedback", "SELECT "+feedbackCols+" FROM feedback ORDER BY id DESC"+store.LimitOffset,
			nil, offset, limit, scanFeedback)
	}
	if *state != Open && *state != Replied {
		return nil, 0, errs.InvalidField("status", "status must be 0 (open) or 1 (replied)")
	}
	return list(ctx, s.db, "feedback WHERE status = ?", "SELECT "+feedbackCols+" FROM feedback WHERE status = ? ORDER BY id DESC"+store.LimitOffset,
		[]any{*state}, offset, limit, scanFeedback)
}

// ownFeedback reads feedback id and checks that userID wrote it.
func ownFeedback(ctx context.Context, q store.Querier, userID, id int64) (Feedback, error) {
	f, err := scanFeedback(q.QueryRow(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE id = ?", id))
	if err != nil {
		return Feedback{}, notFound(err, "feedback")
	}
	if f.UserID != userID {
		return Feedback{}, errs.E(errs.Forbidden, "this feedback is not yours")
	}
	return f, nil
}

// DeleteFeedback deletes a user's own feedback and its replies.
func (s *Service) DeleteFeedback(ctx context.Context, userID, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := ownFeedback(ctx, tx, userID, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM feedback WHERE id = ?", id)
		return errs.Wrap(err, "delete feedback")
	})
}

const replyCols = "id, feedback_id, admin_id, content, is_read, created_at, updated_at"

func scanReply(r store.Scanner) (Reply, error) {
	var p Reply
	err := r.Scan(&p.ID, &p.FeedbackID, &p.AdminID, &p.Content, &p.Read, (*store.Millis)(&p.CreatedAt), (*store.Millis)(&p.UpdatedAt))
	return p, err
}

// ReadReply returns the newest reply to a user's own feedback and marks
// every reply to it read. The reply is returned as it was before reading.
func (s *Service) ReadReply(ctx context.Context, userID, feedbackID int64) (Reply, error) {
	var p Reply
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := ownFeedback(ctx, tx, userID, feedbackID); err != nil {
			return err
		}
		var err error
		p, err = scanReply(tx.QueryRow(ctx, "SELECT "+replyCols+" FROM feedback_replies WHERE feedback_id = ? ORDER BY id DESC LIMIT 1", feedbackID))
		if err != nil {
			return notFound(err, "reply")
		}
		_, err = tx.Exec(ctx, "UPDATE feedback_replies SET is_read = TRUE WHERE feedback_id = ? AND is_read = FALSE", feedbackID)
		return errs.Wrap(err, "mark read")
	})
	return p, err
}

// UnreadReplies counts replies to the user's feedback not read yet.
func (s *Service) UnreadReplies(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM feedback_replies r JOIN feedback f ON f.id = r.feedback_id
		WHERE f.user_id = ? AND r.is_read = FALSE`, userID).Scan(&n)
	return n, errs.Wrap(err, "count replies")
}

// AddReply answers feedback as an admin; the feedback becomes "replied".
func (s *Service) AddReply(ctx context.Context, adminID, feedbackID int64, content string) (Reply, error) {
	if err := valid.Required("content", content, MaxReply); err != nil {
		return Reply{}, err
	}
	var p Reply
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock.Now().UnixMilli()
		res, err := tx.Exec(ctx, "UPDATE feedback SET status = ?, updated_at = ? WHERE id = ?", Replied, now, feedbackID)
		if err != nil {
			return errs.Wrap(err, "reply")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "no such feedback")
		}
		p, err = scanReply(tx.QueryRow(ctx, `INSERT INTO feedback_replies (feedback_id, admin_id, content, is_read, created_at, updated_at)
			VALUES (?, ?, ?, FALSE, ?, ?) RETURNING `+replyCols, feedbackID, adminID, content, now, now))
		return errs.Wrap(err, "reply")
	})
	return p, err
}

// Replies lists the replies to one feedback, oldest first (for admins).
func (s *Service) Replies(ctx context.Context, feedbackID int64) ([]Reply, error) {
	out, _, err := list(ctx, s.db, "", "SELECT "+replyCols+" FROM feedback_replies WHERE feedback_id = ? ORDER BY id"+store.LimitOffset,
		[]any{feedbackID}, 0, 1000, scanReply)
	return out, err
}

// list runs a paged query and, when countFrom is set, counts
// "SELECT COUNT(*) FROM "+countFrom with the same leading args.
func list[T any](ctx context.Context, db *store.DB, countFrom, q string, args []any, offset, limit int, scan func(store.Scanner) (T, error)) ([]T, int, error) {
	total := -1
	if countFrom != "" {
		n, err := store.Count(ctx, db, "SELECT COUNT(*) FROM "+countFrom, args...)
		if err != nil {
			return nil, 0, errs.Wrap(err, "count")
		}
		total = n
	}
	out, err := store.Collect(ctx, db, q, append(append([]any{}, args...), limit, offset), scan)
	return out, total, errs.Wrap(err, "list")
}

// Feedback returns one feedback (for admins).
func (s *Service) Feedback(ctx context.Context, id int64) (Feedback, error) {
	f, err := scanFeedback(s.db.QueryRow(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE id = ?", id))
	return f, notFound(err, "feedback")
}
