package config_test

import (
	"io"
	"strings"
	"testing"

	"plaza/internal/config"
)

func TestPaySettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := config.Load("plaza serve", nil, env(nil), io.Discard)
	if err != nil || !c.PaySandboxOn() || c.WeChatPayOn() || c.AlipayOn() {
		t.Fatalf("defaults: %v sandbox=%v", err, c.PaySandboxOn())
	}
	_, err = config.Load("plaza serve", nil, env(map[string]string{"PLAZA_PAY_WECHAT_APP_ID": "wx1"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "pay-wechat-mch-id") || !strings.Contains(err.Error(), "pay-wechat-api-v3-key") {
		t.Fatalf("wechat half configured: %v", err)
	}
	c, err = config.Load("plaza serve", nil, env(map[string]string{"PLAZA_PAY_ALIPAY_APP_ID": "2021", "PLAZA_PAY_ALIPAY_PRIVATE_KEY_FILE": "a.pem",
		"PLAZA_PAY_ALIPAY_PUBLIC_KEY_FILE": "b.pem", "PLAZA_PAY_ALIPAY_NOTIFY_URL": "https://x.example/pay/notify/alipay"}), io.Discard)
	if err != nil || !c.AlipayOn() || c.PaySandboxOn() {
		t.Fatalf("alipay configured: %v, sandbox %v (auto turns it off)", err, c.PaySandboxOn())
	}
	for _, bad := range []map[string]string{{"PLAZA_PAY_SANDBOX": "yes"}, {"PLAZA_PAY_EXPIRE": "10s"}, {"PLAZA_PAY_ALIPAY_PRIVATE_KEY_FILE": "a.pem"}} {
		if _, err := config.Load("plaza serve", nil, env(bad), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
