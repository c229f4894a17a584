package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"plaza/internal/audit"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

func admin(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	var id int64
	err := db.QueryRowWrite(context.Background(), "INSERT INTO admins (email, password_hash, created_at, updated_at) VALUES (?, 'x', 1, 1) RETURNING id", email).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func record(t *testing.T, db *store.DB, s *audit.Service, e audit.Entry) {
	t.Helper()
	if err := db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error { return s.Record(ctx, tx, e) }); err != nil {
		t.Fatal(err)
	}
}

func TestRecordAndList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
		db.SetClock(clk)
		s := audit.New(db)
		a, b := admin(t, db, "a@example.com"), admin(t, db, "b@example.com")
		for i := range 25 {
			who, action := a, "PATCH /admin/v1/masters/{id}"
			if i%5 == 0 {
				who, action = b, "POST /admin/v1/pushes"
			}
			record(t, db, s, audit.Entry{AdminID: who, Action: action, Target: fmt.Sprintf("/admin/v1/masters/%d", i),
				Before: json.RawMessage(`{"name":"old"}`), After: audit.Redact([]byte(`{"name":"new","password":"hunter2"}`)),
				IP: "192.0.2.1", RequestID: fmt.Sprint("req-", i)})
			clk.Advance(time.Second)
		}
		// All of it, newest first, 10 a page, no entry twice or missed.
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			p, err := s.List(ctx, audit.Filter{Cursor: cursor, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				seen = append(seen, e.RequestID)
			}
			if p.Next == "" {
				if pages != 2 {
					t.Fatalf("%d pages, want 3", pages+1)
				}
				break
			}
			cursor = p.Next
		}
		if len(seen) != 25 || seen[0] != "req-24" || seen[24] != "req-0" {
			t.Fatalf("entries %v", seen)
		}
		p, err := s.List(ctx, audit.Filter{AdminID: b})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) != 5 || p.Next != "" {
			t.Fatalf("admin b: %d entries, next %q", len(p.Entries), p.Next)
		}
		e := p.Entries[0]
		if e.AdminEmail != "b@example.com" || e.Action != "POST /admin/v1/pushes" || e.RequestID != "req-20" || e.IP != "192.0.2.1" ||
			!e.CreatedAt.Equal(time.Date(2026, 12, 1, 8, 0, 20, 0, time.UTC)) || string(e.Before) != `{"name":"old"}` {
			t.Fatalf("entry %+v", e)
		}
		if strings.Contains(string(e.After), "hunter2") || !strings.Contains(string(e.After), `"password":"[redacted]"`) {
			t.Fatalf("after %s", e.After)
		}
		p, err = s.List(ctx, audit.Filter{AdminID: a, Action: "POST /admin/v1/pushes"})
		if err != nil || len(p.Entries) != 0 {
			t.Fatalf("a's pushes: %v %v", p.Entries, err)
		}
		p, err = s.List(ctx, audit.Filter{Action: "PATCH /admin/v1/masters/{id}", Limit: 100})
		if err != nil || len(p.Entries) != 20 {
			t.Fatalf("patches: %d %v", len(p.Entries), err)
		}
		// An entry without before or after keeps NULLs.
		record(t, db, s, audit.Entry{AdminID: a, Action: "POST /admin/v1/logout", Target: "/admin/v1/logout"})
		p, err = s.List(ctx, audit.Filter{Limit: 1})
		if err != nil || p.Entries[0].Before != nil || p.Entries[0].After != nil {
			t.Fatalf("no before/after: %+v %v", p.Entries, err)
		}
	})
}

func TestListRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := audit.New(db)
		for _, f := range []audit.Filter{{Cursor: "nope"}, {Cursor: "YTEuMA"}, {Limit: 101}, {Limit: -1}, {AdminID: -1}, {Action: "a\x00b"}} {
			_, err := s.List(context.Background(), f)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("%+v: err %v, want Invalid", f, err)
			}
		}
	})
}

func TestRecordNeedsItsAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := audit.New(db)
		err := db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			return s.Record(ctx, tx, audit.Entry{Action: "POST /x"})
		})
		if err == nil {
			t.Fatal("an entry without an admin was recorded")
		}
		err = db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			return s.Record(ctx, tx, audit.Entry{AdminID: 999, Action: "POST /x"})
		})
		if err == nil {
			t.Fatal("an entry of no admin was recorded")
		}
	})
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		`{"email":"a@b.c","password":"p","new_password":"q","old_password":"r"}`:            `{"email":"a@b.c","new_password":"[redacted]","old_password":"[redacted]","password":"[redacted]"}`,
		`{"code":"123456","recovery_code":"x","totp":"1","nested":[{"client_secret":"s"}]}`: `{"code":"[redacted]","nested":[{"client_secret":"[redacted]"}],"recovery_code":"[redacted]","totp":"[redacted]"}`,
		`{"amount":12345678901234567890,"reason":"<b>"}`:                                    `{"amount":12345678901234567890,"reason":"\u003cb\u003e"}`,
		`[1,2]`: `[1,2]`,
		``:      ``,
		`{`:     ``,
		`{} {}`: ``,
	} {
		if got := string(audit.Redact([]byte(in))); got != want {
			t.Errorf("Redact(%s) = %s, want %s", in, got, want)
		}
	}
}
