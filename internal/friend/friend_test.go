package friend_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/benchdata"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/friend"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

type env struct {
	db     *store.DB
	f      *friend.Service
	social *social.Service
}

// open seeds users 1..users on db and returns the cores on it, with a clock
// that moves a second at every reading (so every unit has its own time).
func open(t testing.TB, db *store.DB, users int) env {
	t.Helper()
	if _, err := benchdata.Seed(context.Background(), db, benchdata.Spec{Users: users}, start); err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(start)
	c.Step(time.Second)
	db.SetClock(c)
	s := social.New(db, c)
	return env{db: db, f: friend.New(db, c, s), social: s}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// refused checks err's kind and reason (a zero reason: any).
func refused(t *testing.T, err error, k errs.Kind, r errs.Reason) {
	t.Helper()
	if err == nil || !errs.Is(err, k) || r != (errs.Reason{}) && errs.ReasonOf(err) != r {
		t.Fatalf("got %v, want %v %v", err, k, r)
	}
}

func (e env) friends(t *testing.T, a, b int64, want bool) {
	t.Helper()
	for _, p := range [][2]int64{{a, b}, {b, a}} {
		f, err := e.f.AreFriends(context.Background(), p[0], p[1])
		ok(t, err)
		if f != want {
			t.Fatalf("AreFriends(%d, %d) = %v, want %v", p[0], p[1], f, want)
		}
		among, err := e.f.FriendsAmong(context.Background(), p[0], []int64{p[1], 999999})
		ok(t, err)
		if among[p[1]] != want || among[999999] {
			t.Fatalf("FriendsAmong(%d, %d) = %v, want %v", p[0], p[1], among, want)
		}
		list, err := e.f.Friends(context.Background(), p[0])
		ok(t, err)
		in := false
		for _, fr := range list {
			in = in || fr.UserID == p[1]
		}
		if in != want {
			t.Fatalf("Friends(%d) = %v, want %d in it: %v", p[0], list, p[1], want)
		}
	}
}

// messages are the flags of user's messages by the other party.
func (e env) messages(t *testing.T, user int64) map[int64]int {
	t.Helper()
	rs, err := e.f.Requests(context.Background(), user, 0)
	ok(t, err)
	out := map[int64]int{}
	for _, r := range rs {
		out[r.Other(user)] = r.Flag(user)
	}
	return out
}

func sameMessages(t *testing.T, got, want map[int64]int) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("messages %v, want %v", got, want)
	}
}

// Each scenario gets three users of its own, a, b and c.
var scenarios = []struct {
	name string
	run  func(t *testing.T, e env, a, b, c int64)
}{
	{"ask and accept", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		if r.ID == 0 || r.From != a || r.To != b || r.Status != friend.Pending || r.CreatedAt.IsZero() || !r.UpdatedAt.Equal(r.CreatedAt) {
			t.Fatalf("request %+v", r)
		}
		e.friends(t, a, b, false)
		sameMessages(t, e.messages(t, a), map[int64]int{b: friend.FlagWaiting})
		sameMessages(t, e.messages(t, b), map[int64]int{a: friend.FlagPending})
		sameMessages(t, e.messages(t, c), map[int64]int{})
		got := must[friend.Request](t)(e.f.Between(ctx, b, a))
		if got != r {
			t.Fatalf("between %+v, want %+v", got, r)
		}
		acc := must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		if acc.ID != r.ID || acc.Status != friend.Accepted || !acc.UpdatedAt.After(r.UpdatedAt) || !acc.CreatedAt.Equal(r.CreatedAt) {
			t.Fatalf("accepted %+v of %+v", acc, r)
		}
		e.friends(t, a, b, true)
		e.friends(t, a, c, false)
		sameMessages(t, e.messages(t, a), map[int64]int{b: friend.FlagAgreed})
		sameMessages(t, e.messages(t, b), map[int64]int{a: friend.FlagAccepted})
		fs := must[[]friend.Friend](t)(e.f.Friends(ctx, b))
		if len(fs) != 1 || fs[0].UserID != a || !fs[0].Since.Equal(acc.UpdatedAt) {
			t.Fatalf("friends of b %+v", fs)
		}
		again := must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		if again != acc {
			t.Fatalf("accepted again %+v, want %+v", again, acc)
		}
		refused(t, e.f.Delete(ctx, c, r.ID), errs.NotFound, friend.ReasonNoRequest)
	}},
	{"refusals of Ask", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		_, err := e.f.Ask(ctx, a, a)
		refused(t, err, errs.Invalid, friend.ReasonSelf)
		for _, to := range []int64{0, -1, 999999} {
			_, err = e.f.Ask(ctx, a, to)
			refused(t, err, errs.NotFound, account.ReasonNoUser)
		}
		_, err = e.f.Ask(ctx, 999999, a)
		refused(t, err, errs.NotFound, account.ReasonNoUser)
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		for _, p := range [][2]int64{{a, b}, {b, a}} {
			_, err = e.f.Ask(ctx, p[0], p[1])
			refused(t, err, errs.Conflict, friend.ReasonAlreadyFriends)
		}
		sameMessages(t, e.messages(t, a), map[int64]int{b: friend.FlagAgreed})
	}},
	{"asking again changes nothing", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		again := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		if again != r {
			t.Fatalf("asked again %+v, want %+v", again, r)
		}
		if rs := must[[]friend.Request](t)(e.f.Requests(ctx, b, 10)); len(rs) != 1 {
			t.Fatalf("requests of b %+v", rs)
		}
	}},
	{"crossing requests make one friendship", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		x := must[friend.Request](t)(e.f.Ask(ctx, b, a))
		if x.ID != r.ID || x.From != a || x.To != b || x.Status != friend.Accepted {
			t.Fatalf("crossing %+v of %+v", x, r)
		}
		e.friends(t, a, b, true)
		sameMessages(t, e.messages(t, a), map[int64]int{b: friend.FlagAgreed})
		sameMessages(t, e.messages(t, b), map[int64]int{a: friend.FlagAccepted})
	}},
	{"who may accept", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		_, err := e.f.Accept(ctx, a, r.ID)
		refused(t, err, errs.Forbidden, friend.ReasonNotAddressee)
		_, err = e.f.Accept(ctx, c, r.ID)
		refused(t, err, errs.NotFound, friend.ReasonNoRequest)
		for _, id := range []int64{0, -1, r.ID + 1000000} {
			_, err = e.f.Accept(ctx, b, id)
			refused(t, err, errs.NotFound, friend.ReasonNoRequest)
			refused(t, e.f.Delete(ctx, b, id), errs.NotFound, friend.ReasonNoRequest)
		}
		refused(t, e.f.Delete(ctx, c, r.ID), errs.NotFound, friend.ReasonNoRequest)
		e.friends(t, a, b, false)
		e.friends(t, a, c, false)
		must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		_, err = e.f.Accept(ctx, a, r.ID)
		refused(t, err, errs.Forbidden, friend.ReasonNotAddressee)
		_, err = e.f.Between(ctx, a, c)
		refused(t, err, errs.NotFound, friend.ReasonNoRequest)
	}},
	{"the addressee declines", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		ok(t, e.f.Delete(ctx, b, r.ID))
		sameMessages(t, e.messages(t, a), map[int64]int{})
		sameMessages(t, e.messages(t, b), map[int64]int{})
		_, err := e.f.Between(ctx, a, b)
		refused(t, err, errs.NotFound, friend.ReasonNoRequest)
		_, err = e.f.Accept(ctx, b, r.ID)
		refused(t, err, errs.NotFound, friend.ReasonNoRequest)
		r2 := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		if r2.ID == r.ID || r2.Status != friend.Pending {
			t.Fatalf("asked again %+v after %+v", r2, r)
		}
		e.friends(t, a, b, false)
	}},
	{"the requester hides a pending request", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		ok(t, e.f.Delete(ctx, a, r.ID))
		ok(t, e.f.Delete(ctx, a, r.ID)) // hidden already
		sameMessages(t, e.messages(t, a), map[int64]int{})
		sameMessages(t, e.messages(t, b), map[int64]int{a: friend.FlagPending})
		again := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		if again != r {
			t.Fatalf("asked again %+v, want %+v", again, r)
		}
		sameMessages(t, e.messages(t, a), map[int64]int{b: friend.FlagWaiting})
		ok(t, e.f.Delete(ctx, a, r.ID))
		must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		e.friends(t, a, b, true)
		// The acceptance is news to a: the message shows again.
		sameMessages(t, e.messages(t, a), map[int64]int{b: friend.FlagAgreed})
		sameMessages(t, e.messages(t, b), map[int64]int{a: friend.FlagAccepted})
	}},
	{"deleting an accepted message keeps the friend", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		ok(t, e.f.Delete(ctx, b, r.ID))
		e.friends(t, a, b, true)
		sameMessages(t, e.messages(t, b), map[int64]int{})
		sameMessages(t, e.messages(t, a), map[int64]int{b: friend.FlagAgreed})
		ok(t, e.f.Delete(ctx, a, r.ID))
		sameMessages(t, e.messages(t, a), map[int64]int{})
		e.friends(t, a, b, true)
		if got := must[friend.Request](t)(e.f.Between(ctx, a, b)); got.Status != friend.Accepted {
			t.Fatalf("between %+v", got)
		}
	}},
	{"unfriend", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		refused(t, e.f.Unfriend(ctx, a, b), errs.NotFound, friend.ReasonNotFriends)
		refused(t, e.f.Unfriend(ctx, a, 999999), errs.NotFound, friend.ReasonNotFriends)
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		refused(t, e.f.Unfriend(ctx, a, b), errs.NotFound, friend.ReasonNotFriends)
		must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		must[friend.Request](t)(e.f.Accept(ctx, c, must[friend.Request](t)(e.f.Ask(ctx, a, c)).ID))
		ok(t, e.f.Unfriend(ctx, b, a))
		e.friends(t, a, b, false)
		e.friends(t, a, c, true)
		_, err := e.f.Between(ctx, a, b)
		refused(t, err, errs.NotFound, friend.ReasonNoRequest)
		sameMessages(t, e.messages(t, a), map[int64]int{c: friend.FlagAgreed})
		refused(t, e.f.Unfriend(ctx, a, b), errs.NotFound, friend.ReasonNotFriends)
		r2 := must[friend.Request](t)(e.f.Ask(ctx, b, a))
		if r2.From != b || r2.Status != friend.Pending {
			t.Fatalf("asked again %+v", r2)
		}
	}},
	{"blocks", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		ok(t, e.social.Block(ctx, b, a)) // ends the request
		_, err := e.f.Accept(ctx, b, r.ID)
		refused(t, err, errs.NotFound, friend.ReasonNoRequest)
		for _, p := range [][2]int64{{a, b}, {b, a}} {
			_, err = e.f.Ask(ctx, p[0], p[1])
			refused(t, err, errs.Forbidden, errs.Reason{})
		}
		sameMessages(t, e.messages(t, a), map[int64]int{})
		ok(t, e.social.Unblock(ctx, b, a))
		r = must[friend.Request](t)(e.f.Ask(ctx, a, b))
		must[friend.Request](t)(e.f.Accept(ctx, b, r.ID))
		must[friend.Request](t)(e.f.Accept(ctx, c, must[friend.Request](t)(e.f.Ask(ctx, a, c)).ID))
		ok(t, e.social.Block(ctx, a, b)) // ends the friendship
		e.friends(t, a, b, false)
		e.friends(t, a, c, true)
		sameMessages(t, e.messages(t, b), map[int64]int{})
		_, err = e.f.Between(ctx, a, b)
		refused(t, err, errs.NotFound, friend.ReasonNoRequest)
	}},
	{"requests newest first, limited", func(t *testing.T, e env, a, b, c int64) {
		ctx := context.Background()
		r1 := must[friend.Request](t)(e.f.Ask(ctx, a, b))
		r2 := must[friend.Request](t)(e.f.Ask(ctx, c, a))
		rs := must[[]friend.Request](t)(e.f.Requests(ctx, a, 10))
		if len(rs) != 2 || rs[0] != r2 || rs[1] != r1 {
			t.Fatalf("requests %+v, want %+v %+v", rs, r2, r1)
		}
		rs = must[[]friend.Request](t)(e.f.Requests(ctx, a, 1))
		if len(rs) != 1 || rs[0] != r2 {
			t.Fatalf("requests %+v", rs)
		}
		must[friend.Request](t)(e.f.Accept(ctx, a, r2.ID))
		must[friend.Request](t)(e.f.Accept(ctx, b, r1.ID))
		fs := must[[]friend.Friend](t)(e.f.Friends(ctx, a))
		if len(fs) != 2 || fs[0].UserID != b || fs[1].UserID != c {
			t.Fatalf("friends %+v, want %d then %d", fs, b, c)
		}
	}},
}

func TestScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := open(t, db, 3*len(scenarios))
		for i, sc := range scenarios {
			u := int64(3*i + 1)
			t.Run(sc.name, func(t *testing.T) { sc.run(t, e, u, u+1, u+2) })
		}
		if fs := must[[]friend.Friend](t)(e.f.Friends(context.Background(), 999999)); len(fs) != 0 {
			t.Fatalf("friends of nobody %+v", fs)
		}
		if m := must[map[int64]bool](t)(e.f.FriendsAmong(context.Background(), 1, nil)); len(m) != 0 {
			t.Fatal(m)
		}
	})
}

// pairRows counts the pair's friendships and requests.
func pairRows(t *testing.T, db *store.DB, a, b int64) (friendships, requests int) {
	t.Helper()
	ctx := context.Background()
	lo, hi := min(a, b), max(a, b)
	friendships, err := store.Count(ctx, db, "SELECT COUNT(*) FROM friendships WHERE user_a = ? AND user_b = ?", lo, hi)
	ok(t, err)
	requests, err = store.Count(ctx, db, "SELECT COUNT(*) FROM friend_requests WHERE (from_user = ? AND to_user = ?) OR (from_user = ? AND to_user = ?)", a, b, b, a)
	ok(t, err)
	return friendships, requests
}

const rounds = 100

// Crossing requests make one friendship and leave no request pending.
func TestCrossingRequestsRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := open(t, db, 4)
		ctx := context.Background()
		for i := range rounds {
			var r1, r2 friend.Request
			var err1, err2 error
			other := func() { _, _ = e.f.Ask(ctx, 3, 4) } // another pair, at the same time
			storetest.Race(
				func() { r1, err1 = e.f.Ask(ctx, 1, 2) },
				func() { r2, err2 = e.f.Ask(ctx, 2, 1) },
				other,
			)
			ok(t, err1)
			ok(t, err2)
			if r1.ID != r2.ID || r1.Status == r2.Status || r1.Status != friend.Accepted && r2.Status != friend.Accepted {
				t.Fatalf("round %d: %+v and %+v", i, r1, r2)
			}
			if f, r := pairRows(t, db, 1, 2); f != 1 || r != 1 {
				t.Fatalf("round %d: %d friendships, %d requests", i, f, r)
			}
			if got := must[friend.Request](t)(e.f.Between(ctx, 1, 2)); got.Status != friend.Accepted {
				t.Fatalf("round %d: %+v", i, got)
			}
			ok(t, e.f.Unfriend(ctx, 1, 2))
			if f, r := pairRows(t, db, 1, 2); f != 0 || r != 0 {
				t.Fatalf("round %d after unfriend: %d friendships, %d requests", i, f, r)
			}
		}
	})
}

// Two accepts of one request both succeed, with one friendship.
func TestDoubleAcceptRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := open(t, db, 2)
		ctx := context.Background()
		for i := range rounds {
			r := must[friend.Request](t)(e.f.Ask(ctx, 1, 2))
			var got [2]friend.Request
			var errs2 [2]error
			storetest.Race(
				func() { got[0], errs2[0] = e.f.Accept(ctx, 2, r.ID) },
				func() { got[1], errs2[1] = e.f.Accept(ctx, 2, r.ID) },
			)
			ok(t, errs2[0])
			ok(t, errs2[1])
			if got[0] != got[1] || got[0].Status != friend.Accepted {
				t.Fatalf("round %d: %+v", i, got)
			}
			if f, n := pairRows(t, db, 1, 2); f != 1 || n != 1 {
				t.Fatalf("round %d: %d friendships, %d requests", i, f, n)
			}
			ok(t, e.f.Unfriend(ctx, 1, 2))
		}
	})
}

// An accept racing the addressee's delete ends either accepted (and the
// message hidden) or declined, never half of each; an accept racing the
// requester's delete (a hide) always befriends.
func TestAcceptRacesDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := open(t, db, 2)
		ctx := context.Background()
		seen := map[bool]int{}
		for i := range rounds {
			r := must[friend.Request](t)(e.f.Ask(ctx, 1, 2))
			var accErr, delErr error
			storetest.Race(
				func() { _, accErr = e.f.Accept(ctx, 2, r.ID) },
				func() { delErr = e.f.Delete(ctx, 2, r.ID) },
			)
			ok(t, delErr)
			f, n := pairRows(t, db, 1, 2)
			switch {
			case accErr == nil && f == 1 && n == 1: // accepted, then hidden
				sameMessages(t, e.messages(t, 2), map[int64]int{})
				sameMessages(t, e.messages(t, 1), map[int64]int{2: friend.FlagAgreed})
				ok(t, e.f.Unfriend(ctx, 1, 2))
			case errs.ReasonOf(accErr) == friend.ReasonNoRequest && f == 0 && n == 0: // declined
			default:
				t.Fatalf("round %d: accept %v, %d friendships, %d requests", i, accErr, f, n)
			}
			seen[accErr == nil]++

			r = must[friend.Request](t)(e.f.Ask(ctx, 1, 2))
			storetest.Race(
				func() { _, accErr = e.f.Accept(ctx, 2, r.ID) },
				func() { delErr = e.f.Delete(ctx, 1, r.ID) },
			)
			ok(t, accErr)
			ok(t, delErr)
			e.friends(t, 1, 2, true)
			// Hidden after the accept, or shown again by the accept.
			if m := fmt.Sprint(e.messages(t, 1)); m != "map[]" && m != fmt.Sprint(map[int64]int{2: friend.FlagAgreed}) {
				t.Fatalf("round %d: messages of the requester %s", i, m)
			}
			ok(t, e.f.Unfriend(ctx, 1, 2))
		}
		t.Logf("accepted first %d times, declined first %d times", seen[true], seen[false])
	})
}

// A block racing a request or an accept leaves no friendship and no
// request between the two, and a request after the block is refused.
func TestBlockRacesFriends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := open(t, db, 2)
		ctx := context.Background()
		for i := range rounds {
			var askErr, blockErr error
			storetest.Race(
				func() { _, askErr = e.f.Ask(ctx, 2, 1) },
				func() { blockErr = e.social.Block(ctx, 1, 2) },
			)
			ok(t, blockErr)
			if askErr != nil && !errs.Is(askErr, errs.Forbidden) {
				t.Fatalf("round %d: ask %v", i, askErr)
			}
			if f, n := pairRows(t, db, 1, 2); f != 0 || n != 0 {
				t.Fatalf("round %d: %d friendships, %d requests after the block", i, f, n)
			}
			_, askErr = e.f.Ask(ctx, 2, 1)
			refused(t, askErr, errs.Forbidden, errs.Reason{})
			ok(t, e.social.Unblock(ctx, 1, 2))

			r := must[friend.Request](t)(e.f.Ask(ctx, 2, 1))
			var accErr error
			storetest.Race(
				func() { _, accErr = e.f.Accept(ctx, 1, r.ID) },
				func() { blockErr = e.social.Block(ctx, 2, 1) },
			)
			ok(t, blockErr)
			if accErr != nil && errs.ReasonOf(accErr) != friend.ReasonNoRequest && !errs.Is(accErr, errs.Forbidden) {
				t.Fatalf("round %d: accept %v", i, accErr)
			}
			if f, n := pairRows(t, db, 1, 2); f != 0 || n != 0 {
				t.Fatalf("round %d: %d friendships, %d requests after the block", i, f, n)
			}
			ok(t, e.social.Unblock(ctx, 2, 1))
		}
	})
}

// BenchmarkFriends500 lists the friends of a user with 500 (among 5,000
// friendships of 1,001 users).
func BenchmarkFriends500(b *testing.B) {
	for _, eng := range storetest.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			db, _ := eng.Open(b)
			ctx := context.Background()
			if _, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 1001}, start); err != nil {
				b.Fatal(err)
			}
			f := friend.New(db, clock.NewFake(start), social.New(db, clock.NewFake(start)))
			err := db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
				for u := int64(2); u <= 1001; u++ {
					others := []int64{u + 1, u + 2, u + 3, u + 4}
					if u <= 501 {
						others = append(others, 1) // user 1's 500 friends
					}
					for _, o := range others {
						if o > 1001 {
							continue
						}
						lo, hi := min(u, o), max(u, o)
						if _, err := tx.Exec(ctx, "INSERT INTO friendships (user_a, user_b, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", lo, hi, start.UnixMilli()+u); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				fs, err := f.Friends(ctx, 1)
				if err != nil || len(fs) != 500 {
					b.Fatalf("%d friends, %v", len(fs), err)
				}
			}
		})
	}
}
