package member_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

func codeRows(t *testing.T, e *plazatest.Env) int {
	t.Helper()
	n, err := store.Count(context.Background(), e.App.DB, "SELECT COUNT(*) FROM verification_codes")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A failing SMS vendor answers the documented codes, never a 500, and
// leaves no code behind.
func TestFailingSMSProvider(t *testing.T) {
	var status atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer hook.Close()
	env := map[string]string{"PLAZA_SMS": "webhook", "PLAZA_SMS_WEBHOOK_URL": hook.URL, "PLAZA_CODE_COOLDOWN": "0s"}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		for _, c := range []struct {
			status int32
			code   int
		}{{402, 10011}, {400, 10012}, {503, 10013}, {200, 0}} {
			status.Store(c.status)
			want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", c.code)
			wantRows := 0
			if c.code == 0 {
				wantRows = 1
			}
			if n := codeRows(t, e); n != wantRows {
				t.Fatalf("vendor %d: %d code rows, want %d", c.status, n, wantRows)
			}
		}
	})
}

func TestFailingMail(t *testing.T) {
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	plazatest.Each(t, map[string]string{"PLAZA_SMTP_URL": "smtp://" + addr + "?tls=none&from=plaza@example.com"}, func(t *testing.T, e *plazatest.Env) {
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": "li@example.com"}, "", 10014)
		if n := codeRows(t, e); n != 0 {
			t.Fatalf("%d code rows left behind", n)
		}
	})
}

// With PLAZA_REDIS_URL the code limits are kept in Redis.
func TestCodeLimitsInRedis(t *testing.T) {
	url := os.Getenv("PLAZA_TEST_REDIS_URL")
	if url == "" {
		t.Skip("PLAZA_TEST_REDIS_URL is not set")
	}
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			testCodeLimitsInRedis(t, plazatest.New(t, eng, map[string]string{
				"PLAZA_REDIS_URL":    url,
				"PLAZA_REDIS_PREFIX": fmt.Sprintf("plaza-test-%d:", time.Now().UnixNano()),
			}))
		})
	}
}

func testCodeLimitsInRedis(t *testing.T, e *plazatest.Env) {
	want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 0)
	want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 10010)
	n, err := store.Count(context.Background(), e.App.DB, "SELECT COUNT(*) FROM rate_counters")
	if err != nil || n != 0 {
		t.Fatalf("%d counters in the database (%v), want none", n, err)
	}
}
