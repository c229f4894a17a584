package support

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// OpenFeedback counts the feedback no admin has replied to: status Open
// (AddReply sets Replied in the unit that writes the reply), an index
// range of feedback_status.
func (s *Service) OpenFeedback(ctx context.Context) (int, error) {
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM feedback WHERE status = ?", Open)
	return n, errs.Wrap(err, "count open feedback")
}
