package content

import (
	"context"
	"database/sql"
	"slices"
	"strconv"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/votes"
)

const commentCols = "id, article_id, user_id, content, reply_id, reply_user_id, first_reply_id, first_reply_user_id, up_count, down_count, created_at"

func scanComment(r store.Scanner) (Comment, error) {
	var c Comment
	var reply, replyUser, first, firstUser sql.NullInt64
	err := r.Scan(&c.ID, &c.ArticleID, &c.AuthorID, &c.Content, &reply, &replyUser, &first, &firstUser,
		&c.UpCount, &c.DownCount, (*store.Millis)(&c.CreatedAt))
	c.ReplyID, c.ReplyUserID, c.FirstReplyID, c.FirstReplyUserID = reply.Int64, replyUser.Int64, first.Int64, firstUser.Int64
	return c, err
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Comment adds the user's comment to an article. A user the article's
// author blocked is refused (Forbidden).
func (s *Service) Comment(ctx context.Context, userID, articleID int64, content string) (Comment, error) {
	return s.addComment(ctx, userID, articleID, 0, content)
}

// Reply adds the user's reply to comment replyID of the article. The
// thread's top comment (first_reply_id) follows from the comment answered.
// A user blocked by the article's author or by the author of the comment
// answered is refused (Forbidden).
func (s *Service) Reply(ctx context.Context, userID, articleID, replyID int64, content string) (Comment, error) {
	if replyID <= 0 {
		return Comment{}, errs.InvalidField("reply_id", "reply_id is required")
	}
	return s.addComment(ctx, userID, articleID, replyID, content)
}

func (s *Service) addComment(ctx context.Context, userID, articleID, replyID int64, content string) (Comment, error) {
	if err := text("content", content, MaxCommentContent); err != nil {
		return Comment{}, err
	}
	var c Comment
	defer s.changed(false, articleID)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// Who must not have blocked the commenter: the article's author and
		// the author of the comment answered, checked under the lock a
		// block takes.
		var author int64
		err := tx.QueryRow(ctx, "SELECT user_id FROM articles WHERE id = ?", articleID).Scan(&author)
		if store.NoRows(err) {
			return errNoArticle
		}
		if err != nil {
			return errs.Wrap(err, "comment")
		}
		var parent Comment
		if replyID != 0 {
			parent, err = scanComment(tx.QueryRow(ctx, "SELECT "+commentCols+" FROM article_comments WHERE id = ?", replyID))
			if store.NoRows(err) || err == nil && parent.ArticleID != articleID {
				return errs.R(errs.NotFound, ReasonComment, "no comment "+strconv.FormatInt(replyID, 10)+" on this article")
			}
			if err != nil {
				return errs.Wrap(err, "reply")
			}
		}
		if s.reach != nil {
			if err := s.reach.CheckNotBlocked(ctx, tx, userID, author, parent.AuthorID); err != nil {
				return err
			}
		}
		first, firstUser := parent.FirstReplyID, parent.FirstReplyUserID
		if replyID != 0 && first == 0 { // answering a top comment
			first, firstUser = parent.ID, parent.AuthorID
		}
		c, err = scanComment(tx.QueryRow(ctx, `INSERT INTO article_comments
			(article_id, user_id, content, reply_id, reply_user_id, first_reply_id, first_reply_user_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+commentCols,
			articleID, userID, content, nullID(replyID), nullID(parent.AuthorID), nullID(first), nullID(firstUser), s.now()))
		if store.IsForeignKeyViolation(err) {
			return errNoArticle // deleted meanwhile
		}
		if err != nil {
			return errs.Wrap(err, "comment")
		}
		_, err = tx.Exec(ctx, "UPDATE articles SET comment_count = comment_count + 1 WHERE id = ?", articleID)
		return errs.Wrap(err, "comment")
	})
	return c, err
}

// Comments lists an article's comments and replies, oldest first, with
// the viewer's votes. Unknown article: NotFound with ReasonArticle.
func (s *Service) Comments(ctx context.Context, viewer, articleID int64, offset, limit int) ([]CommentView, error) {
	if err := checkPage(offset, limit); err != nil {
		return nil, err
	}
	list, err := store.Collect(ctx, s.db, "SELECT "+commentCols+" FROM article_comments WHERE article_id = ? ORDER BY id"+store.LimitOffset,
		[]any{articleID, limit, offset}, scanComment)
	if err != nil {
		return nil, errs.Wrap(err, "list comments")
	}
	if len(list) == 0 { // a comment's article exists: only an empty page asks
		if err := articleExists(ctx, s.db, articleID); err != nil {
			return nil, err
		}
	}
	out := make([]CommentView, len(list))
	for i, c := range list {
		out[i].Comment = c
	}
	if viewer == 0 || len(list) == 0 {
		return out, nil
	}
	ids := make([]int64, len(list))
	index := make(map[int64]int, len(list))
	for i, c := range list {
		ids[i] = c.ID
		index[c.ID] = i
	}
	in, inArgs := store.InIDs(ids)
	args := append([]any{viewer}, inArgs...)
	type vote struct {
		id int64
		v  Vote
	}
	votes, err := store.Collect(ctx, s.db, "SELECT comment_id, vote FROM comment_votes WHERE user_id = ? AND comment_id IN ("+in+")",
		args, func(r store.Scanner) (vote, error) { var v vote; return v, r.Scan(&v.id, &v.v) })
	if err != nil {
		return nil, errs.Wrap(err, "read votes")
	}
	for _, v := range votes {
		if i, ok := index[v.id]; ok {
			out[i].Up, out[i].Down = v.v == Up, v.v == Down
		}
	}
	return out, nil
}

// VoteComment records the user's vote on a comment. Up and down exclude
// each other: voting down a comment voted up moves the vote. Voting the
// same again changes nothing.
func (s *Service) VoteComment(ctx context.Context, userID, commentID int64, v Vote) error {
	if v != Up && v != Down {
		return errs.InvalidField("vote", "a vote is up or down")
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		return votes.Cast(ctx, tx, commentVotes, userID, commentID, votes.Vote(v), s.now(), errNoComment)
	})
}

// commentVotes is where votes on article comments live.
var commentVotes = votes.Tables{Items: "article_comments", Votes: "comment_votes", ItemCol: "comment_id"}

// DeleteComments deletes the user's comments with the given ids (at most
// MaxDelete). If any id is another user's comment, nothing is deleted and
// the answer is Forbidden; ids of no comment are passed over. Replies to
// a deleted comment stay, still naming the comment and user they answered.
func (s *Service) DeleteComments(ctx context.Context, userID int64, ids []int64) error {
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return errs.InvalidField("article_comment_id_list", "no comment ids")
	}
	if len(ids) > MaxDelete {
		return errs.InvalidField("article_comment_id_list", "at most "+strconv.Itoa(MaxDelete)+" ids")
	}
	var touched []int64
	defer func() { s.changed(false, touched...) }()
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		type owned struct{ id, user, article int64 }
		rows, err := store.Collect(ctx, tx, "SELECT id, user_id, article_id FROM article_comments WHERE id IN ("+store.Placeholders(len(ids))+") ORDER BY id"+tx.ForUpdate(),
			anys(ids), func(r store.Scanner) (owned, error) { var o owned; return o, r.Scan(&o.id, &o.user, &o.article) })
		if err != nil {
			return errs.Wrap(err, "delete comments")
		}
		found := make([]int64, 0, len(rows))
		perArticle := map[int64]int{}
		for _, o := range rows {
			if o.user != userID {
				return errs.Ef(errs.Forbidden, "comment %d is not yours", o.id)
			}
			found = append(found, o.id)
			perArticle[o.article]++
		}
		if len(found) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM article_comments WHERE id IN ("+store.Placeholders(len(found))+")", anys(found)...); err != nil {
			return errs.Wrap(err, "delete comments")
		}
		articles := make([]int64, 0, len(perArticle))
		for id := range perArticle {
			articles = append(articles, id)
		}
		slices.Sort(articles) // one lock order for every writer
		touched = articles
		for _, id := range articles {
			if _, err := tx.Exec(ctx, "UPDATE articles SET comment_count = comment_count - ? WHERE id = ?", perArticle[id], id); err != nil {
				return errs.Wrap(err, "delete comments")
			}
		}
		return nil
	})
}
