package yuanyi_test

import (
	"testing"

	"plaza/internal/face/yuanyi"
	"plaza/internal/plazatest"
)

// open are the functions the document marks 不用登录可用 (usable without
// signing in); every other function needs a token.
var open = map[string]bool{
	"current_time": true, "send_sms_code": true, "user_signup": true, "user_login": true, "user_password_update": true,
}

// Every function but the open ones answers 403 without a token and 404
// with a bad one, before it looks at its parameters.
func TestEveryFunctionButTheOpenOnesNeedsAToken(t *testing.T) {
	names := yuanyi.MethodNames()
	if len(names) < 60 {
		t.Fatalf("only %d functions: %v", len(names), names)
	}
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		for _, name := range names {
			if open[name] {
				continue
			}
			fails(t, e, name, nil, "", 403)
			fails(t, e, name, map[string]any{"limit": 1, "offset": 0}, "", 403)
			fails(t, e, name, nil, "no-such-token", 404)
		}
		ok(t, e, "current_time", nil, "")
		ok(t, e, "current_time", nil, "no-such-token")
		ok(t, e, "send_sms_code", map[string]any{"country": "86", "phone": "18682222222"}, "")
		tok, _ := signup(t, e, "18683333333")
		ok(t, e, "user_login", map[string]any{"country": "86", "phone": "18683333333", "password": "123456"}, "")
		ok(t, e, "user_password_update", map[string]any{"country": "86", "phone": "18683333333", "code": "1234", "password": "abcdef"}, "")
		fails(t, e, "article_list", nil, tok, 404) // the reset ended the session
	})
}
