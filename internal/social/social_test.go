package social_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// A block and a follow racing never leave a follow of the blocker, and
// checks (shared locks) do not stop each other.
func TestFollowRacesBlock(t *testing.T) {
	const rounds = 200
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 3}, start); err != nil {
			t.Fatal(err)
		}
		s := social.New(db, clock.NewFake(start))
		lost := 0
		for range rounds {
			var wg sync.WaitGroup
			gate := make(chan struct{})
			errors := make([]error, 3)
			for i, f := range []func() error{
				func() error { return s.Block(ctx, 1, 2) },
				func() error { return s.Follow(ctx, 2, 1) },
				func() error { return s.Follow(ctx, 3, 1) }, // not blocked: always follows
			} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					errors[i] = f()
				}()
			}
			close(gate)
			wg.Wait()
			if errors[0] != nil || errors[1] != nil && !errs.Is(errors[1], errs.Forbidden) || errors[2] != nil {
				t.Fatalf("block, follow, follow: %v", errors)
			}
			if f, err := s.IsFollowing(ctx, 2, 1); err != nil || f {
				if err != nil {
					t.Fatal(err)
				}
				lost++
			}
			if f, err := s.IsFollowing(ctx, 3, 1); err != nil || !f {
				t.Fatalf("the other follow: %v %v", f, err)
			}
			for _, err := range []error{s.Unblock(ctx, 1, 2), s.Unfollow(ctx, 2, 1), s.Unfollow(ctx, 3, 1)} {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if lost > 0 {
			t.Fatalf("%d of %d rounds left a follow of a blocker", lost, rounds)
		}
	})
}

// CheckNotBlocked refuses when any addressee blocked the writer, and
// passes over 0 and the writer.
func TestCheckNotBlocked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 3}, start); err != nil {
			t.Fatal(err)
		}
		s := social.New(db, clock.NewFake(start))
		if err := s.Block(ctx, 3, 1); err != nil {
			t.Fatal(err)
		}
		check := func(from int64, to ...int64) error {
			return db.InTx(ctx, func(tx *store.Tx) error { return s.CheckNotBlocked(ctx, tx, from, to...) })
		}
		for _, c := range []struct {
			from    int64
			to      []int64
			blocked bool
		}{
			{1, []int64{2}, false}, {1, []int64{3}, true}, {1, []int64{2, 3}, true}, {1, []int64{0, 1, 2}, false},
			{3, []int64{1}, false}, {1, nil, false}, {2, []int64{1, 3}, false},
		} {
			if err := check(c.from, c.to...); c.blocked != errs.Is(err, errs.Forbidden) || !c.blocked && err != nil {
				t.Fatalf("%d to %v: %v", c.from, c.to, err)
			}
		}
	})
}

// A follow of an unknown user in a caller's unit is refused (NotFound) and
// leaves the unit usable: the caller goes on and commits.
func TestFollowTxRefusalKeepsTheUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 2}, start); err != nil {
			t.Fatal(err)
		}
		s := social.New(db, clock.NewFake(start))
		err := db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := s.FollowTx(ctx, tx, 1, 999999); !errs.Is(err, errs.NotFound) {
				t.Errorf("follow of an unknown user: %v, want not found", err)
			}
			return s.FollowTx(ctx, tx, 1, 2)
		})
		if err != nil {
			t.Fatalf("the unit after a refusal: %v", err)
		}
		if n, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM follows WHERE follower_id = 1 AND followee_id = 2"); n != 1 {
			t.Fatalf("follows after the unit: %d, want 1", n)
		}
	})
}
