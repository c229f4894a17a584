package notify

import (
	"context"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// SentSince counts the pushes sent (delivered, StatusSent) made at or
// after since: an index range of pushes_status.
func (s *Service) SentSince(ctx context.Context, since time.Time) (int, error) {
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM pushes WHERE status = ? AND created_at >= ?", StatusSent, since.UnixMilli())
	return n, errs.Wrap(err, "count pushes sent")
}

// Devices are a user's push devices, oldest first.
func (s *Service) Devices(ctx context.Context, userID int64) ([]Device, error) {
	out, err := store.Collect(ctx, s.db, "SELECT "+deviceCols+" FROM push_devices WHERE user_id = ? ORDER BY id", []any{userID}, scanDevice)
	return out, errs.Wrap(err, "list devices")
}
