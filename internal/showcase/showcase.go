// Package showcase is what users do with the content admins make in the
// catalog (internal/catalog): they read masters, merchants, clothes, games
// and banners, follow masters and merchants, collect clothes, like and
// collect games. The catalog owns the content tables and their admin CRUD;
// this package reads them with typed queries and owns the users' marks
// (follows, collects, likes).
//
// Every list is one indexed query for a page (a recommended list at most
// three: see shelf); what a viewer has marked on a page is one more query
// (FollowingMasters, CollectedClothes, ...), never one per row.
package showcase

import (
	"context"
	"strings"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/social"
	"plaza/internal/store"
)

// Reasons of NotFound errors, for faces that tell them apart.
var (
	ReasonMaster   = errs.NewReason("showcase.master")
	ReasonMerchant = errs.NewReason("showcase.merchant")
	ReasonCloth    = errs.NewReason("showcase.cloth")
	ReasonGame     = errs.NewReason("showcase.game")
)

// MaxLimit caps a page.
const MaxLimit = 100

// ArticleCounter counts a user's articles (the content core). A master
// linked to a user counts that user's articles as its own.
type ArticleCounter interface {
	ArticleCount(ctx context.Context, userID int64) (int, error)
}

// Deps are what the service needs.
type Deps struct {
	DB     *store.DB
	Clock  clock.Clock
	Social *social.Service // follow counts of a master's linked user, and blocks
	// Articles counts a linked user's articles; nil counts 0 until the
	// content core is there. SetArticleCounter sets it later.
	Articles ArticleCounter
}

// Service is the showcase core.
type Service struct{ Deps }

// New returns the showcase service.
func New(d Deps) *Service { return &Service{Deps: d} }

// SetArticleCounter is the hook the content core plugs into.
func (s *Service) SetArticleCounter(a ArticleCounter) { s.Articles = a }

// Page is a window of a list.
type Page struct{ Offset, Limit int }

func (p Page) check() error {
	if p.Limit < 1 || p.Limit > MaxLimit {
		return errs.InvalidField("limit", "limit must be 1 to 100")
	}
	if p.Offset < 0 {
		return errs.InvalidField("offset", "offset must be 0 or more")
	}
	return nil
}

// list runs a page query (its last two arguments are LIMIT and OFFSET).
func list[T any](ctx context.Context, s *Service, p Page, what, q string, args []any, scan func(store.Scanner) (T, error)) ([]T, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	out, err := store.Collect(ctx, s.DB, q, append(args, p.Limit, p.Offset), scan)
	return out, errs.Wrap(err, "list "+what)
}

// one reads one row; no row is NotFound with reason.
func one[T any](ctx context.Context, s *Service, reason errs.Reason, q string, arg any, scan func(store.Scanner) (T, error)) (T, error) {
	v, err := scan(s.DB.QueryRow(ctx, q, arg))
	if store.NoRows(err) {
		var zero T
		return zero, errs.R(errs.NotFound, reason, "no such "+noun(reason))
	}
	return v, errs.Wrap(err, "read "+noun(reason))
}

// noun is what a NotFound reason of this package is about: "game comment"
// for ReasonGameComment.
func noun(r errs.Reason) string {
	_, n, _ := strings.Cut(r.String(), ".")
	return strings.ReplaceAll(n, "_", " ")
}

// byID reads the rows with the given ids in one query, by id.
func byID[T any](ctx context.Context, s *Service, what, q string, ids []int64, scan func(store.Scanner) (T, error), key func(T) int64) (map[int64]T, error) {
	out := make(map[int64]T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := store.Collect(ctx, s.DB, q+" WHERE id IN ("+store.Placeholders(len(ids))+")", anys(ids), scan)
	if err != nil {
		return nil, errs.Wrap(err, "read "+what)
	}
	for _, r := range rows {
		out[key(r)] = r
	}
	return out, nil
}

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// mark is one kind of user mark on an item: a row (user_id, item) in table.
type mark struct {
	table  string      // "master_follows"
	item   string      // its item column, "master"
	reason errs.Reason // what the item is, for NotFound
}

var (
	masterFollows   = mark{"master_follows", "master", ReasonMaster}
	merchantFollows = mark{"merchant_follows", "merchant", ReasonMerchant}
	clothCollects   = mark{"cloth_collects", "cloth_id", ReasonCloth}
	gameLikes       = mark{"game_likes", "game_id", ReasonGame}
	gameCollects    = mark{"game_collects", "game_id", ReasonGame}
)

// set marks item for user; marking again changes nothing.
func (s *Service) set(ctx context.Context, m mark, userID, item int64) error {
	return s.setIn(ctx, s.DB, m, userID, item)
}

// setIn is set on q: the database, or the caller's transaction.
func (s *Service) setIn(ctx context.Context, q store.Querier, m mark, userID, item int64) error {
	_, err := q.Exec(ctx, "INSERT INTO "+m.table+" (user_id, "+m.item+", created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		userID, item, s.Clock.Now().UnixMilli())
	if store.IsForeignKeyViolation(err) { // the item went away meanwhile
		return errs.R(errs.NotFound, m.reason, "no such "+noun(m.reason))
	}
	return errs.Wrap(err, "mark "+m.table)
}

// unset removes the mark; removing an absent mark changes nothing.
func (s *Service) unset(ctx context.Context, m mark, userID, item int64) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM "+m.table+" WHERE user_id = ? AND "+m.item+" = ?", userID, item)
	return errs.Wrap(err, "unmark "+m.table)
}

// among returns which of items user has marked: one query for a page. No
// user (0) has marked nothing.
func (s *Service) among(ctx context.Context, m mark, userID int64, items []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if userID == 0 || len(items) == 0 {
		return out, nil
	}
	got, err := store.Collect(ctx, s.DB, "SELECT "+m.item+" FROM "+m.table+" WHERE user_id = ? AND "+m.item+" IN ("+store.Placeholders(len(items))+")",
		append([]any{userID}, anys(items)...), func(r store.Scanner) (int64, error) { var v int64; return v, r.Scan(&v) })
	if err != nil {
		return nil, errs.Wrap(err, "read "+m.table)
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// count counts the marks on item.
func (s *Service) count(ctx context.Context, m mark, item int64) (int, error) {
	n, err := store.Count(ctx, s.DB, "SELECT COUNT(*) FROM "+m.table+" WHERE "+m.item+" = ?", item)
	return n, errs.Wrap(err, "count "+m.table)
}

// marked lists the ids of the items user marked, newest mark first.
func (s *Service) marked(ctx context.Context, m mark, userID int64, p Page) ([]int64, error) {
	return list(ctx, s, p, m.table, "SELECT "+m.item+" FROM "+m.table+" WHERE user_id = ? ORDER BY created_at DESC, "+m.item+" DESC"+store.LimitOffset,
		[]any{userID}, func(r store.Scanner) (int64, error) { var v int64; return v, r.Scan(&v) })
}

// ordered returns the rows of ids in that order, skipping ids not found.
func ordered[T any](ids []int64, rows map[int64]T) []T {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if r, ok := rows[id]; ok {
			out = append(out, r)
		}
	}
	return out
}

// millis is a scan target for a time kept as milliseconds.
func millis(t *time.Time) any { return (*store.Millis)(t) }
