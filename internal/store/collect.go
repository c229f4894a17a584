package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Scanner is a row: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// Collect runs a query and scans every row with scan.
func Collect[T any](ctx context.Context, q Querier, query string, args []any, scan func(Scanner) (T, error)) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Count runs a SELECT COUNT(*) query.
func Count(ctx context.Context, q Querier, query string, args ...any) (int, error) {
	var n int
	err := q.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// NoRows tells whether err is sql.ErrNoRows.
func NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Millis is a time column kept as integer milliseconds since the epoch.
// Scan into (*Millis)(&t) to read a time.Time.
type Millis time.Time

func (m *Millis) Scan(v any) error {
	switch x := v.(type) {
	case int64:
		*m = Millis(time.UnixMilli(x))
		return nil
	case nil:
		*m = Millis(time.Time{})
		return nil
	}
	return errors.New("store: time column is not an integer")
}
