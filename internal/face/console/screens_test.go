package console_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"plaza/internal/media/mediatest"
)

// TestScreenshots draws the main pages into $PLAZA_CONSOLE_SCREENSHOTS
// (docs/console in the repository): PLAZA_CONSOLE_SCREENSHOTS=$PWD/docs/console go test ./internal/face/console -run 'Screenshots|CookieMode'
func TestScreenshots(t *testing.T) {
	if os.Getenv("PLAZA_CONSOLE_SCREENSHOTS") == "" {
		t.Skip("set PLAZA_CONSOLE_SCREENSHOTS to a directory to draw the screenshots")
	}
	e := env(t)
	a := apiLogin(t, e)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "a.png")
	fw.Write(mediatest.PNG(48, 48))
	mw.Close()
	res := e.Do("POST", "/admin/v1/media", buf.Bytes(), "Authorization", "Bearer "+a.token, "Content-Type", mw.FormDataContentType())
	avatar := res.JSON()["id"].(string)
	for i, n := range []string{"李白", "杜甫", "王维", "苏轼"} {
		a.do("POST", "/masters", map[string]any{"name": n, "avatar": avatar, "intro": "达人简介", "address": "北京市海淀区", "birthday": "1990-01-0" + string(rune('1'+i)), "recommended": i%2 == 0}, 201)
	}
	var tok string
	for i, p := range []string{"13800138010", "13800138011", "13800138012"} {
		tok = register(t, e, p)
		memberCall(t, e, "PUT", "/api/personal/info", map[string]any{"nickname": []string{"小明", "Alice", "<b>bold</b>"}[i]}, tok)
		bind(t, e, tok, fmt.Sprintf("a1b2c3d4e5f6%02d", i), []string{"ios", "android", "ios"}[i])
	}
	code, fb := memberCall(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "支付后订单一直显示待支付", "contact_phone": "13800138012"}, tok)
	if code != 0 {
		t.Fatal(code)
	}
	uid := a.userID("13800138012")
	a.do("POST", "/users/"+uid+"/wallet", map[string]any{"currency": "diamond", "amount": 500, "reason": "welcome gift", "idempotency_key": "s1"}, 201)
	a.do("POST", "/users/"+uid+"/wallet", map[string]any{"currency": "diamond", "amount": -120, "reason": "correction", "idempotency_key": "s2"}, 201)
	push := a.do("POST", "/pushes", map[string]any{"push_title": "春节活动", "push_body": "全场门票八折"}, 201)["id"].(interface{ String() string }).String()
	e.DeliverPushes()

	b := newTab(t)
	b.run(t, chromedp.Navigate(e.URL+"/admin/login"), ready("login"))
	screenshot(t, b, "login")
	signIn(t, b, e)
	for _, s := range []struct{ name, path, page string }{
		{"masters", "/admin/collections/masters", "collections"},
		{"master-form", "/admin/collections/masters/new", "record"},
		{"users", "/admin/users", "users"},
		{"user", "/admin/users/" + uid, "user"},
		{"feedback", "/admin/feedback/" + fb["id"].(interface{ String() string }).String(), "feedback-item"},
		{"pushes", "/admin/pushes", "pushes"},
		{"push", "/admin/pushes/" + push, "push"},
	} {
		b.run(t, chromedp.Navigate(e.URL+s.path), ready(s.page))
		switch s.page {
		case "user":
			b.run(t, chromedp.WaitVisible(chromedp.CSS("#ledger tr.ledger-line")))
		case "push":
			b.run(t, chromedp.WaitVisible(chromedp.CSS("#deliveries tr.delivery")))
		}
		screenshot(t, b, s.name)
	}
}
