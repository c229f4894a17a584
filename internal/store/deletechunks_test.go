package store_test

import (
	"context"
	"testing"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// DeleteChunks deletes every matching row, a chunk a statement, and
// leaves the others.
func TestDeleteChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, "CREATE TABLE chunked (id BIGINT PRIMARY KEY, old BOOLEAN NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		for i := range 25 {
			if _, err := db.Exec(ctx, "INSERT INTO chunked (id, old) VALUES (?, ?)", i+1, i < 20); err != nil {
				t.Fatal(err)
			}
		}
		// 20 old rows in chunks of 10: two full runs, then one that finds none.
		if err := db.DeleteChunks(ctx, 10, "DELETE FROM chunked WHERE id IN (SELECT id FROM chunked WHERE old = ? LIMIT (? + 0))", true); err != nil {
			t.Fatal(err)
		}
		var old, left int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM chunked WHERE old = TRUE").Scan(&old); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM chunked").Scan(&left); err != nil {
			t.Fatal(err)
		}
		if old != 0 || left != 5 {
			t.Fatalf("%d old rows and %d in all left, want 0 and 5", old, left)
		}
	})
}
