package yuanyi_test

import (
	"testing"

	"plaza/internal/plazatest"
)

// The yuanyi face's answers, byte for byte but for random values, on every
// engine: the app's own session of sign-up, profile, follows and messages.
func TestGoldenSession(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		var answers [][]byte
		call := func(method string, params map[string]any, token string) map[string]any {
			res := send(e, method, params, token)
			answers = append(answers, res.Body)
			return res.JSON()
		}
		call("send_sms_code", map[string]any{"country": "86", "phone": "18682222222"}, "")
		a := call("user_signup", map[string]any{"country": "86", "phone": "18682222222", "nickname": "nick-18682222222", "password": "123456", "code": "1234"}, "")["token"].(string)
		b := call("user_signup", map[string]any{"country": "86", "phone": "18683333333", "nickname": "nick-18683333333", "password": "123456", "code": "1234"}, "")
		bTok, bUID := b["token"].(string), b["uid"].(string)
		call("user_login", map[string]any{"country": "86", "phone": "18682222222", "password": "123456"}, "")
		avatar, _ := twoImages(t, e, a)
		call("my_user_info_update", map[string]any{"nickname": "test", "avatar": avatar, "gender": 1, "province": "广东省",
			"city": "深圳市", "birthday": 1701074685929, "email": "xxx@163.com", "intro": "test_intro"}, a)
		call("my_user_info", nil, a)
		call("sns_follow", map[string]any{"to_uid": bUID}, a)
		call("my_following", nil, a)
		call("my_follower", nil, bTok)
		call("user_info", map[string]any{"to_uid": bUID}, a)
		call("send_message", map[string]any{"to_uid": bUID, "content": "hello"}, a)
		call("my_message", map[string]any{"to_id": bUID}, a)
		call("my_message_center", nil, bTok)
		call("my_block", nil, a)
		call("current_time", nil, "")
		call("no_such_method", nil, "")
		call("my_user_info", nil, "")
		call("user_login", map[string]any{"country": "86", "phone": "18682222222", "password": "wrong1"}, "")
		plazatest.Golden(t, "session", answers, "token", "uid", "avatar")
	})
}
