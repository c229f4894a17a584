package showcase_test

import (
	"context"
	"testing"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/catalog"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/showcase"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// rounds of each race: enough for the unlocked code to lose it on both
// engines.
const rounds = 200

type env struct {
	db       *store.DB
	clock    *clock.Fake
	social   *social.Service
	catalog  *catalog.Service
	showcase *showcase.Service
}

// newEnv makes users 1..3 over db; its clock moves on at every reading.
func newEnv(t *testing.T, db *store.DB) env {
	t.Helper()
	if _, err := benchdata.Seed(context.Background(), db, benchdata.Spec{Users: 3}, start); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	clk.Step(time.Millisecond)
	soc := social.New(db, clk)
	return env{db: db, clock: clk, social: soc, catalog: catalog.New(db, clk),
		showcase: showcase.New(showcase.Deps{DB: db, Clock: clk, Social: soc})}
}

// blockedAt is when blocker blocked blocked (zero: not blocked).
func blockedAt(t *testing.T, s *social.Service, blocker, blocked int64) time.Time {
	t.Helper()
	edges, err := s.Blocked(context.Background(), blocker, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edges {
		if e.UserID == blocked {
			return e.CreatedAt
		}
	}
	return time.Time{}
}

// A block of a master's linked user and a follow of that master racing
// never leave the blocked user following the master.
func TestMasterFollowRacesBlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rec, err := e.catalog.Create(ctx, catalog.Masters, map[string]any{"name": "达人", "user_id": float64(1)})
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.showcase.Master(ctx, rec["master_id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		lost := 0
		for range rounds {
			var blockErr, followErr error
			storetest.Race(func() { blockErr = e.social.Block(ctx, 1, 2) },
				func() { followErr = e.showcase.FollowMaster(ctx, 2, m) })
			if blockErr != nil || followErr != nil && !errs.Is(followErr, errs.Forbidden) {
				t.Fatalf("block: %v; follow: %v", blockErr, followErr)
			}
			follows, err := e.showcase.FollowsMaster(ctx, 2, m)
			if err != nil {
				t.Fatal(err)
			}
			if follows {
				lost++
			}
			if err := e.social.Unblock(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
			if err := e.showcase.UnfollowMaster(ctx, 2, m); err != nil {
				t.Fatal(err)
			}
		}
		if lost > 0 {
			t.Fatalf("%d of %d rounds left a follow of a blocker's master", lost, rounds)
		}
	})
}

// A reply to the comment of a user who blocks the replier at the same
// time is either refused or made before the block.
func TestGameReplyRacesBlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rec, err := e.catalog.Create(ctx, catalog.Games, map[string]any{"name": "游戏"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := e.showcase.Game(ctx, rec.ID())
		if err != nil {
			t.Fatal(err)
		}
		top, err := e.showcase.CommentGame(ctx, 1, g, 0, "top")
		if err != nil {
			t.Fatal(err)
		}
		lost := 0
		for range rounds {
			var blockErr, replyErr error
			var reply showcase.GameComment
			storetest.Race(func() { blockErr = e.social.Block(ctx, 1, 2) },
				func() { reply, replyErr = e.showcase.CommentGame(ctx, 2, g, top.ID, "reply") })
			if blockErr != nil || replyErr != nil && !errs.Is(replyErr, errs.Forbidden) {
				t.Fatalf("block: %v; reply: %v", blockErr, replyErr)
			}
			if replyErr == nil && !reply.CreatedAt.Before(blockedAt(t, e.social, 1, 2)) {
				lost++
			}
			if err := e.social.Unblock(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
		}
		if lost > 0 {
			t.Fatalf("%d of %d rounds made a reply after its addressee's block", lost, rounds)
		}
	})
}

// The link of a master is read in the follow's own transaction: a master
// value read before an admin linked it to a blocker does not let the
// blocked user follow it.
func TestMasterFollowReadsTheLinkInItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rec, err := e.catalog.Create(ctx, catalog.Masters, map[string]any{"name": "达人"})
		if err != nil {
			t.Fatal(err)
		}
		stale, err := e.showcase.Master(ctx, rec["master_id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.social.Block(ctx, 1, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.catalog.Update(ctx, catalog.Masters, rec.ID(), map[string]any{"user_id": float64(1)}); err != nil {
			t.Fatal(err)
		}
		if err := e.showcase.FollowMaster(ctx, 2, stale); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("follow of a master linked to a blocker since it was read: %v, want forbidden", err)
		}
		if err := e.showcase.FollowMaster(ctx, 1, stale); !errs.Is(err, errs.Invalid) {
			t.Fatalf("follow of one's own master: %v, want invalid", err)
		}
	})
}
