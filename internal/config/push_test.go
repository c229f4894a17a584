package config_test

import (
	"io"
	"strings"
	"testing"

	"plaza/internal/config"
)

func TestPushSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := config.Load("plaza serve", nil, env(nil), io.Discard)
	if err != nil || c.Push.IOS != "outbox" || c.Push.Android != "outbox" || c.Push.APNsEnvironment != "production" {
		t.Fatalf("defaults: %v %+v", err, c.Push)
	}
	apns := map[string]string{"PLAZA_PUSH_IOS": "apns", "PLAZA_PUSH_APNS_KEY_FILE": "/etc/plaza/AuthKey.p8", "PLAZA_PUSH_APNS_KEY_ID": "ABC123DEFG",
		"PLAZA_PUSH_APNS_TEAM_ID": "TEAM123456", "PLAZA_PUSH_APNS_TOPIC": "com.example.app", "PLAZA_PUSH_APNS_ENVIRONMENT": "development",
		"PLAZA_PUSH_APNS_HOST": "https://127.0.0.1:8443"}
	c, err = config.Load("plaza serve", nil, env(apns), io.Discard)
	if err != nil || c.Push.IOS != "apns" || c.Push.APNsTopic != "com.example.app" || c.Push.APNsEnvironment != "development" {
		t.Fatalf("apns: %v %+v", err, c.Push)
	}
	c, err = config.Load("plaza serve", []string{"-push-android", "fcm", "-push-fcm-credentials-file", "/etc/plaza/sa.json"}, env(nil), io.Discard)
	if err != nil || c.Push.Android != "fcm" || c.Push.FCMCredentialsFile != "/etc/plaza/sa.json" {
		t.Fatalf("fcm: %v %+v", err, c.Push)
	}
	c, err = config.Load("plaza serve", nil, env(map[string]string{"PLAZA_PUSH_ANDROID": "jpush", "PLAZA_PUSH_JPUSH_APP_KEY": "k",
		"PLAZA_PUSH_JPUSH_MASTER_SECRET": "s", "PLAZA_PUSH_JPUSH_ENDPOINT": "https://bjapi.push.jiguang.cn"}), io.Discard)
	if err != nil || c.Push.Android != "jpush" || c.Push.JPushEndpoint != "https://bjapi.push.jiguang.cn" {
		t.Fatalf("jpush: %v %+v", err, c.Push)
	}
	// The old single setting is gone.
	if _, err := config.Load("plaza serve", []string{"-push", "outbox"}, env(nil), io.Discard); err == nil {
		t.Error("-push accepted")
	}
	for _, bad := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PLAZA_PUSH_IOS": "fcm"}, "push-ios"},
		{map[string]string{"PLAZA_PUSH_ANDROID": "huawei"}, "push-android"},
		{map[string]string{"PLAZA_PUSH_IOS": "apns"}, "push-apns-key-file"},
		{map[string]string{"PLAZA_PUSH_IOS": "apns", "PLAZA_PUSH_APNS_KEY_FILE": "k.p8"}, "push-apns-topic"},
		{map[string]string{"PLAZA_PUSH_ANDROID": "fcm"}, "push-fcm-credentials-file"},
		{map[string]string{"PLAZA_PUSH_ANDROID": "jpush", "PLAZA_PUSH_JPUSH_APP_KEY": "k"}, "push-jpush-master-secret"},
		{map[string]string{"PLAZA_PUSH_APNS_KEY_FILE": "k.p8"}, "push-ios is outbox"},
		{map[string]string{"PLAZA_PUSH_FCM_CREDENTIALS_FILE": "sa.json", "PLAZA_PUSH_ANDROID": "jpush", "PLAZA_PUSH_JPUSH_APP_KEY": "k",
			"PLAZA_PUSH_JPUSH_MASTER_SECRET": "s"}, "push-android is jpush"},
		{map[string]string{"PLAZA_PUSH_JPUSH_APP_KEY": "k"}, "push-android is outbox"},
		{map[string]string{"PLAZA_PUSH_ANDROID": "fcm", "PLAZA_PUSH_FCM_CREDENTIALS_FILE": "sa.json", "PLAZA_PUSH_FCM_ENDPOINT": "fcm.googleapis.com"}, "push-fcm-endpoint"},
		{map[string]string{"PLAZA_PUSH_ANDROID": "jpush", "PLAZA_PUSH_JPUSH_APP_KEY": "k", "PLAZA_PUSH_JPUSH_MASTER_SECRET": "s",
			"PLAZA_PUSH_JPUSH_ENDPOINT": "ftp://x"}, "push-jpush-endpoint"},
	} {
		if _, err := config.Load("plaza serve", nil, env(bad.env), io.Discard); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: %v, want an error naming %s", bad.env, err, bad.want)
		}
	}
	for k, v := range map[string]string{"PLAZA_PUSH_APNS_ENVIRONMENT": "sandbox", "PLAZA_PUSH_APNS_HOST": "http://127.0.0.1:8443"} {
		m := map[string]string{k: v}
		for k, v := range apns {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
		if _, err := config.Load("plaza serve", nil, env(m), io.Discard); err == nil || !strings.Contains(err.Error(), strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(k, "PLAZA_"), "_", "-"))) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
