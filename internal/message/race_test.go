package message_test

import (
	"context"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/message"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// A message to a user (or to the master linked to a user) who blocks the
// sender at the same time is either refused or sent before the block.
func TestSendRacesBlock(t *testing.T) {
	const rounds = 200
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(start)
		e := newEnv(t, db, clk)
		clk.Step(time.Millisecond) // readings order the writes
		soc, msgs := e.social, e.msgs
		lost := 0
		for i := range rounds {
			to := user(1)
			if i%2 == 1 {
				to = e.master // linked to user 1
			}
			var blockErr, sendErr error
			var m message.Message
			storetest.Race(func() { blockErr = soc.Block(ctx, 1, 2) }, func() {
				m, sendErr = msgs.Send(ctx, message.AsUser(2), to, "hi")
			})
			if blockErr != nil || sendErr != nil && !errs.Is(sendErr, errs.Forbidden) {
				t.Fatalf("block: %v; send: %v", blockErr, sendErr)
			}
			if sendErr == nil {
				edges, err := soc.Blocked(ctx, 1, 0, 10)
				if err != nil || len(edges) != 1 {
					t.Fatalf("blocked: %v %v", edges, err)
				}
				if !m.CreatedAt.Before(edges[0].CreatedAt) {
					lost++
				}
			}
			if err := soc.Unblock(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
		}
		if lost > 0 {
			t.Fatalf("%d of %d rounds sent a message after its addressee's block", lost, rounds)
		}
	})
}
