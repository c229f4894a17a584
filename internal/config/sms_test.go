package config_test

import (
	"strings"
	"testing"
	"time"

	"plaza/internal/provider/sms"
)

func TestSMSVendorSettings(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	v := c.SMSVendor
	if v.Timeout != 5*time.Second || v.TemplateParam != "code" || v.AliyunEndpoint != sms.AliyunEndpoint ||
		v.TencentEndpoint != sms.TencentEndpoint || v.TencentRegion != "ap-guangzhou" {
		t.Fatalf("defaults: %+v", v)
	}

	aliyun := map[string]string{
		"PLAZA_SMS": "aliyun", "PLAZA_SMS_ALIYUN_ACCESS_KEY_ID": "LTAIkey", "PLAZA_SMS_ALIYUN_ACCESS_KEY_SECRET": "aliyun-s3cret",
		"PLAZA_SMS_SIGN_NAME": "广场", "PLAZA_SMS_TEMPLATE": "SMS_123", "PLAZA_SMS_TIMEOUT": "2s",
	}
	c, err = load(aliyun)
	if err != nil {
		t.Fatal(err)
	}
	want := sms.AliyunConfig{AccessKeyID: "LTAIkey", AccessKeySecret: "aliyun-s3cret", Endpoint: sms.AliyunEndpoint,
		SignName: "广场", TemplateCode: "SMS_123", TemplateParam: "code", Timeout: 2 * time.Second}
	if got := c.SMSVendor.Aliyun(); got != want {
		t.Fatalf("aliyun: %+v", got)
	}

	tencent := map[string]string{
		"PLAZA_SMS": "tencent", "PLAZA_SMS_TENCENT_SECRET_ID": "AKIDid", "PLAZA_SMS_TENCENT_SECRET_KEY": "tencent-s3cret",
		"PLAZA_SMS_TENCENT_APP_ID": "1400000001", "PLAZA_SMS_SIGN_NAME": "广场", "PLAZA_SMS_TEMPLATE": "123456",
		"PLAZA_SMS_TENCENT_ENDPOINT": "http://127.0.0.1:9", "PLAZA_SMS_TENCENT_REGION": "ap-beijing",
	}
	c, err = load(tencent)
	if err != nil {
		t.Fatal(err)
	}
	wantT := sms.TencentConfig{SecretID: "AKIDid", SecretKey: "tencent-s3cret", AppID: "1400000001", Region: "ap-beijing",
		Endpoint: "http://127.0.0.1:9", SignName: "广场", TemplateID: "123456", Timeout: 5 * time.Second}
	if got := c.SMSVendor.Tencent(); got != wantT {
		t.Fatalf("tencent: %+v", got)
	}

	// Each setting the provider needs stops the start, by its name; the
	// message never shows a secret.
	for _, c := range []struct {
		base          map[string]string
		unset, setTo  string
		wantInMessage string
	}{
		{aliyun, "PLAZA_SMS_ALIYUN_ACCESS_KEY_ID", "", "sms-aliyun-access-key-id"},
		{aliyun, "PLAZA_SMS_ALIYUN_ACCESS_KEY_SECRET", "", "sms-aliyun-access-key-secret"},
		{aliyun, "PLAZA_SMS_SIGN_NAME", "", "sms-sign-name"},
		{aliyun, "PLAZA_SMS_TEMPLATE", "", "sms-template"},
		{aliyun, "PLAZA_SMS_ALIYUN_ENDPOINT", "dysmsapi.aliyuncs.com", "sms-aliyun-endpoint"},
		{aliyun, "PLAZA_SMS_TIMEOUT", "0s", "sms-timeout"},
		{aliyun, "PLAZA_SMS_TIMEOUT", "1h", "sms-timeout"},
		{tencent, "PLAZA_SMS_TENCENT_SECRET_ID", "", "sms-tencent-secret-id"},
		{tencent, "PLAZA_SMS_TENCENT_SECRET_KEY", "", "sms-tencent-secret-key"},
		{tencent, "PLAZA_SMS_TENCENT_APP_ID", "", "sms-tencent-app-id"},
		{tencent, "PLAZA_SMS_SIGN_NAME", "", "sms-sign-name"},
		{tencent, "PLAZA_SMS_TEMPLATE", "", "sms-template"},
		{tencent, "PLAZA_SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com/path?x=1", "sms-tencent-endpoint"},
		{map[string]string{"PLAZA_SMS": "twilio"}, "", "", "aliyun or tencent"},
	} {
		env := map[string]string{}
		for k, v := range c.base {
			env[k] = v
		}
		if c.unset != "" {
			env[c.unset] = c.setTo
		}
		_, err := load(env)
		if err == nil {
			t.Errorf("%s=%q: accepted", c.unset, c.setTo)
			continue
		}
		if !strings.Contains(err.Error(), c.wantInMessage) {
			t.Errorf("%s=%q: %v, want a message naming %s", c.unset, c.setTo, err, c.wantInMessage)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the message shows a secret: %v", err)
		}
	}

	// The vendors' settings do not bother the other providers.
	if _, err := load(map[string]string{"PLAZA_SMS": "outbox", "PLAZA_SMS_SIGN_NAME": "x"}); err != nil {
		t.Fatal(err)
	}
}
