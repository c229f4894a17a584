package yuanyi_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

func TestSignupLoginAndProfile(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		ok(t, e, "send_sms_code", map[string]any{"country": "86", "phone": "18682222222"}, "")
		m := ok(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "sms_code": "1234", "password": "123456", "nickname": "小明"}, "")
		tok, uid := m["token"].(string), m["uid"].(string)
		if len(uid) != 32 {
			t.Fatalf("uid %q", uid)
		}
		info := m["my_user_info"].(map[string]any)
		if info["nickname"] != "小明" || info["phone"] != "18682222222" || info["country"] != "86" || info["avatar"] != nil ||
			info["follow_count"].(json.Number).String() != "0" {
			t.Fatalf("my_user_info = %v", info)
		}
		fails(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": "1234", "password": "123456"}, "", 105)
		fails(t, e, "user_login", map[string]any{"country": "86", "phone": "18682222222", "password": "654321"}, "", 104)
		fails(t, e, "user_login", map[string]any{"country": "86", "phone": "18683333333", "password": "123456"}, "", 107)
		fails(t, e, "user_login", map[string]any{"country": "86", "phone": "123", "password": "123456"}, "", 103)
		ok(t, e, "user_login", map[string]any{"country": "86", "phone": "18682222222", "password": "123456"}, "")
		ok(t, e, "user_login", map[string]any{"country": "86", "phone": "18682222222", "code": "1234"}, "")

		birthday := time.Date(1991, 3, 8, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)).UnixMilli()
		avatar, _ := twoImages(t, e, tok)
		fails(t, e, "my_user_info_update", map[string]any{"avatar": "javascript:alert(1)"}, tok, 400)
		ok(t, e, "my_user_info_update", map[string]any{"nickname": "test", "avatar": avatar + ".jpg", "gender": 1, "province": "广东省",
			"city": "深圳市", "birthday": birthday + 5*3600*1000, "email": "xxx@163.com", "intro": `["段落"]`}, tok)
		info = ok(t, e, "my_user_info", nil, tok)["my_user_info"].(map[string]any)
		if info["nickname"] != "test" || info["avatar"] != avatar || info["gender"].(json.Number).String() != "1" || info["city"] != "深圳市" ||
			info["birthday"].(json.Number).String() != itoa(birthday) || info["email"] != "xxx@163.com" || info["intro"] != `["段落"]` {
			t.Fatalf("after update: %v", info)
		}
		// The same user through the member face.
		res := e.Do("POST", "/api/auth/access_token", map[string]any{"account": "18682222222", "password": "123456"})
		if res.JSON()["code"].(json.Number).String() != "0" {
			t.Fatalf("member sign-in of a yuanyi user: %s", res.Body)
		}
		res = e.Do("GET", "/api/personal/info", nil, "Authorization", "Token "+tok)
		if d := res.JSON()["data"].(map[string]any); d["birthday"] != "1991-03-08" || d["nickname"] != "test" {
			t.Fatalf("member view: %s", res.Body)
		}

		fails(t, e, "user_info", map[string]any{"phone": "18682222222"}, "", 403)
		other := ok(t, e, "user_info", map[string]any{"to_uid": uid}, tok)["user_info"].(map[string]any)
		if other["uid"] != uid || other["is_follow"] != false || other["phone"] != nil {
			t.Fatalf("user_info = %v", other)
		}
		ok(t, e, "user_info", map[string]any{"phone": "18682222222"}, tok)
		fails(t, e, "user_info", map[string]any{"to_uid": "0123456789abcdef0123456789abcdef"}, tok, 107)
		fails(t, e, "user_info", map[string]any{"to_uid": "xyz"}, tok, 400)

		ok(t, e, "user_password_update", map[string]any{"country": "86", "phone": "18682222222", "code": "1234", "password": "abcdef"}, "")
		fails(t, e, "my_user_info", nil, tok, 404) // a reset ends every session
		tok = ok(t, e, "user_login", map[string]any{"country": "86", "phone": "18682222222", "password": "abcdef"}, "")["token"].(string)
		ok(t, e, "user_logout", nil, tok)
		fails(t, e, "my_user_info", nil, tok, 404)
		fails(t, e, "my_user_info", nil, "", 403)

		now := ok(t, e, "current_time", nil, "")["time"].(json.Number).String()
		if now != itoa(plazatest.Start.UnixMilli()) {
			t.Fatalf("current_time = %s", now)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestTransport(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		fails(t, e, "no_such_method", nil, "", 401)
		// A bad signature, a wrong app, no signature.
		now := e.Clock.Now().UnixMilli()
		body := map[string]any{"method": "current_time", "ver": "1", "ts": now, "app": "yuanyi-app", "sig": "00"}
		if c := e.Do("POST", "/yuanyiapi/", body).JSON()["code"].(json.Number).String(); c != "402" {
			t.Fatalf("bad sig: code %s", c)
		}
		body = map[string]any{"method": "current_time", "ver": "1", "ts": now, "app": "other-app"}
		body["sig"] = signOf(body)
		if c := e.Do("POST", "/yuanyiapi/", body).JSON()["code"].(json.Number).String(); c != "402" {
			t.Fatalf("wrong app: code %s", c)
		}
		// A signature over other values.
		body = map[string]any{"method": "current_time", "ver": "1", "ts": now, "app": "yuanyi-app"}
		body["sig"] = signOf(body)
		body["ts"] = now + 1
		if c := e.Do("POST", "/yuanyiapi/", body).JSON()["code"].(json.Number).String(); c != "402" {
			t.Fatalf("tampered call: code %s", c)
		}
		if res := e.Do("POST", "/yuanyiapi/", `{"method":`); res.JSON()["code"].(json.Number).String() != "400" {
			t.Fatalf("malformed JSON: %s", res.Body)
		}
		fails(t, e, "my_user_info", nil, "garbage-token", 404)
		fails(t, e, "send_sms_code", map[string]any{"country": "86", "phone": "1868222222x"}, "", 103)
		fails(t, e, "send_sms_code", map[string]any{"country": "86"}, "", 103)
		fails(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": "9999", "password": "123456"}, "", 102)
		fails(t, e, "my_follower", map[string]any{"limit": "abc"}, mustToken(t, e), 400)
	})
}

func mustToken(t *testing.T, e *plazatest.Env) string {
	tok, _ := signup(t, e, "18685555555")
	return tok
}

// Another HTTP method than POST on the face's URLs, or a path under the
// face's URL it does not serve, answers in the face's envelope (HTTP 200).
func TestWrongHTTPMethodOrPath(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		for _, c := range []struct {
			method, path string
			code         string
		}{
			{"GET", "/yuanyiapi/", "400"},
			{"PUT", "/yuanyiapi/", "400"},
			{"DELETE", "/yuanyiapi/", "400"},
			{"PATCH", "/yuanyiapi/?method=current_time", "400"},
			{"GET", "/yuanyiapi/upload", "400"},
			{"PUT", "/yuanyiapi/upload", "400"},
			{"GET", "/yuanyiapi/no/such/path", "401"},
			{"POST", "/yuanyiapi/no_such_path", "401"},
		} {
			res := e.Do(c.method, c.path, nil)
			m := res.JSON()
			if res.Status != 200 || m == nil || m["code"].(json.Number).String() != c.code || m["err_msg"] == "" ||
				!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("%s %s: HTTP %d %s %q", c.method, c.path, res.Status, res.Header.Get("Content-Type"), res.Body)
			}
		}
		// HEAD gets the same answer without its body.
		if res := e.Do("HEAD", "/yuanyiapi/", nil); res.Status != 200 {
			t.Fatalf("HEAD: %d", res.Status)
		}
		ok(t, e, "current_time", nil, "")
	})
}
