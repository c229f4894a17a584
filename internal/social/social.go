// Package social is the social graph: users following users, and users
// blocking users. A blocked user cannot follow, message or comment on the
// user who blocked them; other domains ask CheckNotBlocked in their write
// transaction.
package social

import (
	"context"
	"plaza/internal/account"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
)

// Service is the social graph core.
type Service struct {
	db      *store.DB
	clock   clock.Clock
	onBlock []func(blocker, blocked int64)
}

// New returns the social service.
func New(db *store.DB, c clock.Clock) *Service { return &Service{db: db, clock: c} }

// OnBlock has f called after every block commits (the friends core drops
// the two users' friend lists, which the block ended). Call it before
// serving.
func (s *Service) OnBlock(f func(blocker, blocked int64)) { s.onBlock = append(s.onBlock, f) }

// Edge is one relation, with when it was made.
type Edge struct {
	UserID    int64 // the other user
	CreatedAt time.Time
}

var errBlocked = errs.E(errs.Forbidden, "this user has blocked you")

// CheckNotBlocked refuses (Forbidden) when any of to has blocked from,
// within the caller's write transaction: every write that a block must
// stop (a follow, a message, a comment) checks here, before it writes. It
// first takes the lock of the users' rows that Block takes, shared (checks
// do not wait for each other, a block waits for them and they for it), so
// a block either committed before the check, which sees it, or waits until
// the checked write has committed. Ids of 0 and from itself in to are
// passed over.
func (s *Service) CheckNotBlocked(ctx context.Context, tx *store.Tx, from int64, to ...int64) error {
	others := make([]int64, 0, len(to))
	for _, id := range to {
		if id != 0 && id != from {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return nil
	}
	if err := lockUsers(ctx, tx, keyShare, append(others, from)...); err != nil {
		return err
	}
	in, args := store.InIDs(others)
	n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM blocks WHERE blocked_id = ? AND blocker_id IN ("+in+")", append([]any{from}, args...)...)
	if err != nil {
		return errs.Wrap(err, "check block")
	}
	if n > 0 {
		return errBlocked
	}
	return nil
}

// Follow makes follower follow followee; following again changes nothing.
func (s *Service) Follow(ctx context.Context, follower, followee int64) error {
	return s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error { return s.FollowTx(ctx, tx, follower, followee) })
}

// FollowTx is Follow in the caller's unit of work; the follow gets the
// unit's time.
func (s *Service) FollowTx(ctx context.Context, tx *store.Tx, follower, followee int64) error {
	if follower == followee {
		return errs.E(errs.Invalid, "you cannot follow yourself")
	}
	if err := s.CheckNotBlocked(ctx, tx, follower, followee); err != nil {
		return err
	}
	// Unknown users are found by a count, not by a foreign-key failure,
	// which would abort the caller's unit on PostgreSQL: a refusal leaves
	// the unit usable.
	n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM users WHERE id IN (?, ?)", follower, followee)
	if err != nil {
		return errs.Wrap(err, "follow")
	}
	if n != 2 {
		return errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
	}
	_, err = tx.Exec(ctx, "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		follower, followee, tx.Now().UnixMilli())
	return errs.Wrap(err, "follow")
}

// Unfollow ends a follow; unfollowing a user one does not follow changes nothing.
func (s *Service) Unfollow(ctx context.Context, follower, followee int64) error {
	_, err := s.db.Exec(ctx, "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?", follower, followee)
	return errs.Wrap(err, "unfollow")
}

// Block makes blocker block blocked; the follows between them end, and so
// do their friendship and friend requests.
func (s *Service) Block(ctx context.Context, blocker, blocked int64) error {
	if blocker == blocked {
		return errs.E(errs.Invalid, "you cannot block yourself")
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockUsers(ctx, tx, forUpdate, blocker, blocked); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			blocker, blocked, s.clock.Now().UnixMilli())
		if store.IsForeignKeyViolation(err) {
			return errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
		}
		if err != nil {
			return errs.Wrap(err, "block")
		}
		_, err = tx.Exec(ctx, `DELETE FROM follows WHERE (follower_id = ? AND followee_id = ?) OR (follower_id = ? AND followee_id = ?)`,
			blocker, blocked, blocked, blocker)
		if err != nil {
			return errs.Wrap(err, "block")
		}
		// A master linked to a user is followed as that user is: the block
		// ends the follows of each one's master by the other too.
		_, err = tx.Exec(ctx, `DELETE FROM master_follows
			WHERE (user_id = ? AND master IN (SELECT id FROM masters WHERE user_id = ?))
			   OR (user_id = ? AND master IN (SELECT id FROM masters WHERE user_id = ?))`,
			blocked, blocker, blocker, blocked)
		if err != nil {
			return errs.Wrap(err, "block")
		}
		// The block ends their friendship and the friend requests between
		// them (internal/friend, whose writes take the same users' locks).
		for _, f := range s.onBlock {
			tx.AfterCommit(func() { f(blocker, blocked) })
		}
		lo, hi := min(blocker, blocked), max(blocker, blocked)
		if _, err := tx.Exec(ctx, "DELETE FROM friendships WHERE user_a = ? AND user_b = ?", lo, hi); err != nil {
			return errs.Wrap(err, "block")
		}
		_, err = tx.Exec(ctx, `DELETE FROM friend_requests WHERE (from_user = ? AND to_user = ?) OR (from_user = ? AND to_user = ?)`,
			blocker, blocked, blocked, blocker)
		return errs.Wrap(err, "block")
	})
}

// Lock modes of users' rows (PostgreSQL's): Block takes them for update,
// the writes it must stop (CheckNotBlocked) for key share, which excludes
// an update lock but neither another key share nor a profile update.
const (
	forUpdate = " FOR UPDATE"
	keyShare  = " FOR KEY SHARE"
)

// lockUsers locks the users' rows, smaller id first (one order for every
// writer, so no two deadlock), so that a block and the writes it must stop
// between the same users never interleave. SQLite serializes writers
// anyway: nothing to lock there.
func lockUsers(ctx context.Context, tx *store.Tx, mode string, ids ...int64) error {
	if tx.Engine() != store.Postgres {
		return nil
	}
	in, args := store.InIDs(ids)
	_, err := store.Collect(ctx, tx, "SELECT id FROM users WHERE id IN ("+in+") ORDER BY id"+mode, args,
		func(r store.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) })
	return errs.Wrap(err, "lock users")
}

// Unblock ends a block.
func (s *Service) Unblock(ctx context.Context, blocker, blocked int64) error {
	_, err := s.db.Exec(ctx, "DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?", blocker, blocked)
	return errs.Wrap(err, "unblock")
}

func scanEdge(r store.Scanner) (Edge, error) {
	var e Edge
	return e, r.Scan(&e.UserID, (*store.Millis)(&e.CreatedAt))
}

func (s *Service) edges(ctx context.Context, q string, id int64, offset, limit int) ([]Edge, error) {
	out, err := store.Collect(ctx, s.db, q, []any{id, limit, offset}, scanEdge)
	return out, errs.Wrap(err, "list relations")
}

// Following lists whom the user follows, newest first.
func (s *Service) Following(ctx context.Context, userID int64, offset, limit int) ([]Edge, error) {
	return s.edges(ctx, "SELECT followee_id, created_at FROM follows WHERE follower_id = ? ORDER BY created_at DESC, followee_id DESC"+store.LimitOffset, userID, offset, limit)
}

// Followers lists who follows the user, newest first.
func (s *Service) Followers(ctx context.Context, userID int64, offset, limit int) ([]Edge, error) {
	return s.edges(ctx, "SELECT follower_id, created_at FROM follows WHERE followee_id = ? ORDER BY created_at DESC, follower_id DESC"+store.LimitOffset, userID, offset, limit)
}

// Blocked lists whom the user blocked, newest first.
func (s *Service) Blocked(ctx context.Context, userID int64, offset, limit int) ([]Edge, error) {
	return s.edges(ctx, "SELECT blocked_id, created_at FROM blocks WHERE blocker_id = ? ORDER BY created_at DESC, blocked_id DESC"+store.LimitOffset, userID, offset, limit)
}

// Counts are a user's follow counts.
type Counts struct {
	Following int // whom the user follows
	Followers int // who follows the user
}

// CountsOf returns the user's counts.
func (s *Service) CountsOf(ctx context.Context, userID int64) (Counts, error) {
	var c Counts
	err := s.db.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM follows WHERE follower_id = ?),
		(SELECT COUNT(*) FROM follows WHERE followee_id = ?)`, userID, userID).Scan(&c.Following, &c.Followers)
	return c, errs.Wrap(err, "count relations")
}

// IsFollowing tells whether a follows b.
func (s *Service) IsFollowing(ctx context.Context, a, b int64) (bool, error) {
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM follows WHERE follower_id = ? AND followee_id = ?", a, b)
	return n > 0, errs.Wrap(err, "follow state")
}

// FollowingAmong returns which of ids the user follows: one query for a page.
func (s *Service) FollowingAmong(ctx context.Context, userID int64, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 || userID == 0 {
		return out, nil
	}
	args := []any{userID}
	for _, id := range ids {
		args = append(args, id)
	}
	got, err := store.Collect(ctx, s.db, "SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN ("+store.Placeholders(len(ids))+")",
		args, func(r store.Scanner) (int64, error) { var v int64; return v, r.Scan(&v) })
	if err != nil {
		return nil, errs.Wrap(err, "follow state")
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}
