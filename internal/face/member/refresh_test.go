package member_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/plazatest"
)

type pair struct{ access, refresh string }

func refreshOnce(t *testing.T, e *plazatest.Env, refresh string) (int, pair) {
	t.Helper()
	code, d, _ := call(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh}, "")
	if code != 0 {
		return code, pair{}
	}
	return code, pair{d["access_token"].(string), d["refresh_token"].(string)}
}

// Ten refreshes of one refresh token at once (a phone app waking with
// several requests in flight): all get the same new pair, which works.
func TestParallelRefreshesGetOnePair(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		access0, refresh0 := register(t, e, phone)
		const n = 10
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			codes [n]int
			pairs [n]pair
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i], pairs[i] = refreshOnce(t, e, refresh0)
			}()
		}
		close(start)
		wg.Wait()
		for i := range n {
			if codes[i] != 0 {
				t.Fatalf("refresh %d: code %d", i, codes[i])
			}
			if pairs[i] != pairs[0] {
				t.Fatalf("refresh %d answered %v, refresh 0 %v: want one pair", i, pairs[i], pairs[0])
			}
		}
		p := pairs[0]
		if p.access == access0 || p.refresh == refresh0 {
			t.Fatal("refresh did not rotate")
		}
		want(t, e, "GET", "/api/personal/info", nil, p.access, 0)
		want(t, e, "GET", "/api/personal/info", nil, access0, 10004) // rotated away, as before

		// The pair refreshes in turn; its predecessor then no longer
		// answers it (it is not the current pair): reuse revokes.
		_, p2 := refreshOnce(t, e, p.refresh)
		want(t, e, "GET", "/api/personal/info", nil, p2.access, 0)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh0}, "", 10004)
		want(t, e, "GET", "/api/personal/info", nil, p2.access, 10004)
	})
}

// Past the interval, presenting a rotated token revokes the family;
// within it, a sequential repeat answers the same pair.
func TestRefreshReuseAfterInterval(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_REFRESH_REUSE_INTERVAL": "10s"}, func(t *testing.T, e *plazatest.Env) {
		_, refresh0 := register(t, e, phone)
		other := want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 0)
		_, p := refreshOnce(t, e, refresh0)
		e.Clock.Advance(9 * time.Second)
		if code, again := refreshOnce(t, e, refresh0); code != 0 || again != p {
			t.Fatalf("repeat within the interval: code %d, %v, want %v", code, again, p)
		}
		e.Clock.Advance(time.Second) // 10 s after the rotation: past
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh0}, "", 10004)
		want(t, e, "GET", "/api/personal/info", nil, p.access, 10004)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": p.refresh}, "", 10004)
		// Another sign-in is another family.
		want(t, e, "GET", "/api/personal/info", nil, other["access_token"].(string), 0)
	})
}

// Interval 0: a repeat at once revokes the family, as before the interval.
func TestRefreshReuseIntervalOff(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_REFRESH_REUSE_INTERVAL": "0s"}, func(t *testing.T, e *plazatest.Env) {
		_, refresh0 := register(t, e, phone)
		_, p := refreshOnce(t, e, refresh0)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh0}, "", 10004)
		want(t, e, "GET", "/api/personal/info", nil, p.access, 10004)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": p.refresh}, "", 10004)
		var n int
		if err := e.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM tokens WHERE successor IS NOT NULL").Scan(&n); err != nil || n != 0 {
			t.Fatalf("seals kept with the interval off: %d %v", n, err)
		}
	})
}

// The kept pair is sealed: the row holds neither token, and the janitor
// erases the seal once the interval is over.
func TestRefreshSealHidesThePair(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		_, refresh0 := register(t, e, phone)
		_, p := refreshOnce(t, e, refresh0)
		ctx := context.Background()
		seal := func() sql.NullString {
			var s sql.NullString
			if err := e.App.DB.QueryRow(ctx, "SELECT successor FROM tokens WHERE hash = ?", account.HashToken(refresh0)).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		s := seal()
		if !s.Valid {
			t.Fatal("no seal kept")
		}
		raw, err := base64.RawStdEncoding.DecodeString(s.String)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{p.access, p.refresh} {
			if strings.Contains(s.String, tok) || strings.Contains(string(raw), tok) {
				t.Fatal("the seal shows a token")
			}
		}
		if err := e.App.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if !seal().Valid {
			t.Fatal("seal erased within the interval")
		}
		e.Clock.Advance(10 * time.Second)
		if err := e.App.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if seal().Valid {
			t.Fatal("seal kept past the interval")
		}
	})
}
