package yuanyi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"plaza/internal/plazatest"
)

// A user writes to the customer service; an admin reads the inbox and
// answers; the user sees the answer in the same conversation.
func TestCustomerService(t *testing.T) {
	env := map[string]string{"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password"}
	for k, v := range testOTP {
		env[k] = v
	}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		a, _ := signup(t, e, "18682222222")
		ok(t, e, "send_message_to_customer_service", map[string]any{"content": "退款怎么办"}, a)

		res := e.Do("POST", "/admin/v1/login", map[string]any{"email": "ops@example.com", "password": "ops-password"})
		admin := "Bearer " + res.JSON()["token"].(string)
		inbox := e.Do("GET", "/admin/v1/service-conversations", nil, "Authorization", admin).JSON()
		items := inbox["items"].([]any)
		if inbox["total"].(json.Number).String() != "1" || len(items) != 1 {
			t.Fatalf("inbox = %v", inbox)
		}
		conv := items[0].(map[string]any)
		uid := conv["user_id"].(json.Number).String()
		if last := conv["last_message"].(map[string]any); last["content"] != "退款怎么办" || last["from_user"] != true {
			t.Fatalf("conversation = %v", conv)
		}
		res = e.Do("POST", "/admin/v1/service-conversations/"+uid+"/messages", map[string]any{"content": "请提供订单号"}, "Authorization", admin)
		if res.Status != http.StatusCreated {
			t.Fatalf("answer: %d %s", res.Status, res.Body)
		}
		if res := e.Do("POST", "/admin/v1/service-conversations/"+uid+"/messages", map[string]any{"content": ""}, "Authorization", admin); res.Status != 400 {
			t.Fatalf("empty answer: %d", res.Status)
		}
		if res := e.Do("POST", "/admin/v1/service-conversations/424242/messages", map[string]any{"content": "x"}, "Authorization", admin); res.Status != 404 {
			t.Fatalf("answer to nobody: %d", res.Status)
		}
		thread := e.Do("GET", "/admin/v1/service-conversations/"+uid+"/messages", nil, "Authorization", admin).JSON()
		if thread["total"].(json.Number).String() != "2" {
			t.Fatalf("thread = %v", thread)
		}

		mine := ok(t, e, "my_message_with_customer_service", nil, a)["my_message_with_customer_service"].([]any)
		if len(mine) != 2 || mine[0].(map[string]any)["content"] != "请提供订单号" || mine[0].(map[string]any)["from_id"] != "00000000000000000000000000000000" {
			t.Fatalf("user's view = %v", mine)
		}
		// A member token is not an admin token.
		if res := e.Do("GET", "/admin/v1/service-conversations", nil, "Authorization", "Bearer "+a); res.Status != 401 {
			t.Fatalf("user token on the admin inbox: %d", res.Status)
		}
	})
}
