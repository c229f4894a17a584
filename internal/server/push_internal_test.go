package server

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plaza/internal/config"
	"plaza/internal/provider/push"
	"plaza/internal/provider/push/pushtest"
)

func pushConfig(t *testing.T, env map[string]string) (config.Config, error) {
	t.Helper()
	vars := map[string]string{"PLAZA_DATA": t.TempDir()}
	for k, v := range env {
		vars[k] = v
	}
	return config.Load("plaza serve", nil, func(k string) string { return vars[k] }, io.Discard)
}

func apnsEnv(f *pushtest.APNs) map[string]string {
	return map[string]string{"PLAZA_PUSH_IOS": "apns", "PLAZA_PUSH_APNS_KEY_FILE": f.KeyFile, "PLAZA_PUSH_APNS_KEY_ID": f.KeyID,
		"PLAZA_PUSH_APNS_TEAM_ID": f.TeamID, "PLAZA_PUSH_APNS_TOPIC": f.Topic, "PLAZA_PUSH_APNS_HOST": f.URL, "PLAZA_PUSH_APNS_CA_FILE": f.CAFile}
}

// openPush makes the channels the settings name; a key or credentials
// file it cannot use, or an unknown provider, stops the start.
func TestOpenPush(t *testing.T) {
	outbox := push.NewOutbox(filepath.Join(t.TempDir(), "push.jsonl"))
	apns, fcm, jpush := pushtest.NewAPNs(t), pushtest.NewFCM(t), pushtest.NewJPush(t)
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte("not a key"), 0o600)
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	with := func(base map[string]string, k, v string) map[string]string {
		return merge(base, map[string]string{k: v})
	}
	fcmEnv := map[string]string{"PLAZA_PUSH_ANDROID": "fcm", "PLAZA_PUSH_FCM_CREDENTIALS_FILE": fcm.CredentialsFile, "PLAZA_PUSH_FCM_ENDPOINT": fcm.URL}
	jpushEnv := map[string]string{"PLAZA_PUSH_ANDROID": "jpush", "PLAZA_PUSH_JPUSH_APP_KEY": jpush.AppKey, "PLAZA_PUSH_JPUSH_MASTER_SECRET": jpush.MasterSecret}
	for _, c := range []struct {
		name         string
		env          map[string]string
		ios, android string
	}{
		{"defaults", nil, "outbox", "outbox"},
		{"apns", apnsEnv(apns), "apns", "outbox"},
		{"fcm", fcmEnv, "outbox", "fcm"},
		{"apns and jpush", merge(apnsEnv(apns), jpushEnv), "apns", "jpush"},
		{"jpush", jpushEnv, "outbox", "jpush"},
	} {
		cfg, err := pushConfig(t, c.env)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ch, err := openPush(&cfg, outbox)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ch.IOS.Name() != c.ios || ch.Android.Name() != c.android || ch.For(push.IOS) != ch.IOS || ch.For(push.Android) != ch.Android {
			t.Errorf("%s: ios %s, android %s", c.name, ch.IOS.Name(), ch.Android.Name())
		}
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing .p8", with(apnsEnv(apns), "PLAZA_PUSH_APNS_KEY_FILE", filepath.Join(t.TempDir(), "AuthKey.p8")), "push-ios=apns: apns: key file"},
		{"bad .p8", with(apnsEnv(apns), "PLAZA_PUSH_APNS_KEY_FILE", junk), "push-ios=apns: apns: key file"},
		{"bad APNs CA file", with(apnsEnv(apns), "PLAZA_PUSH_APNS_CA_FILE", junk), "push-ios=apns: apns: CA file"},
		{"missing service account", with(fcmEnv, "PLAZA_PUSH_FCM_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "sa.json")), "push-android=fcm: fcm:"},
		{"bad service account", with(fcmEnv, "PLAZA_PUSH_FCM_CREDENTIALS_FILE", junk), "push-android=fcm: fcm:"},
	} {
		cfg, err := pushConfig(t, c.env)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, err := openPush(&cfg, outbox); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		// The whole start stops so.
		if a, err := New(context.Background(), cfg, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			if a != nil {
				a.Close()
			}
			t.Errorf("%s: the server started (%v)", c.name, err)
		}
	}
	for _, env := range []map[string]string{{"PLAZA_PUSH_IOS": "gcm"}, {"PLAZA_PUSH_ANDROID": "huawei"}} {
		if _, err := pushConfig(t, env); err == nil {
			t.Errorf("%v accepted", env)
		}
	}
}
