// Package content is the content core: users' articles (text and up to nine
// images), their likes and collects, and comments with replies and up/down
// votes.
//
// Counters (likes, collects and comments of an article; ups and downs of a
// comment) are kept on the rows and changed in the same transaction as the
// change they count, so that a list never counts anything per row. A user
// deletes only their own articles and comments. A user blocked by another
// cannot comment on that user's articles nor reply to their comments.
package content

import (
	"context"
	"plaza/internal/cachesync"
	"regexp"
	"strings"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Limits of the content core.
const (
	MaxContent        = 5000 // characters of an article
	MaxCommentContent = 1000 // characters of a comment
	MaxImages         = 9    // images of an article
	MaxDelete         = 100  // articles or comments deleted in one call
	MaxPage           = 100  // items in one page of any list
)

// Reasons of the core's NotFound errors (faces tell them apart).
var (
	ReasonArticle = errs.NewReason("content.article") // no such article
	ReasonComment = errs.NewReason("content.comment") // no such comment
)

var (
	errNoArticle = errs.R(errs.NotFound, ReasonArticle, "no such article")
	errNoComment = errs.R(errs.NotFound, ReasonComment, "no such comment")
)

// MediaResolver maps a media reference as a client sends it to the stored
// media id; an unknown reference is a NotFound error.
type MediaResolver interface {
	Resolve(ctx context.Context, ref string) (string, error)
}

// Reacher says whether one user may reach others (the social core:
// Forbidden when any of to has blocked from), inside the caller's write
// transaction and under the lock a block takes.
type Reacher interface {
	CheckNotBlocked(ctx context.Context, tx *store.Tx, from int64, to ...int64) error
}

// Service is the content core.
type Service struct {
	db    *store.DB
	clock clock.Clock
	media MediaResolver // nil: any well-formed media id is accepted
	reach Reacher       // nil: nobody is blocked
	cache *cache        // nil: off
	sync  *cachesync.Sync
}

// New returns the content service. media may be nil: media ids are then
// only checked for their form (<uuid> or <uuid>.<ext>).
func New(db *store.DB, c clock.Clock, media MediaResolver, reach Reacher) *Service {
	return &Service{db: db, clock: c, media: media, reach: reach}
}

// WithCache keeps up to rows article rows (and the ids of the newest
// articles) in memory; call it before the service is used. Exact on one
// node; with several, give WithSync too.
func (s *Service) WithCache(rows int) *Service {
	s.cache = newCache(rows)
	return s
}

// WithSync carries the cache's changes to every node sharing the
// database, and keeps it unused while one may have been missed. Call it
// after WithCache, before the service is used.
func (s *Service) WithSync(sync *cachesync.Sync) *Service {
	s.sync = sync
	if s.cache != nil && sync != nil {
		s.cache.usable = sync.Usable
		sync.Register("articles", s.cache)
	}
	return s
}

// changed drops, on every node, the rows of ids (their counters or their
// existence changed); with listed, the newest ids too (an article came or
// went). Call it after the change committed.
func (s *Service) changed(listed bool, ids ...int64) {
	if s.cache == nil {
		return
	}
	kind := "r "
	if listed {
		kind = "n "
	}
	s.sync.Changed(s.cache, "articles", kind+cachesync.IDs(ids...))
}

// marked drops, on every node, what a like or collect of user on article
// changed.
func (s *Service) marked(user, article int64) {
	if s.cache != nil {
		s.sync.Changed(s.cache, "articles", "m "+cachesync.IDs(user, article))
	}
}

// Article is a user's post.
type Article struct {
	ID           int64
	AuthorID     int64
	Content      string
	Images       []string // media ids
	LikeCount    int
	CollectCount int
	CommentCount int
	CreatedAt    time.Time
}

// ArticleView is an article as one viewer sees it.
type ArticleView struct {
	Article
	Liked     bool // the viewer likes it
	Collected bool // the viewer collected it
}

// Comment is a comment on an article, or a reply to another comment.
type Comment struct {
	ID               int64
	ArticleID        int64
	AuthorID         int64
	Content          string
	ReplyID          int64 // the comment answered; 0 for a top comment
	ReplyUserID      int64 // its author
	FirstReplyID     int64 // the top comment of the thread; 0 for a top comment
	FirstReplyUserID int64 // its author
	UpCount          int
	DownCount        int
	CreatedAt        time.Time
}

// CommentView is a comment as one viewer sees it.
type CommentView struct {
	Comment
	Up   bool // the viewer voted it up
	Down bool // the viewer voted it down
}

// Vote is a user's judgement of a comment.
type Vote int

const (
	Up   Vote = 1
	Down Vote = -1
)

func (s *Service) now() int64 { return s.clock.Now().UnixMilli() }

// checkPage refuses a page outside limit 1..MaxPage, offset >= 0.
func checkPage(offset, limit int) error {
	if limit < 1 || limit > MaxPage {
		return errs.InvalidField("limit", "limit must be 1 to 100")
	}
	if offset < 0 {
		return errs.InvalidField("offset", "offset must be 0 or more")
	}
	return nil
}

// text checks a required free text: not blank, at most max characters.
func text(field, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return errs.InvalidField(field, field+" is required")
	}
	return valid.Text(field, v, max)
}

// mediaRef is the form of a media id: <uuid> or <uuid>.<ext>, and the
// app's <uuid>.<ext>.jpg.
var mediaRef = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\.[A-Za-z0-9]{1,8})?(\.jpg)?$`)

// resolveImages maps the client's media references to stored media ids.
func (s *Service) resolveImages(ctx context.Context, refs []string) ([]string, error) {
	if len(refs) > MaxImages {
		return nil, errs.InvalidField("images", "at most 9 images")
	}
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		if s.media != nil {
			id, err := s.media.Resolve(ctx, ref)
			if errs.Is(err, errs.NotFound) {
				return nil, errs.InvalidField("images", "unknown media id "+quote(ref))
			}
			if err != nil {
				return nil, errs.Wrap(err, "resolve media")
			}
			out = append(out, id)
			continue
		}
		m := mediaRef.FindStringSubmatch(ref)
		if m == nil {
			return nil, errs.InvalidField("images", "not a media id: "+quote(ref))
		}
		id := ref
		if m[1] != "" && m[2] != "" { // <uuid>.<ext>.jpg: the app's display suffix
			id = strings.TrimSuffix(ref, ".jpg")
		}
		out = append(out, id)
	}
	return out, nil
}

// quote shows a client's value in a message, cut short.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}

// uniqueIDs drops repeated ids, keeping order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func scanID(r store.Scanner) (int64, error) {
	var id int64
	return id, r.Scan(&id)
}
