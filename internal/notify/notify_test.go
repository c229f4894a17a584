package notify_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/notify"
	"plaza/internal/provider/push"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

func newUser(t *testing.T, db *store.DB, n int) int64 {
	t.Helper()
	var id int64
	err := db.QueryRowWrite(context.Background(), `INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id`,
		fmt.Sprintf("openid-%d", n), fmt.Sprintf("%032x", n)).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Who gets a push is always said: no addressees is refused (naming
// user_ids), never read as everyone.
func TestSendNeedsAddressees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := notify.New(db, clock.NewFake(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)),
			pushChannels(filepath.Join(t.TempDir(), "push.jsonl")), slog.New(slog.DiscardHandler))
		alice := newUser(t, db, 1)

		for _, c := range []struct {
			name string
			in   notify.NewPush
		}{
			{"no addressees", notify.NewPush{Title: "t"}},
			{"an empty list", notify.NewPush{Title: "t", UserIDs: []int64{}}},
			{"everyone and users", notify.NewPush{Title: "t", Everyone: true, UserIDs: []int64{alice}}},
		} {
			_, err := s.Send(ctx, 1, c.in)
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != "user_ids" {
				t.Fatalf("%s: %v, want invalid naming user_ids", c.name, err)
			}
		}
		if _, total, err := s.Pushes(ctx, 0, 10); err != nil || total != 0 {
			t.Fatalf("%d pushes after refused sends (%v), want none", total, err)
		}

		all, err := s.Send(ctx, 1, notify.NewPush{Title: "all", Everyone: true})
		if err != nil || all.Scope != notify.ScopeAll || len(all.UserIDs) != 0 {
			t.Fatalf("push to everyone: %+v %v", all, err)
		}
		one, err := s.Send(ctx, 1, notify.NewPush{Title: "one", UserIDs: []int64{alice}})
		if err != nil || one.Scope != notify.ScopeUsers || len(one.UserIDs) != 1 || one.UserIDs[0] != alice {
			t.Fatalf("push to alice: %+v %v", one, err)
		}
		// Fields are named as the admin API names them.
		for _, c := range []struct {
			in    notify.NewPush
			field string
		}{
			{notify.NewPush{Everyone: true}, "push_title"},
			{notify.NewPush{Title: "t", Body: strings.Repeat("x", notify.MaxPushBody+1), Everyone: true}, "push_body"},
		} {
			_, err := s.Send(ctx, 1, c.in)
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != c.field {
				t.Fatalf("%+v: %v, want invalid naming %s", c.in, err, c.field)
			}
		}
	})
}

func pushChannels(path string) push.Channels {
	o := push.NewOutbox(path)
	return push.Channels{IOS: o, Android: o}
}
