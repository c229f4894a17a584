package member_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/store"
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
