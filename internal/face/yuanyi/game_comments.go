package yuanyi

import (
	"plaza/internal/errs"
	"plaza/internal/votes"
)

func (f *face) gameCommentMethods() map[string]method {
	return map[string]method{
		"game_comment_publish": {required, f.gameCommentPublish},
		"game_comment_list":    {required, f.gameCommentList},
		"game_comment_up":      {required, f.gameCommentVote(votes.Up)},
		"game_comment_down":    {required, f.gameCommentVote(votes.Down)},
		"game_comment_del":     {required, f.gameCommentDel},
	}
}

// gameCommentPublish takes game_id, content and, for a reply, reply_id.
func (f *face) gameCommentPublish(c *call) (result, error) {
	g, err := f.game(c)
	if err != nil {
		return nil, err
	}
	content, err := c.need("content")
	if err != nil {
		return nil, err
	}
	// reply_id null or 0 (the shape of the document's items) is a comment.
	reply, _, err := c.p.Int("reply_id")
	if err != nil {
		return nil, err
	}
	if reply < 0 {
		return nil, errs.InvalidField("reply_id", "reply_id must be a positive id")
	}
	_, err = f.Showcase.CommentGame(c.r.Context(), c.user.ID, g, reply, content)
	return nil, err
}

func (f *face) gameCommentList(c *call) (result, error) {
	g, err := f.game(c)
	if err != nil {
		return nil, err
	}
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	comments, err := f.Showcase.GameComments(ctx, g, p)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(comments))
	users := make([]int64, len(comments))
	for i, cm := range comments {
		ids[i], users[i] = cm.ID, cm.UserID
	}
	mine, err := f.Showcase.GameCommentVotes(ctx, c.user.ID, ids)
	if err != nil {
		return nil, err
	}
	authors, err := f.Accounts.UsersByID(ctx, users)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(comments))
	for i, cm := range comments {
		var reply any
		if cm.ReplyID != 0 {
			reply = cm.ReplyID
		}
		u := authors[cm.UserID]
		out[i] = map[string]any{
			"comment_id": cm.ID, "uid": u.UID, "content": cm.Content, "reply_id": reply, "created_at": ms(cm.CreatedAt),
			"up_count": cm.UpCount, "down_count": cm.DownCount, "is_up": mine[cm.ID] == votes.Up, "is_down": mine[cm.ID] == votes.Down,
			"author": map[string]any{"nickname": u.Nickname, "avatar": orNull(u.Avatar)},
		}
	}
	return result{"game_comment_list": out}, nil
}

func (f *face) gameCommentVote(v votes.Vote) func(*call) (result, error) {
	return func(c *call) (result, error) {
		id, err := c.id("comment_id")
		if err != nil {
			return nil, err
		}
		return nil, f.Showcase.VoteGameComment(c.r.Context(), c.user.ID, id, v)
	}
}

// gameCommentDel takes comment_id: one id or a list of them (the document
// names the list comment_id).
func (f *face) gameCommentDel(c *call) (result, error) {
	ids, err := c.ids("comment_id", 100)
	if err != nil {
		return nil, err
	}
	return nil, f.Showcase.DeleteGameComments(c.r.Context(), c.user.ID, ids)
}
