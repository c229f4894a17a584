package console_test

// Browser tests of the operator's tasks of issue 10 the other files leave:
// TOTP and password, admins, dashboard, users and profiles, customer
// service, pushes, orders and refunds, the audit log. Each drives the
// pages as an operator does and checks the effect through another face
// or the admin API.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"plaza/internal/plazatest"
)

// click waits for sel and clicks it.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

func visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

func typeIn(sel, s string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), s)
}

// texts answers the text of every element sel matches.
func texts(t *testing.T, b tab, sel string) []string {
	t.Helper()
	raw, _ := json.Marshal(sel)
	return get(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+string(raw)+`)].map(e => e.textContent)`))
}

// until waits for a JavaScript expression to be true.
func until(t *testing.T, b tab, expr string) {
	t.Helper()
	get(t, b, chromedp.Poll[bool]("!!("+expr+")"))
}

// shows waits for an element sel whose text holds want.
func shows(t *testing.T, b tab, sel, want string) {
	t.Helper()
	s, _ := json.Marshal(sel)
	w, _ := json.Marshal(want)
	until(t, b, `[...document.querySelectorAll(`+string(s)+`)].some(e => e.textContent.includes(`+string(w)+`))`)
}

// setValue sets the value of the control sel (as SetValue, through the
// live document: chromedp's node may be one of a page drawn before).
func setValue(t *testing.T, b tab, sel, v string) {
	t.Helper()
	s, _ := json.Marshal(sel)
	w, _ := json.Marshal(v)
	until(t, b, `(e => e && ((e.value = `+string(w)+`), true))(document.querySelector(`+string(s)+`))`)
}

// loginAs signs an admin in through the API; its bearer token.
func loginAs(t *testing.T, e *plazatest.Env, email, password string) (string, int) {
	t.Helper()
	res := e.Do("POST", "/admin/v1/login", map[string]any{"email": email, "password": password})
	if res.Status != 200 {
		return "", res.Status
	}
	return res.JSON()["token"].(string), 200
}

func TestAdminsCreateAndDisable(t *testing.T) {
	e := env(t)
	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/admins"), ready("admins"),
		typeIn("#admin-email", "second@example.com"), typeIn("#admin-password", "second-password-1"),
		click("#create-admin"), ready("admins"))
	shows(t, b, "table.grid tbody tr", "second@example.com")
	var id string
	for _, it := range apiLogin(t, e).do("GET", "/admins", nil, 200)["items"].([]any) {
		if a := it.(map[string]any); a["email"] == "second@example.com" {
			id = a["id"].(json.Number).String()
		}
	}
	if id == "" {
		t.Fatal("the new admin is not in GET /admins")
	}
	tok, st := loginAs(t, e, "second@example.com", "second-password-1")
	if st != 200 {
		t.Fatalf("the new admin's login: %d", st)
	}
	if res := e.Do("GET", "/admin/v1/session", nil, "Authorization", "Bearer "+tok); res.Status != 200 {
		t.Fatalf("the new admin's session: %d", res.Status)
	}
	// Disable: listed as disabled; its session and a new login are refused.
	b.run(t, click(`button[data-admin="`+id+`"]`), ready("admins"))
	shows(t, b, `button[data-admin="`+id+`"]`, "Enable")
	row := get(t, b, chromedp.Evaluate[string](`document.querySelector('button[data-admin="`+id+`"]').closest('tr').textContent`))
	if !strings.Contains(row, "second@example.com") || !strings.Contains(row, "disabled") {
		t.Fatalf("row of the disabled admin: %q", row)
	}
	if res := e.Do("GET", "/admin/v1/session", nil, "Authorization", "Bearer "+tok); res.Status != 401 {
		t.Fatalf("a disabled admin's session: %d, want 401", res.Status)
	}
	if _, st := loginAs(t, e, "second@example.com", "second-password-1"); st == 200 {
		t.Fatal("a disabled admin signs in")
	}
}

func TestAuditLog(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	// Another admin's write, which the filter by admin leaves out.
	a.do("POST", "/admins", map[string]any{"email": "other@example.com", "password": "other-password-1"}, 201)
	tok, _ := loginAs(t, e, "other@example.com", "other-password-1")
	if res := e.Do("POST", "/admin/v1/faqs", map[string]any{"title": "Q by other"}, "Authorization", "Bearer "+tok); res.Status != 201 {
		t.Fatalf("other's write: %d %s", res.Status, res.Body)
	}
	b := newTab(t)
	signIn(t, b, e)
	// A master made and renamed in the console.
	b.run(t, chromedp.Navigate(e.URL+"/admin/collections/masters/new"), ready("record"),
		typeIn("#f-name", "Audited master"), click("#save"))
	until(t, b, `/\/\d+$/.test(location.pathname) && document.body.dataset.ready`)
	id := get(t, b, chromedp.Evaluate[string](`location.pathname.split('/').at(-1)`))
	b.run(t, visible(".status.ok"))
	setValue(t, b, "#f-name", "")
	b.run(t, typeIn("#f-name", "Renamed master"), click("#save"))
	shows(t, b, ".status.ok", "Saved.")

	b.run(t, chromedp.Navigate(e.URL+"/admin/audit"), ready("audit"))
	rows := texts(t, b, "tr.audit-entry")
	if len(rows) < 3 {
		t.Fatalf("audit rows %q", rows)
	}
	// Newest first: the rename, with the admin's e-mail, the action, the
	// target, and before/after as text.
	for _, want := range []string{adminEmail, "PATCH /admin/v1/masters/{id}", "/admin/v1/masters/" + id, "Audited master", "Renamed master"} {
		if !strings.Contains(rows[0], want) {
			t.Fatalf("newest entry %q lacks %q", rows[0], want)
		}
	}
	before := text(t, b, "tr.audit-entry td:nth-child(5) pre.json")
	if !strings.Contains(before, `"name": "Audited master"`) {
		t.Fatalf("before = %q", before)
	}
	if !strings.Contains(rows[1], "POST /admin/v1/masters") || !strings.Contains(rows[1], "Audited master") {
		t.Fatalf("the create: %q", rows[1])
	}
	if n := get(t, b, chromedp.Evaluate[int](`document.querySelectorAll('tr.audit-entry pre').length - document.querySelectorAll('tr.audit-entry pre.json').length`)); n != 0 {
		t.Fatalf("%d pre not json", n)
	}
	// Filter by action, then by admin.
	b.run(t, typeIn("#audit-action", "POST /admin/v1/masters"), click("#audit-filter"), ready("audit"))
	until(t, b, `location.search.includes('action=POST')`)
	b.run(t, ready("audit"))
	if rows := texts(t, b, "tr.audit-entry"); len(rows) != 1 || !strings.Contains(rows[0], "Audited master") {
		t.Fatalf("filtered by action: %q", rows)
	}
	other := otherID(t, a)
	setValue(t, b, "#audit-action", "")
	b.run(t, typeIn("#audit-admin", other), click("#audit-filter"))
	until(t, b, `location.search.includes('admin_id=`+other+`&')`)
	b.run(t, ready("audit"))
	if rows := texts(t, b, "tr.audit-entry"); len(rows) != 1 || !strings.Contains(rows[0], "other@example.com") || !strings.Contains(rows[0], "Q by other") {
		t.Fatalf("filtered by admin: %q", rows)
	}
}

func otherID(t *testing.T, a adminAPI) string {
	for _, it := range a.do("GET", "/admins", nil, 200)["items"].([]any) {
		if m := it.(map[string]any); m["email"] == "other@example.com" {
			return m["id"].(json.Number).String()
		}
	}
	t.Fatal("no other admin")
	return ""
}
