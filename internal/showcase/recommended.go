package showcase

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// A shelf is a 推荐 (recommended) list over one table: the rows of a set
// (the whole table, or those matching a condition) that admins flagged
// `recommended`; while none of the set is flagged, the newest rows of the
// set, so that a fresh catalogue never looks empty. Every recommended list
// (games, clothes, masters, and later projects and tickets) is a shelf
// served by recommended.
//
// Each query is one indexed page: the table needs an index on (set
// columns, recommended, order) for the flagged rows and one on (set
// columns, id) for the newest.
type shelf struct {
	what    string // the table, also named in errors: "games"
	cols    string // the columns the scan reads
	set     string // "" (the whole table) or a condition with ? ("kind = ?")
	flagged string // the order of the flagged rows: "id DESC", "sort, id DESC"
}

// where is the WHERE clause of the set and extra conditions.
func (sh shelf) where(extra string) string {
	switch {
	case sh.set == "" && extra == "":
		return ""
	case sh.set == "":
		return " WHERE " + extra
	case extra == "":
		return " WHERE " + sh.set
	}
	return " WHERE " + sh.set + " AND " + extra
}

// recommended serves a page of the shelf; args are the set's arguments.
// An empty page of flagged rows is either past their end or a set with
// none flagged: one more indexed probe tells which, and only the latter
// falls back to the newest rows.
func recommended[T any](ctx context.Context, s *Service, sh shelf, args []any, p Page, scan func(store.Scanner) (T, error)) ([]T, error) {
	withFlag := append(append([]any{}, args...), true)
	out, err := list(ctx, s, p, sh.what, "SELECT "+sh.cols+" FROM "+sh.what+sh.where("recommended = ?")+" ORDER BY "+sh.flagged+store.LimitOffset,
		withFlag, scan)
	if err != nil || len(out) > 0 {
		return out, err
	}
	var one int
	err = s.DB.QueryRow(ctx, "SELECT 1 FROM "+sh.what+sh.where("recommended = ?")+" LIMIT 1", withFlag...).Scan(&one)
	switch {
	case err == nil: // some are flagged: this page is past their end
		return out, nil
	case !store.NoRows(err):
		return nil, errs.Wrap(err, "probe recommended "+sh.what)
	}
	return list(ctx, s, p, sh.what, "SELECT "+sh.cols+" FROM "+sh.what+sh.where("")+" ORDER BY id DESC"+store.LimitOffset, args, scan)
}
