package console_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"plaza/internal/face/console"
	"plaza/internal/face/yuanyi"
	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
)

// yuanyiCall signs and sends a call of the yuanyi face as its app does.
func yuanyiCall(t *testing.T, e *plazatest.Env, method string, params map[string]any, token string) map[string]any {
	t.Helper()
	body := map[string]any{"method": method, "ver": "1", "ts": e.Clock.Now().UnixMilli(), "app": "yuanyi-app"}
	for k, v := range params {
		body[k] = v
	}
	if token != "" {
		body["token"] = token
	}
	raw, _ := json.Marshal(body)
	var decoded map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.Decode(&decoded)
	body["sig"] = yuanyi.Sign(decoded, "3b57ff81-27ea-45d9-a2e3-6e24920b17ac")
	res := e.Do("POST", "/yuanyiapi/", body)
	m := res.JSON()
	if m == nil || m["code"].(json.Number).String() != "0" {
		t.Fatalf("yuanyi %s: %d %s", method, res.Status, res.Body)
	}
	return m
}

func TestServerSide(t *testing.T) {
	e := env(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, cookie string) *http.Response {
		req, _ := http.NewRequest("GET", e.URL+path, nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: console.Cookie, Value: cookie})
		}
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	headers := func(res *http.Response, what string) {
		t.Helper()
		if res.Header.Get("Content-Security-Policy") != console.CSP || res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") != "same-origin" {
			t.Fatalf("%s: security headers %v", what, res.Header)
		}
	}
	// No page without a session; the login page and assets are open.
	for _, p := range []string{"/admin/", "/admin/users/12", "/admin/pushes/12", "/admin/collections/masters/new"} {
		res := get(p, "")
		headers(res, p)
		if res.StatusCode != 302 || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login?next=") {
			t.Fatalf("GET %s without a session: %d %s", p, res.StatusCode, res.Header.Get("Location"))
		}
		if res := get(p, "not-a-session"); res.StatusCode != 302 {
			t.Fatalf("GET %s with a bad cookie: %d", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/admin/login", "/admin/static/app.js", "/admin/static/console.css", "/admin/static/pages/users.js", "/admin/static/pages/push.js"} {
		res := get(p, "")
		headers(res, p)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p, res.StatusCode)
		}
	}
	if ct := get("/admin/static/app.js", "").Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Fatalf("app.js content type %q", ct)
	}
	// With a live session cookie (the admin token) a page is served.
	tok := apiLogin(t, e).token
	for _, p := range []string{"/admin/users/12", "/admin/pushes/12"} {
		if res := get(p, tok); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s with a session cookie: %d", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/admin/static/nothing.js", "/admin/static/index.html", "/admin/v2/faqs", "/admin/users/x", "/admin/pushes/x"} {
		if res := get(p, tok); res.StatusCode != 404 {
			t.Fatalf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	if res := e.Do("POST", "/admin/users", nil); res.Status != 405 {
		t.Fatalf("POST /admin/users: %d", res.Status)
	}
	// The API keeps its own 404 under /admin/v1/.
	if res := e.Do("GET", "/admin/v1/nothing", nil); res.Status != 404 || !strings.Contains(string(res.Body), `"not_found"`) {
		t.Fatalf("GET /admin/v1/nothing: %d %s", res.Status, res.Body)
	}
}

func TestSignIn(t *testing.T) {
	e := env(t)
	b := newTab(t)
	// A wrong password shows the API's message and stays on the login page.
	b.run(t, chromedp.Navigate(e.URL+"/admin/users"), ready("login"),
		chromedp.SendKeys(chromedp.CSS("#email"), adminEmail), chromedp.SendKeys(chromedp.CSS("#password"), "wrong"), chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS(".status.error")))
	// The right one lands on the page asked for first.
	if msg := text(t, b, ".status.error"); msg == "" {
		t.Fatal("no message for a wrong password")
	}
	get(t, b, chromedp.Evaluate[string](`document.querySelector('#password').value = ''`))
	b.run(t, chromedp.SendKeys(chromedp.CSS("#password"), adminPassword), chromedp.Click(chromedp.CSS("#signin")), ready("users"))
	loc := get(t, b, chromedp.Location())
	if !strings.HasSuffix(loc, "/admin/users") {
		t.Fatalf("after sign-in at %s", loc)
	}
	// Sign out: back to the login page; pages need a session again.
	b.run(t, chromedp.Click(chromedp.CSS("#signout")), ready("login"), chromedp.Navigate(e.URL+"/admin/pushes"), ready("login"))
}

func TestMasterWithAvatar(t *testing.T) {
	e := env(t)
	b := newTab(t)
	signIn(t, b, e)
	png := writePNG(t, mediatest.PNG(8, 8))
	b.run(t, chromedp.Navigate(e.URL+"/admin/collections/masters/new"), ready("record"),
		// The API's message shows beside the field it names.
		chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS(`.field[data-name="name"].invalid .field-error`)))
	if msg := text(t, b, `.field[data-name="name"] .field-error`); msg == "" {
		t.Fatal("no message beside name")
	}
	b.run(t, chromedp.SendKeys(chromedp.CSS("#f-name"), "达人 Console"), chromedp.SendKeys(chromedp.CSS("#f-address"), "北京"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="avatar-file"]`), []string{png}),
		chromedp.WaitVisible(chromedp.CSS(`.field[data-name="avatar"] img.preview:not(.pending)`)))
	avatar := get(t, b, chromedp.Poll[string](`document.querySelector('#f-avatar').value`))
	b.run(t, chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS(".status.ok")))
	if !strings.HasSuffix(avatar, ".png") {
		t.Fatalf("avatar = %q", avatar)
	}
	// The yuanyi app lists the master with its avatar.
	m := yuanyiCall(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": "1234", "password": "123456", "nickname": "n"}, "")
	list := yuanyiCall(t, e, "master_list", nil, m["token"].(string))["master_list"].([]any)
	found := false
	for _, it := range list {
		raw, _ := json.Marshal(it)
		if strings.Contains(string(raw), "达人 Console") && strings.Contains(string(raw), strings.TrimSuffix(avatar, ".png")) {
			found = true
		}
	}
	if !found {
		t.Fatalf("master_list = %v, want the master with avatar %s", list, avatar)
	}
	// The list shows it; delete asks first.
	b.run(t, chromedp.Navigate(e.URL+"/admin/collections/masters"), ready("collections"),
		chromedp.WaitVisible(chromedp.CSS(`img.thumb`)), chromedp.Click(chromedp.CSS(`button[data-del]`)), chromedp.WaitVisible(chromedp.CSS("dialog.confirm")),
		chromedp.Click(chromedp.CSS("#confirm-yes")), ready("collections"), chromedp.WaitNotPresent(chromedp.CSS(`button[data-del]`)))
	if n := apiLogin(t, e).do("GET", "/masters", nil, 200)["total"].(json.Number).String(); n != "0" {
		t.Fatalf("%s masters after delete", n)
	}
}

func TestFeedbackReply(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	tok := register(t, e, "13800138001")
	code, fb := memberCall(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "The app crashes on start"}, tok)
	if code != 0 {
		t.Fatalf("feedback: %d", code)
	}
	id := fb["id"].(json.Number).String()
	_ = a
	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/feedback"), ready("feedback"),
		chromedp.Click(chromedp.CSS(`a[href="/admin/feedback/`+id+`"]`)), ready("feedback-item"),
		chromedp.SendKeys(chromedp.CSS("#reply-content"), "Fixed in 2.1, please update"), chromedp.Click(chromedp.CSS("#send-reply")),
		chromedp.WaitVisible(chromedp.CSS(".status.ok")), chromedp.WaitVisible(chromedp.CSS("#replies li")))
	res := e.Do("GET", "/api/feedback/reply/"+id, nil, "Authorization", "Token "+tok)
	if !strings.Contains(string(res.Body), "Fixed in 2.1, please update") {
		t.Fatalf("member reply: %s", res.Body)
	}
	// The inbox holds open feedback only: the answered one is under Replied.
	link := `a[href="/admin/feedback/` + id + `"]`
	b.run(t, chromedp.Navigate(e.URL+"/admin/feedback"), ready("feedback"), chromedp.WaitNotPresent(chromedp.CSS(link)),
		chromedp.Click(chromedp.CSS(`.tabs a[data-show="replied"]`)), ready("feedback"), chromedp.WaitVisible(chromedp.CSS(link)))
}

// The catalogue's search and sort run on the server: a record beyond the
// first page is found, and the order is of every record, not of one page.
func TestCatalogSearchAndSort(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	for i := range 5 {
		a.do("POST", "/masters", map[string]any{"name": fmt.Sprintf("master %02d", i)}, 201)
	}
	a.do("POST", "/masters", map[string]any{"name": "Needle", "address": "杭州"}, 201)
	for i := 5; i < 30; i++ { // Needle is on page 2
		a.do("POST", "/masters", map[string]any{"name": fmt.Sprintf("master %02d", i)}, 201)
	}
	b := newTab(t)
	signIn(t, b, e)
	rows := func() []string {
		return get(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('table.grid tbody tr td:nth-child(2)')].map(td => td.textContent)`))
	}
	b.run(t, chromedp.Navigate(e.URL+"/admin/collections/masters"), ready("collections"))
	if got := rows(); len(got) != 20 || got[0] != "master 29" || slices.Contains(got, "Needle") {
		t.Fatalf("first page %v", got)
	}
	// Enter in the field runs the page's submit handler (Submit would call
	// form.submit(), a full page load that ready could match too early).
	b.run(t, chromedp.SendKeys(chromedp.CSS("#record-q"), "needle\r"), ready("collections"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready] table.grid tbody tr:only-child`)))
	if got := rows(); !slices.Equal(got, []string{"Needle"}) {
		t.Fatalf("search needle: %v", got)
	}
	if loc := get(t, b, chromedp.Location()); !strings.HasSuffix(loc, "/admin/collections/masters?q=needle") {
		t.Fatalf("search at %s", loc)
	}
	b.run(t, chromedp.Navigate(e.URL+"/admin/collections/masters?q="+url.QueryEscape("杭州")), ready("collections"))
	if got := rows(); !slices.Equal(got, []string{"Needle"}) {
		t.Fatalf("search 杭州: %v", got)
	}
	// Sorting by name: every record in order, ascending then descending.
	b.run(t, chromedp.Navigate(e.URL+"/admin/collections/masters"), ready("collections"),
		chromedp.Click(chromedp.CSS(`button.sort[data-sort="name"]`)), ready("collections"))
	if got := rows(); len(got) != 20 || got[0] != "Needle" || got[1] != "master 00" || got[19] != "master 18" {
		t.Fatalf("sorted by name: %v", got)
	}
	b.run(t, chromedp.Click(chromedp.CSS(`button.sort[data-sort="name"]`)), ready("collections"))
	if got := rows(); got[0] != "master 29" {
		t.Fatalf("sorted by name, descending: %v", got)
	}
	if loc := get(t, b, chromedp.Location()); !strings.HasSuffix(loc, "?sort=-name") {
		t.Fatalf("sorted at %s", loc)
	}
}

func TestGrantAndBan(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	tok := register(t, e, "13800138002")
	uid := a.userID("13800138002")
	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/users/"+uid), ready("user"),
		chromedp.SetValue(chromedp.CSS("#grant-currency"), "diamond"), chromedp.SendKeys(chromedp.CSS("#grant-amount"), "50"), chromedp.SendKeys(chromedp.CSS("#grant-reason"), "welcome gift"),
		chromedp.DoubleClick(chromedp.CSS("#grant")), chromedp.WaitVisible(chromedp.CSS("#wallet-form .status.ok")),
		chromedp.WaitVisible(chromedp.CSS(`#ledger tr.ledger-line`)))
	line := text(t, b, "#ledger tr.ledger-line")
	if !strings.Contains(line, "+50") || !strings.Contains(line, "welcome gift") {
		t.Fatalf("ledger line %q", line)
	}
	// A double click paid once.
	led := a.do("GET", "/users/"+uid+"/ledger?currency=diamond", nil, 200)["items"].([]any)
	if len(led) != 1 || led[0].(map[string]any)["balance"].(json.Number).String() != "50" {
		t.Fatalf("ledger after a double click: %v", led)
	}
	// Ban: the user's token is refused by the member face.
	if code, _ := memberCall(t, e, "GET", "/api/personal/info", nil, tok); code != 0 {
		t.Fatalf("before the ban: %d", code)
	}
	b.run(t, chromedp.Click(chromedp.CSS("#ban")), chromedp.WaitVisible(chromedp.CSS("#unban")))
	if s := text(t, b, "#user-state"); s != "banned" {
		t.Fatalf("state %q", s)
	}
	if code, _ := memberCall(t, e, "GET", "/api/personal/info", nil, tok); code != 10004 {
		t.Fatalf("after the ban: code %d, want 10004", code)
	}
}

func TestNicknameIsText(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	tok := register(t, e, "13800138003")
	const evil = `<img src=x onerror=alert(1)>`
	if code, _ := memberCall(t, e, "PUT", "/api/personal/info", map[string]any{"nickname": evil}, tok); code != 0 {
		t.Fatalf("set nickname: %d", code)
	}
	uid := a.userID("13800138003")
	b := newTab(t)
	signIn(t, b, e)
	for _, p := range []string{"/admin/users", "/admin/users/" + uid} {
		b.run(t, chromedp.Navigate(e.URL+p), chromedp.WaitVisible(chromedp.CSS(`.nickname`)))
		imgs := get(t, b, chromedp.Evaluate[int](`document.querySelectorAll('img[src="x"], main img:not([class])').length`))
		if got := text(t, b, ".nickname"); got != evil {
			t.Fatalf("%s: nickname shows %q", p, got)
		}
		if imgs != 0 {
			t.Fatalf("%s: the nickname became %d elements", p, imgs)
		}
	}
	if n := b.dialogs.Load(); n != 0 {
		t.Fatalf("%d dialogs opened", n)
	}
}

// Images come from this site only, unless media links point elsewhere.
func TestPolicyImages(t *testing.T) {
	if !strings.Contains(console.CSP, "img-src 'self' data: blob:;") || strings.Contains(console.CSP, "https:") {
		t.Fatalf("CSP %q", console.CSP)
	}
	if p := console.Policy("https://cdn.example.com"); !strings.Contains(p, "img-src 'self' data: blob: https://cdn.example.com;") {
		t.Fatalf("with a media origin: %q", p)
	}
}
