package yuanyi_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"plaza/internal/config"
	"plaza/internal/plazatest"
)

// signedAt is a signed my_user_info call of tok whose ts is at.
func signedAt(tok string, at time.Time) map[string]any {
	body := map[string]any{"method": "my_user_info", "ver": "1", "ts": at.UnixMilli(), "app": "yuanyi-app", "token": tok}
	body["sig"] = signOf(body)
	return body
}

func codeOf(t *testing.T, e *plazatest.Env, body any) string {
	t.Helper()
	m := e.Do("POST", "/yuanyiapi/", body).JSON()
	if m == nil {
		t.Fatal("not JSON")
	}
	if c := m["code"].(json.Number).String(); c != "0" && m["err_msg"] == "" {
		t.Fatalf("code %s without err_msg", c)
	}
	return m["code"].(json.Number).String()
}

// A signed call is good for 15 minutes either side of the server's clock
// (PLAZA_YUANYI_MAX_SKEW); older or later ones are refused with 402, so a
// call caught on the wire cannot be replayed forever.
func TestCallsOutOfTime(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		tok := mustToken(t, e)
		now := e.Clock.Now()
		for _, c := range []struct {
			at   time.Time
			code string
		}{
			{now, "0"},
			{now.Add(-15 * time.Minute), "0"},
			{now.Add(15 * time.Minute), "0"},
			{now.Add(-15*time.Minute - time.Millisecond), "402"},
			{now.Add(15*time.Minute + time.Millisecond), "402"},
			{now.Add(-24 * time.Hour), "402"},
			{time.UnixMilli(1), "402"},
			{time.UnixMilli(1 << 62), "402"},
			{time.UnixMilli(-1 << 62), "402"},
		} {
			if got := codeOf(t, e, signedAt(tok, c.at)); got != c.code {
				t.Fatalf("ts %v from now: code %s, want %s", c.at.Sub(now), got, c.code)
			}
		}
		// The same call replayed after the window: refused.
		old := signedAt(tok, now)
		e.Clock.Advance(16 * time.Minute)
		if got := codeOf(t, e, old); got != "402" {
			t.Fatalf("replayed call: code %s", got)
		}
		// current_time answers whatever the ts: a phone whose clock is off
		// learns the server's time from it.
		for _, at := range []time.Time{time.UnixMilli(1), now.Add(-time.Hour), now.Add(time.Hour)} {
			body := map[string]any{"method": "current_time", "ver": "1", "ts": at.UnixMilli(), "app": "yuanyi-app"}
			body["sig"] = signOf(body)
			if got := codeOf(t, e, body); got != "0" {
				t.Fatalf("current_time at %v: code %s", at, got)
			}
		}
		if m := e.Do("POST", "/yuanyiapi/", signedAt(tok, time.UnixMilli(1))).JSON(); !strings.Contains(m["err_msg"].(string), itoa(e.Clock.Now().UnixMilli())) {
			t.Fatalf("the refusal does not tell the server's time: %v", m)
		}
		// No ts, or one that is no integer: refused too.
		for _, ts := range []any{nil, "soon", 1.5, []any{1}} {
			body := map[string]any{"method": "my_user_info", "ver": "1", "app": "yuanyi-app", "token": tok}
			if ts != nil {
				body["ts"] = ts
			}
			body["sig"] = signOf(body)
			if got := codeOf(t, e, body); got != "402" {
				t.Fatalf("ts %v: code %s", ts, got)
			}
		}
		// A ts as a decimal string (form bodies) is read.
		body := map[string]any{"method": "my_user_info", "ver": "1", "ts": itoa(e.Clock.Now().UnixMilli()), "app": "yuanyi-app", "token": tok}
		body["sig"] = signOf(body)
		if got := codeOf(t, e, body); got != "0" {
			t.Fatalf("ts as a string: code %s", got)
		}
	})
}

// PLAZA_YUANYI_MAX_SKEW sets the window; 0 turns the check off, and so
// does turning signature checking off.
func TestCallsOutOfTimeSettings(t *testing.T) {
	for _, c := range []struct {
		name       string
		env        map[string]string
		late, okay bool
	}{
		{"1m", map[string]string{"PLAZA_YUANYI_MAX_SKEW": "1m"}, false, false},
		{"off", map[string]string{"PLAZA_YUANYI_MAX_SKEW": "0"}, true, true},
		{"unsigned", map[string]string{"PLAZA_YUANYI_CHECK_SIG": "false"}, true, true},
	} {
		for k, v := range testOTP {
			c.env[k] = v
		}
		// One subtest per case: the engines' subtests must have names of
		// their own (Each names them after the engine).
		t.Run(c.name, func(t *testing.T) {
			plazatest.Each(t, c.env, func(t *testing.T, e *plazatest.Env) {
				tok := mustToken(t, e)
				now := e.Clock.Now()
				if got := codeOf(t, e, signedAt(tok, now.Add(-59*time.Second))); got != "0" {
					t.Fatalf("%v: 59 s late: code %s", c.env, got)
				}
				want := map[bool]string{true: "0", false: "402"}
				if got := codeOf(t, e, signedAt(tok, now.Add(-2*time.Minute))); got != want[c.late] {
					t.Fatalf("%v: 2 min late: code %s", c.env, got)
				}
				if got := codeOf(t, e, signedAt(tok, time.UnixMilli(1))); got != want[c.okay] {
					t.Fatalf("%v: ts 1: code %s", c.env, got)
				}
			})
		})
	}
	env := map[string]string{"PLAZA_YUANYI_MAX_SKEW": "-1m"}
	if _, err := config.Load("plaza", nil, func(k string) string { return env[k] }, io.Discard); err == nil {
		t.Fatal("a negative skew was taken")
	}
}
