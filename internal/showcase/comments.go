package showcase

import (
	"context"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// What game and ticket comments share: the check of a comment's text, the
// cap of a delete, and the delete of one's own comments.

// checkComment refuses an empty or too long comment text.
func checkComment(content string, max int) error {
	if strings.TrimSpace(content) == "" {
		return errs.InvalidField("content", "content is required")
	}
	return valid.Text("content", content, max)
}

// checkBatch refuses no ids and more than MaxCommentBatch, naming field.
func checkBatch(field string, ids []int64) error {
	if len(ids) == 0 {
		return errs.InvalidField(field, "no comment ids")
	}
	if len(ids) > MaxCommentBatch {
		return errs.InvalidField(field, "at most 100 comment ids")
	}
	return nil
}

// commentTable is a table of users' comments on one kind of item, with
// columns id, user_id and the item's.
type commentTable struct {
	table string // "game_comments"
	item  string // its item column, "game_id"
}

// deleteOwn deletes, in tx, the user's comments among ids and returns the
// items they were on. Any id of another user's comment refuses the whole
// call (Forbidden); ids of no comment are passed over.
func deleteOwn(ctx context.Context, tx *store.Tx, t commentTable, userID int64, ids []int64) ([]int64, error) {
	in := store.Placeholders(len(ids))
	rows, err := store.Collect(ctx, tx, "SELECT id, user_id, "+t.item+" FROM "+t.table+" WHERE id IN ("+in+")"+tx.ForUpdate(),
		anys(ids), func(r store.Scanner) ([3]int64, error) { var o [3]int64; return o, r.Scan(&o[0], &o[1], &o[2]) })
	if err != nil {
		return nil, errs.Wrap(err, "delete "+t.table)
	}
	items := make([]int64, 0, len(rows))
	seen := map[int64]bool{}
	for _, o := range rows {
		if o[1] != userID {
			return nil, errs.Ef(errs.Forbidden, "comment %d is not yours", o[0])
		}
		if !seen[o[2]] {
			seen[o[2]] = true
			items = append(items, o[2])
		}
	}
	_, err = tx.Exec(ctx, "DELETE FROM "+t.table+" WHERE id IN ("+in+") AND user_id = ?", append(anys(ids), userID)...)
	return items, errs.Wrap(err, "delete "+t.table)
}
