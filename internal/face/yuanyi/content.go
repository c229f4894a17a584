package yuanyi

import (
	"context"
	"slices"
	"strings"

	"plaza/internal/account"
	"plaza/internal/content"
	"plaza/internal/errs"
)

// The article functions (seed 003); every one needs a token.
func (f *face) contentMethods() map[string]method {
	if f.Content == nil {
		return nil
	}
	return map[string]method{
		"article_publish":         {required, f.articlePublish},
		"article_list":            {required, f.articleList("article_list", f.Content.Latest)},
		"following_article_list":  {required, f.articleList("following_article_list", f.Content.Following)},
		"my_article_list":         {required, f.myArticleList},
		"my_article_collect_list": {required, f.myArticleCollectList},
		"article_detail":          {required, f.articleDetail},
		"article_like":            {required, f.articleMark(f.Content.Like)},
		"article_unlike":          {required, f.articleMark(f.Content.Unlike)},
		"article_collect":         {required, f.articleMark(f.Content.Collect)},
		"article_uncollect":       {required, f.articleMark(f.Content.Uncollect)},
		"article_comment_publish": {required, f.articleCommentPublish},
		"article_comment_reply":   {required, f.articleCommentReply},
		"article_comment_list":    {required, f.articleCommentList},
		"article_comment_up":      {required, f.articleCommentVote(content.Up)},
		"article_comment_down":    {required, f.articleCommentVote(content.Down)},
		"article_comment_del":     {required, f.articleCommentDel},
		"article_del":             {required, f.articleDel},
	}
}

// maxDetailComments, maxDetailUsers: what article_detail embeds.
const (
	maxDetailComments = 100
	maxDetailUsers    = 100
)

// Wire shapes, as structs: lists are the hot path and encoding/json sorts
// the keys of every map it writes.

// authorJSON is a user as the author of an article (also a liker).
type authorJSON struct {
	UID      string `json:"uid"`
	Nickname string `json:"nickname"`
	Avatar   any    `json:"avatar"`
}

func authorJSONOf(a account.Author) *authorJSON {
	return &authorJSON{UID: a.UID, Nickname: a.Nickname, Avatar: orNull(a.Avatar)}
}

// articleJSON is an item of my_article_list (article_list and
// following_article_list add the author: content_json.go).
type articleJSON struct {
	ArticleID    int64    `json:"article_id"`
	UID          string   `json:"uid"`
	Content      string   `json:"content"`
	Images       []string `json:"images"`
	CreatedAt    int64    `json:"created_at"`
	LikeCount    int      `json:"like_count"`
	CollectCount int      `json:"collect_count"`
	CommentCount int      `json:"comment_count"`
	IsLike       bool     `json:"is_like"`
	IsCollect    bool     `json:"is_collect"`
}

// collectedJSON is an item of my_article_collect_list.
type collectedJSON struct {
	ArticleID    int64    `json:"article_id"`
	Content      string   `json:"content"`
	Images       []string `json:"images"`
	CreatedAt    int64    `json:"created_at"`
	LikeCount    int      `json:"like_count"`
	CollectCount int      `json:"collect_count"`
	CommentCount int      `json:"comment_count"`
}

// commenterJSON is the author of a comment, or of the comment it answers.
type commenterJSON struct {
	Nickname string `json:"nickname"`
	Avatar   any    `json:"avatar"`
}

// commentJSON is an item of article_comment_list and of
// article_detail.comment_list. A top comment has null reply fields.
type commentJSON struct {
	CommentID        int64          `json:"comment_id"`
	UID              string         `json:"uid"`
	Content          string         `json:"content"`
	ReplyID          any            `json:"reply_id"`
	ReplyUID         any            `json:"reply_uid"`
	FirstReplyID     any            `json:"first_reply_id"`
	FirstReplyUID    any            `json:"first_reply_uid"`
	CreatedAt        int64          `json:"created_at"`
	UpCount          int            `json:"up_count"`
	DownCount        int            `json:"down_count"`
	IsUp             bool           `json:"is_up"`
	IsDown           bool           `json:"is_down"`
	Author           commenterJSON  `json:"author"`
	ReplyAuthor      *commenterJSON `json:"reply_author"`
	FirstReplyAuthor *commenterJSON `json:"first_reply_author"`
}

func articleOf(a content.ArticleView, uid string) articleJSON {
	return articleJSON{
		ArticleID: a.ID, UID: uid, Content: a.Content, Images: a.Images, CreatedAt: ms(a.CreatedAt),
		LikeCount: a.LikeCount, CollectCount: a.CollectCount, CommentCount: a.CommentCount,
		IsLike: a.Liked, IsCollect: a.Collected,
	}
}

// images reads "images": a JSON list of media ids, or "a,b" (a list as
// JavaScript prints it into a form); absent, null or "" is none.
func (c *call) images() ([]string, error) {
	switch v := c.p.Raw("images").(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		parts := strings.Split(v, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, nil
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, errs.InvalidField("images", "images must be a list of media ids")
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, errs.InvalidField("images", "images must be a list of media ids")
}

func (f *face) articlePublish(c *call) (result, error) {
	text, err := c.str("content")
	if err != nil {
		return nil, err
	}
	imgs, err := c.images()
	if err != nil {
		return nil, err
	}
	_, err = f.Content.Publish(c.r.Context(), c.user.ID, text, imgs)
	return nil, err
}

// authorsOf reads the authors of a page in one query.
func (f *face) authorsOf(ctx context.Context, arts []content.ArticleView) (map[int64]account.Author, error) {
	ids := make([]int64, 0, len(arts))
	for _, a := range arts {
		if !slices.Contains(ids, a.AuthorID) {
			ids = append(ids, a.AuthorID)
		}
	}
	return f.Accounts.Authors(ctx, ids)
}

// articleList answers a page of articles with their authors under key:
// three queries (the page, the viewer's likes and collects, the authors).
func (f *face) articleList(key string, list func(context.Context, int64, int, int) ([]content.ArticleView, error)) func(*call) (result, error) {
	return func(c *call) (result, error) {
		offset, limit, err := c.page()
		if err != nil {
			return nil, err
		}
		ctx := c.r.Context()
		arts, err := list(ctx, c.user.ID, offset, limit)
		if err != nil {
			return nil, err
		}
		users, err := f.authorsOf(ctx, arts)
		if err != nil {
			return nil, err
		}
		return result{key: f.articleItems(key, arts, users)}, nil
	}
}

func (f *face) myArticleList(c *call) (result, error) {
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	arts, err := f.Content.ByAuthor(c.r.Context(), c.user.ID, c.user.ID, offset, limit)
	if err != nil {
		return nil, err
	}
	out := make([]articleJSON, len(arts))
	for i, a := range arts {
		out[i] = articleOf(a, c.user.UID)
	}
	return result{"my_article_list": out}, nil
}

func (f *face) myArticleCollectList(c *call) (result, error) {
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	arts, err := f.Content.Collected(c.r.Context(), c.user.ID, offset, limit)
	if err != nil {
		return nil, err
	}
	out := make([]collectedJSON, len(arts))
	for i, a := range arts {
		out[i] = collectedJSON{
			ArticleID: a.ID, Content: a.Content, Images: a.Images, CreatedAt: ms(a.CreatedAt),
			LikeCount: a.LikeCount, CollectCount: a.CollectCount, CommentCount: a.CommentCount,
		}
	}
	return result{"my_article_collect_list": out}, nil
}

// articleID reads "article_id".
func (c *call) articleID() (int64, error) { return c.id("article_id") }

func (f *face) articleMark(do func(context.Context, int64, int64) error) func(*call) (result, error) {
	return func(c *call) (result, error) {
		id, err := c.articleID()
		if err != nil {
			return nil, err
		}
		return nil, do(c.r.Context(), c.user.ID, id)
	}
}

func (f *face) articleDetail(c *call) (result, error) {
	id, err := c.articleID()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	a, err := f.Content.Article(ctx, c.user.ID, id)
	if err != nil {
		return nil, err
	}
	likers, err := f.Content.Likers(ctx, id, 0, maxDetailUsers)
	if err != nil {
		return nil, err
	}
	collectors, err := f.Content.Collectors(ctx, id, 0, maxDetailUsers)
	if err != nil {
		return nil, err
	}
	comments, err := f.Content.Comments(ctx, c.user.ID, id, 0, maxDetailComments)
	if err != nil {
		return nil, err
	}
	author, err := f.Accounts.User(ctx, a.AuthorID)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.R(errs.NotFound, content.ReasonArticle, "no such article")
	}
	if err != nil {
		return nil, err
	}
	ids := append(append([]int64{}, likers...), collectors...)
	ids = append(ids, commentUsers(comments)...)
	users, err := f.Accounts.Authors(ctx, unique(ids))
	if err != nil {
		return nil, err
	}
	isFollow := false
	if c.user.ID != 0 && c.user.ID != author.ID {
		if isFollow, err = f.Social.IsFollowing(ctx, c.user.ID, author.ID); err != nil {
			return nil, err
		}
	}
	authorMap := f.briefUser(author)
	authorMap["is_follow"] = isFollow
	return result{"article_detail": map[string]any{
		"article_id":        a.ID,
		"content":           a.Content,
		"images":            a.Images,
		"created_at":        ms(a.CreatedAt),
		"like_user_list":    userList(likers, users),
		"collect_user_list": userList(collectors, users),
		"comment_list":      commentList(comments, users),
		"author":            authorMap,
		"is_like":           a.Liked,
		"is_collect":        a.Collected,
	}}, nil
}

func userList(ids []int64, users map[int64]account.Author) []*authorJSON {
	out := make([]*authorJSON, 0, len(ids))
	for _, id := range ids {
		if u, ok := users[id]; ok {
			out = append(out, authorJSONOf(u))
		}
	}
	return out
}

// commentUsers are the users a page of comments shows.
func commentUsers(list []content.CommentView) []int64 {
	ids := make([]int64, 0, len(list))
	for _, cm := range list {
		ids = append(ids, cm.AuthorID)
		if cm.ReplyUserID != 0 {
			ids = append(ids, cm.ReplyUserID)
		}
		if cm.FirstReplyUserID != 0 {
			ids = append(ids, cm.FirstReplyUserID)
		}
	}
	return ids
}

func unique(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func commentList(list []content.CommentView, users map[int64]account.Author) []commentJSON {
	out := make([]commentJSON, 0, len(list))
	for _, cm := range list {
		u, ok := users[cm.AuthorID]
		if !ok {
			continue
		}
		item := commentJSON{
			CommentID: cm.ID, UID: u.UID, Content: cm.Content, CreatedAt: ms(cm.CreatedAt),
			UpCount: cm.UpCount, DownCount: cm.DownCount, IsUp: cm.Up, IsDown: cm.Down,
			Author: commenterJSON{Nickname: u.Nickname, Avatar: orNull(u.Avatar)},
		}
		if cm.ReplyID != 0 {
			item.ReplyID = cm.ReplyID
			if ru, ok := users[cm.ReplyUserID]; ok {
				item.ReplyUID = ru.UID
				item.ReplyAuthor = &commenterJSON{Nickname: ru.Nickname, Avatar: orNull(ru.Avatar)}
			}
		}
		if cm.FirstReplyID != 0 {
			item.FirstReplyID = cm.FirstReplyID
			if fu, ok := users[cm.FirstReplyUserID]; ok {
				item.FirstReplyUID = fu.UID
				item.FirstReplyAuthor = &commenterJSON{Nickname: fu.Nickname, Avatar: orNull(fu.Avatar)}
			}
		}
		out = append(out, item)
	}
	return out
}

// articleCommentPublish comments on an article; given a reply_id (the
// client's article_comment carries one for replies) it is a reply.
func (f *face) articleCommentPublish(c *call) (result, error) {
	if c.p.Has("reply_id") {
		if n, given, err := c.p.Int("reply_id"); err != nil || given && n != 0 {
			return f.articleCommentReply(c)
		}
	}
	id, err := c.articleID()
	if err != nil {
		return nil, err
	}
	text, err := c.str("content")
	if err != nil {
		return nil, err
	}
	_, err = f.Content.Comment(c.r.Context(), c.user.ID, id, text)
	return nil, err
}

// articleCommentReply answers a comment. first_reply_id (the thread's top
// comment) is worked out from reply_id; when given it must be an integer,
// and is otherwise not used.
func (f *face) articleCommentReply(c *call) (result, error) {
	id, err := c.articleID()
	if err != nil {
		return nil, err
	}
	replyID, err := c.id("reply_id")
	if err != nil {
		return nil, err
	}
	if _, _, err := c.p.Int("first_reply_id"); err != nil {
		return nil, err
	}
	text, err := c.str("content")
	if err != nil {
		return nil, err
	}
	_, err = f.Content.Reply(c.r.Context(), c.user.ID, id, replyID, text)
	return nil, err
}

func (f *face) articleCommentList(c *call) (result, error) {
	id, err := c.articleID()
	if err != nil {
		return nil, err
	}
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	list, err := f.Content.Comments(ctx, c.user.ID, id, offset, limit)
	if err != nil {
		return nil, err
	}
	users, err := f.Accounts.Authors(ctx, unique(commentUsers(list)))
	if err != nil {
		return nil, err
	}
	return result{"article_comment_list": commentList(list, users)}, nil
}

// commentID reads "article_comment_id" (also "comment_id").
func (c *call) commentID() (int64, error) {
	if !c.p.Has("article_comment_id") && c.p.Has("comment_id") {
		return c.id("comment_id")
	}
	return c.id("article_comment_id")
}

func (f *face) articleCommentVote(v content.Vote) func(*call) (result, error) {
	return func(c *call) (result, error) {
		id, err := c.commentID()
		if err != nil {
			return nil, err
		}
		return nil, f.Content.VoteComment(c.r.Context(), c.user.ID, id, v)
	}
}

func (f *face) articleCommentDel(c *call) (result, error) {
	ids, err := c.ids("article_comment_id_list", content.MaxDelete)
	if err != nil {
		return nil, err
	}
	return nil, f.Content.DeleteComments(c.r.Context(), c.user.ID, ids)
}

func (f *face) articleDel(c *call) (result, error) {
	ids, err := c.ids("article_id_list", content.MaxDelete)
	if err != nil {
		return nil, err
	}
	return nil, f.Content.DeleteArticles(c.r.Context(), c.user.ID, ids)
}
