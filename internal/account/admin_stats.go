package account

import (
	"context"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// The operator's console: how many users, how many signed up per day, and
// the user search.

// UsersTotal is the number of users, read from the counter the users
// table's triggers keep (migrations 00025 and 00029): a few shard rows,
// whatever the table's size.
func (s *Service) UsersTotal(ctx context.Context) (int, error) {
	n, err := store.Count(ctx, s.db, "SELECT COALESCE(SUM(n), 0) FROM row_counts WHERE name = 'users'")
	return n, errs.Wrap(err, "count users")
}

// SignupsPerDay counts the users made on each of days (index users_created).
func (s *Service) SignupsPerDay(ctx context.Context, days []store.Day) ([]int64, error) {
	rows, err := store.PerDay(ctx, s.db, days, "users u", "u.created_at", "", nil, "COUNT(*)")
	if err != nil {
		return nil, errs.Wrap(err, "count signups")
	}
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r[0]
	}
	return out, nil
}

// MaxSearch is the longest search text.
const MaxSearch = 100

// highest sorts after every character of a text (the upper bound of a
// prefix range).
const highest = "\U0010FFFF"

// Search pages through the users that q finds, newest first, and counts
// them. q is matched, every way it can mean, against
//   - the record id (plain digits, exactly),
//   - the phone number (digits: a prefix, of the default area, 86:
//     index users_phone is (area, phone)),
//   - the e-mail address (with "@": a prefix, case-insensitive as
//     addresses are kept in lowercase),
//   - the public uid (32 hex digits, exactly),
//   - the nickname (a prefix, case-sensitive).
//
// Every one is a range of an index, so a search costs its matches, not
// the table: a "contains" search (LIKE '%q%') would read every user.
// An empty q lists every user (Users).
func (s *Service) Search(ctx context.Context, q string, offset, limit int) ([]User, int, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return s.Users(ctx, offset, limit)
	}
	if err := valid.Line("q", q, MaxSearch); err != nil {
		return nil, 0, err
	}
	nick := "nickname >= ? AND nickname < ?"
	if s.db.Engine() == store.Postgres { // the index is COLLATE "C": code point order, as SQLite's
		nick = `nickname COLLATE "C" >= ? AND nickname COLLATE "C" < ?`
	}
	conds, args := []string{"(" + nick + ")"}, []any{q, q + highest}
	if id, ok := valid.ID(q); ok {
		conds, args = append(conds, "id = ?"), append(args, id)
	}
	if digits(q) { // the partial index users_phone serves a query that names phone <> ''
		conds, args = append(conds, "(area = ? AND phone <> '' AND phone >= ? AND phone < ?)"), append(args, DefaultArea, q, q+highest)
	}
	if strings.Contains(q, "@") {
		e := strings.ToLower(q)
		conds, args = append(conds, "(email <> '' AND email >= ? AND email < ?)"), append(args, e, e+highest)
	}
	if len(q) == 32 && valid.IsHexID(strings.ToLower(q)) {
		conds, args = append(conds, "uid = ?"), append(args, strings.ToLower(q))
	}
	where := " FROM users WHERE " + strings.Join(conds, " OR ")
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*)"+where, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count found users")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+userCols+where+" ORDER BY id DESC"+store.LimitOffset,
		append(args, limit, offset), scanUser)
	return out, total, errs.Wrap(err, "search users")
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
