package console_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
)

const (
	adminEmail    = "ops@example.com"
	adminPassword = "ops-password-1"
)

// chrome finds a Chromium (PLAZA_TEST_CHROME, else on the PATH); the
// browser tests skip without one.
func chrome(t testing.TB) string {
	if p := os.Getenv("PLAZA_TEST_CHROME"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found (apt-get install chromium, or set PLAZA_TEST_CHROME): browser tests skipped")
	return ""
}

// tab is a headless browser tab; dialogs counts the JavaScript dialogs
// (alert, confirm) that opened in it.
type tab struct {
	ctx     context.Context
	dialogs *atomic.Int32
}

// browser is the one Chromium of the package's tests, started by the
// first newTab; each tab is in a browser context of its own (its own
// cookies), which a test's cleanup disposes of. TestMain ends it.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

func newTab(t testing.TB) tab {
	exe := chrome(t)
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-dev-shm-usage", true))
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelC := chromedp.NewContext(actx)
		browser.ctx, browser.cancel = ctx, func() { cancelC(); cancelA() }
		browser.err = chromedp.Do(ctx)
	})
	if browser.err != nil {
		t.Fatalf("start %s: %v", exe, browser.err)
	}
	ctx, cancelC := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 30*time.Second) // a stuck browser fails the test instead of hanging it
	t.Cleanup(func() { cancelT(); cancelC() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	var n atomic.Int32
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			n.Add(1)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return tab{ctx: ctx, dialogs: &n}
}

func (b tab) run(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// ready waits for a page of the console to be drawn.
func ready(name string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(`body[data-page="` + name + `"][data-ready] main`))
}

// env starts plaza for a browser test. Its clock is set to the wall
// clock: the session cookie's Expires comes from plaza's clock, and
// Chromium (on the wall clock) drops a cookie that arrives already expired,
// which plazatest.Start (a fixed past date) would make it.
func env(t *testing.T) *plazatest.Env {
	e := plazatest.New(t, storetest.Engines()[0], map[string]string{
		"PLAZA_ADMIN_EMAIL": adminEmail, "PLAZA_ADMIN_PASSWORD": adminPassword, "PLAZA_SMS_TEST_OTP": "8618682222222=1234",
	})
	e.Clock.Set(time.Now())
	return e
}

// signIn signs in through the login page and waits for the dashboard.
func signIn(t *testing.T, b tab, e *plazatest.Env) {
	t.Helper()
	b.run(t, chromedp.Navigate(e.URL+"/admin/"), ready("login"),
		chromedp.SendKeys(chromedp.CSS("#email"), adminEmail), chromedp.SendKeys(chromedp.CSS("#password"), adminPassword),
		chromedp.Click(chromedp.CSS("#signin")), ready("dashboard"))
}

func text(t *testing.T, b tab, sel string) string {
	t.Helper()
	b.run(t, chromedp.WaitVisible(chromedp.CSS(sel)))
	return get(t, b, chromedp.Text(chromedp.CSS(sel)))
}

// member face helpers.

func memberCall(t *testing.T, e *plazatest.Env, method, path string, body any, token string) (int, map[string]any) {
	t.Helper()
	var h []string
	if token != "" {
		h = []string{"Authorization", "Token " + token}
	}
	res := e.Do(method, path, body, h...)
	m := res.JSON()
	if m == nil {
		t.Fatalf("%s %s: %d %s", method, path, res.Status, res.Body)
	}
	code, _ := m["code"].(json.Number).Int64()
	data, _ := m["data"].(map[string]any)
	return int(code), data
}

func register(t *testing.T, e *plazatest.Env, phone string) string {
	t.Helper()
	memberCall(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "")
	code, d := memberCall(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": e.LastCode("86" + phone), "password": "secret123"}, "")
	if code != 0 {
		t.Fatalf("register %s: code %d", phone, code)
	}
	return d["access_token"].(string)
}

// adminAPI calls the admin API with a bearer token.
type adminAPI struct {
	t     *testing.T
	e     *plazatest.Env
	token string
}

func apiLogin(t *testing.T, e *plazatest.Env) adminAPI {
	res := e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword})
	if res.Status != 200 {
		t.Fatalf("admin login: %d %s", res.Status, res.Body)
	}
	return adminAPI{t: t, e: e, token: res.JSON()["token"].(string)}
}

func (a adminAPI) do(method, path string, body any, status int) map[string]any {
	a.t.Helper()
	res := a.e.Do(method, "/admin/v1"+path, body, "Authorization", "Bearer "+a.token)
	if res.Status != status {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.Status, status, res.Body)
	}
	return res.JSON()
}

// userID finds the id of the user with that phone.
func (a adminAPI) userID(phone string) string {
	for _, it := range a.do("GET", "/users?page_size=100", nil, 200)["items"].([]any) {
		if u := it.(map[string]any); u["phone"] == phone {
			return u["id"].(json.Number).String()
		}
	}
	a.t.Fatalf("no user %s", phone)
	return ""
}

func writePNG(t *testing.T, data []byte) string {
	p := filepath.Join(t.TempDir(), "avatar.png")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// get runs an action that answers a value.
func get[T any](t testing.TB, b tab, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}
