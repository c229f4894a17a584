package content_test

import (
	"context"
	"testing"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/content"
	"plaza/internal/errs"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// A comment on the article, or a reply to the comment, of a user who
// blocks the commenter at the same time is either refused or made before
// the block.
func TestCommentRacesBlock(t *testing.T) {
	const rounds = 200
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 3}, start); err != nil {
			t.Fatal(err)
		}
		clk := clock.NewFake(start)
		clk.Step(time.Millisecond) // readings order the writes
		soc := social.New(db, clk)
		svc := content.New(db, clk, nil, soc)
		a, err := svc.Publish(ctx, 1, "post", nil)
		if err != nil {
			t.Fatal(err)
		}
		top, err := svc.Comment(ctx, 3, a.ID, "top")
		if err != nil {
			t.Fatal(err)
		}
		lost := 0
		for i := range rounds {
			blocker, write := int64(1), func() (content.Comment, error) { return svc.Comment(ctx, 2, a.ID, "comment") }
			if i%2 == 1 { // the author of the comment answered
				blocker, write = 3, func() (content.Comment, error) { return svc.Reply(ctx, 2, a.ID, top.ID, "reply") }
			}
			var blockErr, writeErr error
			var c content.Comment
			storetest.Race(func() { blockErr = soc.Block(ctx, blocker, 2) }, func() { c, writeErr = write() })
			if blockErr != nil || writeErr != nil && !errs.Is(writeErr, errs.Forbidden) {
				t.Fatalf("block: %v; comment: %v", blockErr, writeErr)
			}
			if writeErr == nil {
				edges, err := soc.Blocked(ctx, blocker, 0, 10)
				if err != nil || len(edges) != 1 {
					t.Fatalf("blocked: %v %v", edges, err)
				}
				if !c.CreatedAt.Before(edges[0].CreatedAt) {
					lost++
				}
			}
			if err := soc.Unblock(ctx, blocker, 2); err != nil {
				t.Fatal(err)
			}
		}
		if lost > 0 {
			t.Fatalf("%d of %d rounds made a comment after its addressee's block", lost, rounds)
		}
	})
}
