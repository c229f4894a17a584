package yuanyi

import (
	"encoding/json"
	"slices"
	"sync"

	"plaza/internal/account"
	"plaza/internal/content"
)

// itemMemo keeps the JSON of list items (an article with its author, but
// without the viewer's is_like and is_collect), so that a list encodes
// only what changed since it was last shown. An entry is used only while
// the article and author it was made of are equal to the ones at hand,
// so it can never show stale data and needs no invalidation.
type itemMemo struct {
	mu   sync.Mutex
	m    map[int64]memoItem
	size int // bytes of JSON kept
}

type memoItem struct {
	a      content.Article
	author account.Author
	json   []byte // {"article_id":...,"author":{...}, (open, ends with a comma)
}

// The memo is emptied when it holds this many items or bytes of JSON.
const (
	memoMax      = 20_000
	memoMaxBytes = 32 << 20
)

func newItemMemo() *itemMemo { return &itemMemo{m: map[int64]memoItem{}} }

// articleHead is an article item without the viewer's marks.
type articleHead struct {
	ArticleID    int64       `json:"article_id"`
	UID          string      `json:"uid"`
	Content      string      `json:"content"`
	Images       []string    `json:"images"`
	CreatedAt    int64       `json:"created_at"`
	LikeCount    int         `json:"like_count"`
	CollectCount int         `json:"collect_count"`
	CommentCount int         `json:"comment_count"`
	Author       *authorJSON `json:"author"`
}

func sameArticle(x, y content.Article) bool {
	return x.ID == y.ID && x.AuthorID == y.AuthorID && x.LikeCount == y.LikeCount && x.CollectCount == y.CollectCount &&
		x.CommentCount == y.CommentCount && x.CreatedAt.Equal(y.CreatedAt) && x.Content == y.Content && slices.Equal(x.Images, y.Images)
}

// head returns the open JSON of an article item.
func (m *itemMemo) head(a content.Article, au account.Author) []byte {
	m.mu.Lock()
	e, ok := m.m[a.ID]
	m.mu.Unlock()
	if ok && e.author == au && sameArticle(e.a, a) {
		return e.json
	}
	b, err := json.Marshal(articleHead{
		ArticleID: a.ID, UID: au.UID, Content: a.Content, Images: a.Images, CreatedAt: ms(a.CreatedAt),
		LikeCount: a.LikeCount, CollectCount: a.CollectCount, CommentCount: a.CommentCount, Author: authorJSONOf(au),
	})
	if err != nil { // cannot happen: strings, numbers and lists of strings
		panic(err)
	}
	b[len(b)-1] = ',' // reopen the object for the viewer's marks
	m.mu.Lock()
	if old, ok := m.m[a.ID]; ok {
		m.size -= len(old.json)
	}
	if len(m.m) >= memoMax || m.size+len(b) > memoMaxBytes {
		clear(m.m)
		m.size = 0
	}
	m.m[a.ID] = memoItem{a: a, author: au, json: b}
	m.size += len(b)
	m.mu.Unlock()
	return b
}

// articleItems answers a page of articles with their authors under key
// (articles whose author is unknown are left out).
func (f *face) articleItems(key string, arts []content.ArticleView, authors map[int64]account.Author) rawJSON {
	raw := newRaw(key)
	out := append(*raw.buf, '[')
	n := 0
	for _, a := range arts {
		au, ok := authors[a.AuthorID]
		if !ok {
			continue
		}
		if n > 0 {
			out = append(out, ',')
		}
		n++
		out = append(out, f.memo.head(a.Article, au)...)
		out = append(out, `"is_like":`...)
		out = appendBool(out, a.Liked)
		out = append(out, `,"is_collect":`...)
		out = appendBool(out, a.Collected)
		out = append(out, '}')
	}
	*raw.buf = append(out, ']')
	return raw
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}
