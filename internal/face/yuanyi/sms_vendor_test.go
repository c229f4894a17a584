package yuanyi_test

import (
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/provider/sms/smstest"
)

// send_sms_code through the real vendors' SDKs against local fakes: every
// kind of vendor failure is the documented 101 (短信发送失败), never a 500,
// and the code the vendor was handed does not sign up; once the vendor
// sends, its code does.
func TestSendSMSCodeVendors(t *testing.T) {
	a := smstest.NewAliyun(t)
	tc := smstest.NewTencent(t)
	for _, v := range []struct {
		name  string
		env   map[string]string
		fails []func()
		ok    func()
		last  func() (smstest.Request, bool)
	}{
		{"aliyun", a.Env(), []func(){
			func() { a.Answer("isv.AMOUNT_NOT_ENOUGH") },
			func() { a.Answer("isv.BUSINESS_LIMIT_CONTROL") },
			func() { a.Answer("ServiceUnavailable") },
			a.Hang,
		}, a.AnswerOK, a.Last},
		{"tencent", tc.Env(), []func(){
			func() { tc.Answer("FailedOperation.InsufficientBalanceInSmsPackage") },
			func() { tc.AnswerStatus("LimitExceeded.PhoneNumberDailyLimit") },
			func() { tc.Answer("InternalError") },
			tc.Hang,
		}, tc.AnswerOK, tc.Last},
	} {
		t.Run(v.name, func(t *testing.T) {
			env := map[string]string{"PLAZA_CODE_COOLDOWN": "0s", "PLAZA_CODE_MAX_PER_ACCOUNT_DAY": "100", "PLAZA_SMS_TIMEOUT": "1s"}
			for k, val := range v.env {
				env[k] = val
			}
			plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
				acct := map[string]any{"country": "86", "phone": "18682222222"}
				signup := func(code string) map[string]any {
					return rpc(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": code, "password": "123456", "nickname": "nick"}, "")
				}
				for i, fail := range v.fails {
					fail()
					fails(t, e, "send_sms_code", acct, "", 101)
					last, _ := v.last()
					if len(last.Code) != 4 {
						t.Fatalf("failure %d: the vendor got %+v", i, last)
					}
					if c := code(t, signup(last.Code)); c != 102 {
						t.Fatalf("failure %d: sign-up with the code of a failed send: code %d, want 102", i, c)
					}
				}
				v.ok()
				ok(t, e, "send_sms_code", acct, "")
				last, _ := v.last()
				if c := code(t, signup(last.Code)); c != 0 {
					t.Fatalf("sign-up with the sent code %+v: code %d", last, c)
				}
			})
		})
	}
}
