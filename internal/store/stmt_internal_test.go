package store

import (
	"context"
	"path/filepath"
	"testing"
)

// A query a transaction ran unprepared is prepared once the transaction has
// committed, so the next transaction runs it prepared (SQLite: parsing was
// a third of the time of a wallet debit).
func TestTxQueriesPreparedAfterCommit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "plaza.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const q = "INSERT INTO faqs (title, created_at, updated_at) VALUES (?, 1, 1)"
	unit := func() {
		if err := db.Unit(ctx, func(ctx context.Context, tx *Tx) error {
			_, err := tx.Exec(ctx, q, "x")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	unit()
	if _, ok := db.writeStmts.m.Load(q); !ok {
		t.Fatal("the query of a committed transaction is not prepared")
	}
	var tx2 *Tx
	if err := db.Unit(ctx, func(ctx context.Context, tx *Tx) error {
		tx2 = tx
		if tx.stmt(ctx, q) == nil {
			t.Error("the next transaction does not find the statement")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(tx2.unprepared) != 0 {
		t.Fatalf("unprepared = %v", tx2.unprepared)
	}
}
