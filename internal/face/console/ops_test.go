package console_test

// Browser tests of the operator's tasks of issue 10 the other files leave:
// TOTP and password, admins, dashboard, users and profiles, customer
// service, pushes, orders and refunds, the audit log. Each drives the
// pages as an operator does and checks the effect through another face
// or the admin API.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/wallet"
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
	return get(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+jsString(sel)+`)].map(e => e.textContent)`))
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// until waits for a JavaScript expression to be true.
func until(t *testing.T, b tab, expr string) {
	t.Helper()
	get(t, b, chromedp.Poll[bool]("!!("+expr+")"))
}

// shows waits for an element sel whose text holds want.
func shows(t *testing.T, b tab, sel, want string) {
	t.Helper()
	until(t, b, `[...document.querySelectorAll(`+jsString(sel)+`)].some(e => e.textContent.includes(`+jsString(want)+`))`)
}

// setValue sets the value of the control sel (as SetValue, through the
// live document: chromedp's node may be one of a page drawn before).
func setValue(t *testing.T, b tab, sel, v string) {
	t.Helper()
	until(t, b, `(e => e && ((e.value = `+jsString(v)+`), true))(document.querySelector(`+jsString(sel)+`))`)
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
	for i := range 20 { // more than a page of entries
		a.do("POST", "/faqs", map[string]any{"title": fmt.Sprintf("faq %02d", i)}, 201)
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
	if len(rows) != 20 {
		t.Fatalf("%d audit rows on the first page", len(rows))
	}
	b.run(t, click("#audit-more"))
	until(t, b, `document.querySelectorAll('tr.audit-entry').length == 24`) // + the admin made, the other's FAQ
	if last := texts(t, b, "tr.audit-entry")[23]; !strings.Contains(last, "POST /admin/v1/admins") || strings.Contains(last, "other-password-1") {
		t.Fatalf("oldest entry %q (the password is redacted)", last)
	}
	b.run(t, chromedp.WaitNotVisible(chromedp.CSS("#audit-more")))
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

// pushTitles answers the titles of a user's push log on the member face.
func pushTitles(t *testing.T, e *plazatest.Env, tok string) []string {
	t.Helper()
	res := e.Do("GET", "/api/push/log", nil, "Authorization", "Token "+tok)
	var out []string
	items, _ := res.JSON()["data"].(map[string]any)["data"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["push_title"].(string))
	}
	return out
}

func TestPushes(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	alice, bob := register(t, e, "13800138011"), register(t, e, "13800138012")
	aliceID := a.userID("13800138011")
	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes"), ready("pushes"),
		typeIn("#push-title", "Only for Alice"), typeIn("#push-body", "hello Alice"),
		click("#to-some"), typeIn("#push-users", aliceID), click("#send-push"))
	shows(t, b, ".status.ok", "1 chosen users")
	shows(t, b, "table.grid tbody tr", "Only for Alice")
	if row := texts(t, b, "table.grid tbody tr")[0]; !strings.Contains(row, "Only for Alice") || !strings.Contains(row, aliceID) {
		t.Fatalf("history row %q", row)
	}
	// Alice has no device: nothing to deliver, the push is sent at once.
	if st := texts(t, b, "table.grid tbody tr:first-child [data-status]"); !slices.Equal(st, []string{"sent"}) {
		t.Fatalf("history row's status %v", st)
	}
	if got := pushTitles(t, e, alice); !slices.Equal(got, []string{"Only for Alice"}) {
		t.Fatalf("alice's push log %v", got)
	}
	if got := pushTitles(t, e, bob); len(got) != 0 {
		t.Fatalf("bob's push log %v", got)
	}
	// To everyone.
	b.run(t, ready("pushes"), typeIn("#push-title", "For all"), typeIn("#push-body", "hello all"), click("#to-all"), click("#send-push"))
	shows(t, b, ".status.ok", "every user")
	until(t, b, `document.querySelectorAll('table.grid tbody tr').length == 2`)
	if row := texts(t, b, "table.grid tbody tr")[0]; !strings.Contains(row, "For all") || !strings.Contains(row, "everyone") {
		t.Fatalf("history row %q", row)
	}
	if got := pushTitles(t, e, bob); !slices.Equal(got, []string{"For all"}) {
		t.Fatalf("bob's push log %v", got)
	}
	if got := pushTitles(t, e, alice); !slices.Equal(got, []string{"For all", "Only for Alice"}) {
		t.Fatalf("alice's push log %v", got)
	}
}

func TestServiceConversation(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	m := yuanyiCall(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": "1234", "password": "123456", "nickname": "n"}, "")
	tok := m["token"].(string)
	yuanyiCall(t, e, "send_message_to_customer_service", map[string]any{"content": "Where is my ticket?"}, tok)
	uid := a.userID("18682222222")
	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/service"), ready("service"))
	shows(t, b, "table.grid tbody tr", "to answer")
	b.run(t, click(`a[href="/admin/service/`+uid+`"]`), ready("service-thread"))
	shows(t, b, "#messages li.them", "Where is my ticket?")
	b.run(t, typeIn("#answer-content", "It is in My tickets."), click("#send-answer"))
	shows(t, b, ".status.ok", "Sent.")
	shows(t, b, "#messages li.us", "It is in My tickets.")
	// The user reads the answer in the app.
	th := yuanyiCall(t, e, "my_message_with_customer_service", nil, tok)["my_message_with_customer_service"].([]any)
	raw, _ := json.Marshal(th)
	if len(th) != 2 || !strings.Contains(string(raw), "It is in My tickets.") {
		t.Fatalf("the user's conversation: %s", raw)
	}
	// Answered: no longer waiting.
	b.run(t, chromedp.Navigate(e.URL+"/admin/service"), ready("service"))
	if row := text(t, b, "table.grid tbody tr"); strings.Contains(row, "to answer") || !strings.Contains(row, "you: It is in My tickets.") {
		t.Fatalf("inbox row %q", row)
	}
}

// search types q in the users page's search box and answers the ids listed.
func search(t *testing.T, b tab, q string) []string {
	t.Helper()
	setValue(t, b, "#user-q", "")
	b.run(t, typeIn("#user-q", q+"\r")) // Enter: the page's search
	until(t, b, `new URLSearchParams(location.search).get('q') === `+jsString(q)+` && document.body.dataset.ready`)
	return texts(t, b, "table.grid tbody tr td:first-child a")
}

func TestUsersSearchAndProfile(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	// A yuanyi user (a uid, orders) who also uses the member face (a device, feedback).
	m := yuanyiCall(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": "1234", "password": "123456", "nickname": "Zhang San"}, "")
	ytok, uidHex := m["token"].(string), m["uid"].(string)
	res := e.Do("POST", "/api/auth/access_token", map[string]any{"account": "18682222222", "password": "123456"})
	mtok, _ := res.JSON()["data"].(map[string]any)["access_token"].(string)
	if mtok == "" {
		t.Fatalf("member login: %s", res.Body)
	}
	if code, _ := memberCall(t, e, "POST", "/api/push/bind", map[string]any{"client_id": "phone-of-zhang", "client_type": "android"}, mtok); code != 0 {
		t.Fatalf("bind: %d", code)
	}
	if code, _ := memberCall(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "Zhang's feedback"}, mtok); code != 0 {
		t.Fatalf("feedback: %d", code)
	}
	tickets := shop(t, a, 1)
	yuanyiCall(t, e, "order_create", map[string]any{"ticket_id_list": []any{tickets[0]}}, ytok)
	// Others: by e-mail, by phone.
	memberCall(t, e, "POST", "/api/auth/send_code", map[string]any{"account": "li.lei@example.com"}, "")
	if code, _ := memberCall(t, e, "POST", "/api/auth/register", map[string]any{"account": "li.lei@example.com", "code": e.LastCode("li.lei@example.com"), "password": "secret123"}, ""); code != 0 {
		t.Fatalf("register by e-mail: %d", code)
	}
	register(t, e, "13800138021")
	zhang, phoneUser := a.userID("18682222222"), a.userID("13800138021")
	var liLei string
	for _, it := range a.do("GET", "/users?q=li.lei@", nil, 200)["items"].([]any) {
		liLei = it.(map[string]any)["id"].(json.Number).String()
	}
	// More than a page of ledger lines.
	for i := range 25 {
		a.do("POST", "/users/"+zhang+"/wallet", map[string]any{"currency": "diamond", "amount": i + 1, "reason": fmt.Sprintf("grant %02d", i), "idempotency_key": fmt.Sprintf("k%02d", i)}, 201)
	}

	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/users"), ready("users"))
	for q, want := range map[string]string{"138001380": phoneUser, "13800138021": phoneUser, "li.lei@": liLei, "LI.LEI@EXAMPLE.COM": liLei,
		"Zhang": zhang, uidHex: zhang, strings.ToUpper(uidHex): zhang} {
		if got := search(t, b, q); !slices.Equal(got, []string{want}) {
			t.Fatalf("search %q: %v, want [%s]", q, got, want)
		}
	}
	// An id finds its user (and the phones that begin with its digits).
	if got := search(t, b, zhang); !slices.Contains(got, zhang) {
		t.Fatalf("search id %s: %v", zhang, got)
	}
	if got := search(t, b, "nobody-has-this"); len(got) != 0 {
		t.Fatalf("search nobody: %v", got)
	}
	// The profile.
	b.run(t, chromedp.Navigate(e.URL+"/admin/users?q=Zhang"), ready("users"), click(`a[href="/admin/users/`+zhang+`"]`), ready("user"))
	if s := text(t, b, `#balances strong[data-currency="diamond"]`); s != "325" {
		t.Fatalf("diamond balance %q, want 325", s)
	}
	until(t, b, `document.querySelectorAll('#ledger tr.ledger-line').length == 20`)
	lines := texts(t, b, "#ledger tr.ledger-line")
	if !strings.Contains(lines[0], "grant 24") || !strings.Contains(lines[0], "+25") || !strings.Contains(lines[19], "grant 05") {
		t.Fatalf("first ledger page: %q ... %q", lines[0], lines[19])
	}
	b.run(t, click("#ledger-more"))
	until(t, b, `document.querySelectorAll('#ledger tr.ledger-line').length == 25`)
	lines = texts(t, b, "#ledger tr.ledger-line")
	if !strings.Contains(lines[24], "grant 00") || !strings.Contains(lines[24], "+1") {
		t.Fatalf("oldest ledger line %q", lines[24])
	}
	b.run(t, chromedp.WaitNotVisible(chromedp.CSS("#ledger-more")))
	if row := text(t, b, "#user-orders tbody tr"); !strings.Contains(row, "pending") || !strings.Contains(row, "¥ 19.99") || !strings.Contains(row, "ticket 0") {
		t.Fatalf("orders row %q", row)
	}
	if row := text(t, b, "#user-devices tbody tr"); !strings.Contains(row, "phone-of-zhang") || !strings.Contains(row, "android") {
		t.Fatalf("devices row %q", row)
	}
	if row := text(t, b, "#user-feedback tbody tr"); !strings.Contains(row, "Zhang's feedback") || !strings.Contains(row, "open") {
		t.Fatalf("feedback row %q", row)
	}
}

// shop makes a master, a project and n tickets (¥19.99, ¥29.99...); their ids.
func shop(t *testing.T, a adminAPI, n int) []string {
	t.Helper()
	m := a.do("POST", "/masters", map[string]any{"name": "Shop master"}, 201)
	p := a.do("POST", "/projects", map[string]any{"master_id": m["master_id"], "name": "Shop project"}, 201)
	var out []string
	for i := range n {
		tk := a.do("POST", "/tickets", map[string]any{"project_id": p["id"], "name": fmt.Sprintf("ticket %d", i), "price": 1999 + 1000*i}, 201)
		out = append(out, tk["id"].(json.Number).String())
	}
	return out
}

// selectOption picks value in the <select> sel as a click would (a change event).
func selectOption(t *testing.T, b tab, sel, value string) {
	t.Helper()
	until(t, b, `(e => e && ((e.value = `+jsString(value)+`), e.dispatchEvent(new Event('change')), true))(document.querySelector(`+jsString(sel)+`))`)
}

func TestOrdersAndRefund(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	m := yuanyiCall(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": "1234", "password": "123456", "nickname": "buyer"}, "")
	tok := m["token"].(string)
	uid := a.userID("18682222222")
	id, _ := strconv.ParseInt(uid, 10, 64)
	tickets := shop(t, a, 2)
	if err := e.App.DB.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
		_, err := e.App.Wallet.Grant(ctx, tx, id, "cny", 1999, wallet.Meta{Reason: "top-up"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	paid := yuanyiCall(t, e, "order_create", map[string]any{"ticket_id_list": []any{tickets[0]}}, tok)["order_id"].(json.Number).String()
	yuanyiCall(t, e, "order_pay", map[string]any{"order_id": paid, "pay_method": "wallet"}, tok)
	pending := yuanyiCall(t, e, "order_create", map[string]any{"ticket_id_list": []any{tickets[1]}}, tok)["order_id"].(json.Number).String()

	b := newTab(t)
	signIn(t, b, e)
	ids := func() []string { return texts(t, b, "table.grid tbody tr td:first-child a") }
	b.run(t, chromedp.Navigate(e.URL+"/admin/orders"), ready("orders"))
	if got := ids(); !slices.Equal(got, []string{pending, paid}) {
		t.Fatalf("every order: %v, want [%s %s]", got, pending, paid)
	}
	for st, want := range map[string][]string{"1": {paid}, "0": {pending}, "3": nil} {
		selectOption(t, b, "#order-status", st)
		until(t, b, `location.search.includes('status=`+st+`') && document.body.dataset.ready`)
		if got := ids(); !slices.Equal(got, want) {
			t.Fatalf("status %s: %v, want %v", st, got, want)
		}
	}
	// The detail of the paid order; its refund asks first.
	b.run(t, chromedp.Navigate(e.URL+"/admin/orders?status=1"), ready("orders"), click(`a[href="/admin/orders/`+paid+`"]`), ready("order"))
	detail := text(t, b, "main")
	for _, want := range []string{"paid", "¥ 19.99", "ticket 0", "wallet"} {
		if !strings.Contains(detail, want) {
			t.Fatalf("order detail lacks %q: %q", want, detail)
		}
	}
	b.run(t, typeIn("#refund-reason", "event cancelled"), click("#refund"), visible("dialog.confirm"), click(`dialog.confirm button[value="no"]`),
		chromedp.WaitNotPresent(chromedp.CSS("dialog.confirm")))
	if st := a.do("GET", "/orders/"+paid, nil, 200)["status"].(json.Number).String(); st != "1" {
		t.Fatalf("refunded without a yes: status %s", st)
	}
	b.run(t, click("#refund"), visible("dialog.confirm"), click("#confirm-yes"))
	shows(t, b, ".status.ok", "Refunded")
	until(t, b, `document.body.dataset.ready && document.querySelector('main .kv') && !document.querySelector('#refund')`) // drawn again
	if detail := text(t, b, "main"); !strings.Contains(detail, "refunded") {
		t.Fatalf("after the refund: %q", detail)
	}
	// The ledger shows the reversal, on the profile page.
	b.run(t, chromedp.Navigate(e.URL+"/admin/users/"+uid), ready("user"))
	selectOption(t, b, "#ledger-currency", "cny")
	until(t, b, `document.querySelectorAll('#ledger tr.ledger-line').length == 3`)
	lines := texts(t, b, "#ledger tr.ledger-line")
	if !strings.Contains(lines[0], "+1999") || !strings.Contains(lines[0], "refund of order "+paid+": event cancelled") || !strings.Contains(lines[1], "-1999") {
		t.Fatalf("cny ledger %q", lines)
	}
	if b := get(t, b, chromedp.Evaluate[string](`document.querySelectorAll('#ledger tr.ledger-line td')[3].textContent`)); b != "1999" {
		t.Fatalf("balance after the refund %s", b)
	}
	// The ticket is on sale again: the app orders it.
	yuanyiCall(t, e, "order_create", map[string]any{"ticket_id_list": []any{tickets[0]}}, tok)
	if got := a.do("GET", "/orders?status=3", nil, 200)["items"].([]any); len(got) != 1 {
		t.Fatalf("refunded orders %v", got)
	}

	// An exchange order (diamonds, the market face) is refunded the same way.
	mtok := register(t, e, "13800138041")
	buyer := a.userID("13800138041")
	a.do("POST", "/users/"+buyer+"/wallet", map[string]any{"currency": "diamond", "amount": 100, "reason": "gift", "idempotency_key": "gift-1"}, 201)
	tea := a.do("POST", "/exchange-products", map[string]any{"name": "Tea", "diamond": 100}, 201)["id"].(json.Number).String()
	if res := e.Do("GET", "/market/exchange_products/purchase/"+tea+"/", nil, "Authorization", "Token "+mtok); res.Status != 200 {
		t.Fatalf("purchase: %d %s", res.Status, res.Body)
	}
	b.run(t, chromedp.Navigate(e.URL+"/admin/orders?kind=exchange"), ready("orders"))
	if row := text(t, b, "table.grid tbody tr"); !strings.Contains(row, "Tea") || !strings.Contains(row, "exchanged") {
		t.Fatalf("exchange order row %q", row)
	}
	b.run(t, click("table.grid tbody tr td:first-child a"), ready("exchange-order"),
		typeIn("#refund-reason", "out of tea"), click("#refund"), visible("dialog.confirm"), click("#confirm-yes"))
	shows(t, b, ".status.ok", "Refunded")
	until(t, b, `document.body.dataset.ready && document.querySelector('main .kv') && !document.querySelector('#refund')`)
	if detail := text(t, b, "main"); !strings.Contains(detail, "refunded") {
		t.Fatalf("exchange order after the refund: %q", detail)
	}
	if bal := a.do("GET", "/users/"+buyer+"/ledger?currency=diamond", nil, 200)["items"].([]any)[0].(map[string]any)["balance"].(json.Number).String(); bal != "100" {
		t.Fatalf("diamonds after the refund: %s", bal)
	}
}

func TestDashboard(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	m := yuanyiCall(t, e, "user_signup", map[string]any{"country": "86", "phone": "18682222222", "code": "1234", "password": "123456", "nickname": "buyer"}, "")
	tok := m["token"].(string)
	m1, m2 := register(t, e, "13800138031"), register(t, e, "13800138032")
	memberCall(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "one"}, m1)
	memberCall(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "two"}, m2)
	a.do("POST", "/pushes", map[string]any{"push_title": "t", "push_body": "b"}, 201)
	tickets := shop(t, a, 2)
	for _, tk := range tickets {
		o := yuanyiCall(t, e, "order_create", map[string]any{"ticket_id_list": []any{tk}}, tok)["order_id"].(json.Number).String()
		yuanyiCall(t, e, "order_pay", map[string]any{"order_id": o, "pay_method": "sandbox"}, tok)
	}
	d := a.do("GET", "/dashboard?days=30", nil, 200)
	zone, err := time.LoadLocation(d["time_zone"].(string))
	if err != nil {
		t.Fatal(err)
	}
	today := e.Clock.Now().In(zone).Format("2006-01-02") // the days are the server's

	b := newTab(t)
	signIn(t, b, e)
	b.run(t, visible("svg.chart"))
	tiles := map[string]string{}
	for _, s := range texts(t, b, ".tiles .tile") {
		for _, k := range []string{"Users", "Active rooms", "Open feedback", "Pushes sent"} {
			if strings.HasPrefix(s, k) {
				tiles[k] = strings.TrimPrefix(s, k)
			}
		}
	}
	for k, key := range map[string]string{"Users": "users_total", "Active rooms": "active_rooms", "Open feedback": "open_feedback", "Pushes sent": "pushes_sent"} {
		if want := d[key].(json.Number).String(); tiles[k] != want {
			t.Fatalf("tile %s = %q, the API says %s (tiles %v)", k, tiles[k], want, tiles)
		}
	}
	if tiles["Users"] != "3" || tiles["Open feedback"] != "2" || tiles["Pushes sent"] != "1" {
		t.Fatalf("tiles %v", tiles)
	}
	// The charts: a bar a day, today's as tall as its number.
	bars := func(label string) []string {
		return texts(t, b, `svg.chart[aria-label="`+label+`"] rect.bar title`)
	}
	for label, want := range map[string]string{"sign-ups per day": today + ": 3", "revenue per day in cny": today + ": 4998 · 2 orders", "orders per day in cny": today + ": 2"} {
		got := bars(label)
		if len(got) != 30 || got[29] != want {
			t.Fatalf("%s: %d bars, last %q, want %q", label, len(got), got[len(got)-1], want)
		}
		h := get(t, b, chromedp.Evaluate[float64](`+[...document.querySelectorAll('svg.chart[aria-label="`+label+`"] rect.bar')].at(-1).getAttribute('height')`))
		if h <= 0 {
			t.Fatalf("%s: today's bar is %v high", label, h)
		}
	}
	b.run(t, chromedp.Navigate(e.URL+"/admin/?days=7"), ready("dashboard"))
	if got := bars("sign-ups per day"); len(got) != 7 {
		t.Fatalf("7 days: %d bars", len(got))
	}
}

// loginForm fills the login page (the page drawn) and signs in: the
// second factor's fields are filled when given.
func loginForm(t *testing.T, b tab, password, code, recovery string) {
	t.Helper()
	b.run(t, ready("login"))
	setValue(t, b, "#email", adminEmail)
	setValue(t, b, "#password", password)
	setValue(t, b, "#totp", code)
	setValue(t, b, "#recovery", recovery)
	b.run(t, click("#signin"))
}

// failsToSignIn waits for the login page's error and answers the form's text.
func failsToSignIn(t *testing.T, b tab) string {
	t.Helper()
	until(t, b, `document.querySelector('.status.error') && !document.querySelector('form[data-busy]')`)
	if p := get(t, b, chromedp.Evaluate[string](`document.body.dataset.page`)); p != "login" {
		t.Fatalf("on %s", p)
	}
	return text(t, b, "form.login")
}

func TestPasswordAndTOTP(t *testing.T) {
	e := env(t)
	b := newTab(t)
	signIn(t, b, e)
	// Change the password: the new one signs in, the old one no more.
	const newPassword = "ops-password-2"
	b.run(t, chromedp.Navigate(e.URL+"/admin/account"), ready("account"),
		typeIn("#old-password", "wrong-old-password"), typeIn("#new-password", newPassword), click("#change-password"))
	until(t, b, `document.querySelector('#change-password').form.querySelector('.status.error, .field.invalid')`)
	setValue(t, b, "#old-password", adminPassword)
	b.run(t, click("#change-password"))
	shows(t, b, ".status.ok", "Password changed.")
	b.run(t, click("#signout"))
	loginForm(t, b, adminPassword, "", "")
	failsToSignIn(t, b)
	loginForm(t, b, newPassword, "", "")
	b.run(t, ready("dashboard"))

	// Enrol: it needs the password; the QR code is drawn, the secret shown;
	// a wrong code is refused.
	b.run(t, chromedp.Navigate(e.URL+"/admin/account"), ready("account"), typeIn("#totp-password", "wrong-password"), click("#totp-start"))
	until(t, b, `document.querySelector('#totp-start').form.querySelector('.status.error, .field.invalid') || document.querySelector('.status.error')`)
	setValue(t, b, "#totp-password", newPassword)
	b.run(t, click("#totp-start"), visible("#totp-qr"))
	until(t, b, `document.querySelector('#totp-qr').complete && document.querySelector('#totp-qr').naturalWidth > 50`)
	secret := text(t, b, "#totp-secret")
	uri := get(t, b, chromedp.Evaluate[string](`document.querySelector('#totp-uri').href`))
	if !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret="+secret) {
		t.Fatalf("otpauth URI %q, secret %q", uri, secret)
	}
	code := func() string {
		c, err := totp.GenerateCode(secret, e.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wrong := func() string { // a code of another time: refused
		c, _ := totp.GenerateCode(secret, e.Clock.Now().Add(-time.Hour))
		return c
	}
	b.run(t, typeIn("#totp-code", wrong()), click("#totp-confirm"))
	until(t, b, `document.querySelector('.status.error, .field.invalid')`)
	setValue(t, b, "#totp-code", code())
	b.run(t, click("#totp-confirm"))
	until(t, b, `document.querySelectorAll('#recovery-codes li').length == 10`)
	recovery := texts(t, b, "#recovery-codes li")

	// Signing in needs the code now.
	e.Clock.Advance(30 * time.Second) // a code works once: the next step's
	b.run(t, click("#signout"))
	loginForm(t, b, newPassword, "", "")
	if msg := failsToSignIn(t, b); !strings.Contains(msg, "TOTP code") {
		t.Fatalf("without a code: %q", msg)
	}
	b.run(t, visible("#totp"))
	loginForm(t, b, newPassword, wrong(), "")
	if msg := failsToSignIn(t, b); !strings.Contains(msg, "wrong or already used code") {
		t.Fatalf("a wrong code: %q", msg)
	}
	loginForm(t, b, newPassword, code(), "")
	b.run(t, ready("dashboard"))
	// The same code again: refused.
	b.run(t, click("#signout"))
	loginForm(t, b, newPassword, code(), "")
	failsToSignIn(t, b)

	// A recovery code signs in once.
	loginForm(t, b, newPassword, "", recovery[3])
	b.run(t, ready("dashboard"), click("#signout"))
	loginForm(t, b, newPassword, "", recovery[3])
	if msg := failsToSignIn(t, b); !strings.Contains(msg, "wrong or already used code") {
		t.Fatalf("a used recovery code: %q", msg)
	}
	loginForm(t, b, newPassword, "", recovery[4])
	b.run(t, ready("dashboard"))
}
