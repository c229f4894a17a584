package member_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"plaza/internal/account"
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

// A password hash of older parameters is replaced at the next good
// sign-in by one of the server's; a wrong password changes nothing.
func TestSignInRehashesOldPassword(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		register(t, e, phone)
		oldParams := account.Argon2Params{Memory: 32, Time: 1, Threads: 1}
		old, err := account.NewHasher(oldParams).Hash("secret123")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.DB.Exec(ctx, "UPDATE users SET password_hash = ? WHERE phone = ?", old, phone); err != nil {
			t.Fatal(err)
		}
		stored := func() string {
			var h string
			if err := e.App.DB.QueryRow(ctx, "SELECT password_hash FROM users WHERE phone = ?", phone).Scan(&h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "wrong-pass"}, "", 10007)
		if stored() != old {
			t.Fatal("a wrong password changed the stored hash")
		}
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 0)
		h := stored()
		cur := plazatest.TestHasher.Params().String()
		if h == old || !strings.HasPrefix(h, "$argon2id$v=19$"+cur+"$") {
			t.Fatalf("stored hash after sign-in %q, want parameters %s", h, cur)
		}
		if ok, err := plazatest.TestHasher.Verify(h, "secret123"); !ok || err != nil {
			t.Fatalf("new hash does not verify: %v %v", ok, err)
		}
		// It signs in again, and stays as it is.
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 0)
		if stored() != h {
			t.Fatal("a current hash was re-hashed")
		}
	})
}
