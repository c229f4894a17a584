package config_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"plaza/internal/config"
)

func TestLiveSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := config.Load("plaza serve", nil, env(nil), io.Discard)
	if err != nil || c.Live.Provider != "selfhosted" || c.Live.PublishHost != "127.0.0.1:1935" || c.Live.HLSURL != "http://127.0.0.1:8088/hls/" ||
		c.Live.CallbackSecret != "" || c.Live.Hub != "plaza" {
		t.Fatalf("defaults: %v %+v", err, c.Live)
	}
	q := map[string]string{"PLAZA_LIVE": "qiniu", "PLAZA_LIVE_QINIU_ACCESS_KEY": "ak", "PLAZA_LIVE_QINIU_SECRET_KEY": "sk", "PLAZA_LIVE_QINIU_HUB": "mrpyq",
		"PLAZA_LIVE_QINIU_PUBLISH_DOMAIN": "pili-publish.mrpyq.com", "PLAZA_LIVE_QINIU_RTMP_PLAY_DOMAIN": "pili-live-rtmp.mrpyq.com",
		"PLAZA_LIVE_QINIU_HLS_PLAY_DOMAIN": "pili-live-hls.mrpyq.com", "PLAZA_LIVE_QINIU_API_HOST": "http://127.0.0.1:9000"}
	c, err = config.Load("plaza serve", nil, env(q), io.Discard)
	if err != nil || c.Live.QiniuHub != "mrpyq" || c.Live.QiniuPublishTTL != 24*time.Hour || c.Live.QiniuAPIHost != "http://127.0.0.1:9000" {
		t.Fatalf("qiniu: %v %+v", err, c.Live)
	}
	_, err = config.Load("plaza serve", nil, env(map[string]string{"PLAZA_LIVE": "qiniu"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "live-qiniu-access-key") || !strings.Contains(err.Error(), "live-qiniu-publish-domain") {
		t.Fatalf("qiniu half configured: %v", err)
	}
	c, err = config.Load("plaza serve", []string{"-live-callback-secret", "0123456789abcdef", "-live-publish-host", "rtmp.example.com", "-live-play-host", "play.example.com:1936",
		"-live-hls-url", "https://cdn.example.com/hls/"}, env(nil), io.Discard)
	if err != nil || c.Live.CallbackSecret != "0123456789abcdef" || c.Live.PlayHost != "play.example.com:1936" {
		t.Fatalf("self-hosted: %v %+v", err, c.Live)
	}
	for _, bad := range []map[string]string{
		{"PLAZA_LIVE": "wowza"},
		{"PLAZA_LIVE_CALLBACK_SECRET": "short"},
		{"PLAZA_LIVE_CALLBACK_SECRET": "0123456789abcdef&x=1"},
		{"PLAZA_LIVE_PUBLISH_HOST": "rtmp://x:1935"},
		{"PLAZA_LIVE_PLAY_HOST": "x/live"},
		{"PLAZA_LIVE_HLS_URL": "http://x/hls"},
		{"PLAZA_LIVE_HLS_URL": "/hls/"},
		{"PLAZA_LIVE_QINIU_HUB": "h"}, // qiniu settings with live=selfhosted
	} {
		if _, err := config.Load("plaza serve", nil, env(bad), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	qb := map[string]string{}
	for k, v := range q {
		qb[k] = v
	}
	qb["PLAZA_LIVE_QINIU_PUBLISH_TTL"] = "10s"
	if _, err := config.Load("plaza serve", nil, env(qb), io.Discard); err == nil {
		t.Error("publish ttl 10s accepted")
	}
}
