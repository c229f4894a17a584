package yuanyi_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"plaza/internal/face/yuanyi"
	"plaza/internal/plazatest"
)

const secret = "3b57ff81-27ea-45d9-a2e3-6e24920b17ac"

// send signs and sends one call as the app does.
func send(e *plazatest.Env, method string, params map[string]any, token string) plazatest.Response {
	body := map[string]any{"method": method, "ver": "1", "ts": e.Clock.Now().UnixMilli(), "app": "yuanyi-app"}
	for k, v := range params {
		body[k] = v
	}
	if token != "" {
		body["token"] = token
	}
	body["sig"] = signOf(body)
	return e.Do("POST", "/yuanyiapi/", body)
}

// rpc is send that returns the decoded answer.
func rpc(t *testing.T, e *plazatest.Env, method string, params map[string]any, token string) map[string]any {
	t.Helper()
	res := send(e, method, params, token)
	if res.Status != 200 {
		t.Fatalf("%s: HTTP %d %s", method, res.Status, res.Body)
	}
	m := res.JSON()
	if m == nil {
		t.Fatalf("%s: not JSON: %s", method, res.Body)
	}
	return m
}

// code returns the code of an answer.
func code(t *testing.T, m map[string]any) int {
	t.Helper()
	n, err := m["code"].(json.Number).Int64()
	if err != nil {
		t.Fatalf("code %v", m["code"])
	}
	if n != 0 {
		if msg, _ := m["err_msg"].(string); msg == "" {
			t.Fatalf("error %d without err_msg: %v", n, m)
		}
	}
	return int(n)
}

// ok calls and requires code 0.
func ok(t *testing.T, e *plazatest.Env, method string, params map[string]any, token string) map[string]any {
	t.Helper()
	m := rpc(t, e, method, params, token)
	if c := code(t, m); c != 0 {
		t.Fatalf("%s %v: code %d (%v)", method, params, c, m["err_msg"])
	}
	return m
}

// fails calls and requires the given code.
func fails(t *testing.T, e *plazatest.Env, method string, params map[string]any, token string, want int) {
	t.Helper()
	m := rpc(t, e, method, params, token)
	if c := code(t, m); c != want {
		t.Fatalf("%s %v: code %d (%v), want %d", method, params, c, m["err_msg"], want)
	}
}

// testOTP makes every test phone a test number with code 1234.
var testOTP = map[string]string{"PLAZA_SMS_TEST_OTP": "8618682222222=1234,8618683333333=1234,8618684444444=1234,8618685555555=1234"}

// signup registers phone and returns its token and uid.
func signup(t *testing.T, e *plazatest.Env, phone string) (token, uid string) {
	t.Helper()
	m := ok(t, e, "user_signup", map[string]any{"country": "86", "phone": phone, "code": "1234", "password": "123456", "nickname": "nick-" + phone}, "")
	return m["token"].(string), m["uid"].(string)
}

// signOf signs body as the app does, over the values the server will
// decode (a round trip through JSON).
func signOf(body map[string]any) string {
	raw, _ := json.Marshal(body)
	var decoded map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.Decode(&decoded)
	return yuanyi.Sign(decoded, secret)
}
