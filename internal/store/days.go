package store

import (
	"context"
	"strings"
	"time"
)

// Day is one calendar day in a zone, as the half-open range of times
// [From, To) in Unix milliseconds (a day of a DST change is 23 or 25
// hours long).
type Day struct {
	Date     string // 2006-01-02
	From, To int64
}

// LastDays are the n calendar days in loc that end with the day of now,
// oldest first.
func LastDays(now time.Time, loc *time.Location, n int) []Day {
	if loc == nil {
		loc = time.UTC
	}
	t := now.In(loc)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	out := make([]Day, n)
	for i := range n {
		d := today.AddDate(0, 0, i-n+1)
		out[i] = Day{Date: d.Format("2006-01-02"), From: d.UnixMilli(), To: d.AddDate(0, 0, 1).UnixMilli()}
	}
	return out
}

// PerDay runs one query that aggregates the rows of from whose column col
// falls in each of days, and answers, per day (in the order of days), the
// aggregates aggs (SQL expressions of integers, e.g. "COUNT(*)",
// "COALESCE(SUM(price), 0)"). where (with args) narrows the rows ("" for
// none). Each day is an index range of col: the days are a VALUES list,
// and each aggregate of a day a subquery over col >= lo AND col < hi, so
// an index on col (or on the equality columns of where, then col) serves
// every day and nothing outside the days is read. (A join of the days
// with the table grouped by day sorted every row: ten times slower on
// SQLite with 33,000 rows in 30 days.)
func PerDay(ctx context.Context, q Querier, days []Day, from, col, where string, args []any, aggs ...string) ([][]int64, error) {
	out := make([][]int64, len(days))
	for i := range out {
		out[i] = make([]int64, len(aggs))
	}
	if len(days) == 0 {
		return out, nil
	}
	var b strings.Builder
	b.WriteString("WITH d(i, lo, hi) AS (VALUES ")
	all := make([]any, 0, 3*len(days)+len(aggs)*len(args))
	for i, d := range days {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
		all = append(all, i, d.From, d.To)
	}
	b.WriteString(") SELECT d.i")
	cond := col + " >= d.lo AND " + col + " < d.hi"
	if where != "" {
		cond += " AND " + where
	}
	for _, a := range aggs {
		b.WriteString(", (SELECT " + a + " FROM " + from + " WHERE " + cond + ")")
		all = append(all, args...)
	}
	b.WriteString(" FROM d")
	rows, err := q.Query(ctx, b.String(), all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		vals := make([]int64, len(aggs))
		dest := []any{&i}
		for j := range vals {
			dest = append(dest, &vals[j])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if i >= 0 && i < len(out) {
			out[i] = vals
		}
	}
	return out, rows.Err()
}

// DayTotal is how many rows fell on a day and what one of their columns
// sums to.
type DayTotal struct {
	Count int64
	Sum   int64
}

// TotalsPerDay is PerDay of COUNT(*) and the sum of sum (a column or an
// integer expression; 0 on a day without rows), as DayTotals.
func TotalsPerDay(ctx context.Context, q Querier, days []Day, from, col, where string, args []any, sum string) ([]DayTotal, error) {
	rows, err := PerDay(ctx, q, days, from, col, where, args, "COUNT(*)", "COALESCE(SUM("+sum+"), 0)")
	if err != nil {
		return nil, err
	}
	out := make([]DayTotal, len(rows))
	for i, r := range rows {
		out[i] = DayTotal{Count: r[0], Sum: r[1]}
	}
	return out, nil
}
