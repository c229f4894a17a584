package push_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"plaza/internal/provider/push"
	"plaza/internal/provider/push/pushtest"
)

func newFCM(t *testing.T, f *pushtest.FCM) *push.FCM {
	t.Helper()
	p, err := push.NewFCM(f.Config())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func androidMsg(token, title string) push.Message {
	m := msg(token, title)
	m.ClientType = push.Android
	return m
}

// Every FCM answer maps to its outcome; the fake checks the OAuth2
// assertion, the bearer and the message of every request.
func TestFCMOutcomes(t *testing.T) {
	f := pushtest.NewFCM(t)
	answers := map[string]pushtest.FCMAnswer{
		"unregistered": {Status: 404, ErrStatus: "NOT_FOUND", ErrorCode: "UNREGISTERED", Message: "Requested entity was not found."},
		"bad-token": {Status: 400, ErrStatus: "INVALID_ARGUMENT", ErrorCode: "INVALID_ARGUMENT", Field: "message.token",
			Message: "The registration token is not a valid FCM registration token"},
		"bad-message": {Status: 400, ErrStatus: "INVALID_ARGUMENT", ErrorCode: "INVALID_ARGUMENT", Field: "message.android.ttl",
			Message: "Invalid value at 'message.android.ttl'"},
		"quota":       {Status: 429, ErrStatus: "RESOURCE_EXHAUSTED", ErrorCode: "QUOTA_EXCEEDED", Message: "quota", RetryAfter: "30"},
		"unavailable": {Status: 503, ErrStatus: "UNAVAILABLE", ErrorCode: "UNAVAILABLE", Message: "busy", RetryAfter: "5"},
		"internal":    {Status: 500, ErrStatus: "INTERNAL", ErrorCode: "INTERNAL", Message: "oops"},
		"bare-503":    {Status: 503},
		"mismatch":    {Status: 403, ErrStatus: "PERMISSION_DENIED", ErrorCode: "SENDER_ID_MISMATCH", Message: "SenderId mismatch"},
		"apns-auth":   {Status: 401, ErrStatus: "UNAUTHENTICATED", ErrorCode: "THIRD_PARTY_AUTH_ERROR", Message: "Auth error from APNS or Web Push Service"},
		"too-big":     {Status: 400, ErrStatus: "INVALID_ARGUMENT", Message: "Request contains an invalid argument."},
	}
	for tok, a := range answers {
		f.SetAnswer(tok, a)
	}
	cases := []outcomeCase{
		{"ok", push.Delivered, "", 0},
		{"unregistered", push.Dead, "404 UNREGISTERED", 0},
		{"bad-token", push.Dead, "400 INVALID_ARGUMENT: The registration token", 0},
		{"bad-message", push.Rejected, "400 INVALID_ARGUMENT", 0},
		{"quota", push.Retry, "429 QUOTA_EXCEEDED", 30 * time.Second},
		{"unavailable", push.Retry, "503 UNAVAILABLE", 5 * time.Second},
		{"internal", push.Retry, "500 INTERNAL", 0},
		{"bare-503", push.Retry, "503", 0},
		{"mismatch", push.Rejected, "403 SENDER_ID_MISMATCH", 0},
		{"apns-auth", push.Rejected, "401 THIRD_PARTY_AUTH_ERROR", 0},
		{"too-big", push.Rejected, "400 INVALID_ARGUMENT", 0},
		{"ok-too", push.Delivered, "", 0},
	}
	var msgs []push.Message
	for _, c := range cases {
		msgs = append(msgs, androidMsg(c.token, "hi "+c.token))
	}
	res := newFCM(t, f).Send(context.Background(), msgs)
	checkResults(t, res, cases)
	noProblems(t, f.Problems())
	if n := f.TokenCalls(); n != 1 {
		t.Errorf("%d access tokens asked for, want 1 for the batch", n)
	}
	got := map[string]pushtest.Delivery{}
	for _, d := range f.Deliveries() {
		got[d.Token] = d
	}
	if len(got) != 2 || got["ok"] != (pushtest.Delivery{Token: "ok", Title: "hi ok", Body: "hi ok body", CollapseID: "plaza-push-7"}) {
		t.Fatalf("deliveries %+v", got)
	}
}

// The messages of a batch go at once, at most 16 at a time, on one access
// token.
func TestFCMConcurrency(t *testing.T) {
	f := pushtest.NewFCM(t)
	var msgs []push.Message
	for i := range 48 {
		tok := fmt.Sprintf("tok-%02d", i)
		f.SetAnswer(tok, pushtest.FCMAnswer{Delay: 100 * time.Millisecond})
		msgs = append(msgs, androidMsg(tok, "batch"))
	}
	start := time.Now()
	res := newFCM(t, f).Send(context.Background(), msgs)
	took := time.Since(start)
	for i, r := range res {
		if r.Outcome != push.Delivered {
			t.Fatalf("message %d: %v %s", i, r.Outcome, r.Detail)
		}
	}
	if n := f.MaxInFlight(); n < 8 || n > 16 {
		t.Errorf("%d in flight at most, want 8 to 16", n)
	}
	if took > 2*time.Second {
		t.Errorf("48 messages of 100ms took %v", took)
	}
	if n := f.TokenCalls(); n != 1 {
		t.Errorf("%d access tokens asked for", n)
	}
	noProblems(t, f.Problems())
}

func TestFCMCancel(t *testing.T) {
	f := pushtest.NewFCM(t)
	var msgs []push.Message
	for i := range 40 {
		tok := fmt.Sprintf("slow-%02d", i)
		f.SetAnswer(tok, pushtest.FCMAnswer{Delay: 10 * time.Second})
		msgs = append(msgs, androidMsg(tok, "slow"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := newFCM(t, f).Send(ctx, msgs)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Send took %v after its context ended", took)
	}
	for i, r := range res {
		if r.Outcome != push.Retry {
			t.Fatalf("message %d: %v %s", i, r.Outcome, r.Detail)
		}
	}
}

// Credentials the token endpoint refuses: Rejected, nothing sent. An
// access token the API no longer takes: Retry, and the next message asks
// for a new one.
func TestFCMCredentials(t *testing.T) {
	f := pushtest.NewFCM(t)
	p := newFCM(t, f)
	f.RefuseTokens(true)
	res := p.Send(context.Background(), []push.Message{androidMsg("a", "x")})
	if res[0].Outcome != push.Rejected || !strings.Contains(res[0].Detail, "invalid_grant") {
		t.Fatalf("refused credentials: %+v", res[0])
	}
	f.RefuseTokens(false)
	if res := p.Send(context.Background(), []push.Message{androidMsg("a", "x")}); res[0].Outcome != push.Delivered {
		t.Fatalf("%+v", res[0])
	}
	f.RevokeTokens()
	res = p.Send(context.Background(), []push.Message{androidMsg("b", "x")})
	if res[0].Outcome != push.Retry || !strings.Contains(res[0].Detail, "401 UNAUTHENTICATED") {
		t.Fatalf("revoked token: %+v", res[0])
	}
	if res := p.Send(context.Background(), []push.Message{androidMsg("b", "x")}); res[0].Outcome != push.Delivered {
		t.Fatalf("after a new token: %+v", res[0])
	}
	if n := f.TokenCalls(); n != 3 {
		t.Errorf("%d token calls, want 3 (refused, first, after the revocation)", n)
	}
	noProblems(t, f.Problems())
	if d := f.Deliveries(); len(d) != 2 {
		t.Fatalf("deliveries %+v", d)
	}
}

// The project id setting replaces the file's; the fake serves only its own.
func TestFCMProjectID(t *testing.T) {
	f := pushtest.NewFCM(t)
	c := f.Config()
	c.ProjectID = "another-project"
	p, err := push.NewFCM(c)
	if err != nil {
		t.Fatal(err)
	}
	res := p.Send(context.Background(), []push.Message{androidMsg("a", "x")})
	if res[0].Outcome != push.Rejected || len(f.Problems()) != 1 || !strings.Contains(f.Problems()[0], "another-project") {
		t.Fatalf("%+v %q", res[0], f.Problems())
	}
}

func TestNewFCMRefusesBadSettings(t *testing.T) {
	f := pushtest.NewFCM(t)
	dir := t.TempDir()
	var sa map[string]string
	b, _ := os.ReadFile(f.CredentialsFile)
	json.Unmarshal(b, &sa)
	write := func(name string, edit func(map[string]string)) string {
		m := map[string]string{}
		for k, v := range sa {
			m[k] = v
		}
		edit(m)
		b, _ := json.Marshal(m)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	junk := filepath.Join(dir, "junk.json")
	os.WriteFile(junk, []byte("{not json"), 0o600)
	for name, c := range map[string]push.FCMConfig{
		"no file":      {},
		"missing file": {CredentialsFile: filepath.Join(dir, "absent.json")},
		"not JSON":     {CredentialsFile: junk},
		"user account": {CredentialsFile: write("user.json", func(m map[string]string) { m["type"] = "authorized_user" })},
		"bad key": {CredentialsFile: write("key.json", func(m map[string]string) {
			m["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		})},
		"no email":      {CredentialsFile: write("email.json", func(m map[string]string) { delete(m, "client_email") })},
		"no project":    {CredentialsFile: write("project.json", func(m map[string]string) { delete(m, "project_id") })},
		"bad token_uri": {CredentialsFile: write("uri.json", func(m map[string]string) { m["token_uri"] = "not a url" })},
		"bad endpoint":  {CredentialsFile: f.CredentialsFile, Endpoint: "fcm.googleapis.com"},
	} {
		if _, err := push.NewFCM(c); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "fcm: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// No project_id in the file but one set: fine.
	if _, err := push.NewFCM(push.FCMConfig{CredentialsFile: write("p2.json", func(m map[string]string) { delete(m, "project_id") }), ProjectID: "p"}); err != nil {
		t.Fatal(err)
	}
}
