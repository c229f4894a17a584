package message_test

import (
	"context"
	"testing"

	"plaza/internal/account"
	"plaza/internal/benchdata"
	"plaza/internal/catalog"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/message"
	"plaza/internal/showcase"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// env is the messages core over users 1..3 (nick-1 .. nick-3), a master
// linked to user 1 and a merchant.
type env struct {
	msgs     *message.Service
	social   *social.Service
	master   message.Party
	merchant message.Party
}

func newService(db *store.DB, clk clock.Clock, soc *social.Service) *message.Service {
	return message.New(message.Deps{DB: db, Clock: clk, Social: soc,
		Users:    account.New(account.Deps{DB: db, Clock: clk}, account.DefaultConfig()),
		Profiles: showcase.New(showcase.Deps{DB: db, Clock: clk, Social: soc})})
}

func newEnv(t *testing.T, db *store.DB, clk clock.Clock) env {
	t.Helper()
	ctx := context.Background()
	if _, err := benchdata.Seed(ctx, db, benchdata.Spec{Users: 3}, start); err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(db, clk)
	m, err := cat.Create(ctx, catalog.Masters, map[string]any{"name": "达人", "avatar": "a.jpeg", "user_id": float64(1)})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := cat.Create(ctx, catalog.Merchants, map[string]any{"name": "商户", "logo": "l.png"})
	if err != nil {
		t.Fatal(err)
	}
	soc := social.New(db, clk)
	return env{msgs: newService(db, clk, soc), social: soc,
		master:   message.Party{Kind: message.KindMaster, Ref: m.ID()},
		merchant: message.Party{Kind: message.KindMerchant, Ref: mc.ID()}}
}

func user(id int64) message.Party { return message.Party{Kind: message.KindUser, Ref: id} }

// The core decides who speaks as a master (its linked user only) and
// reaches a linked master as its user: blocks hold both ways.
func TestMasterRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, clock.NewFake(start))
		ctx := context.Background()
		star, fan, other := int64(1), int64(2), int64(3)

		// Only the linked user speaks and reads as the master.
		if _, err := e.msgs.Send(ctx, message.AsMasterOf(other), user(fan), "x"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an unlinked user speaking as a master: %v", err)
		}
		if _, err := e.msgs.Conversations(ctx, message.AsMasterOf(other), 0, 10); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an unlinked user reading as a master: %v", err)
		}
		if err := e.msgs.Delete(ctx, message.AsMasterOf(other), []int64{1}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an unlinked user deleting as a master: %v", err)
		}
		if _, err := e.msgs.Send(ctx, message.AsUser(fan), e.master, "hello master"); err != nil {
			t.Fatal(err)
		}
		inbox, err := e.msgs.Conversations(ctx, message.AsMasterOf(star), 0, 10)
		if err != nil || len(inbox.Conversations) != 1 {
			t.Fatalf("the master's inbox: %+v %v", inbox, err)
		}
		if p := inbox.Conversations[0].Peer; p.Party != user(fan) || p.Name() != "nick-2" || inbox.Self.Party != e.master {
			t.Fatalf("the master's inbox: %+v", inbox)
		}
		if _, err := e.msgs.Send(ctx, message.AsMasterOf(star), user(fan), "thanks"); err != nil {
			t.Fatal(err)
		}
		th, err := e.msgs.Conversation(ctx, message.AsUser(fan), e.master, 0, 10)
		if err != nil || len(th.Messages) != 2 || th.Messages[0].From != e.master || th.Peer.Name() != "达人" || th.Peer.Avatar() != "a.jpeg" {
			t.Fatalf("the fan's thread: %+v %v", th, err)
		}
		if own, err := e.msgs.Conversations(ctx, message.AsUser(star), 0, 10); err != nil || len(own.Conversations) != 0 {
			t.Fatalf("the linked user's own inbox: %+v %v", own, err)
		}

		// The linked user blocks the fan: the fan cannot write to the master.
		if err := e.social.Block(ctx, star, fan); err != nil {
			t.Fatal(err)
		}
		if _, err := e.msgs.Send(ctx, message.AsUser(fan), e.master, "again"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("writing to the master of a blocker: %v", err)
		}
		if _, err := e.msgs.Send(ctx, message.AsUser(fan), user(star), "again"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("writing to a blocker: %v", err)
		}
		// The fan blocks the linked user: the master cannot write to the fan.
		if err := e.social.Unblock(ctx, star, fan); err != nil {
			t.Fatal(err)
		}
		if err := e.social.Block(ctx, fan, star); err != nil {
			t.Fatal(err)
		}
		if _, err := e.msgs.Send(ctx, message.AsMasterOf(star), user(fan), "hi"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("the master of a blocked user writing: %v", err)
		}
		if _, err := e.msgs.Send(ctx, message.AsUser(fan), e.master, "still"); err != nil {
			t.Fatalf("the blocker writing to the master: %v", err)
		}
		// A master and its own user may write to each other.
		if _, err := e.msgs.Send(ctx, message.AsMasterOf(star), user(star), "note"); err != nil {
			t.Fatal(err)
		}
	})
}

// Every conversation's counterpart comes with its name and avatar.
func TestCounterparts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(start)
		e := newEnv(t, db, clk)
		ctx := context.Background()
		for _, to := range []message.Party{e.master, e.merchant, message.ServiceParty, user(3)} {
			clk.Advance(1000)
			if _, err := e.msgs.Send(ctx, message.AsUser(2), to, "hi"); err != nil {
				t.Fatal(err)
			}
		}
		for _, to := range []message.Party{{Kind: message.KindMaster, Ref: 99}, {Kind: message.KindMerchant, Ref: 99}, user(99), {Kind: "robot"}} {
			if _, err := e.msgs.Send(ctx, message.AsUser(2), to, "hi"); !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Invalid) {
				t.Fatalf("writing to %v: %v", to, err)
			}
		}
		inbox, err := e.msgs.Conversations(ctx, message.AsUser(2), 0, 10)
		if err != nil || len(inbox.Conversations) != 4 || inbox.Self.User == nil || inbox.Self.Name() != "nick-2" {
			t.Fatalf("inbox: %+v %v", inbox, err)
		}
		want := [][2]string{{"nick-3", ""}, {message.ServiceName, ""}, {"商户", "l.png"}, {"达人", "a.jpeg"}}
		for i, c := range inbox.Conversations {
			if c.Peer.Name() != want[i][0] || c.Peer.Avatar() != want[i][1] || !c.Peer.Known() {
				t.Fatalf("counterpart %d: %q %q, want %q", i, c.Peer.Name(), c.Peer.Avatar(), want[i])
			}
		}
		// The service answers; the user is its counterpart.
		staff, err := e.msgs.Conversations(ctx, message.AsService, 0, 10)
		if err != nil || len(staff.Conversations) != 1 || staff.Conversations[0].Peer.Name() != "nick-2" {
			t.Fatalf("service inbox: %+v %v", staff, err)
		}
	})
}
