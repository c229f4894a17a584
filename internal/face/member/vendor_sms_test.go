package member_test

import (
	"strings"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/provider/sms/smstest"
)

// smsFake is what both vendor fakes do.
type smsFake interface {
	Answer(code string)
	AnswerOK()
	AnswerHTTP(status int)
	Hang()
	Last() (smstest.Request, bool)
	Requests() []smstest.Request
	Refused() []string
}

type vendorCase struct {
	name string
	set  func()
	code int
}

// The real vendors' SDKs against local fakes of their APIs, through the
// whole server: send_code answers 0 and the vendor got the code, which then
// registers; each kind of vendor failure answers its documented code, never
// a 500, and leaves no usable code behind: the code the vendor was handed
// does not register.
func TestSMSVendors(t *testing.T) {
	t.Run("aliyun", func(t *testing.T) {
		f := smstest.NewAliyun(t)
		testSMSVendor(t, f, f.Env(), "8613800138000", "OK", []vendorCase{
			{"isv.AMOUNT_NOT_ENOUGH", func() { f.Answer("isv.AMOUNT_NOT_ENOUGH") }, 10011},
			{"isv.OUT_OF_SERVICE", func() { f.Answer("isv.OUT_OF_SERVICE") }, 10011},
			{"isv.BUSINESS_LIMIT_CONTROL", func() { f.Answer("isv.BUSINESS_LIMIT_CONTROL") }, 10012},
			{"isv.MOBILE_NUMBER_ILLEGAL", func() { f.Answer("isv.MOBILE_NUMBER_ILLEGAL") }, 10012},
			{"isv.SMS_TEMPLATE_ILLEGAL", func() { f.Answer("isv.SMS_TEMPLATE_ILLEGAL") }, 10012},
			{"isp.SYSTEM_ERROR", func() { f.Answer("isp.SYSTEM_ERROR") }, 10013},
			{"Throttling.User", func() { f.Answer("Throttling.User") }, 10013},
			{"ServiceUnavailable", func() { f.Answer("ServiceUnavailable") }, 10013},
			{"HTTP 502", func() { f.AnswerHTTP(502) }, 10013},
			{"timeout", f.Hang, 10013},
		})
	})
	t.Run("tencent", func(t *testing.T) {
		f := smstest.NewTencent(t)
		testSMSVendor(t, f, f.Env(), "+8613800138000", "Ok", []vendorCase{
			{"InsufficientBalanceInSmsPackage", func() { f.Answer("FailedOperation.InsufficientBalanceInSmsPackage") }, 10011},
			{"ServiceSuspendDueToArrears", func() { f.Answer("UnauthorizedOperation.ServiceSuspendDueToArrears") }, 10011},
			{"status LimitExceeded.PhoneNumberDailyLimit", func() { f.AnswerStatus("LimitExceeded.PhoneNumberDailyLimit") }, 10012},
			{"status InvalidParameterValue.IncorrectPhoneNumber", func() { f.AnswerStatus("InvalidParameterValue.IncorrectPhoneNumber") }, 10012},
			{"FailedOperation.TemplateIncorrectOrUnapproved", func() { f.Answer("FailedOperation.TemplateIncorrectOrUnapproved") }, 10012},
			{"InternalError.Timeout", func() { f.Answer("InternalError.Timeout") }, 10013},
			{"RequestLimitExceeded", func() { f.Answer("RequestLimitExceeded") }, 10013},
			{"HTTP 503", func() { f.AnswerHTTP(503) }, 10013},
			{"timeout", f.Hang, 10013},
		})
	})
}

func testSMSVendor(t *testing.T, f smsFake, vendorEnv map[string]string, to, okAnswer string, cases []vendorCase) {
	env := map[string]string{"PLAZA_CODE_COOLDOWN": "0s", "PLAZA_CODE_MAX_PER_ACCOUNT_DAY": "100", "PLAZA_SMS_TIMEOUT": "1s"}
	for k, v := range vendorEnv {
		env[k] = v
	}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		for _, c := range cases {
			c.set()
			want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", c.code)
			if n := codeRows(t, e); n != 0 {
				t.Fatalf("%s: %d code rows left behind", c.name, n)
			}
			last, ok := f.Last()
			if !ok || last.To != to || len(last.Code) != 6 {
				t.Fatalf("%s: the vendor got %+v", c.name, last)
			}
			want(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": last.Code, "password": "secret123"}, "", 10008)
		}
		f.AnswerOK()
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 0)
		last, _ := f.Last()
		if last.Answer != okAnswer || last.To != to || len(last.Code) != 6 {
			t.Fatalf("the vendor got %+v", last)
		}
		d := want(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": last.Code, "password": "secret123"}, "", 0)
		if tok, _ := d["access_token"].(string); tok == "" {
			t.Fatalf("register: %v", d)
		}
		if r := f.Refused(); len(r) != 0 {
			t.Fatalf("the fake refused requests: %v", r)
		}
	})
}

// A secret that is not the account's: the fake's signature check refuses
// the request, and the member face answers the SMS error 10012.
func TestSMSVendorWrongSecret(t *testing.T) {
	t.Run("aliyun", func(t *testing.T) {
		a := smstest.NewAliyun(t)
		env := a.Env()
		env["PLAZA_SMS_ALIYUN_ACCESS_KEY_SECRET"] = "wrong-" + a.AccessKeySecret
		plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
			want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 10012)
		})
		if r := a.Refused(); !allPrefixed(r, "SignatureDoesNotMatch") || len(a.Requests()) != 0 {
			t.Fatalf("refused %v, requests %v", r, a.Requests())
		}
	})
	t.Run("tencent", func(t *testing.T) {
		tc := smstest.NewTencent(t)
		env := tc.Env()
		env["PLAZA_SMS_TENCENT_SECRET_KEY"] = "wrong-" + tc.SecretKey
		plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
			want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 10012)
		})
		if r := tc.Refused(); !allPrefixed(r, "AuthFailure.SignatureFailure") || len(tc.Requests()) != 0 {
			t.Fatalf("refused %v, requests %v", r, tc.Requests())
		}
	})
}

// allPrefixed reports whether list has items and each starts with prefix.
func allPrefixed(list []string, prefix string) bool {
	for _, s := range list {
		if !strings.HasPrefix(s, prefix) {
			return false
		}
	}
	return len(list) > 0
}
