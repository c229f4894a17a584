package content

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// reaction is a table of user -> article marks with a counter on the
// article: likes or collects.
type reaction struct {
	table   string // article_likes, article_collects
	counter string // like_count, collect_count
	what    string // for messages
}

var (
	likes    = reaction{"article_likes", "like_count", "like"}
	collects = reaction{"article_collects", "collect_count", "collect"}
)

// Like makes the user like the article; liking again changes nothing.
func (s *Service) Like(ctx context.Context, userID, articleID int64) error {
	return s.mark(ctx, likes, userID, articleID)
}

// Unlike takes the user's like back; without one it changes nothing.
func (s *Service) Unlike(ctx context.Context, userID, articleID int64) error {
	return s.unmark(ctx, likes, userID, articleID)
}

// Collect makes the user collect the article; collecting again changes
// nothing.
func (s *Service) Collect(ctx context.Context, userID, articleID int64) error {
	return s.mark(ctx, collects, userID, articleID)
}

// Uncollect takes the user's collect back; without one it changes nothing.
func (s *Service) Uncollect(ctx context.Context, userID, articleID int64) error {
	return s.unmark(ctx, collects, userID, articleID)
}

func (s *Service) mark(ctx context.Context, r reaction, userID, articleID int64) error {
	defer s.marked(userID, articleID)
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "INSERT INTO "+r.table+" (user_id, article_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			userID, articleID, s.now())
		if store.IsForeignKeyViolation(err) {
			return errNoArticle
		}
		if err != nil {
			return errs.Wrap(err, r.what)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errs.Wrap(err, r.what)
		}
		_, err = tx.Exec(ctx, "UPDATE articles SET "+r.counter+" = "+r.counter+" + 1 WHERE id = ?", articleID)
		return errs.Wrap(err, r.what)
	})
}

func (s *Service) unmark(ctx context.Context, r reaction, userID, articleID int64) error {
	defer s.marked(userID, articleID)
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM "+r.table+" WHERE user_id = ? AND article_id = ?", userID, articleID)
		if err != nil {
			return errs.Wrap(err, "un"+r.what)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return errs.Wrap(err, "un"+r.what)
		}
		if n == 0 {
			return articleExists(ctx, tx, articleID)
		}
		_, err = tx.Exec(ctx, "UPDATE articles SET "+r.counter+" = "+r.counter+" - 1 WHERE id = ?", articleID)
		return errs.Wrap(err, "un"+r.what)
	})
}

// articleExists is nil when the article exists, else errNoArticle.
func articleExists(ctx context.Context, q store.Querier, id int64) error {
	n, err := store.Count(ctx, q, "SELECT COUNT(*) FROM articles WHERE id = ?", id)
	if err != nil {
		return errs.Wrap(err, "read article")
	}
	if n == 0 {
		return errNoArticle
	}
	return nil
}

// Likers lists the ids of the users who like the article, the latest first.
func (s *Service) Likers(ctx context.Context, articleID int64, offset, limit int) ([]int64, error) {
	return s.markers(ctx, likes, articleID, offset, limit)
}

// Collectors lists the ids of the users who collected the article, the
// latest first.
func (s *Service) Collectors(ctx context.Context, articleID int64, offset, limit int) ([]int64, error) {
	return s.markers(ctx, collects, articleID, offset, limit)
}

func (s *Service) markers(ctx context.Context, r reaction, articleID int64, offset, limit int) ([]int64, error) {
	if err := checkPage(offset, limit); err != nil {
		return nil, err
	}
	ids, err := store.Collect(ctx, s.db, "SELECT user_id FROM "+r.table+" WHERE article_id = ? ORDER BY created_at DESC, user_id DESC"+store.LimitOffset,
		[]any{articleID, limit, offset}, scanID)
	return ids, errs.Wrap(err, "list "+r.what+"s")
}
