package member_test

import (
	"testing"

	"plaza/internal/plazatest"
)

// The member face's envelopes, byte for byte but for random values, on
// every engine.
func TestGoldenSession(t *testing.T) {
	env := map[string]string{"PLAZA_SMS_TEST_OTP": "8618656660930=246810", "PLAZA_APP_ID": "",
		"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password"}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		var answers [][]byte
		do := func(method, path string, body any, token string) map[string]any {
			var h []string
			if token != "" {
				h = []string{"Authorization", "Token " + token}
			}
			res := e.Do(method, path, body, h...)
			answers = append(answers, res.Body)
			return res.JSON()
		}
		admin := adminToken(t, e)
		for _, c := range []struct{ path, body string }{
			{"/admin/v1/faqs", `{"title":"标题","content":"内容"}`},
			{"/admin/v1/feedback-categories", `{"name":"app","description":"app"}`},
			{"/admin/v1/pushes", `{"title":"推送测试","body":"推送测试内容"}`},
		} {
			if res := e.Do("POST", c.path, c.body, "Authorization", "Bearer "+admin); res.Status != 201 {
				t.Fatalf("%s: %d %s", c.path, res.Status, res.Body)
			}
		}
		do("POST", "/api/auth/send_code", map[string]any{"area": "86", "account": "18656660930"}, "")
		do("POST", "/api/auth/check_code", map[string]any{"area": "86", "account": "18656660930", "code": "246810"}, "")
		reg := do("POST", "/api/auth/register", map[string]any{"area": "86", "account": "18656660930", "code": "246810", "password": "secret123"}, "")
		tok := reg["data"].(map[string]any)["access_token"].(string)
		do("POST", "/api/auth/access_token", map[string]any{"area": "86", "account": "18656660930", "password": "secret123"}, "")
		do("GET", "/api/personal/info", nil, tok)
		do("PUT", "/api/personal/info", map[string]any{"nickname": "小明", "gender": 1, "birthday": "1991-03-08"}, tok)
		do("POST", "/api/push/bind", map[string]any{"client_id": "xxxxxxx", "client_type": "android"}, tok)
		do("GET", "/api/push/switch/xxxxxxx", nil, tok)
		do("PUT", "/api/push/switch/xxxxxxx", map[string]any{"switch": false}, tok)
		do("GET", "/api/faq", nil, tok)
		do("GET", "/api/faq/1", nil, tok)
		do("GET", "/api/feedback_category", nil, tok)
		do("POST", "/api/feedback", map[string]any{"feedback_content": "反馈内容", "feedback_category_id": 1, "contact_phone": "18656660930"}, tok)
		do("GET", "/api/feedback", nil, tok)
		do("GET", "/api/feedback/reply/1", nil, tok)
		do("GET", "/api/message/count?push_ids=", nil, tok)
		do("GET", "/api/push/log", nil, tok)
		do("GET", "/api/push/log/1", nil, tok)
		do("DELETE", "/api/push/log/delete", nil, tok)
		do("DELETE", "/api/feedback/1", nil, tok)
		do("POST", "/api/auth/destroy_token", nil, tok)
		do("GET", "/api/personal/info", nil, tok)
		do("GET", "/api/nowhere", nil, "")
		plazatest.Golden(t, "session", answers, "access_token", "refresh_token", "openid")
	})
}
