// Package votes records up/down votes on comments of any kind: one vote
// per user per item, up and down exclusive, counters kept on the item in
// the same transaction.
package votes

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// Vote is a user's judgement of an item.
type Vote int

const (
	Up   Vote = 1
	Down Vote = -1
)

// Tables names where the votes of one kind of item live: Items has id,
// up_count and down_count; Votes has user_id, ItemCol, vote, created_at.
type Tables struct {
	Items   string
	Votes   string
	ItemCol string
}

// Cast records userID's vote v on item inside tx, at now (ms). Voting down
// an item voted up moves the vote; voting the same again changes nothing.
// An unknown item is notFound.
func Cast(ctx context.Context, tx *store.Tx, t Tables, userID, item int64, v Vote, now int64, notFound error) error {
	if v != Up && v != Down {
		return errs.InvalidField("vote", "a vote is up or down")
	}
	// Lock the item: votes on one item queue here.
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM "+t.Items+" WHERE id = ?"+tx.ForUpdate(), item).Scan(&id)
	if store.NoRows(err) {
		return notFound
	}
	if err != nil {
		return errs.Wrap(err, "vote")
	}
	var old Vote
	err = tx.QueryRow(ctx, "SELECT vote FROM "+t.Votes+" WHERE user_id = ? AND "+t.ItemCol+" = ?", userID, item).Scan(&old)
	switch {
	case store.NoRows(err):
		_, err = tx.Exec(ctx, "INSERT INTO "+t.Votes+" (user_id, "+t.ItemCol+", vote, created_at) VALUES (?, ?, ?, ?)", userID, item, int(v), now)
	case err != nil:
	case old == v:
		return nil
	default:
		_, err = tx.Exec(ctx, "UPDATE "+t.Votes+" SET vote = ?, created_at = ? WHERE user_id = ? AND "+t.ItemCol+" = ?", int(v), now, userID, item)
	}
	if err != nil {
		return errs.Wrap(err, "vote")
	}
	up, down := 0, 0
	if v == Up {
		up = 1
	} else {
		down = 1
	}
	switch old {
	case Up:
		up--
	case Down:
		down--
	}
	_, err = tx.Exec(ctx, "UPDATE "+t.Items+" SET up_count = up_count + ?, down_count = down_count + ? WHERE id = ?", up, down, item)
	return errs.Wrap(err, "vote")
}

// Of returns the user's votes among items (absent: no vote), one query.
func Of(ctx context.Context, q store.Querier, t Tables, userID int64, items []int64) (map[int64]Vote, error) {
	out := map[int64]Vote{}
	if userID == 0 || len(items) == 0 {
		return out, nil
	}
	args := []any{userID}
	for _, id := range items {
		args = append(args, id)
	}
	type row struct {
		item int64
		v    Vote
	}
	rows, err := store.Collect(ctx, q, "SELECT "+t.ItemCol+", vote FROM "+t.Votes+" WHERE user_id = ? AND "+t.ItemCol+" IN ("+store.Placeholders(len(items))+")",
		args, func(r store.Scanner) (row, error) { var x row; return x, r.Scan(&x.item, &x.v) })
	if err != nil {
		return nil, errs.Wrap(err, "votes")
	}
	for _, r := range rows {
		out[r.item] = r.v
	}
	return out, nil
}
