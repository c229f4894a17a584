package admin_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"plaza/internal/config"
	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// loginFrom signs in from a client address (the server trusts
// X-Forwarded-For in these tests).
func loginFrom(e *plazatest.Env, ip, email, password string) plazatest.Response {
	e.T.Helper()
	return check(api{t: e.T.(*testing.T), e: e}).do("POST", "/admin/v1/login", map[string]any{"email": email, "password": password}, "X-Forwarded-For", ip)
}

// wantLimited checks a 429 with the admin error body and Retry-After of
// retry seconds (0: any from 1 to max).
func wantLimited(t *testing.T, res plazatest.Response, what string, retry, max int) {
	t.Helper()
	wantError(t, res, what, http.StatusTooManyRequests, "rate_limited", "")
	got, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || (retry != 0 && got != retry) || (retry == 0 && (got < 1 || got > max)) {
		t.Fatalf("%s: Retry-After %q, want %d (or 1 to %d)", what, res.Header.Get("Retry-After"), retry, max)
	}
}

func wantSignedIn(t *testing.T, res plazatest.Response, what string) {
	t.Helper()
	sameKeys(t, what, wantOK(t, res, what, http.StatusOK), "token", "csrf_token", "expires_at", "admin")
}

func settings(extra ...string) map[string]string {
	env := maps.Clone(withAdmin)
	env["PLAZA_TRUST_PROXY"] = "true"
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// After 10 wrong passwords for one e-mail within 15 minutes, sign-in to it
// pauses until the window ends, even with the right password, from any
// address; the answer is 429 with Retry-After.
func TestLoginLimitPerEmail(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		for i := 1; i <= 30; i++ {
			res := loginFrom(e, "10.0.0.1", adminEmail, fmt.Sprintf("wrong-%d", i))
			if i <= 10 {
				wantError(t, res, fmt.Sprintf("wrong password %d", i), 401, "unauthenticated", "")
				e.Clock.Advance(time.Second)
				continue
			}
			wantLimited(t, res, fmt.Sprintf("wrong password %d", i), 900-10, 0)
		}
		wantLimited(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "right password while limited", 890, 0)
		wantLimited(t, loginFrom(e, "10.0.0.2", adminEmail, adminPassword), "right password from another address", 890, 0)
		wantLimited(t, loginFrom(e, "10.0.0.2", "  OPS@Example.COM ", adminPassword), "the e-mail written otherwise", 890, 0)
		// Retry-After counts down; it is whole seconds, rounded up.
		e.Clock.Advance(time.Minute + 500*time.Millisecond)
		wantLimited(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "a minute later", 830, 0)
		// Other e-mails from the same address are not limited (the refused
		// tries while limited did not count).
		wantError(t, loginFrom(e, "10.0.0.1", "other@example.com", "x-wrong-x"), "another e-mail", 401, "unauthenticated", "")
		// The window runs from the first wrong password.
		e.Clock.Advance(15*time.Minute - 10*time.Second - time.Minute - 500*time.Millisecond - time.Millisecond)
		wantLimited(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "just before the end", 1, 0)
		e.Clock.Advance(time.Millisecond)
		wantSignedIn(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "after the window")
		// A fresh count: 9 wrong, then the right password works.
		for i := range 9 {
			wantError(t, loginFrom(e, "10.0.0.1", adminEmail, fmt.Sprintf("again-%d", i)), "wrong again", 401, "unauthenticated", "")
		}
		wantSignedIn(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "right password after 9 wrong")
	})
}

// Tries sent at once are held to the same numbers: of 30 wrong passwords
// at once exactly 10 are answered "wrong", the rest 429; then the right
// password is refused too.
func TestLoginLimitAtOnce(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		statuses := make(chan int, 30)
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- loginFrom(e, fmt.Sprintf("10.0.1.%d", i), adminEmail, fmt.Sprintf("wrong-%d", i)).Status
			}()
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for st := range statuses {
			count[st]++
		}
		if count[401] != 10 || count[429] != 20 {
			t.Fatalf("30 wrong passwords at once: %v, want 10 × 401 and 20 × 429", count)
		}
		wantLimited(t, loginFrom(e, "10.0.2.1", adminEmail, adminPassword), "right password", 900, 0)
	})
}

// An unknown e-mail is counted and limited as a known one is, so the
// limit tells nothing about who is an admin.
func TestLoginLimitUnknownEmail(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		for i := range 10 {
			wantError(t, loginFrom(e, "10.0.0.1", "nobody@example.com", fmt.Sprint(i)), "unknown e-mail", 401, "unauthenticated", "")
			wantError(t, loginFrom(e, "10.0.0.1", adminEmail, fmt.Sprint(i)), "wrong password", 401, "unauthenticated", "")
		}
		unknown := loginFrom(e, "10.0.0.1", "nobody@example.com", "x")
		known := loginFrom(e, "10.0.0.1", adminEmail, "x")
		wantLimited(t, unknown, "unknown e-mail", 900, 0)
		if string(unknown.Body) != string(known.Body) || unknown.Header.Get("Retry-After") != known.Header.Get("Retry-After") {
			t.Fatalf("limited unknown e-mail %s and admin %s answer differently", unknown.Body, known.Body)
		}
	})
}

// After 50 wrong passwords from one address within 15 minutes, whatever
// the e-mails, sign-in from that address pauses; other addresses go on.
func TestLoginLimitPerIP(t *testing.T) {
	plazatest.Each(t, settings(), func(t *testing.T, e *plazatest.Env) {
		for i := range 50 {
			wantError(t, loginFrom(e, "10.0.0.9", fmt.Sprintf("guess%d@example.com", i), "guess"), "spraying", 401, "unauthenticated", "")
		}
		wantLimited(t, loginFrom(e, "10.0.0.9", adminEmail, adminPassword), "right password from the address", 900, 0)
		wantLimited(t, loginFrom(e, "10.0.0.9", "guess99@example.com", "guess"), "a new e-mail from the address", 900, 0)
		wantSignedIn(t, loginFrom(e, "10.0.0.8", adminEmail, adminPassword), "another address")
		e.Clock.Advance(15 * time.Minute)
		wantSignedIn(t, loginFrom(e, "10.0.0.9", adminEmail, adminPassword), "after the window")
	})
}

// The numbers and the window are settings.
func TestLoginLimitSettings(t *testing.T) {
	plazatest.Each(t, settings("PLAZA_ADMIN_LOGIN_MAX_FAILURES", "2", "PLAZA_ADMIN_LOGIN_MAX_FAILURES_PER_IP", "3",
		"PLAZA_ADMIN_LOGIN_FAILURE_WINDOW", "1m"), func(t *testing.T, e *plazatest.Env) {
		for i := range 2 {
			wantError(t, loginFrom(e, "10.0.0.1", adminEmail, fmt.Sprint(i)), "wrong password", 401, "unauthenticated", "")
		}
		wantLimited(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "after 2", 60, 0)
		wantError(t, loginFrom(e, "10.0.0.1", "a@example.com", "x"), "third from the address", 401, "unauthenticated", "")
		wantLimited(t, loginFrom(e, "10.0.0.1", "b@example.com", "x"), "after 3 from the address", 60, 0)
		e.Clock.Advance(time.Minute)
		wantSignedIn(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "after the window")
	})
	for _, bad := range []map[string]string{
		{"PLAZA_ADMIN_LOGIN_MAX_FAILURES": "0"},
		{"PLAZA_ADMIN_LOGIN_MAX_FAILURES_PER_IP": "0"},
		{"PLAZA_ADMIN_LOGIN_FAILURE_WINDOW": "0s"},
	} {
		if _, err := config.Load("plaza serve", nil, func(k string) string { return bad[k] }, io.Discard); err == nil {
			t.Fatalf("%v: accepted", bad)
		}
	}
}

// With PLAZA_REDIS_URL the counts are kept in Redis.
func TestLoginLimitInRedis(t *testing.T) {
	url := os.Getenv("PLAZA_TEST_REDIS_URL")
	if url == "" {
		t.Skip("PLAZA_TEST_REDIS_URL is not set")
	}
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := plazatest.New(t, eng, settings("PLAZA_REDIS_URL", url,
				"PLAZA_REDIS_PREFIX", fmt.Sprintf("plaza-test-%d:", time.Now().UnixNano()),
				"PLAZA_ADMIN_LOGIN_MAX_FAILURES", "2", "PLAZA_ADMIN_LOGIN_FAILURE_WINDOW", "2s"))
			for i := range 2 {
				wantError(t, loginFrom(e, "10.0.0.1", adminEmail, fmt.Sprint(i)), "wrong password", 401, "unauthenticated", "")
			}
			wantLimited(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "right password while limited", 0, 2)
			n, err := store.Count(context.Background(), e.App.DB, "SELECT COUNT(*) FROM rate_counters")
			if err != nil || n != 0 {
				t.Fatalf("%d counters in the database (%v), want none", n, err)
			}
			time.Sleep(2100 * time.Millisecond)
			wantSignedIn(t, loginFrom(e, "10.0.0.1", adminEmail, adminPassword), "after the window")
		})
	}
}
