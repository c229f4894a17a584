package live

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// OpenCount counts the open rooms (index live_rooms_open), for the
// operator's dashboard.
func (r *Rooms) OpenCount(ctx context.Context) (int, error) {
	n, err := store.Count(ctx, r.d.DB, "SELECT COUNT(*) FROM live_rooms WHERE is_open = ?", true)
	return n, errs.Wrap(err, "count open rooms")
}
