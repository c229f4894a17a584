package config

import (
	"flag"
	"time"

	"plaza/internal/provider/sms"
)

// SMSVendor is the settings of the SMS providers that are vendors' APIs
// (sms=aliyun, sms=tencent), and the timeout of every provider that leaves
// the machine.
type SMSVendor struct {
	Timeout       time.Duration
	SignName      string // both vendors
	Template      string // Aliyun TemplateCode, Tencent TemplateId
	TemplateParam string // the code's variable in the Aliyun template

	AliyunAccessKeyID     string
	AliyunAccessKeySecret string
	AliyunEndpoint        string

	TencentSecretID  string
	TencentSecretKey string
	TencentAppID     string
	TencentRegion    string
	TencentEndpoint  string
}

func smsFlags(fs *flag.FlagSet, s *SMSVendor) {
	fs.DurationVar(&s.Timeout, "sms-timeout", sms.DefaultTimeout, "how long one SMS may take to hand to the vendor (webhook: each of its 3 tries; aliyun, tencent: their one try)")
	fs.StringVar(&s.SignName, "sms-sign-name", "", "sign name (签名) of the messages, as approved by the vendor (sms=aliyun, tencent)")
	fs.StringVar(&s.Template, "sms-template", "", "approved template of the code message: the Aliyun TemplateCode (SMS_...) or the Tencent TemplateId (sms=aliyun, tencent)")
	fs.StringVar(&s.TemplateParam, "sms-template-param", "code", "name of the code's variable in the Aliyun template (${code}); Tencent's template takes the code as its one parameter {1}")
	fs.StringVar(&s.AliyunAccessKeyID, "sms-aliyun-access-key-id", "", "Aliyun AccessKey ID (sms=aliyun)")
	fs.StringVar(&s.AliyunAccessKeySecret, "sms-aliyun-access-key-secret", "", "Aliyun AccessKey secret (sms=aliyun)")
	fs.StringVar(&s.AliyunEndpoint, "sms-aliyun-endpoint", sms.AliyunEndpoint, "Aliyun SMS API endpoint, scheme://host[:port]")
	fs.StringVar(&s.TencentSecretID, "sms-tencent-secret-id", "", "Tencent Cloud SecretId (sms=tencent)")
	fs.StringVar(&s.TencentSecretKey, "sms-tencent-secret-key", "", "Tencent Cloud SecretKey (sms=tencent)")
	fs.StringVar(&s.TencentAppID, "sms-tencent-app-id", "", "Tencent Cloud SMS SdkAppId, 1400... (sms=tencent)")
	fs.StringVar(&s.TencentRegion, "sms-tencent-region", sms.TencentRegion, "Tencent Cloud region of the SMS API")
	fs.StringVar(&s.TencentEndpoint, "sms-tencent-endpoint", sms.TencentEndpoint, "Tencent Cloud SMS API endpoint, scheme://host[:port]")
}

// check validates the settings the provider needs; it names the settings,
// never the values of secrets.
func (s *SMSVendor) check(provider string, fail func(string, ...any)) {
	if s.Timeout <= 0 || s.Timeout > time.Minute {
		fail("sms-timeout: more than 0, at most 1m")
	}
	need := func(name, v string) {
		if v == "" {
			fail("%s: sms=%s needs it", name, provider)
		}
	}
	endpoint := func(name, v string) {
		if _, _, err := sms.ParseEndpoint(v); err != nil {
			fail("%s: %v", name, err)
		}
	}
	switch provider {
	case "aliyun":
		need("sms-aliyun-access-key-id", s.AliyunAccessKeyID)
		need("sms-aliyun-access-key-secret", s.AliyunAccessKeySecret)
		need("sms-sign-name", s.SignName)
		need("sms-template", s.Template)
		need("sms-template-param", s.TemplateParam)
		endpoint("sms-aliyun-endpoint", s.AliyunEndpoint)
	case "tencent":
		need("sms-tencent-secret-id", s.TencentSecretID)
		need("sms-tencent-secret-key", s.TencentSecretKey)
		need("sms-tencent-app-id", s.TencentAppID)
		need("sms-tencent-region", s.TencentRegion)
		need("sms-sign-name", s.SignName)
		need("sms-template", s.Template)
		endpoint("sms-tencent-endpoint", s.TencentEndpoint)
	}
}

// Aliyun is the account of these settings (sms=aliyun).
func (s *SMSVendor) Aliyun() sms.AliyunConfig {
	return sms.AliyunConfig{
		AccessKeyID: s.AliyunAccessKeyID, AccessKeySecret: s.AliyunAccessKeySecret, Endpoint: s.AliyunEndpoint,
		SignName: s.SignName, TemplateCode: s.Template, TemplateParam: s.TemplateParam, Timeout: s.Timeout,
	}
}

// Tencent is the application of these settings (sms=tencent).
func (s *SMSVendor) Tencent() sms.TencentConfig {
	return sms.TencentConfig{
		SecretID: s.TencentSecretID, SecretKey: s.TencentSecretKey, AppID: s.TencentAppID, Region: s.TencentRegion,
		Endpoint: s.TencentEndpoint, SignName: s.SignName, TemplateID: s.Template, Timeout: s.Timeout,
	}
}
