package push_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"plaza/internal/provider/push"
	"plaza/internal/provider/push/pushtest"
)

func msg(token, title string) push.Message {
	return push.Message{Token: token, ClientType: push.IOS, UserID: 1, PushID: 7, Title: title, Body: title + " body",
		CollapseID: "plaza-push-7", Time: time.Now()}
}

// outcomeCase is a token the fake answers so, and the Result wanted.
type outcomeCase struct {
	token  string
	want   push.Outcome
	detail string // in Result.Detail
	wait   time.Duration
}

func checkResults(t *testing.T, res []push.Result, cases []outcomeCase) {
	t.Helper()
	if len(res) != len(cases) {
		t.Fatalf("%d results for %d messages", len(res), len(cases))
	}
	for i, c := range cases {
		r := res[i]
		if r.Outcome != c.want || !strings.Contains(r.Detail, c.detail) || r.RetryAfter != c.wait {
			t.Errorf("%s: %v %q (wait %v), want %v with %q (wait %v)", c.token, r.Outcome, r.Detail, r.RetryAfter, c.want, c.detail, c.wait)
		}
		if c.want == push.Delivered && r.Detail != "" {
			t.Errorf("%s: delivered with detail %q", c.token, r.Detail)
		}
	}
}

func noProblems(t *testing.T, problems []string) {
	t.Helper()
	for _, p := range problems {
		t.Errorf("the fake found: %s", p)
	}
}

func newAPNs(t *testing.T, f *pushtest.APNs) *push.APNs {
	t.Helper()
	a, err := push.NewAPNs(f.Config())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Every APNs answer maps to its outcome; the fake checks the provider
// token, the path, the headers and the payload of every request.
func TestAPNsOutcomes(t *testing.T) {
	f := pushtest.NewAPNs(t)
	cases := []outcomeCase{
		{"ok", push.Delivered, "", 0},
		{"unregistered", push.Dead, "410 Unregistered", 0},
		{"bad-token", push.Dead, "400 BadDeviceToken", 0},
		{"other-app", push.Dead, "400 DeviceTokenNotForTopic", 0},
		{"throttled", push.Retry, "429 TooManyRequests", 0},
		{"internal", push.Retry, "500 InternalServerError", 0},
		{"unavailable", push.Retry, "503 ServiceUnavailable", 0},
		{"shutdown", push.Retry, "503 Shutdown", 0},
		{"expired-jwt", push.Retry, "403 ExpiredProviderToken", 0},
		{"invalid-jwt", push.Rejected, "403 InvalidProviderToken", 0},
		{"too-large", push.Rejected, "413 PayloadTooLarge", 0},
		{"bad-topic", push.Rejected, "400 BadTopic", 0},
		{"ok-too", push.Delivered, "", 0},
	}
	answers := map[string]pushtest.APNsAnswer{
		"unregistered": {Status: 410, Reason: "Unregistered"}, "bad-token": {Status: 400, Reason: "BadDeviceToken"},
		"other-app": {Status: 400, Reason: "DeviceTokenNotForTopic"}, "throttled": {Status: 429, Reason: "TooManyRequests"},
		"internal": {Status: 500, Reason: "InternalServerError"}, "unavailable": {Status: 503, Reason: "ServiceUnavailable"},
		"shutdown": {Status: 503, Reason: "Shutdown"}, "expired-jwt": {Status: 403, Reason: "ExpiredProviderToken"},
		"invalid-jwt": {Status: 403, Reason: "InvalidProviderToken"}, "too-large": {Status: 413, Reason: "PayloadTooLarge"},
		"bad-topic": {Status: 400, Reason: "BadTopic"},
	}
	for tok, a := range answers {
		f.SetAnswer(tok, a)
	}
	var msgs []push.Message
	for _, c := range cases {
		msgs = append(msgs, msg(c.token, "hello "+c.token))
	}
	res := newAPNs(t, f).Send(context.Background(), msgs)
	checkResults(t, res, cases)
	noProblems(t, f.Problems())
	got := map[string]pushtest.Delivery{}
	for _, d := range f.Deliveries() {
		got[d.Token] = d
	}
	if len(got) != 2 || got["ok"] != (pushtest.Delivery{Token: "ok", Title: "hello ok", Body: "hello ok body", CollapseID: "plaza-push-7"}) {
		t.Fatalf("deliveries %+v", got)
	}
}

// After ExpiredProviderToken the next message signs a new provider token;
// otherwise the token is reused.
func TestAPNsRenewsAnExpiredProviderToken(t *testing.T) {
	f := pushtest.NewAPNs(t)
	f.SetAnswer("expired", pushtest.APNsAnswer{Status: 403, Reason: "ExpiredProviderToken"})
	a := newAPNs(t, f)
	for _, tok := range []string{"a", "b", "expired", "c"} {
		a.Send(context.Background(), []push.Message{msg(tok, "x")})
	}
	b := f.Bearers()
	if len(b) != 4 || b[0] != b[1] || b[1] != b[2] || b[3] == b[2] {
		t.Fatalf("bearers %q: want one reused, then a new one after ExpiredProviderToken", b)
	}
	noProblems(t, f.Problems())
}

// The messages of a batch go at once, at most 16 at a time.
func TestAPNsConcurrency(t *testing.T) {
	f := pushtest.NewAPNs(t)
	var msgs []push.Message
	for i := range 48 {
		tok := fmt.Sprintf("tok-%02d", i)
		f.SetAnswer(tok, pushtest.APNsAnswer{Delay: 100 * time.Millisecond})
		msgs = append(msgs, msg(tok, "batch"))
	}
	start := time.Now()
	res := newAPNs(t, f).Send(context.Background(), msgs)
	took := time.Since(start)
	for i, r := range res {
		if r.Outcome != push.Delivered {
			t.Fatalf("message %d: %v %s", i, r.Outcome, r.Detail)
		}
	}
	if n := f.MaxInFlight(); n < 8 || n > 16 {
		t.Errorf("%d in flight at most, want 8 to 16", n)
	}
	if took > 2*time.Second { // one at a time: 4.8s; 16 at a time: 0.3s
		t.Errorf("48 messages of 100ms took %v", took)
	}
	noProblems(t, f.Problems())
}

// When ctx ends Send returns at once: what was not answered is Retry.
func TestAPNsCancel(t *testing.T) {
	f := pushtest.NewAPNs(t)
	var msgs []push.Message
	for i := range 40 {
		tok := fmt.Sprintf("slow-%02d", i)
		f.SetAnswer(tok, pushtest.APNsAnswer{Delay: 10 * time.Second})
		msgs = append(msgs, msg(tok, "slow"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := newAPNs(t, f).Send(ctx, msgs)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Send took %v after its context ended", took)
	}
	if len(res) != len(msgs) {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if r.Outcome != push.Retry {
			t.Fatalf("message %d: %v %s", i, r.Outcome, r.Detail)
		}
	}
	if n := f.Calls(); n > 16 {
		t.Errorf("%d requests started, want at most 16", n)
	}
}

// An APNs host that does not answer: Retry.
func TestAPNsUnreachable(t *testing.T) {
	f := pushtest.NewAPNs(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := f.Config()
	c.Host = "https://" + addr
	a, err := push.NewAPNs(c)
	if err != nil {
		t.Fatal(err)
	}
	res := a.Send(context.Background(), []push.Message{msg("tok", "x")})
	if res[0].Outcome != push.Retry || !strings.HasPrefix(res[0].Detail, "network: ") || strings.Contains(res[0].Detail, "/3/device/") {
		t.Fatalf("%+v", res[0])
	}
}

// The settings are checked when the provider is made.
func TestNewAPNsRefusesBadSettings(t *testing.T) {
	f := pushtest.NewAPNs(t)
	dir := t.TempDir()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	rsaFile := filepath.Join(dir, "rsa.p8")
	os.WriteFile(rsaFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	notPEM := filepath.Join(dir, "junk.p8")
	os.WriteFile(notPEM, []byte("not a key"), 0o600)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	sec1File := filepath.Join(dir, "sec1.pem")
	os.WriteFile(sec1File, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), 0o600)
	for name, edit := range map[string]func(*push.APNsConfig){
		"missing key file": func(c *push.APNsConfig) { c.KeyFile = filepath.Join(dir, "absent.p8") },
		"not PEM":          func(c *push.APNsConfig) { c.KeyFile = notPEM },
		"RSA key":          func(c *push.APNsConfig) { c.KeyFile = rsaFile },
		"not PKCS#8":       func(c *push.APNsConfig) { c.KeyFile = sec1File },
		"no key id":        func(c *push.APNsConfig) { c.KeyID = "" },
		"no team id":       func(c *push.APNsConfig) { c.TeamID = "" },
		"no topic":         func(c *push.APNsConfig) { c.Topic = " " },
		"http host":        func(c *push.APNsConfig) { c.Host = "http://127.0.0.1:1" },
		"missing CA file":  func(c *push.APNsConfig) { c.CAFile = filepath.Join(dir, "absent.pem") },
		"CA not PEM":       func(c *push.APNsConfig) { c.CAFile = notPEM },
	} {
		c := f.Config()
		edit(&c)
		if _, err := push.NewAPNs(c); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "apns: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The fake refuses what APNs would: a provider token of another key or
// team, another topic.
func TestAPNsFakeChecksTheRequest(t *testing.T) {
	f := pushtest.NewAPNs(t)
	other := pushtest.NewAPNs(t)
	for name, c := range map[string]struct {
		edit    func(*push.APNsConfig)
		problem string
	}{
		"another key":  {func(c *push.APNsConfig) { c.KeyFile = other.KeyFile }, "signature"},
		"another team": {func(c *push.APNsConfig) { c.TeamID = "OTHERTEAM1" }, "iss"},
		"another kid":  {func(c *push.APNsConfig) { c.KeyID = "OTHERKEY12" }, "kid"},
		"another app":  {func(c *push.APNsConfig) { c.Topic = "com.example.other" }, "apns-topic"},
	} {
		cfg := f.Config()
		c.edit(&cfg)
		a, err := push.NewAPNs(cfg)
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.Problems())
		res := a.Send(context.Background(), []push.Message{msg("tok", "x")})
		p := f.Problems()
		if res[0].Outcome != push.Rejected || len(p) != before+1 || !strings.Contains(p[before], c.problem) {
			t.Errorf("%s: %+v, problems %q", name, res[0], p[before:])
		}
	}
	if len(f.Deliveries()) != 0 {
		t.Fatalf("delivered %+v", f.Deliveries())
	}
}
