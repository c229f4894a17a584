package member_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"plaza/internal/store/storetest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

const phone = "13800138000"

// call sends a member-face request and decodes the envelope.
func call(t *testing.T, e *plazatest.Env, method, path string, body any, token string) (code int, data map[string]any, msg string) {
	t.Helper()
	var headers []string
	if token != "" {
		headers = []string{"Authorization", "Token " + token}
	}
	res := e.Do(method, path, body, headers...)
	if res.Status != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, res.Status, res.Body)
	}
	env := res.JSON()
	if env == nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, res.Body)
	}
	n, err := env["code"].(json.Number).Int64()
	if err != nil {
		t.Fatalf("%s %s: code %v", method, path, env["code"])
	}
	data, ok := env["data"].(map[string]any)
	if !ok {
		t.Fatalf("%s %s: data is not an object: %s", method, path, res.Body)
	}
	msg, _ = env["message"].(string)
	if msg == "" {
		t.Fatalf("%s %s: empty message: %s", method, path, res.Body)
	}
	return int(n), data, msg
}

func want(t *testing.T, e *plazatest.Env, method, path string, body any, token string, wantCode int) map[string]any {
	t.Helper()
	code, data, msg := call(t, e, method, path, body, token)
	if code != wantCode {
		t.Fatalf("%s %s %v: code %d (%s), want %d", method, path, body, code, msg, wantCode)
	}
	if wantCode != 0 && len(data) != 0 {
		t.Fatalf("%s %s: error with data %v", method, path, data)
	}
	return data
}

// register signs up account (a phone number of area 86 or an e-mail) and
// returns its tokens.
func register(t *testing.T, e *plazatest.Env, acct string) (access, refresh string) {
	t.Helper()
	want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": acct}, "", 0)
	to := strings.ToLower(acct)
	if !strings.Contains(acct, "@") {
		to = "86" + acct
	}
	code := e.LastCode(to)
	d := want(t, e, "POST", "/api/auth/register", map[string]any{"account": acct, "code": code, "password": "secret123"}, "", 0)
	return d["access_token"].(string), d["refresh_token"].(string)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameKeys(t *testing.T, what string, got map[string]any, want ...string) {
	t.Helper()
	sort.Strings(want)
	if !reflect.DeepEqual(keys(got), want) {
		t.Fatalf("%s keys = %v, want %v", what, keys(got), want)
	}
}

func TestRegisterLoginAndProfile(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_APP_ID": "app-1"}, func(t *testing.T, e *plazatest.Env) {
		access, _ := register(t, e, phone)
		if len(access) != 50 {
			t.Fatalf("token %q: want 50 characters", access)
		}
		// The code was used up by register.
		want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": e.LastCode("86" + phone)}, "", 10008)
		// Registering again: already registered.
		want(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": "123456", "password": "secret123"}, "", 10009)

		d := want(t, e, "POST", "/api/auth/access_token", map[string]any{"area": "86", "account": phone, "password": "secret123"}, "", 0)
		sameKeys(t, "token data", d, "access_token", "refresh_token", "expires_at", "expires_in")
		if d["expires_in"].(json.Number).String() != "604800" {
			t.Fatalf("expires_in = %v", d["expires_in"])
		}
		// 2026-03-01 10:00 UTC + 7 days, in Asia/Shanghai.
		if d["expires_at"] != "2026-03-08 18:00:00" {
			t.Fatalf("expires_at = %v", d["expires_at"])
		}
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "wrong-pass"}, "", 10007)
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": "13900139000", "password": "secret123"}, "", 10006)

		info := want(t, e, "GET", "/api/personal/info", nil, access, 0)
		sameKeys(t, "personal info", info, "id", "area", "phone", "email", "openid", "role", "username", "is_active",
			"app_id", "created_at", "updated_at", "nickname", "avatar", "gender", "birthday", "address")
		if info["phone"] != phone || info["area"] != "86" || info["username"] != phone || info["app_id"] != "app-1" ||
			info["is_active"] != true || info["gender"].(json.Number).String() != "2" || info["created_at"] != "2026-03-01 18:00:00" {
			t.Fatalf("personal info = %v", info)
		}
		if len(info["openid"].(string)) != 40 {
			t.Fatalf("openid = %v", info["openid"])
		}

		e.Clock.Advance(time.Hour)
		up := want(t, e, "PUT", "/api/personal/info", map[string]any{
			"nickname": "小明", "avatar": "https://x/a.png", "gender": 1, "birthday": "1991-03-08", "address": "上海",
		}, access, 0)
		if up["nickname"] != "小明" || up["gender"].(json.Number).String() != "1" || up["birthday"] != "1991-03-08" ||
			up["address"] != "上海" || up["updated_at"] != "2026-03-01 19:00:00" {
			t.Fatalf("updated info = %v", up)
		}
		if got := want(t, e, "GET", "/api/personal/info", nil, access, 0); got["nickname"] != "小明" || got["address"] != "上海" {
			t.Fatalf("info after update = %v", got)
		}
		// Partial update keeps the other fields; a numeric string is an int.
		up = want(t, e, "PUT", "/api/personal/info", map[string]any{"gender": "0"}, access, 0)
		if up["nickname"] != "小明" || up["gender"].(json.Number).String() != "0" {
			t.Fatalf("partial update = %v", up)
		}
	})
}

func TestEmailAccount(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		access, _ := register(t, e, "Li.Lei@Example.com")
		info := want(t, e, "GET", "/api/personal/info", nil, access, 0)
		if info["email"] != "li.lei@example.com" || info["phone"] != "" || info["username"] != "li.lei@example.com" {
			t.Fatalf("info = %v", info)
		}
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": "LI.LEI@example.com", "password": "secret123"}, "", 0)
	})
}

// With the reuse interval off, a rotated refresh token presented again
// at once revokes its family (refresh_test.go has the interval on).
func TestRefreshRotationAndReuse(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_REFRESH_REUSE_INTERVAL": "0s"}, func(t *testing.T, e *plazatest.Env) {
		access1, refresh1 := register(t, e, phone)
		d := want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh1}, "", 0)
		access2, refresh2 := d["access_token"].(string), d["refresh_token"].(string)
		if access2 == access1 || refresh2 == refresh1 {
			t.Fatal("refresh did not rotate")
		}
		want(t, e, "GET", "/api/personal/info", nil, access2, 0)
		// The access token of before the rotation is revoked.
		want(t, e, "GET", "/api/personal/info", nil, access1, 10004)

		// A second sign-in is a family of its own.
		other := want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 0)

		// Reuse of the rotated refresh token revokes the whole family.
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh1}, "", 10004)
		want(t, e, "GET", "/api/personal/info", nil, access2, 10004)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh2}, "", 10004)
		// ... but not the other session.
		want(t, e, "GET", "/api/personal/info", nil, other["access_token"].(string), 0)

		// Expiry: the access token dies after 7 days, the refresh token after 30.
		e.Clock.Advance(7*24*time.Hour + time.Second)
		want(t, e, "GET", "/api/personal/info", nil, other["access_token"].(string), 10004)
		d = want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": other["refresh_token"]}, "", 0)
		e.Clock.Advance(30*24*time.Hour + time.Second)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": d["refresh_token"]}, "", 10004)
	})
}

func TestDestroyToken(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		access, refresh := register(t, e, phone)
		want(t, e, "POST", "/api/auth/destroy_token", nil, access, 0)
		want(t, e, "GET", "/api/personal/info", nil, access, 10004)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh}, "", 10004)
		want(t, e, "POST", "/api/auth/destroy_token", nil, access, 10004)
		want(t, e, "POST", "/api/auth/destroy_token", nil, "", 10004)
	})
}

func TestCodeLimits(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_CODE_MAX_PER_ACCOUNT_DAY": "3", "PLAZA_CODE_MAX_PER_IP_DAY": "5"}, func(t *testing.T, e *plazatest.Env) {
		send := map[string]any{"account": phone}
		want(t, e, "POST", "/api/auth/send_code", send, "", 0)
		// One send per 60 s.
		want(t, e, "POST", "/api/auth/send_code", send, "", 10010)
		e.Clock.Advance(61 * time.Second)
		want(t, e, "POST", "/api/auth/send_code", send, "", 0)
		e.Clock.Advance(61 * time.Second)
		want(t, e, "POST", "/api/auth/send_code", send, "", 0)
		e.Clock.Advance(61 * time.Second)
		// At most 3 a day for this account (setting).
		want(t, e, "POST", "/api/auth/send_code", send, "", 10010)
		// At most 5 a day from this address: 3 sent + 2 more accounts.
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": "13800138001"}, "", 0)
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": "13800138002"}, "", 0)
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": "13800138003"}, "", 10010)
		e.Clock.Advance(24 * time.Hour)
		want(t, e, "POST", "/api/auth/send_code", send, "", 0)
		if n := len(e.Outbox("sms")); n != 6 {
			t.Fatalf("%d messages sent, want 6", n)
		}
	})
}

// A send that one limit refuses counts against none: a client over its
// address's quota does not use up the quota or start the cooldown of the
// accounts it names.
func TestRefusedSendCountsNothing(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_TRUST_PROXY": "true", "PLAZA_CODE_MAX_PER_ACCOUNT_DAY": "2", "PLAZA_CODE_MAX_PER_IP_DAY": "1"}, func(t *testing.T, e *plazatest.Env) {
		send := func(acct, ip string, code int) {
			t.Helper()
			res := e.Do("POST", "/api/auth/send_code", map[string]any{"account": acct}, "X-Forwarded-For", ip)
			var m struct{ Code int }
			if err := json.Unmarshal(res.Body, &m); err != nil || m.Code != code {
				t.Fatalf("send_code %s from %s: %s, want code %d", acct, ip, res.Body, code)
			}
		}
		send("13800138001", "203.0.113.1", 0)
		for range 5 { // the address is over its quota
			send(phone, "203.0.113.1", 10010)
		}
		// Neither in its cooldown nor out of its quota.
		send(phone, "203.0.113.2", 0)
		e.Clock.Advance(61 * time.Second)
		send(phone, "203.0.113.3", 0)
		if n := len(e.Outbox("sms")); n != 3 {
			t.Fatalf("%d messages sent, want 3", n)
		}
	})
}

func TestCodeTriesAndExpiry(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 0)
		code := e.LastCode("86" + phone)
		if len(code) != 6 {
			t.Fatalf("code %q: want 6 digits", code)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		// check_code does not use the code up.
		want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": code}, "", 0)
		want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": code}, "", 0)
		for range 5 {
			want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": wrong}, "", 10008)
		}
		// Five wrong tries: the code is dead, even the right one.
		want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": code}, "", 10008)
		want(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": code, "password": "secret123"}, "", 10008)

		e.Clock.Advance(61 * time.Second)
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 0)
		code = e.LastCode("86" + phone)
		e.Clock.Advance(10*time.Minute + time.Second)
		want(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": code, "password": "secret123"}, "", 10008)
	})
}

func TestTestNumbers(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_SMS_TEST_OTP": "8613800138000=246810"}, func(t *testing.T, e *plazatest.Env) {
		for range 3 { // no cooldown for test numbers
			want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 0)
		}
		if n := len(e.Outbox("sms")); n != 0 {
			t.Fatalf("%d messages sent to a test number", n)
		}
		want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": "111111"}, "", 10008)
		want(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": "246810", "password": "secret123"}, "", 0)
		// Never used up.
		want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": "246810"}, "", 0)
	})
}

func TestBadInput(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		access, _ := register(t, e, phone)
		long := strings.Repeat("長", 65)
		cases := []struct {
			name, method, path string
			body               any
			auth               bool
			code               int
		}{
			{"malformed JSON", "POST", "/api/auth/send_code", `{"account": `, false, 10005},
			{"JSON array body", "POST", "/api/auth/send_code", `[1,2]`, false, 10005},
			{"missing account", "POST", "/api/auth/send_code", map[string]any{}, false, 10005},
			{"account is an object", "POST", "/api/auth/send_code", map[string]any{"account": map[string]any{}}, false, 10005},
			{"short mainland number", "POST", "/api/auth/send_code", map[string]any{"account": "1380013800"}, false, 10005},
			{"letters in number", "POST", "/api/auth/send_code", map[string]any{"account": "1380013800a"}, false, 10005},
			{"bad area", "POST", "/api/auth/send_code", map[string]any{"area": "86x", "account": phone}, false, 10005},
			{"bad e-mail", "POST", "/api/auth/send_code", map[string]any{"account": "a@b"}, false, 10005},
			{"e-mail with name", "POST", "/api/auth/send_code", map[string]any{"account": "Bob <a@b.com>"}, false, 10005},
			{"missing code", "POST", "/api/auth/check_code", map[string]any{"account": phone}, false, 10005},
			{"missing password", "POST", "/api/auth/register", map[string]any{"account": "13900139000", "code": "1234"}, false, 10005},
			{"short password", "POST", "/api/auth/register", map[string]any{"account": "13900139000", "code": "1234", "password": "abc"}, false, 10005},
			{"huge password", "POST", "/api/auth/register", map[string]any{"account": "13900139000", "code": "1234", "password": strings.Repeat("x", 129)}, false, 10005},
			{"garbage refresh token", "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": "garbage"}, false, 10004},
			{"refresh token wrong type", "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": []int{1}}, false, 10005},
			{"no token", "GET", "/api/personal/info", nil, false, 10004},
			{"gender out of range", "PUT", "/api/personal/info", map[string]any{"gender": 3}, true, 10005},
			{"gender not a number", "PUT", "/api/personal/info", map[string]any{"gender": "male"}, true, 10005},
			{"gender a fraction", "PUT", "/api/personal/info", map[string]any{"gender": 1.5}, true, 10005},
			{"bad birthday", "PUT", "/api/personal/info", map[string]any{"birthday": "1991-13-08"}, true, 10005},
			{"future birthday", "PUT", "/api/personal/info", map[string]any{"birthday": "2999-01-01"}, true, 10005},
			{"long nickname", "PUT", "/api/personal/info", map[string]any{"nickname": long}, true, 10005},
			{"nickname a number list", "PUT", "/api/personal/info", map[string]any{"nickname": []int{1}}, true, 10005},
			{"huge page size", "GET", "/api/faq?page_size=100000", nil, true, 10005},
			{"zero page", "GET", "/api/faq?page_no=0", nil, true, 10005},
			{"page not a number", "GET", "/api/feedback?page_no=abc", nil, true, 10005},
			{"garbage faq id", "GET", "/api/faq/abc", nil, true, 10001},
			{"unknown faq id", "GET", "/api/faq/99999999999", nil, true, 10001},
			{"unknown push id", "GET", "/api/push/log/12345", nil, true, 10001},
			{"unknown device", "GET", "/api/push/switch/nope", nil, true, 10001},
			{"bad client type", "POST", "/api/push/bind", map[string]any{"client_id": "c1", "client_type": "windows"}, true, 10005},
			{"missing client id", "POST", "/api/push/bind", map[string]any{"client_type": "ios"}, true, 10005},
			{"switch not a bool", "PUT", "/api/push/switch/c1", map[string]any{"switch": "maybe"}, true, 10005},
			{"missing feedback content", "POST", "/api/feedback", map[string]any{"contact_phone": "1"}, true, 10005},
			{"long feedback", "POST", "/api/feedback", map[string]any{"feedback_content": strings.Repeat("x", 2001)}, true, 10005},
			{"unknown feedback category", "POST", "/api/feedback", map[string]any{"feedback_content": "x", "feedback_category_id": 999}, true, 10005},
			{"category id not a number", "POST", "/api/feedback", map[string]any{"feedback_content": "x", "feedback_category_id": "one"}, true, 10005},
			{"unknown feedback", "DELETE", "/api/feedback/424242", nil, true, 10001},
			{"reply of unknown feedback", "GET", "/api/feedback/reply/424242", nil, true, 10001},
			{"push ids not numbers", "GET", "/api/message/count?push_ids=a,b", nil, true, 10005},
			{"unknown path", "GET", "/api/nothing/here", nil, false, 10002},
			{"wrong method", "GET", "/api/auth/send_code", nil, false, 10002},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tok := ""
				if c.auth {
					tok = access
				}
				want(t, e, c.method, c.path, c.body, tok, c.code)
			})
		}
		// An oversized body is refused, not read.
		big := `{"account": "` + strings.Repeat("1", 2<<20) + `"}`
		want(t, e, "POST", "/api/auth/send_code", big, "", 10005)
		// Nothing was half written: the profile is as it was.
		info := want(t, e, "GET", "/api/personal/info", nil, access, 0)
		if info["nickname"] != "" || info["gender"].(json.Number).String() != "2" || info["birthday"] != "" {
			t.Fatalf("profile changed by refused updates: %v", info)
		}
		// Garbage tokens of every shape.
		for _, tok := range []string{"x", strings.Repeat("a", 50), strings.Repeat("a", 5000), access + "x"} {
			want(t, e, "GET", "/api/personal/info", nil, tok, 10004)
		}
	})
}

func TestFormAndQueryParameters(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		res := e.Do("POST", "/api/auth/send_code", []byte("account="+phone), "Content-Type", "application/x-www-form-urlencoded")
		if c := res.JSON()["code"].(json.Number).String(); c != "0" {
			t.Fatalf("form send_code: %s", res.Body)
		}
		code := e.LastCode("86" + phone)
		res = e.Do("POST", "/api/auth/check_code?account="+phone+"&code="+code, nil)
		if c := res.JSON()["code"].(json.Number).String(); c != "0" {
			t.Fatalf("query check_code: %s", res.Body)
		}
	})
}

func TestPushDevicesAndLog(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password"}, func(t *testing.T, e *plazatest.Env) {
		alice, _ := register(t, e, phone)
		bob, _ := register(t, e, "13900139000")
		aliceID := want(t, e, "GET", "/api/personal/info", nil, alice, 0)["id"].(json.Number)

		d := want(t, e, "POST", "/api/push/bind", map[string]any{"client_id": "dev-1", "client_type": "android"}, alice, 0)
		sameKeys(t, "device", d, "id", "app_id", "created_at", "updated_at", "user_id", "client_id", "client_type", "switch")
		if d["switch"] != true || d["user_id"].(json.Number) != aliceID {
			t.Fatalf("device = %v", d)
		}
		want(t, e, "PUT", "/api/push/switch/dev-1", map[string]any{"switch": false}, alice, 0)
		if d := want(t, e, "GET", "/api/push/switch/dev-1", nil, alice, 0); d["switch"] != false {
			t.Fatalf("switch = %v", d["switch"])
		}
		// Bob may not read or flip Alice's device...
		want(t, e, "GET", "/api/push/switch/dev-1", nil, bob, 10003)
		want(t, e, "PUT", "/api/push/switch/dev-1", map[string]any{"switch": true}, bob, 10003)
		// ... until he binds it: the device moves to the newest user.
		want(t, e, "POST", "/api/push/bind", map[string]any{"client_id": "dev-1", "client_type": "android"}, bob, 0)
		want(t, e, "GET", "/api/push/switch/dev-1", nil, alice, 10003)
		want(t, e, "GET", "/api/push/switch/dev-1", nil, bob, 0)

		admin := adminToken(t, e)
		sendPush(t, e, admin, map[string]any{"title": "全体", "body": "hello all"})
		sendPush(t, e, admin, map[string]any{"title": "only alice", "user_ids": []any{aliceID}})

		log := want(t, e, "GET", "/api/push/log", nil, alice, 0)
		sameKeys(t, "page", log, "total", "pages", "current_page", "page_size", "data")
		items := log["data"].([]any)
		if log["total"].(json.Number).String() != "2" || len(items) != 2 {
			t.Fatalf("alice's log = %v", log)
		}
		first := items[0].(map[string]any)
		sameKeys(t, "push", first, "id", "app_id", "created_at", "updated_at", "push_title", "push_body", "push_scope", "manager_id", "push_status")
		if first["push_title"] != "only alice" || first["push_scope"].(json.Number).String() != "1" {
			t.Fatalf("newest push = %v", first)
		}
		bobLog := want(t, e, "GET", "/api/push/log", nil, bob, 0)
		if bobLog["total"].(json.Number).String() != "1" {
			t.Fatalf("bob's log = %v", bobLog)
		}
		onlyAlice := first["id"].(json.Number).String()
		want(t, e, "GET", "/api/push/log/"+onlyAlice, nil, bob, 10001)
		one := want(t, e, "GET", "/api/push/log/"+onlyAlice, nil, alice, 0)
		sameKeys(t, "push entry", one, "id", "app_id", "created_at", "updated_at", "push_title", "push_body", "push_scope", "manager_id")

		c := want(t, e, "GET", "/api/message/count?push_ids="+onlyAlice, nil, alice, 0)
		if c["push_count"].(json.Number).String() != "1" || c["feedback_count"].(json.Number).String() != "0" {
			t.Fatalf("count = %v", c)
		}
		c = want(t, e, "GET", "/api/message/count", map[string]any{"push_ids": []any{}}, alice, 0)
		if c["push_count"].(json.Number).String() != "2" {
			t.Fatalf("count = %v", c)
		}

		want(t, e, "DELETE", "/api/push/log/delete", map[string]any{"ids": []any{onlyAlice}}, alice, 0)
		if l := want(t, e, "GET", "/api/push/log", nil, alice, 0); l["total"].(json.Number).String() != "1" {
			t.Fatalf("after delete: %v", l)
		}
		want(t, e, "DELETE", "/api/push/log/delete", nil, alice, 0)
		if l := want(t, e, "GET", "/api/push/log", nil, alice, 0); l["total"].(json.Number).String() != "0" {
			t.Fatalf("after delete all: %v", l)
		}
		// Hiding is per user.
		if l := want(t, e, "GET", "/api/push/log", nil, bob, 0); l["total"].(json.Number).String() != "1" {
			t.Fatalf("bob after alice's delete: %v", l)
		}
		// Only the push to everyone reached a device: dev-1, now Bob's, whose
		// switch came back on when it moved to him. Alice has no device.
		e.DeliverPushes()
		out := e.Outbox("push")
		if len(out) != 1 {
			t.Fatalf("%d push deliveries, want 1: %v", len(out), out)
		}
		if out[0]["title"] != "全体" || out[0]["token"] != "dev-1" {
			t.Fatalf("delivery = %v", out[0])
		}
	})
}

func TestFAQAndFeedback(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password"}, func(t *testing.T, e *plazatest.Env) {
		alice, _ := register(t, e, phone)
		bob, _ := register(t, e, "13900139000")
		admin := adminToken(t, e)
		for i := range 3 {
			res := e.Do("POST", "/admin/v1/faqs", map[string]any{"title": fmt.Sprintf("Q%d", i), "content": "A"}, "Authorization", "Bearer "+admin)
			if res.Status != http.StatusCreated {
				t.Fatalf("create faq: %d %s", res.Status, res.Body)
			}
		}
		res := e.Do("POST", "/admin/v1/feedback-categories", map[string]any{"name": "app", "description": "app"}, "Authorization", "Bearer "+admin)
		catID := res.JSON()["id"].(json.Number)

		page := want(t, e, "GET", "/api/faq?page_no=2&page_size=2", nil, alice, 0)
		if page["total"].(json.Number).String() != "3" || page["pages"].(json.Number).String() != "2" ||
			page["current_page"].(json.Number).String() != "2" || len(page["data"].([]any)) != 1 {
			t.Fatalf("faq page = %v", page)
		}
		q := page["data"].([]any)[0].(map[string]any)
		sameKeys(t, "faq", q, "id", "app_id", "created_at", "updated_at", "title", "content", "category", "external_link")
		want(t, e, "GET", "/api/faq/"+q["id"].(json.Number).String(), nil, alice, 0)
		cats := want(t, e, "GET", "/api/feedback_category", nil, alice, 0)
		sameKeys(t, "category", cats["data"].([]any)[0].(map[string]any), "id", "app_id", "created_at", "updated_at", "name", "description")

		fb := want(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "反馈内容", "feedback_category_id": catID, "contact_phone": phone}, alice, 0)
		sameKeys(t, "feedback", fb, "id", "app_id", "created_at", "updated_at", "feedback_content", "feedback_status", "feedback_category_id", "contact_phone", "user_id")
		fbID := fb["id"].(json.Number).String()
		want(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "no category"}, alice, 0)
		if l := want(t, e, "GET", "/api/feedback", nil, alice, 0); l["total"].(json.Number).String() != "2" {
			t.Fatalf("alice's feedback = %v", l)
		}
		if l := want(t, e, "GET", "/api/feedback", nil, bob, 0); l["total"].(json.Number).String() != "0" {
			t.Fatalf("bob sees feedback: %v", l)
		}
		// No reply yet.
		want(t, e, "GET", "/api/feedback/reply/"+fbID, nil, alice, 10001)
		res = e.Do("POST", "/admin/v1/feedback/"+fbID+"/replies", map[string]any{"content": "回复内容"}, "Authorization", "Bearer "+admin)
		if res.Status != http.StatusCreated {
			t.Fatalf("reply: %d %s", res.Status, res.Body)
		}
		if c := want(t, e, "GET", "/api/message/count?push_ids=", nil, alice, 0); c["feedback_count"].(json.Number).String() != "1" {
			t.Fatalf("count = %v", c)
		}
		// Bob may not read or delete Alice's feedback.
		want(t, e, "GET", "/api/feedback/reply/"+fbID, nil, bob, 10003)
		want(t, e, "DELETE", "/api/feedback/"+fbID, nil, bob, 10003)
		r := want(t, e, "GET", "/api/feedback/reply/"+fbID, nil, alice, 0)
		sameKeys(t, "reply", r, "id", "app_id", "created_at", "updated_at", "reply_content", "manager_id", "feedback_id", "is_read")
		if r["reply_content"] != "回复内容" || r["is_read"] != false {
			t.Fatalf("reply = %v", r)
		}
		if c := want(t, e, "GET", "/api/message/count?push_ids=", nil, alice, 0); c["feedback_count"].(json.Number).String() != "0" {
			t.Fatalf("count after reading = %v", c)
		}
		l := want(t, e, "GET", "/api/feedback", nil, alice, 0)
		if st := l["data"].([]any)[1].(map[string]any)["feedback_status"].(json.Number).String(); st != "1" {
			t.Fatalf("status of replied feedback = %s", st)
		}
		want(t, e, "DELETE", "/api/feedback/"+fbID, nil, alice, 0)
		want(t, e, "DELETE", "/api/feedback/"+fbID, nil, alice, 10001)
	})
}

func TestBannedUserTokensStop(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password"}, func(t *testing.T, e *plazatest.Env) {
		access, refresh := register(t, e, phone)
		id := want(t, e, "GET", "/api/personal/info", nil, access, 0)["id"].(json.Number).String()
		admin := adminToken(t, e)
		res := e.Do("POST", "/admin/v1/users/"+id+"/ban", nil, "Authorization", "Bearer "+admin)
		if res.Status != http.StatusOK || res.JSON()["is_active"] != false {
			t.Fatalf("ban: %d %s", res.Status, res.Body)
		}
		want(t, e, "GET", "/api/personal/info", nil, access, 10004)
		want(t, e, "POST", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh}, "", 10004)
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 10003)
		e.Do("POST", "/admin/v1/users/"+id+"/unban", nil, "Authorization", "Bearer "+admin)
		// Unbanning does not bring old sessions back; a new sign-in works.
		want(t, e, "GET", "/api/personal/info", nil, access, 10004)
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 0)
	})
}

// Parallel registrations of one account: exactly one wins, the rest are
// refused with documented codes and nothing half made.
func TestConcurrentRegister(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_SMS_TEST_OTP": "8613800138000=246810"}, func(t *testing.T, e *plazatest.Env) {
		var wg sync.WaitGroup
		codes := make(chan int, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, _, _ := call(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": "246810", "password": "secret123"}, "")
				codes <- c
			}()
		}
		wg.Wait()
		close(codes)
		won := 0
		for c := range codes {
			switch c {
			case 0:
				won++
			case 10009:
			default:
				t.Errorf("code %d", c)
			}
		}
		if won != 1 {
			t.Fatalf("%d registrations won, want 1", won)
		}
	})
}

// Parallel wrong guesses are all counted: after them the code is dead.
func TestConcurrentWrongCodes(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		want(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "", 0)
		code := e.LastCode("86" + phone)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				call(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": wrong}, "")
			}()
		}
		wg.Wait()
		want(t, e, "POST", "/api/auth/check_code", map[string]any{"account": phone, "code": code}, "", 10008)
	})
}

func adminToken(t *testing.T, e *plazatest.Env) string {
	t.Helper()
	res := e.Do("POST", "/admin/v1/login", map[string]any{"email": "ops@example.com", "password": "ops-password"})
	if res.Status != http.StatusOK {
		t.Fatalf("admin login: %d %s", res.Status, res.Body)
	}
	return res.JSON()["token"].(string)
}

func sendPush(t *testing.T, e *plazatest.Env, admin string, body map[string]any) {
	t.Helper()
	res := e.Do("POST", "/admin/v1/pushes", body, "Authorization", "Bearer "+admin)
	if res.Status != http.StatusCreated {
		t.Fatalf("push: %d %s", res.Status, res.Body)
	}
}

// A JSON body sent with the form content type (curl -d) is read as JSON.
func TestJSONUnderFormType(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		res := e.Do("POST", "/api/auth/send_code", []byte(`{"account":"`+phone+`"}`), "Content-Type", "application/x-www-form-urlencoded")
		if c := res.JSON()["code"].(json.Number).String(); c != "0" {
			t.Fatalf("send_code: %s", res.Body)
		}
	})
}

// Tries sent at once are held to the same number: of 30 wrong passwords at
// once exactly the limit are answered "wrong password", the rest "too
// frequent"; then the right password is refused too.
func TestWrongPasswordsAtOnce(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_LOGIN_MAX_FAILURES": "10"}, func(t *testing.T, e *plazatest.Env) {
		register(t, e, phone)
		codes := make(chan string, 30)
		storetest.Race(slices.Repeat([]func(){func() {
			res := e.Do("POST", "/api/auth/access_token", []byte(`{"account":"`+phone+`","password":"wrong-pass"}`), "Content-Type", "application/json")
			codes <- res.JSON()["code"].(json.Number).String()
		}}, 30)...)
		close(codes)
		count := map[string]int{}
		for c := range codes {
			count[c]++
		}
		if count["10007"] != 10 || count["10010"] != 20 {
			t.Fatalf("30 wrong passwords at once: %v, want 10 × 10007 and 20 × 10010", count)
		}
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 10010)
	})
}

// Wrong passwords are counted per account: past the limit, sign-in by
// password pauses for the window, even with the right password.
func TestWrongPasswordsPauseSignIn(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_LOGIN_MAX_FAILURES": "3", "PLAZA_LOGIN_FAILURE_WINDOW": "15m"}, func(t *testing.T, e *plazatest.Env) {
		register(t, e, phone)
		for range 3 {
			want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "wrong-pass"}, "", 10007)
		}
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 10010)
		// Another account is not affected.
		register(t, e, "13900139000")
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": "13900139000", "password": "secret123"}, "", 0)
		e.Clock.Advance(15*time.Minute + time.Second)
		want(t, e, "POST", "/api/auth/access_token", map[string]any{"account": phone, "password": "secret123"}, "", 0)
	})
}
