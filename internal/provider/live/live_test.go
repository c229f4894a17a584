package live_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qiniu/go-sdk/v7/auth"

	live "plaza/internal/provider/live"
)

var shanghai = time.FixedZone("CST", 8*3600)

func room() live.Room {
	at := time.Date(2017, 1, 6, 2, 28, 45, 799_000_000, time.UTC)
	return live.Room{UserID: 7, Title: "hello", Key: "SECRETKEY", Name: "pub123", OpenedAt: at, UpdatedAt: at}
}

func TestSelfHosted(t *testing.T) {
	p, err := live.NewSelfHosted(live.SelfHostedConfig{Hub: "mrpyq", PublishHost: "rtmp.example:1935", HLSURL: "https://cdn.example/hls/", Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Stream(room())
	if err != nil {
		t.Fatal(err)
	}
	if s.PublishURL != "rtmp://rtmp.example:1935/live/SECRETKEY" || s.PlayURL != "rtmp://rtmp.example:1935/live/pub123" {
		t.Errorf("urls: %s %s", s.PublishURL, s.PlayURL)
	}
	if strings.Contains(s.PlayURL, "SECRET") || strings.Contains(p.PlayURLs("pub123").HLS, "SECRET") {
		t.Error("the play URL holds the secret key")
	}
	if got := p.PlayURLs("pub123").HLS; got != "https://cdn.example/hls/pub123.m3u8" {
		t.Errorf("hls %s", got)
	}
	b, _ := json.Marshal(s)
	var m map[string]any
	json.Unmarshal(b, &m)
	// The document's example: every field, its types and time formats.
	for _, k := range []string{"id", "hub", "title", "publishKey", "publishSecurity", "nonce", "disabled", "disabledTill", "nropEnable",
		"hosts", "createdAt", "updatedAt", "expireAt", "publishUrl", "playUrl"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %s in %s", k, b)
		}
	}
	if m["nropEnable"] != nil || m["disabled"] != false || m["nonce"] != 0.0 || m["hub"] != "mrpyq" || m["title"] != "pub123" {
		t.Errorf("fields: %s", b)
	}
	if s.CreatedAt != "2017-01-06T10:28:45.799+08:00" || !strings.HasPrefix(s.ExpireAt, "2017-01-21T10:28:45.799") {
		t.Errorf("times %s %s", s.CreatedAt, s.ExpireAt)
	}
	h := m["hosts"].(map[string]any)
	if h["publish"].(map[string]any)["rtmp"] != "rtmp.example:1935" || h["live"].(map[string]any)["hls"] != "cdn.example" ||
		h["play"].(map[string]any)["rtmp"] != "rtmp.example:1935" || h["playback"].(map[string]any)["hls"] != "cdn.example" {
		t.Errorf("hosts %v", h)
	}
	for _, bad := range []live.SelfHostedConfig{{PublishHost: "rtmp://x"}, {PlayHost: "a/b"}, {HLSURL: "ftp://x/"}, {HLSURL: "http://x/hls"}} {
		if _, err := live.NewSelfHosted(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// fakePili is Pili's API as far as the provider uses it: the ban of a
// stream. It checks the SDK's Qiniu signature of every call.
type fakePili struct {
	mu      sync.Mutex
	mac     *auth.Credentials
	known   map[string]bool // streams Pili knows
	calls   []string        // "<stream> <disabledTill>"
	badAuth int
}

func (f *fakePili) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	if ok, _ := f.mac.VerifyCallback(r); !ok || !strings.HasPrefix(r.Header.Get("Authorization"), "Qiniu AK:") {
		f.badAuth++
		http.Error(w, `{"error":"bad token"}`, http.StatusUnauthorized)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // v2 hubs <hub> streams <b64> disabled
	if r.Method != http.MethodPost || len(parts) != 6 || parts[0] != "v2" || parts[2] != "mrpyq" || parts[5] != "disabled" {
		http.Error(w, "no such route", http.StatusNotFound)
		return
	}
	name, _ := base64.URLEncoding.DecodeString(parts[4])
	var req struct{ DisabledTill int }
	json.Unmarshal(body, &req)
	f.calls = append(f.calls, string(name)+" "+itoa(req.DisabledTill))
	if !f.known[string(name)] {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(612)
		w.Write([]byte(`{"error":"stream not found"}`))
		return
	}
	w.WriteHeader(http.StatusOK)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestQiniu(t *testing.T) {
	f := &fakePili{mac: auth.New("AK", "SK"), known: map[string]bool{"pub123": true}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	cfg := live.QiniuConfig{AccessKey: "AK", SecretKey: "SK", Hub: "mrpyq", PublishDomain: "pili-publish.mrpyq.com",
		RTMPPlayDomain: "pili-live-rtmp.mrpyq.com", HLSPlayDomain: "pili-live-hls.mrpyq.com", APIHost: srv.URL, PublishTTL: time.Hour, Location: shanghai}
	p, err := live.NewQiniu(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := room()
	if err := p.Enable(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := p.Disable(ctx, r); err != nil {
		t.Fatal(err)
	}
	r2 := r
	r2.Name = "never-published"
	if err := p.Enable(ctx, r2); err != nil {
		t.Fatalf("a stream Pili does not know yet: %v", err)
	}
	if err := p.Disable(ctx, r2); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.calls, ","); got != "pub123 0,pub123 -1,never-published 0,never-published -1" || f.badAuth > 0 {
		t.Fatalf("calls %s, bad auth %d", got, f.badAuth)
	}
	s, err := p.Stream(r)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "z1.mrpyq.pub123" || s.PlayURL != "rtmp://pili-live-rtmp.mrpyq.com/mrpyq/pub123" || s.Hosts.Publish.RTMP != "pili-publish.mrpyq.com" {
		t.Errorf("stream %+v", s)
	}
	u, err := url.Parse(s.PublishURL)
	if err != nil || u.Host != "pili-publish.mrpyq.com" || u.Path != "/mrpyq/pub123" || u.Query().Get("e") != itoa(int(r.OpenedAt.Add(time.Hour).Unix())) ||
		!strings.HasPrefix(u.Query().Get("token"), "AK:") {
		t.Errorf("publish url %s", s.PublishURL)
	}
	if got := p.PlayURLs("pub123").HLS; got != "https://pili-live-hls.mrpyq.com/mrpyq/pub123.m3u8" {
		t.Errorf("hls %s", got)
	}

	// Wrong credentials: Pili refuses, the provider says so.
	bad := cfg
	bad.SecretKey = "WRONG"
	pb, _ := live.NewQiniu(bad)
	if err := pb.Enable(ctx, r); err == nil || f.badAuth != 1 {
		t.Fatalf("wrong secret key: %v (%d refused)", err, f.badAuth)
	}
	if _, err := live.NewQiniu(live.QiniuConfig{AccessKey: "AK"}); err == nil || !strings.Contains(err.Error(), "hub") {
		t.Errorf("half configured: %v", err)
	}
}
