// Package friend is the friends core: a mutual friendship between two users,
// made by a request of one that the other accepts. It is apart from follows
// (internal/social), but a block (social) stops it: no request is made or
// accepted while either user blocks the other, and a block ends the
// friendship and the requests between them (social.Block).
//
// Storage. A friendship is one row of friendships, the smaller id in
// user_a; a user's friends are found by the primary key (as user_a) and
// the index friendships_b (as user_b) in one query. A request is one row of
// friend_requests, at most one per pair of users whichever direction, and
// it is also the message both sides see in their lists (Requests) until
// each hides it (Delete).
//
// Locking. Every write locks both users' rows, smaller id first (the order
// social.Block takes them too), then reads and writes the pair's rows: two
// writes on one pair (crossing requests, an accept and a delete, a block and
// a request) never interleave, and none deadlocks. SQLite serializes writers
// anyway.
package friend

import (
	"context"
	"plaza/internal/cachesync"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/memo"
	"plaza/internal/social"
	"plaza/internal/store"
)

// Reasons of the friends core.
var (
	ReasonSelf           = errs.NewReason("friend.self")            // Invalid: befriending oneself
	ReasonAlreadyFriends = errs.NewReason("friend.already_friends") // Conflict: asking a friend
	ReasonNoRequest      = errs.NewReason("friend.no_request")      // NotFound: no such request of the user
	ReasonNotAddressee   = errs.NewReason("friend.not_addressee")   // Forbidden: the requester accepting their own request
	ReasonNotFriends     = errs.NewReason("friend.not_friends")     // NotFound: unfriending a user who is not a friend
)

// Status is a request's state.
type Status string

const (
	Pending  Status = "pending"  // waiting for the addressee
	Accepted Status = "accepted" // the addressee agreed: they are friends
)

// Request is a friend request of From to To, and the message that both see.
type Request struct {
	ID        int64
	From, To  int64
	Status    Status
	CreatedAt time.Time // when From asked
	UpdatedAt time.Time // when it was last asked again or accepted
}

// Flags of a request's message as the live face shows it (seed 001): the
// addressee sees 0 pending / 1 accepted, the requester 2 waiting / 3 agreed.
const (
	FlagPending  = 0
	FlagAccepted = 1
	FlagWaiting  = 2
	FlagAgreed   = 3
)

// Flag is the message's flag as user sees it (user is From or To).
func (r Request) Flag(user int64) int {
	f := FlagPending
	if user == r.From {
		f = FlagWaiting
	}
	if r.Status == Accepted {
		f++
	}
	return f
}

// Other is the other party of the request than user.
func (r Request) Other(user int64) int64 {
	if user == r.From {
		return r.To
	}
	return r.From
}

// Friend is one friend of a user, and since when.
type Friend struct {
	UserID int64
	Since  time.Time
}

// Service is the friends core.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	social *social.Service
	lists  *memo.Table[int64, []Friend] // Friends by user; nil: off
	sync   *cachesync.Sync
	cache  cachesync.Cache // lists, as cachesync changes it
}

// New returns the friends core; s checks the blocks.
func New(db *store.DB, c clock.Clock, s *social.Service) *Service {
	return &Service{db: db, clock: c, social: s}
}

// WithCache keeps up to users friend lists in memory (see package memo),
// dropped by every write on a pair and by a block, on every node that
// shares sync (nil: this node alone).
func (s *Service) WithCache(users int, sync *cachesync.Sync) *Service {
	if users > 0 {
		s.lists = memo.New[int64, []Friend](users)
		s.cache, s.sync = cachesync.ByID(s.lists), sync
		if sync != nil {
			s.lists.Gated(sync.Usable)
			sync.Register("friends", s.cache)
		}
		s.social.OnBlock(func(a, b int64) { s.changed(a, b) })
	}
	return s
}

// changed drops the users' friend lists on every node.
func (s *Service) changed(users ...int64) {
	if s.lists != nil {
		s.sync.Changed(s.cache, "friends", cachesync.IDs(users...))
	}
}

// forget drops the pair's friend lists once tx commits (every write on a
// pair locks it with lockPair first, then calls forget).
func (s *Service) forget(tx *store.Tx, a, b int64) {
	if s.lists != nil {
		tx.AfterCommit(func() { s.changed(a, b) })
	}
}

// MaxRequests caps Requests' limit.
const MaxRequests = 200

var (
	errNoRequest = errs.R(errs.NotFound, ReasonNoRequest, "no such friend request")
	errNoUser    = errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
)

const requestCols = "id, from_user, to_user, status, created_at, updated_at"

func scanRequest(r store.Scanner) (Request, error) {
	var q Request
	var status string
	err := r.Scan(&q.ID, &q.From, &q.To, &status, (*store.Millis)(&q.CreatedAt), (*store.Millis)(&q.UpdatedAt))
	q.Status = Status(status)
	return q, err
}

// pair orders two ids as friendships stores them.
func pair(a, b int64) (int64, int64) {
	if a > b {
		return b, a
	}
	return a, b
}

// lockPair locks both users' rows, smaller id first, against every other
// write on the pair (PostgreSQL's FOR NO KEY UPDATE: it excludes another
// friend write and a block, which takes FOR UPDATE, but neither the key
// share of a foreign key nor of social.CheckNotBlocked elsewhere). It
// returns how many of the two users exist.
func lockPair(ctx context.Context, tx *store.Tx, a, b int64) (int, error) {
	lo, hi := pair(a, b)
	lock := ""
	if tx.Engine() == store.Postgres {
		lock = " FOR NO KEY UPDATE"
	}
	ids, err := store.Collect(ctx, tx, "SELECT id FROM users WHERE id IN (?, ?) ORDER BY id"+lock, []any{lo, hi},
		func(r store.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) })
	return len(ids), errs.Wrap(err, "lock users")
}

// checkNotBlocked refuses when either user blocks the other.
func (s *Service) checkNotBlocked(ctx context.Context, tx *store.Tx, a, b int64) error {
	if err := s.social.CheckNotBlocked(ctx, tx, a, b); err != nil {
		return err
	}
	return s.social.CheckNotBlocked(ctx, tx, b, a)
}

func areFriends(ctx context.Context, q store.Querier, a, b int64) (bool, error) {
	lo, hi := pair(a, b)
	n, err := store.Count(ctx, q, "SELECT COUNT(*) FROM friendships WHERE user_a = ? AND user_b = ?", lo, hi)
	return n > 0, errs.Wrap(err, "friendship")
}

// between is the request of the pair, either direction.
func between(ctx context.Context, q store.Querier, a, b int64) (Request, error) {
	r, err := scanRequest(q.QueryRow(ctx, "SELECT "+requestCols+" FROM friend_requests WHERE (from_user = ? AND to_user = ?) OR (from_user = ? AND to_user = ?)", a, b, b, a))
	if store.NoRows(err) {
		return Request{}, errNoRequest
	}
	return r, errs.Wrap(err, "friend request")
}

func byID(ctx context.Context, q store.Querier, id int64) (Request, error) {
	r, err := scanRequest(q.QueryRow(ctx, "SELECT "+requestCols+" FROM friend_requests WHERE id = ?", id))
	if store.NoRows(err) {
		return Request{}, errNoRequest
	}
	return r, errs.Wrap(err, "friend request")
}

// accept makes the pending request r accepted and the pair friends, in tx
// (whose caller holds the pair's lock). The acceptance is news to the
// requester: their message shows again if they had hidden it.
func accept(ctx context.Context, tx *store.Tx, r Request) (Request, error) {
	now := tx.Now()
	if _, err := tx.Exec(ctx, "UPDATE friend_requests SET status = 'accepted', hidden_by_from = FALSE, updated_at = ? WHERE id = ?", now.UnixMilli(), r.ID); err != nil {
		return Request{}, errs.Wrap(err, "accept friend request")
	}
	lo, hi := pair(r.From, r.To)
	if _, err := tx.Exec(ctx, "INSERT INTO friendships (user_a, user_b, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", lo, hi, now.UnixMilli()); err != nil {
		return Request{}, errs.Wrap(err, "befriend")
	}
	r.Status, r.UpdatedAt = Accepted, now
	return r, nil
}

// Ask makes from ask to befriend to. Asking again while the request is
// pending returns it unchanged (it shows in from's list again if from had
// hidden it); asking a user whose own request to from is pending accepts
// that request: they are friends, and the accepted request is returned.
// Refusals: from == to (Invalid, ReasonSelf), an unknown user (NotFound,
// account.ReasonNoUser), friends already (Conflict, ReasonAlreadyFriends),
// a block either way (social's Forbidden).
func (s *Service) Ask(ctx context.Context, from, to int64) (Request, error) {
	if from == to {
		return Request{}, errs.R(errs.Invalid, ReasonSelf, "you cannot befriend yourself")
	}
	var out Request
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		n, err := lockPair(ctx, tx, from, to)
		s.forget(tx, from, to)
		if err != nil {
			return err
		}
		if n != 2 {
			return errNoUser
		}
		if err := s.checkNotBlocked(ctx, tx, from, to); err != nil {
			return err
		}
		if f, err := areFriends(ctx, tx, from, to); err != nil || f {
			if err == nil {
				err = errs.R(errs.Conflict, ReasonAlreadyFriends, "you are friends already")
			}
			return err
		}
		r, err := between(ctx, tx, from, to)
		switch {
		case err == nil && r.Status == Pending && r.From == from:
			out = r
			_, err := tx.Exec(ctx, "UPDATE friend_requests SET hidden_by_from = FALSE WHERE id = ? AND hidden_by_from", r.ID)
			return errs.Wrap(err, "ask again")
		case err == nil && r.Status == Pending:
			out, err = accept(ctx, tx, r)
			return err
		case err == nil:
			// An accepted request of a pair who are not friends (none is
			// left behind by Unfriend or a block; kept for safety): the
			// new request replaces it.
			if _, err := tx.Exec(ctx, "DELETE FROM friend_requests WHERE id = ?", r.ID); err != nil {
				return errs.Wrap(err, "ask")
			}
		case !errs.Is(err, errs.NotFound):
			return err
		}
		now := tx.Now()
		out = Request{From: from, To: to, Status: Pending, CreatedAt: now, UpdatedAt: now}
		err = tx.QueryRow(ctx, "INSERT INTO friend_requests (from_user, to_user, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?) RETURNING id",
			from, to, now.UnixMilli(), now.UnixMilli()).Scan(&out.ID)
		return errs.Wrap(err, "ask")
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}

// lockRequest reads the request id of user (its requester or addressee)
// and locks its pair; the request is read again under the lock. A request
// of other users, or none, is NotFound (ReasonNoRequest).
func (s *Service) lockRequest(ctx context.Context, tx *store.Tx, user, id int64) (Request, error) {
	r, err := byID(ctx, tx, id)
	if err != nil {
		return Request{}, err
	}
	if user != r.From && user != r.To {
		return Request{}, errNoRequest
	}
	s.forget(tx, r.From, r.To)
	if _, err := lockPair(ctx, tx, r.From, r.To); err != nil {
		return Request{}, err
	}
	return byID(ctx, tx, id)
}

// Accept makes user, the addressee of the pending request requestID,
// accept it: they are friends. Accepting an accepted request returns it.
// The requester may not accept (Forbidden, ReasonNotAddressee); a request
// of other users or none is NotFound (ReasonNoRequest); a block either way
// is social's Forbidden.
func (s *Service) Accept(ctx context.Context, user, requestID int64) (Request, error) {
	var out Request
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		r, err := s.lockRequest(ctx, tx, user, requestID)
		if err != nil {
			return err
		}
		if user != r.To {
			return errs.R(errs.Forbidden, ReasonNotAddressee, "only the user asked may accept a friend request")
		}
		if r.Status == Accepted {
			out = r
			return nil
		}
		if err := s.checkNotBlocked(ctx, tx, r.To, r.From); err != nil {
			return err
		}
		out, err = accept(ctx, tx, r)
		return err
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}

// Delete removes the request's message from user's list (user is either
// party). The addressee deleting a pending request declines it: it is gone
// for both, and the requester may ask again. The requester deleting a
// pending request only hides it from their own list: it still waits for
// the addressee (and shows again once accepted). Deleting an accepted
// request's message does not end the friendship (Unfriend does). Deleting
// a message hidden already changes nothing; a request of other users or
// none is NotFound (ReasonNoRequest).
func (s *Service) Delete(ctx context.Context, user, requestID int64) error {
	return s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		r, err := s.lockRequest(ctx, tx, user, requestID)
		if err != nil {
			return err
		}
		switch {
		case user == r.To && r.Status == Pending:
			_, err = tx.Exec(ctx, "DELETE FROM friend_requests WHERE id = ?", r.ID)
		case user == r.To:
			_, err = tx.Exec(ctx, "UPDATE friend_requests SET hidden_by_to = TRUE WHERE id = ?", r.ID)
		default:
			_, err = tx.Exec(ctx, "UPDATE friend_requests SET hidden_by_from = TRUE WHERE id = ?", r.ID)
		}
		return errs.Wrap(err, "delete friend request")
	})
}

// Requests lists the messages user sees, both directions, newest first, at
// most limit (MaxRequests when limit is not in 1..MaxRequests).
func (s *Service) Requests(ctx context.Context, user int64, limit int) ([]Request, error) {
	if limit <= 0 || limit > MaxRequests {
		limit = MaxRequests
	}
	out, err := store.Collect(ctx, s.db,
		"SELECT "+requestCols+" FROM friend_requests WHERE from_user = ? AND NOT hidden_by_from"+
			" UNION ALL SELECT "+requestCols+" FROM friend_requests WHERE to_user = ? AND NOT hidden_by_to"+
			" ORDER BY created_at DESC, id DESC LIMIT (? + 0)",
		[]any{user, user, limit}, scanRequest)
	return out, errs.Wrap(err, "friend requests")
}

// Between is the request between a and b, either direction, whoever has
// hidden its message; none is NotFound (ReasonNoRequest).
func (s *Service) Between(ctx context.Context, a, b int64) (Request, error) {
	return between(ctx, s.db, a, b)
}

// Unfriend ends the friendship of a and b, and deletes the request between
// them (its "accepted" message would no longer be true, and either may ask
// again). Not friends: NotFound (ReasonNotFriends).
func (s *Service) Unfriend(ctx context.Context, a, b int64) error {
	return s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		s.forget(tx, a, b)
		if _, err := lockPair(ctx, tx, a, b); err != nil {
			return err
		}
		lo, hi := pair(a, b)
		res, err := tx.Exec(ctx, "DELETE FROM friendships WHERE user_a = ? AND user_b = ?", lo, hi)
		if err != nil {
			return errs.Wrap(err, "unfriend")
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = errs.R(errs.NotFound, ReasonNotFriends, "you are not friends")
			}
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM friend_requests WHERE (from_user = ? AND to_user = ?) OR (from_user = ? AND to_user = ?)", a, b, b, a)
		return errs.Wrap(err, "unfriend")
	})
}

// Friends lists all the user's friends, newest friendship first: one query
// on the two indexes of friendships.
func (s *Service) Friends(ctx context.Context, user int64) ([]Friend, error) {
	return s.lists.Load(user, func() ([]Friend, error) { return s.friends(ctx, user) })
}

func (s *Service) friends(ctx context.Context, user int64) ([]Friend, error) {
	out, err := store.Collect(ctx, s.db,
		"SELECT user_b, created_at FROM friendships WHERE user_a = ?"+
			" UNION ALL SELECT user_a, created_at FROM friendships WHERE user_b = ?"+
			" ORDER BY 2 DESC, 1 DESC",
		[]any{user, user}, func(r store.Scanner) (Friend, error) {
			var f Friend
			return f, r.Scan(&f.UserID, (*store.Millis)(&f.Since))
		})
	return out, errs.Wrap(err, "friends")
}

// AreFriends tells whether a and b are friends.
func (s *Service) AreFriends(ctx context.Context, a, b int64) (bool, error) {
	if a == b {
		return false, nil
	}
	return areFriends(ctx, s.db, a, b)
}

// FriendsAmong returns which of ids are the user's friends: one query for a
// page.
func (s *Service) FriendsAmong(ctx context.Context, user int64, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 || user == 0 {
		return out, nil
	}
	in, args := store.InIDs(ids)
	all := append(append([]any{user}, args...), user)
	all = append(all, args...)
	got, err := store.Collect(ctx, s.db,
		"SELECT user_b FROM friendships WHERE user_a = ? AND user_b IN ("+in+")"+
			" UNION ALL SELECT user_a FROM friendships WHERE user_b = ? AND user_a IN ("+in+")",
		all, func(r store.Scanner) (int64, error) { var v int64; return v, r.Scan(&v) })
	if err != nil {
		return nil, errs.Wrap(err, "friends among")
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}
