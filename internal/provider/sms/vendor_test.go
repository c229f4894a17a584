package sms_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"plaza/internal/errs"
	"plaza/internal/provider/sms"
	"plaza/internal/provider/sms/smstest"
)

var msg = sms.Message{To: "8613800138000", Code: "482913", Text: "Your code is 482913", Time: time.Now()}

func wantReason(t *testing.T, err error, reason errs.Reason, secrets ...string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *errs.Error", err, err)
	}
	if e.Kind != errs.Unavailable || e.Reason != reason {
		t.Fatalf("err = %v (reason %s), want kind unavailable, reason %s", err, e.Reason, reason)
	}
	if e.Msg == "" || e.Err == nil {
		t.Fatalf("err = %#v, want Msg and cause", e)
	}
	for _, s := range append(secrets, msg.Code) {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("the error shows a secret or the code: %v", err)
		}
	}
}

func aliyunConfig(f *smstest.Aliyun) sms.AliyunConfig {
	return sms.AliyunConfig{
		AccessKeyID: f.AccessKeyID, AccessKeySecret: f.AccessKeySecret, Endpoint: f.URL,
		SignName: f.SignName, TemplateCode: f.TemplateCode, TemplateParam: f.TemplateParam,
		Timeout: 2 * time.Second,
	}
}

func tencentConfig(f *smstest.Tencent) sms.TencentConfig {
	return sms.TencentConfig{
		SecretID: f.SecretID, SecretKey: f.SecretKey, AppID: f.AppID, Region: f.Region, Endpoint: f.URL,
		SignName: f.SignName, TemplateID: f.TemplateID, Timeout: 2 * time.Second,
	}
}

func newAliyun(t *testing.T, c sms.AliyunConfig) *sms.Aliyun {
	t.Helper()
	a, err := sms.NewAliyun(c)
	if err != nil {
		t.Fatalf("NewAliyun: %v", err)
	}
	return a
}

func newTencent(t *testing.T, c sms.TencentConfig) *sms.Tencent {
	t.Helper()
	s, err := sms.NewTencent(c)
	if err != nil {
		t.Fatalf("NewTencent: %v", err)
	}
	return s
}

// wantSent checks the fake's one request against msg and the fake's
// account.
func wantSent(t *testing.T, reqs []smstest.Request, to, sign, template, answer string) {
	t.Helper()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1: %+v", len(reqs), reqs)
	}
	want := smstest.Request{To: to, SignName: sign, Template: template, Code: msg.Code, Answer: answer}
	if reqs[0] != want {
		t.Fatalf("request %+v, want %+v", reqs[0], want)
	}
}

func TestAliyunSends(t *testing.T) {
	f := smstest.NewAliyun(t)
	if err := newAliyun(t, aliyunConfig(f)).Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v (refused: %v)", err, f.Refused())
	}
	wantSent(t, f.Requests(), "8613800138000", f.SignName, f.TemplateCode, "OK")
	if r := f.Refused(); len(r) != 0 {
		t.Fatalf("refused: %v", r)
	}
}

// The template's variable is a setting; a template that names another
// variable than the one sent is the vendor's refusal.
func TestAliyunTemplateParam(t *testing.T) {
	f := smstest.NewAliyun(t)
	f.TemplateParam = "otp"
	c := aliyunConfig(f)
	if err := newAliyun(t, c).Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	c.TemplateParam = "" // the default, "code"
	wantReason(t, newAliyun(t, c).Send(context.Background(), msg), sms.ReasonFailed)
	if last, _ := f.Last(); last.Answer != "isv.TEMPLATE_MISSING_PARAMETERS" {
		t.Fatalf("last answer %q", last.Answer)
	}
}

// The fake verifies the ACS3 signature: a wrong secret or key id is refused
// before the message is read.
func TestAliyunBadCredentials(t *testing.T) {
	f := smstest.NewAliyun(t)
	c := aliyunConfig(f)
	c.AccessKeySecret = "not-" + f.AccessKeySecret
	wantReason(t, newAliyun(t, c).Send(context.Background(), msg), sms.ReasonFailed, c.AccessKeySecret)
	c = aliyunConfig(f)
	c.AccessKeyID = "LTAIunknown"
	wantReason(t, newAliyun(t, c).Send(context.Background(), msg), sms.ReasonFailed, c.AccessKeySecret)
	r := f.Refused()
	if len(r) != 2 || !strings.HasPrefix(r[0], "SignatureDoesNotMatch") || !strings.HasPrefix(r[1], "InvalidAccessKeyId.NotFound") {
		t.Fatalf("refused: %v", r)
	}
	if n := len(f.Requests()); n != 0 {
		t.Fatalf("%d requests read", n)
	}
}

func TestAliyunSignAndTemplate(t *testing.T) {
	f := smstest.NewAliyun(t)
	c := aliyunConfig(f)
	c.SignName = "别的"
	wantReason(t, newAliyun(t, c).Send(context.Background(), msg), sms.ReasonFailed)
	c = aliyunConfig(f)
	c.TemplateCode = "SMS_1"
	wantReason(t, newAliyun(t, c).Send(context.Background(), msg), sms.ReasonFailed)
	bad := msg
	bad.To = "86abc"
	wantReason(t, newAliyun(t, aliyunConfig(f)).Send(context.Background(), bad), sms.ReasonFailed)
	var got []string
	for _, r := range f.Requests() {
		got = append(got, r.Answer)
	}
	if strings.Join(got, " ") != "isv.SMS_SIGNATURE_ILLEGAL isv.SMS_TEMPLATE_ILLEGAL isv.MOBILE_NUMBER_ILLEGAL" {
		t.Fatalf("answers %v", got)
	}
}

func TestAliyunErrors(t *testing.T) {
	f := smstest.NewAliyun(t)
	a := newAliyun(t, aliyunConfig(f))
	for _, c := range []struct {
		code   string
		reason errs.Reason
	}{
		{"isv.AMOUNT_NOT_ENOUGH", sms.ReasonArrears},
		{"isv.OUT_OF_SERVICE", sms.ReasonArrears},
		{"isv.BILLING_DEDUCTION_ERROR", sms.ReasonArrears},
		{"isv.BUSINESS_LIMIT_CONTROL", sms.ReasonFailed},
		{"isv.DAY_LIMIT_CONTROL", sms.ReasonFailed},
		{"isv.MOBILE_NUMBER_ILLEGAL", sms.ReasonFailed},
		{"isv.SMS_SIGNATURE_ILLEGAL", sms.ReasonFailed},
		{"isv.SMS_TEMPLATE_ILLEGAL", sms.ReasonFailed},
		{"isv.BLACK_KEY_CONTROL_LIMIT", sms.ReasonFailed},
		{"isv.PRODUCT_UN_SUBSCRIPT", sms.ReasonFailed},
		{"isp.RAM_PERMISSION_DENY", sms.ReasonFailed},
		{"isv.SOMETHING_NEW", sms.ReasonFailed}, // unknown: a refusal
		{"isp.SYSTEM_ERROR", sms.ReasonUnavailable},
		{"isp.GATEWAY_ERROR", sms.ReasonUnavailable},
		{"Throttling.User", sms.ReasonUnavailable}, // HTTP 400, the API's own limit
		{"Throttling.Api", sms.ReasonUnavailable},
		{"InternalError", sms.ReasonUnavailable},      // HTTP 500
		{"ServiceUnavailable", sms.ReasonUnavailable}, // HTTP 503
	} {
		t.Run(c.code, func(t *testing.T) {
			f.Answer(c.code)
			wantReason(t, a.Send(context.Background(), msg), c.reason, f.AccessKeySecret)
			if last, _ := f.Last(); last.Answer != c.code || last.Code != msg.Code {
				t.Fatalf("last request %+v", last)
			}
		})
	}
	for _, status := range []int{500, 502, 503, 404} {
		f.AnswerHTTP(status)
		wantReason(t, a.Send(context.Background(), msg), sms.ReasonUnavailable, f.AccessKeySecret)
	}
	f.AnswerOK()
	if err := a.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send after the failures: %v", err)
	}
	if r := f.Refused(); len(r) != 0 {
		t.Fatalf("refused: %v", r)
	}
}

func TestAliyunTimeout(t *testing.T) {
	f := smstest.NewAliyun(t)
	f.Hang()
	c := aliyunConfig(f)
	c.Timeout = 300 * time.Millisecond
	start := time.Now()
	wantReason(t, newAliyun(t, c).Send(context.Background(), msg), sms.ReasonUnavailable)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %s", d)
	}
	if n := len(f.Requests()); n != 1 {
		t.Fatalf("%d requests, want 1 (no retry)", n)
	}
}

func TestAliyunNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c := aliyunConfig(&smstest.Aliyun{AccessKeyID: "LTAIx", AccessKeySecret: "s3cret-value", SignName: "s", TemplateCode: "SMS_1", URL: srv.URL})
	wantReason(t, newAliyun(t, c).Send(context.Background(), msg), sms.ReasonUnavailable, "s3cret-value", "13800138000")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := smstest.NewAliyun(t)
	wantReason(t, newAliyun(t, aliyunConfig(f)).Send(ctx, msg), sms.ReasonUnavailable)
}

func TestNewAliyunChecks(t *testing.T) {
	good := sms.AliyunConfig{AccessKeyID: "id", AccessKeySecret: "very-secret", SignName: "s", TemplateCode: "SMS_1"}
	if _, err := sms.NewAliyun(good); err != nil {
		t.Fatalf("good config (public endpoint): %v", err)
	}
	for _, c := range []struct {
		edit func(*sms.AliyunConfig)
		want string
	}{
		{func(c *sms.AliyunConfig) { c.AccessKeyID = "" }, "access key id"},
		{func(c *sms.AliyunConfig) { c.AccessKeySecret = "" }, "access key secret"},
		{func(c *sms.AliyunConfig) { c.SignName = "" }, "sign name"},
		{func(c *sms.AliyunConfig) { c.TemplateCode = "" }, "template code"},
		{func(c *sms.AliyunConfig) { c.Endpoint = "dysmsapi.aliyuncs.com" }, "endpoint"},
		{func(c *sms.AliyunConfig) { c.Endpoint = "https://dysmsapi.aliyuncs.com/x?y" }, "endpoint"},
	} {
		cfg := good
		c.edit(&cfg)
		_, err := sms.NewAliyun(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "very-secret") {
			t.Errorf("%+v: %v, want an error naming %s", cfg, err, c.want)
		}
	}
}

func TestTencentSends(t *testing.T) {
	f := smstest.NewTencent(t)
	if err := newTencent(t, tencentConfig(f)).Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v (refused: %v)", err, f.Refused())
	}
	wantSent(t, f.Requests(), "+8613800138000", f.SignName, f.TemplateID, "Ok")
	if r := f.Refused(); len(r) != 0 {
		t.Fatalf("refused: %v", r)
	}
}

// The fake verifies the TC3 signature: a wrong key or secret id is refused
// before the message is read; so is a region the application is not in.
func TestTencentBadCredentials(t *testing.T) {
	f := smstest.NewTencent(t)
	c := tencentConfig(f)
	c.SecretKey = "not-" + f.SecretKey
	wantReason(t, newTencent(t, c).Send(context.Background(), msg), sms.ReasonFailed, c.SecretKey)
	c = tencentConfig(f)
	c.SecretID = "AKIDunknown"
	wantReason(t, newTencent(t, c).Send(context.Background(), msg), sms.ReasonFailed, c.SecretKey)
	c = tencentConfig(f)
	c.Region = "" // the default, ap-guangzhou; the fake is elsewhere
	wantReason(t, newTencent(t, c).Send(context.Background(), msg), sms.ReasonFailed, c.SecretKey)
	r := f.Refused()
	if len(r) != 3 || !strings.HasPrefix(r[0], "AuthFailure.SignatureFailure") || !strings.HasPrefix(r[1], "AuthFailure.SecretIdNotFound") ||
		!strings.HasPrefix(r[2], "region ap-guangzhou") {
		t.Fatalf("refused: %v", r)
	}
	if n := len(f.Requests()); n != 0 {
		t.Fatalf("%d requests read", n)
	}
}

func TestTencentAppSignAndTemplate(t *testing.T) {
	f := smstest.NewTencent(t)
	for _, edit := range []func(*sms.TencentConfig){
		func(c *sms.TencentConfig) { c.AppID = "1400000000" },
		func(c *sms.TencentConfig) { c.SignName = "别的" },
		func(c *sms.TencentConfig) { c.TemplateID = "1" },
	} {
		c := tencentConfig(f)
		edit(&c)
		wantReason(t, newTencent(t, c).Send(context.Background(), msg), sms.ReasonFailed)
	}
	bad := msg
	bad.To = "86abc"
	wantReason(t, newTencent(t, tencentConfig(f)).Send(context.Background(), bad), sms.ReasonFailed)
	var got []string
	for _, r := range f.Requests() {
		got = append(got, r.Answer)
	}
	want := "InvalidParameterValue.SdkAppIdNotExist FailedOperation.SignatureIncorrectOrUnapproved FailedOperation.TemplateIncorrectOrUnapproved InvalidParameterValue.IncorrectPhoneNumber"
	if strings.Join(got, " ") != want {
		t.Fatalf("answers %v", got)
	}
}

func TestTencentErrors(t *testing.T) {
	f := smstest.NewTencent(t)
	s := newTencent(t, tencentConfig(f))
	for _, c := range []struct {
		code      string
		perNumber bool
		reason    errs.Reason
	}{
		{"FailedOperation.InsufficientBalanceInSmsPackage", false, sms.ReasonArrears},
		{"FailedOperation.InsufficientBalanceInSmsPackage", true, sms.ReasonArrears},
		{"UnauthorizedOperation.ServiceSuspendDueToArrears", false, sms.ReasonArrears},
		{"LimitExceeded.PhoneNumberDailyLimit", true, sms.ReasonFailed},
		{"LimitExceeded.PhoneNumberThirtySecondLimit", true, sms.ReasonFailed},
		{"LimitExceeded.DeliveryFrequencyLimit", false, sms.ReasonFailed},
		{"InvalidParameterValue.IncorrectPhoneNumber", true, sms.ReasonFailed},
		{"FailedOperation.PhoneNumberInBlacklist", true, sms.ReasonFailed},
		{"FailedOperation.TemplateIncorrectOrUnapproved", false, sms.ReasonFailed},
		{"UnauthorizedOperation.SmsSdkAppIdVerifyFail", false, sms.ReasonFailed},
		{"AuthFailure.UnauthorizedOperation", false, sms.ReasonFailed},
		{"InternalError.RequestTimeException", false, sms.ReasonFailed},
		{"SomethingNew.Entirely", true, sms.ReasonFailed}, // unknown: a refusal
		{"InternalError", false, sms.ReasonUnavailable},
		{"InternalError.Timeout", true, sms.ReasonUnavailable},
		{"InternalError.SendAndRecvFail", false, sms.ReasonUnavailable},
		{"RequestLimitExceeded", false, sms.ReasonUnavailable},
		{"RequestLimitExceeded.UinLimitExceeded", false, sms.ReasonUnavailable},
	} {
		name := c.code
		if c.perNumber {
			name += "/status"
		}
		t.Run(name, func(t *testing.T) {
			if c.perNumber {
				f.AnswerStatus(c.code)
			} else {
				f.Answer(c.code)
			}
			wantReason(t, s.Send(context.Background(), msg), c.reason, f.SecretKey)
			if last, _ := f.Last(); last.Answer != c.code || last.Code != msg.Code {
				t.Fatalf("last request %+v", last)
			}
		})
	}
	for _, status := range []int{500, 502, 503, 404} {
		f.AnswerHTTP(status)
		wantReason(t, s.Send(context.Background(), msg), sms.ReasonUnavailable, f.SecretKey)
	}
	f.AnswerOK()
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send after the failures: %v", err)
	}
	if r := f.Refused(); len(r) != 0 {
		t.Fatalf("refused: %v", r)
	}
}

func TestTencentTimeout(t *testing.T) {
	f := smstest.NewTencent(t)
	f.Hang()
	c := tencentConfig(f)
	c.Timeout = 300 * time.Millisecond
	start := time.Now()
	wantReason(t, newTencent(t, c).Send(context.Background(), msg), sms.ReasonUnavailable)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %s", d)
	}
	if n := len(f.Requests()); n != 1 {
		t.Fatalf("%d requests, want 1 (no retry)", n)
	}
}

func TestTencentNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c := sms.TencentConfig{SecretID: "AKIDx", SecretKey: "s3cret-value", AppID: "1400000000", SignName: "s", TemplateID: "1", Endpoint: srv.URL}
	wantReason(t, newTencent(t, c).Send(context.Background(), msg), sms.ReasonUnavailable, "s3cret-value")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := smstest.NewTencent(t)
	wantReason(t, newTencent(t, tencentConfig(f)).Send(ctx, msg), sms.ReasonUnavailable)
}

func TestNewTencentChecks(t *testing.T) {
	good := sms.TencentConfig{SecretID: "id", SecretKey: "very-secret", AppID: "1400000000", SignName: "s", TemplateID: "1"}
	if _, err := sms.NewTencent(good); err != nil {
		t.Fatalf("good config (public endpoint): %v", err)
	}
	for _, c := range []struct {
		edit func(*sms.TencentConfig)
		want string
	}{
		{func(c *sms.TencentConfig) { c.SecretID = "" }, "secret id"},
		{func(c *sms.TencentConfig) { c.SecretKey = "" }, "secret key"},
		{func(c *sms.TencentConfig) { c.AppID = "" }, "app id"},
		{func(c *sms.TencentConfig) { c.SignName = "" }, "sign name"},
		{func(c *sms.TencentConfig) { c.TemplateID = "" }, "template id"},
		{func(c *sms.TencentConfig) { c.Endpoint = "ftp://sms.tencentcloudapi.com" }, "endpoint"},
	} {
		cfg := good
		c.edit(&cfg)
		_, err := sms.NewTencent(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "very-secret") {
			t.Errorf("%+v: %v, want an error naming %s", cfg, err, c.want)
		}
	}
}

func TestVendorsAreSenders(t *testing.T) {
	var _ sms.Sender = (*sms.Aliyun)(nil)
	var _ sms.Sender = (*sms.Tencent)(nil)
}
