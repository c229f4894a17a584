package yuanyi_test

import (
	"context"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

// A banned account gets no SMS code and cannot reset its password, even
// with a code sent before the ban; every refusal is 111.
func TestBannedAccountNoCodeNoReset(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		const ph = "18686666666" // not a test number: codes go to the outbox
		acct := map[string]any{"country": "86", "phone": ph}
		ok(t, e, "send_sms_code", acct, "")
		m := ok(t, e, "user_signup", map[string]any{"country": "86", "phone": ph, "code": e.LastCode("86" + ph), "password": "123456"}, "")
		tok := m["token"].(string)
		e.Clock.Advance(time.Minute + time.Second)
		ok(t, e, "send_sms_code", acct, "")
		early := e.LastCode("86" + ph) // sent before the ban

		u, err := e.App.Accounts.UserByUID(context.Background(), m["uid"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Accounts.SetActive(context.Background(), u.ID, false); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute + time.Second)
		sent := len(e.Outbox("sms"))
		fails(t, e, "send_sms_code", acct, "", 111)
		if n := len(e.Outbox("sms")); n != sent {
			t.Fatalf("sms outbox grew for a banned account: %d -> %d", sent, n)
		}
		fails(t, e, "user_password_update", map[string]any{"country": "86", "phone": ph, "code": early, "password": "abcdef"}, "", 111)
		fails(t, e, "user_login", map[string]any{"country": "86", "phone": ph, "password": "123456"}, "", 111)
		fails(t, e, "user_login", map[string]any{"country": "86", "phone": ph, "code": early}, "", 111)
		fails(t, e, "my_user_info", nil, tok, 404)

		// Unbanned: the old password still works (the reset did not happen).
		if _, err := e.App.Accounts.SetActive(context.Background(), u.ID, true); err != nil {
			t.Fatal(err)
		}
		ok(t, e, "user_login", map[string]any{"country": "86", "phone": ph, "password": "123456"}, "")
		fails(t, e, "user_login", map[string]any{"country": "86", "phone": ph, "password": "abcdef"}, "", 104)
	})
}

// The avatar rule is the core's, the same on every face: a media id, or
// an http(s) URL (the member face's kind of avatar); nothing else.
func TestAvatarRuleOfTheCore(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		tok, _ := signup(t, e, "18682222222")
		for _, bad := range []string{"image", "javascript:alert(1)", "e4cbdd56-855a-41ee-bcb6-5785abdd6148.jpeg", "https://a b/c.png"} {
			fails(t, e, "my_user_info_update", map[string]any{"avatar": bad}, tok, 400)
		}
		url := "https://cdn.example.com/a.png"
		ok(t, e, "my_user_info_update", map[string]any{"avatar": url}, tok)
		if a := ok(t, e, "my_user_info", nil, tok)["my_user_info"].(map[string]any)["avatar"]; a != url {
			t.Fatalf("avatar = %v", a)
		}
	})
}
