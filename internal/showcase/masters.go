package showcase

import (
	"context"
	"database/sql"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// Master is an admin-made master (达人) profile.
type Master struct {
	ID          int64
	MasterID    string // public: 32 lowercase hex
	Name        string
	Avatar      string // media id
	Intro       string // opaque text
	Address     string
	Birthday    string // YYYY-MM-DD or ""
	UserID      int64  // the linked user account, 0 when none
	Recommended bool
	Sort        int64
	CreatedAt   time.Time
}

const masterCols = "id, master_id, name, avatar, intro, address, birthday, user_id, recommended, sort, created_at"

func scanMaster(r store.Scanner) (Master, error) {
	var m Master
	var user sql.NullInt64
	err := r.Scan(&m.ID, &m.MasterID, &m.Name, &m.Avatar, &m.Intro, &m.Address, &m.Birthday, &user, &m.Recommended, &m.Sort, millis(&m.CreatedAt))
	m.UserID = user.Int64
	return m, err
}

// Masters lists every master, newest first.
func (s *Service) Masters(ctx context.Context, p Page) ([]Master, error) {
	return list(ctx, s, p, "masters", "SELECT "+masterCols+" FROM masters ORDER BY id DESC"+store.LimitOffset, nil, scanMaster)
}

var masterShelf = shelf{what: "masters", cols: masterCols, flagged: "sort, id DESC"}

// RecommendedMasters lists the recommended masters by their sort key
// (smaller first), then newest first; while none is flagged, the newest
// masters.
func (s *Service) RecommendedMasters(ctx context.Context, p Page) ([]Master, error) {
	return recommended(ctx, s, masterShelf, nil, p, scanMaster)
}

// Master returns the master with a public id (NotFound, ReasonMaster).
func (s *Service) Master(ctx context.Context, masterID string) (Master, error) {
	return one(ctx, s, ReasonMaster, "SELECT "+masterCols+" FROM masters WHERE master_id = ?", masterID, scanMaster)
}

// MasterOfUser returns the master linked to a user (NotFound when none).
func (s *Service) MasterOfUser(ctx context.Context, userID int64) (Master, error) {
	return one(ctx, s, ReasonMaster, "SELECT "+masterCols+" FROM masters WHERE user_id = ?", userID, scanMaster)
}

// MastersByID returns the masters with the given ids (unknown ids left out).
func (s *Service) MastersByID(ctx context.Context, ids []int64) (map[int64]Master, error) {
	return byID(ctx, s, "masters", "SELECT "+masterCols+" FROM masters", ids, scanMaster, func(m Master) int64 { return m.ID })
}

// FollowMaster makes user follow m; following again changes nothing. A
// master linked to a user is followed as that user is: not by those the
// user blocked (checked, as social.Follow does, in the write transaction
// under the lock a block takes, so a block and a follow racing never leave
// a follow of the blocker's master), nor by the user themself.
func (s *Service) FollowMaster(ctx context.Context, userID int64, m Master) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		linked, err := s.MasterUserTx(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if linked == userID {
			return errs.E(errs.Invalid, "you cannot follow yourself")
		}
		if linked != 0 {
			if err := s.Social.CheckNotBlocked(ctx, tx, userID, linked); err != nil {
				return err
			}
		}
		return s.setIn(ctx, tx, masterFollows, userID, m.ID)
	})
}

// MasterUserTx is the user linked to the master with row id masterID (0:
// none), read in the caller's transaction and, on PostgreSQL, share-locked
// against an admin's re-link until it ends: a block check against that
// user then holds for the write it guards.
func (s *Service) MasterUserTx(ctx context.Context, tx *store.Tx, masterID int64) (int64, error) {
	lock := ""
	if tx.Engine() == store.Postgres {
		lock = " FOR SHARE"
	}
	var user *int64
	err := tx.QueryRow(ctx, "SELECT user_id FROM masters WHERE id = ?"+lock, masterID).Scan(&user)
	if store.NoRows(err) {
		return 0, errs.R(errs.NotFound, ReasonMaster, "no such master")
	}
	if err != nil || user == nil {
		return 0, errs.Wrap(err, "read master")
	}
	return *user, nil
}

// UnfollowMaster ends a follow; unfollowing a master one does not follow
// changes nothing.
func (s *Service) UnfollowMaster(ctx context.Context, userID int64, m Master) error {
	return s.unset(ctx, masterFollows, userID, m.ID)
}

// FollowingMasters returns which of the masters (by id) user follows.
func (s *Service) FollowingMasters(ctx context.Context, userID int64, ids []int64) (map[int64]bool, error) {
	return s.among(ctx, masterFollows, userID, ids)
}

// FollowsMaster tells whether user follows m (false for no user).
func (s *Service) FollowsMaster(ctx context.Context, userID int64, m Master) (bool, error) {
	got, err := s.among(ctx, masterFollows, userID, []int64{m.ID})
	return got[m.ID], err
}

// FollowedMasters lists the masters user follows, newest follow first.
func (s *Service) FollowedMasters(ctx context.Context, userID int64, p Page) ([]Master, error) {
	ids, err := s.marked(ctx, masterFollows, userID, p)
	if err != nil {
		return nil, err
	}
	rows, err := s.MastersByID(ctx, ids)
	return ordered(ids, rows), err
}

// MasterStats are a master's counts.
type MasterStats struct {
	Following int // whom the linked user follows (0 when not linked)
	Followers int // users who follow the master
	Articles  int // the linked user's articles (0 when not linked)
}

// MasterStats counts a master's followers and, through its linked user,
// its follows and articles.
func (s *Service) MasterStats(ctx context.Context, m Master) (MasterStats, error) {
	var st MasterStats
	var err error
	if st.Followers, err = s.count(ctx, masterFollows, m.ID); err != nil {
		return st, err
	}
	if m.UserID == 0 {
		return st, nil
	}
	c, err := s.Social.CountsOf(ctx, m.UserID)
	if err != nil {
		return st, err
	}
	st.Following = c.Following
	if s.Articles != nil {
		if st.Articles, err = s.Articles.ArticleCount(ctx, m.UserID); err != nil {
			return st, err
		}
	}
	return st, nil
}
