package content

import (
	"context"
	"encoding/json"
	"fmt"
	"plaza/internal/account"
	"strconv"

	"plaza/internal/errs"
	"plaza/internal/store"
)

const articleCols = "id, user_id, content, images, like_count, collect_count, comment_count, created_at"

func scanArticle(r store.Scanner) (Article, error) {
	var a Article
	var images string
	if err := r.Scan(&a.ID, &a.AuthorID, &a.Content, &images, &a.LikeCount, &a.CollectCount, &a.CommentCount,
		(*store.Millis)(&a.CreatedAt)); err != nil {
		return Article{}, err
	}
	var err error
	a.Images, err = decodeImages(images)
	return a, err
}

func encodeImages(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// decodeImages reads the images column. The column is written by
// encodeImages only; media ids never need escapes, so the common case is
// split by hand and anything else goes through encoding/json.
func decodeImages(s string) ([]string, error) {
	if s == "[]" || s == "" {
		return []string{}, nil
	}
	out := make([]string, 0, 4)
	rest := s
	if len(rest) < 2 || rest[0] != '[' || rest[len(rest)-1] != ']' {
		return nil, errs.E(errs.Internal, "images column is not a JSON list")
	}
	rest = rest[1 : len(rest)-1]
	for len(rest) > 0 {
		if rest[0] != '"' {
			return slowImages(s)
		}
		end := 1
		for end < len(rest) && rest[end] != '"' {
			if rest[end] == '\\' {
				return slowImages(s)
			}
			end++
		}
		if end == len(rest) {
			return slowImages(s)
		}
		out = append(out, rest[1:end])
		rest = rest[end+1:]
		if len(rest) > 0 {
			if rest[0] != ',' {
				return slowImages(s)
			}
			rest = rest[1:]
		}
	}
	return out, nil
}

func slowImages(s string) ([]string, error) {
	out := []string{}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, errs.Wrap(err, "images column")
	}
	return out, nil
}

// Publish makes an article of the user: content (required, at most
// MaxContent characters) and 0 to MaxImages media ids.
func (s *Service) Publish(ctx context.Context, userID int64, content string, images []string) (Article, error) {
	if err := text("content", content, MaxContent); err != nil {
		return Article{}, err
	}
	ids, err := s.resolveImages(ctx, images)
	if err != nil {
		return Article{}, err
	}
	a, err := scanArticle(s.db.QueryRowWrite(ctx, "INSERT INTO articles (user_id, content, images, created_at) VALUES (?, ?, ?, ?) RETURNING "+articleCols,
		userID, content, encodeImages(ids), s.now()))
	s.changed(true)
	if store.IsForeignKeyViolation(err) {
		return Article{}, errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
	}
	return a, errs.Wrap(err, "publish article")
}

// viewCols are an article's columns (table alias a) and whether the viewer,
// the query's first two arguments, likes and collected it: two primary-key
// probes per row inside the page's one query.
const viewCols = `a.id, a.user_id, a.content, a.images, a.like_count, a.collect_count, a.comment_count, a.created_at,
	EXISTS (SELECT 1 FROM article_likes l WHERE l.user_id = ? AND l.article_id = a.id),
	EXISTS (SELECT 1 FROM article_collects c WHERE c.user_id = ? AND c.article_id = a.id)`

func scanView(r store.Scanner) (ArticleView, error) {
	var v ArticleView
	var images string
	if err := r.Scan(&v.ID, &v.AuthorID, &v.Content, &images, &v.LikeCount, &v.CollectCount, &v.CommentCount,
		(*store.Millis)(&v.CreatedAt), &v.Liked, &v.Collected); err != nil {
		return ArticleView{}, err
	}
	var err error
	v.Images, err = decodeImages(images)
	return v, err
}

// Article returns one article as viewer sees it (viewer 0: nobody signed
// in). Unknown: NotFound with ReasonArticle.
func (s *Service) Article(ctx context.Context, viewer, id int64) (ArticleView, error) {
	if s.cache.on() {
		views, err := s.viewsOf(ctx, viewer, []int64{id})
		if err != nil {
			return ArticleView{}, err
		}
		if len(views) == 0 {
			return ArticleView{}, errNoArticle
		}
		return views[0], nil
	}
	v, err := scanView(s.db.QueryRow(ctx, "SELECT "+viewCols+" FROM articles a WHERE a.id = ?", viewer, viewer, id))
	if store.NoRows(err) {
		return ArticleView{}, errNoArticle
	}
	return v, errs.Wrap(err, "read article")
}

// A list is a query tail ("FROM articles a ... ORDER BY a.id DESC" and
// the paging clause) read either whole, with the viewer's marks, in one
// query, or, with the cache on, as ids whose rows come from the cache.

// Latest lists every article, newest first (the home list).
func (s *Service) Latest(ctx context.Context, viewer int64, offset, limit int) ([]ArticleView, error) {
	if err := checkPage(offset, limit); err != nil {
		return nil, err
	}
	if s.cache.on() {
		ids, ok := s.cache.newestPage(offset, limit)
		if !ok && offset+limit <= newestKept {
			stamp := s.cache.stamp()
			newest, err := store.Collect(ctx, s.db, "SELECT id FROM articles ORDER BY id DESC LIMIT "+strconv.Itoa(newestKept), nil, scanID)
			if err != nil {
				return nil, errs.Wrap(err, "list articles")
			}
			s.cache.putNewest(newest, len(newest) < newestKept, stamp)
			lo, hi := min(offset, len(newest)), min(offset+limit, len(newest))
			ids, ok = newest[lo:hi], true
		}
		if ok {
			return s.viewsOf(ctx, viewer, ids)
		}
	}
	return s.list(ctx, viewer, "FROM articles a ORDER BY a.id DESC"+store.LimitOffset, limit, offset)
}

// ByAuthor lists an author's articles, newest first.
func (s *Service) ByAuthor(ctx context.Context, viewer, author int64, offset, limit int) ([]ArticleView, error) {
	if err := checkPage(offset, limit); err != nil {
		return nil, err
	}
	return s.list(ctx, viewer, "FROM articles a WHERE a.user_id = ? ORDER BY a.id DESC"+store.LimitOffset, author, limit, offset)
}

// The following list is found in one of two ways, each with a bound on
// what it reads that does not depend on the size of the table:
//
//  1. followingRecent walks the newest W articles (primary key, newest
//     first; W is 2,000, 8,000 or 32,000, at least four times
//     offset+limit) and keeps those whose author the viewer follows (a
//     primary-key probe of follows each). When that holds a whole page, it
//     is the page: any article of a followee outside the window is older
//     than all of them. This is the common case: a user who follows many
//     active users.
//  2. Otherwise followingMerged never reads more than the newest
//     offset+limit ids of each followee: the inner query finds, through
//     the index (user_id, id), the (offset+limit)-th newest id of a
//     followee, and only that followee's ids from there up are merged. A
//     page costs at most one short index walk per followee, however much
//     the followees wrote (a plain join would sort every article they ever
//     wrote, or walk the whole table when they write little).
//
// The rows of the page are then read by primary key.
const (
	followingRecent = `FROM articles a WHERE a.id IN (
	SELECT w.id FROM (SELECT id, user_id FROM articles ORDER BY id DESC LIMIT %d) w
	WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ? AND f.followee_id = w.user_id)
	ORDER BY w.id DESC` + store.LimitOffset + `)
ORDER BY a.id DESC`
	followingMerged = `FROM articles a WHERE a.id IN (
	SELECT p.id FROM follows f
	JOIN articles p ON p.user_id = f.followee_id AND p.id >= COALESCE(
		(SELECT x.id FROM articles x WHERE x.user_id = f.followee_id ORDER BY x.id DESC LIMIT 1 OFFSET (? + 0)), 0)
	WHERE f.follower_id = ?
	ORDER BY p.id DESC` + store.LimitOffset + `)
ORDER BY a.id DESC`
)

// followingWindows are the windows of followingRecent, with their
// queries (a literal LIMIT keeps one plan per window).
var followingWindows = func() (out []struct {
	size int
	tail string
}) {
	for _, w := range []int{2000, 8000, 32000} {
		out = append(out, struct {
			size int
			tail string
		}{w, fmt.Sprintf(followingRecent, w)})
	}
	return out
}()

// Following lists the articles of the users viewer follows, newest first.
func (s *Service) Following(ctx context.Context, viewer int64, offset, limit int) ([]ArticleView, error) {
	if err := checkPage(offset, limit); err != nil {
		return nil, err
	}
	if viewer == 0 {
		return []ArticleView{}, nil
	}
	for _, w := range followingWindows {
		if 4*(offset+limit) <= w.size {
			page, err := s.list(ctx, viewer, w.tail, viewer, limit, offset)
			if err != nil || len(page) == limit {
				return page, err
			}
			break
		}
	}
	return s.list(ctx, viewer, followingMerged, offset+limit-1, viewer, limit, offset)
}

// list reads the page of tail: with the cache, its ids (one query) and
// then viewsOf; without, the rows and the viewer's marks in one query.
func (s *Service) list(ctx context.Context, viewer int64, tail string, args ...any) ([]ArticleView, error) {
	if s.cache.on() {
		ids, err := store.Collect(ctx, s.db, "SELECT a.id "+tail, args, scanID)
		if err != nil {
			return nil, errs.Wrap(err, "list articles")
		}
		return s.viewsOf(ctx, viewer, ids)
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+viewCols+" "+tail, append([]any{viewer, viewer}, args...), scanView)
	return out, errs.Wrap(err, "list articles")
}

// viewsOf returns the articles of ids, in that order (ids of no article
// are left out), with the viewer's marks: the rows come from the cache
// (one query for those it lacks), the marks too (one query for those it
// lacks).
func (s *Service) viewsOf(ctx context.Context, viewer int64, ids []int64) ([]ArticleView, error) {
	out := make([]ArticleView, len(ids))
	if missing := s.cache.fill(ids, out); len(missing) > 0 {
		stamp := s.cache.stamp()
		in, args := store.InIDs(missing)
		rows, err := store.Collect(ctx, s.db, "SELECT "+articleCols+" FROM articles WHERE id IN ("+in+")", args, scanArticle)
		if err != nil {
			return nil, errs.Wrap(err, "read articles")
		}
		s.cache.put(rows, stamp)
		for _, a := range rows {
			for i, id := range ids {
				if id == a.ID {
					out[i].Article = a
				}
			}
		}
	}
	n := 0
	for _, v := range out {
		if v.ID != 0 {
			out[n] = v
			n++
		}
	}
	out = out[:n]
	if viewer == 0 || n == 0 {
		return out, nil
	}
	missing := s.cache.fillMarks(viewer, out)
	if len(missing) == 0 {
		return out, nil
	}
	stamp := s.cache.stamp()
	got, err := s.readMarks(ctx, viewer, missing)
	if err != nil {
		return nil, err
	}
	s.cache.putMarks(viewer, missing, got, stamp)
	for i := range out {
		if m, ok := got[out[i].ID]; ok {
			out[i].Liked, out[i].Collected = m&markLike != 0, m&markCollect != 0
		}
	}
	return out, nil
}

// readMarks reads the viewer's marks on ids in one query. When the ids
// lie close together (a page of the home list) it reads the viewer's marks
// between the least and the greatest, which binds four values instead of
// a list.
func (s *Service) readMarks(ctx context.Context, viewer int64, ids []int64) (map[int64]uint8, error) {
	lo, hi := ids[0], ids[0]
	for _, id := range ids {
		lo, hi = min(lo, id), max(hi, id)
	}
	var q string
	var args []any
	if hi-lo < 256 {
		q = `SELECT article_id, 1 FROM article_likes WHERE user_id = ? AND article_id BETWEEN ? AND ?
			UNION ALL SELECT article_id, 2 FROM article_collects WHERE user_id = ? AND article_id BETWEEN ? AND ?`
		args = []any{viewer, lo, hi, viewer, lo, hi}
	} else {
		in, list := store.InIDs(ids)
		q = "SELECT article_id, 1 FROM article_likes WHERE user_id = ? AND article_id IN (" + in +
			") UNION ALL SELECT article_id, 2 FROM article_collects WHERE user_id = ? AND article_id IN (" + in + ")"
		args = make([]any, 0, 2*len(list)+2)
		args = append(append(args, viewer), list...)
		args = append(append(args, viewer), list...)
	}
	out := make(map[int64]uint8, len(ids))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "read likes and collects")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind uint8
		if err := rows.Scan(&id, &kind); err != nil {
			return nil, errs.Wrap(err, "read likes and collects")
		}
		out[id] |= kind
	}
	return out, errs.Wrap(rows.Err(), "read likes and collects")
}

// Collected lists the articles the user collected, the latest collected
// first.
func (s *Service) Collected(ctx context.Context, userID int64, offset, limit int) ([]Article, error) {
	if err := checkPage(offset, limit); err != nil {
		return nil, err
	}
	out, err := store.Collect(ctx, s.db, `SELECT a.id, a.user_id, a.content, a.images, a.like_count, a.collect_count, a.comment_count, a.created_at
		FROM article_collects c JOIN articles a ON a.id = c.article_id
		WHERE c.user_id = ? ORDER BY c.created_at DESC, c.article_id DESC`+store.LimitOffset,
		[]any{userID, limit, offset}, scanArticle)
	return out, errs.Wrap(err, "list collected articles")
}

// ArticleCount counts the user's articles.
func (s *Service) ArticleCount(ctx context.Context, userID int64) (int, error) {
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM articles WHERE user_id = ?", userID)
	return n, errs.Wrap(err, "count articles")
}

// DeleteArticles deletes the user's articles with the given ids (at most
// MaxDelete), with their likes, collects and comments. If any id is
// another user's article, nothing is deleted and the answer is Forbidden;
// ids of no article (already deleted) are passed over.
func (s *Service) DeleteArticles(ctx context.Context, userID int64, ids []int64) error {
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return errs.InvalidField("article_id_list", "no article ids")
	}
	if len(ids) > MaxDelete {
		return errs.InvalidField("article_id_list", "at most "+strconv.Itoa(MaxDelete)+" ids")
	}
	var found []int64
	defer func() { s.changed(true, found...) }()
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		type owned struct{ id, user int64 }
		rows, err := store.Collect(ctx, tx, "SELECT id, user_id FROM articles WHERE id IN ("+store.Placeholders(len(ids))+")"+tx.ForUpdate(),
			anys(ids), func(r store.Scanner) (owned, error) { var o owned; return o, r.Scan(&o.id, &o.user) })
		if err != nil {
			return errs.Wrap(err, "delete articles")
		}
		found = make([]int64, 0, len(rows))
		for _, o := range rows {
			if o.user != userID {
				return errs.Ef(errs.Forbidden, "article %d is not yours", o.id)
			}
			found = append(found, o.id)
		}
		if len(found) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, "DELETE FROM articles WHERE id IN ("+store.Placeholders(len(found))+")", anys(found)...)
		return errs.Wrap(err, "delete articles")
	})
}
