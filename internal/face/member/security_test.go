package member_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

// A banned account gets no verification code: 10003, and nothing is sent
// by SMS or by mail.
func TestBannedAccountGetsNoCode(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password"}, func(t *testing.T, e *plazatest.Env) {
		admin := adminToken(t, e)
		for _, acct := range []string{phone, "li.lei@example.com"} {
			access, _ := register(t, e, acct)
			id := want(t, e, "GET", "/api/personal/info", nil, access, 0)["id"].(json.Number).String()
			if res := e.Do("POST", "/admin/v1/users/"+id+"/ban", nil, "Authorization", "Bearer "+admin); res.Status != http.StatusOK {
				t.Fatalf("ban: %d %s", res.Status, res.Body)
			}
		}
		e.Clock.Advance(time.Minute + time.Second) // past the resend cooldown
		sms, mail := len(e.Outbox("sms")), len(e.Outbox("mail"))
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 10003)
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": "li.lei@example.com"}, "", 10003)
		if n, m := len(e.Outbox("sms")), len(e.Outbox("mail")); n != sms || m != mail {
			t.Fatalf("outboxes grew for banned accounts: sms %d -> %d, mail %d -> %d", sms, n, mail, m)
		}
		// An unregistered account still gets its code (for sign-up).
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": "13900139000"}, "", 0)
		if n := len(e.Outbox("sms")); n != sms+1 {
			t.Fatalf("sms outbox %d, want %d", n, sms+1)
		}
	})
}
