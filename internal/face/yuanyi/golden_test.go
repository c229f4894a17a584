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

// The commerce half, byte for byte but for random values, on every engine:
// projects and tickets, the cart, an order paid in the sandbox, the bought
// tickets, ticket comments and the ticket circle, and the refusals of
// tickets unknown (201) and sold (202) and of a paid order.
func TestGoldenCommerce(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		s := makeShop(t, e, 3)
		a, _ := signup(t, e, "18682222222")
		var answers [][]byte
		call := func(method string, params map[string]any) map[string]any {
			res := send(e, method, params, a)
			answers = append(answers, res.Body)
			return res.JSON()
		}
		call("project_list", nil)
		call("project_recommend_list", nil)
		call("project_detail", map[string]any{"project_id": s.project})
		call("ticket_list", map[string]any{"project_id": s.project})
		call("ticket_detail", map[string]any{"ticket_id": s.tickets[0]})
		call("ticket_recommend_list", nil)
		call("shopping_cart_add", map[string]any{"ticket_id": s.tickets[1]})
		call("shopping_cart_info", nil)
		call("order_create_by_shopping_cart", map[string]any{"ticket_id_list": []any{s.tickets[1]}})
		call("shopping_cart_info", nil)
		call("order_create", map[string]any{"ticket_id_list": []any{s.tickets[0]}})
		call("my_order_list", nil)
		call("order_pay", map[string]any{"order_id": 2, "pay_method": "sandbox"})
		call("order_cancel", map[string]any{"order_id": 1})
		call("order_detail", map[string]any{"order_id": 2})
		call("my_order_list", map[string]any{"status": 1})
		call("my_ticket_list", nil)
		call("order_create", map[string]any{"ticket_id_list": []any{s.tickets[0]}})
		call("order_create", map[string]any{"ticket_id_list": []any{999999}})
		call("order_cancel", map[string]any{"order_id": 2})
		call("ticket_comment_publish", map[string]any{"ticket_id": s.tickets[2], "content": "test_ticket_comment"})
		call("ticket_comment_list", map[string]any{"ticket_id": s.tickets[2]})
		call("ticket_circle", nil)
		call("ticket_comment_del", map[string]any{"ticket_comment_id_list": []any{1}})
		call("ticket_circle", nil)
		plazatest.Golden(t, "commerce", answers, "token", "uid", "master_id")
	})
}
