package showcase

import (
	"context"
	"database/sql"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/votes"
)

// GameComment is a user's comment on a game, or a reply to one.
type GameComment struct {
	ID        int64
	GameID    int64
	UserID    int64
	Content   string
	ReplyID   int64 // the comment answered, 0 for none
	UpCount   int
	DownCount int
	CreatedAt time.Time
}

// Caps of game comments.
const (
	MaxGameComment  = 1000
	MaxCommentBatch = 100
)

// ReasonGameComment marks the NotFound of a game comment.
var ReasonGameComment = errs.NewReason("showcase.game_comment")

var (
	errNoGameComment = errs.R(errs.NotFound, ReasonGameComment, "no such game comment")
	gameCommentVotes = votes.Tables{Items: "game_comments", Votes: "game_comment_votes", ItemCol: "comment_id"}
)

const gameCommentCols = "id, game_id, user_id, content, reply_id, up_count, down_count, created_at"

func scanGameComment(r store.Scanner) (GameComment, error) {
	var c GameComment
	var reply sql.NullInt64
	err := r.Scan(&c.ID, &c.GameID, &c.UserID, &c.Content, &reply, &c.UpCount, &c.DownCount, millis(&c.CreatedAt))
	c.ReplyID = reply.Int64
	return c, err
}

// CommentGame adds the user's comment on a game, or, with replyID, a reply
// to one of its comments (refused when that comment's author blocked the
// user).
func (s *Service) CommentGame(ctx context.Context, userID int64, g Game, replyID int64, content string) (GameComment, error) {
	if err := checkComment(content, MaxGameComment); err != nil {
		return GameComment{}, err
	}
	var c GameComment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var reply any
		if replyID != 0 {
			parent, err := scanGameComment(tx.QueryRow(ctx, "SELECT "+gameCommentCols+" FROM game_comments WHERE id = ?", replyID))
			if store.NoRows(err) || err == nil && parent.GameID != g.ID {
				return errNoGameComment
			}
			if err != nil {
				return errs.Wrap(err, "reply to game comment")
			}
			// Under the lock a block takes: a block racing the reply
			// either lands first and refuses it or waits for it.
			if s.Social != nil {
				if err := s.Social.CheckNotBlocked(ctx, tx, userID, parent.UserID); err != nil {
					return err
				}
			}
			reply = replyID
		}
		var err error
		c, err = scanGameComment(tx.QueryRow(ctx, `INSERT INTO game_comments (game_id, user_id, content, reply_id, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING `+gameCommentCols, g.ID, userID, content, reply, s.Clock.Now().UnixMilli()))
		if store.IsForeignKeyViolation(err) {
			return errs.R(errs.NotFound, ReasonGame, "no such game")
		}
		return errs.Wrap(err, "comment game")
	})
	return c, err
}

// GameComments lists a game's comments, newest first.
func (s *Service) GameComments(ctx context.Context, g Game, p Page) ([]GameComment, error) {
	return list(ctx, s, p, "game comments", "SELECT "+gameCommentCols+" FROM game_comments WHERE game_id = ? ORDER BY id DESC"+store.LimitOffset,
		[]any{g.ID}, scanGameComment)
}

// VoteGameComment records the user's up or down vote on a game comment.
func (s *Service) VoteGameComment(ctx context.Context, userID, commentID int64, v votes.Vote) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		return votes.Cast(ctx, tx, gameCommentVotes, userID, commentID, v, s.Clock.Now().UnixMilli(), errNoGameComment)
	})
}

// GameCommentVotes returns the user's votes among comments: one query.
func (s *Service) GameCommentVotes(ctx context.Context, userID int64, ids []int64) (map[int64]votes.Vote, error) {
	return votes.Of(ctx, s.DB, gameCommentVotes, userID, ids)
}

// DeleteGameComments deletes the user's own game comments. Any id of
// another user's comment refuses the whole call (Forbidden); ids of no
// comment are passed over.
func (s *Service) DeleteGameComments(ctx context.Context, userID int64, ids []int64) error {
	if err := checkBatch("comment_id", ids); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := deleteOwn(ctx, tx, gameCommentTable, userID, ids)
		return err
	})
}

var gameCommentTable = commentTable{table: "game_comments", item: "game_id"}
