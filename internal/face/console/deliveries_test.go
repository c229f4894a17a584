package console_test

// Browser tests of a push's delivery (the push page): its counts by
// state, its deliveries filtered by state and cursor-paged, the refresh
// while it is queued. The push outbox is made unwritable (its file a
// directory) where a test needs deliveries to wait: every send is then
// put off (a retry 5 s later by the fake clock, which stands still), so
// what the page shows does not depend on the background worker's pace.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"plaza/internal/plazatest"
)

// bind binds a device for the member whose token is tok (the member face).
func bind(t *testing.T, e *plazatest.Env, tok, clientID, clientType string) {
	t.Helper()
	if code, _ := memberCall(t, e, "POST", "/api/push/bind", map[string]any{"client_id": clientID, "client_type": clientType}, tok); code != 0 {
		t.Fatalf("bind %s: code %d", clientID, code)
	}
}

// jamPushes makes every push send fail for now (to be retried); the
// function it answers mends it.
func jamPushes(t *testing.T, e *plazatest.Env) func() {
	t.Helper()
	p := filepath.Join(e.Data, "outbox", "push.jsonl")
	kept := p + ".kept" // what was sent before, put back by the mend
	had := os.Rename(p, kept) == nil
	if err := os.MkdirAll(p, 0o700); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if had {
			if err := os.Rename(kept, p); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// untilCounts waits for the push page's counts, as "all=3 due=3 ...": the
// devices, then each state in the API's order.
func untilCounts(t *testing.T, b tab, want string) {
	t.Helper()
	until(t, b, `[...document.querySelectorAll('#delivery-counts [data-count]')].map(e => e.dataset.count + '=' + e.textContent).join(' ') === `+jsString(want))
}

// untilRows waits for the push page to list n deliveries, its More button
// shown or not as more says.
func untilRows(t *testing.T, b tab, n int, more bool) {
	t.Helper()
	until(t, b, `document.body.dataset.ready && document.querySelectorAll('#deliveries tr.delivery').length === `+strconv.Itoa(n)+
		` && document.querySelector('#deliveries-more').hidden === `+strconv.FormatBool(!more))
}

// rowStates answers the state of each delivery row shown.
func rowStates(t *testing.T, b tab) []string {
	t.Helper()
	return get(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#deliveries tr.delivery')].map(r => r.dataset.state)`))
}

// openLatestPush opens the push page of the newest push from the pushes
// page, and answers its id.
func openLatestPush(t *testing.T, b tab, e *plazatest.Env) string {
	t.Helper()
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes"), ready("pushes"))
	id := texts(t, b, "table.grid tbody tr:first-child td:first-child a")[0]
	b.run(t, click(`table.grid tbody tr:first-child a[href="/admin/pushes/`+id+`"]`), ready("push"))
	return id
}

func TestPushDeliveries(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	alice, bob := register(t, e, "13800138021"), register(t, e, "13800138022")
	aliceID, bobID := a.userID("13800138021"), a.userID("13800138022")
	bind(t, e, alice, "alice-iphone", "ios")
	bind(t, e, alice, "alice-pixel", "android")
	bind(t, e, bob, "bob-iphone", "ios")
	mend := jamPushes(t, e)
	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes"), ready("pushes"),
		typeIn("#push-title", "Delivery check"), typeIn("#push-body", "hello devices"), click("#send-push"))
	shows(t, b, ".status.ok", "every user")
	e.DeliverPushes() // after it, each delivery was tried once (by the worker or here) and put off

	// Queued in the history; its page shows the deliveries waiting.
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes"), ready("pushes"))
	if st := texts(t, b, "table.grid tbody tr:first-child .badge.warn[data-status]"); !slices.Equal(st, []string{"queued"}) {
		t.Fatalf("history row's status %v, want queued (a warning badge)", st)
	}
	id := openLatestPush(t, b, e)
	if got := text(t, b, "#push-title"); got != "Delivery check" {
		t.Fatalf("push title %q", got)
	}
	if got, to := text(t, b, "#push-status"), text(t, b, "#push"); got != "queued" || !strings.Contains(to, "everyone") || !strings.Contains(to, "hello devices") {
		t.Fatalf("push status %q, head %q", got, to)
	}
	untilCounts(t, b, "all=3 due=3 sending=0 delivered=0 failed=0 dead=0 skipped=0")
	untilRows(t, b, 3, false)
	rows := texts(t, b, "#deliveries tr.delivery")
	for _, r := range rows {
		if !strings.Contains(r, "due") || !strings.Contains(r, "outbox:") {
			t.Fatalf("a delivery put off shows %q", r)
		}
	}
	if all := strings.Join(rows, "\n"); !strings.Contains(all, "alice-iphone") || !strings.Contains(all, "alice-pixel") || !strings.Contains(all, "bob-iphone") {
		t.Fatalf("rows %q", rows)
	}

	// Queued, the page reads the push again by itself; left, it stops.
	reads := `performance.getEntriesByType('resource').filter(r => r.name.endsWith('/admin/v1/pushes/` + id + `')).length`
	n := get(t, b, chromedp.Evaluate[int](reads))
	until(t, b, reads+` > `+strconv.Itoa(n))
	b.run(t, click(`#nav a[href="/admin/pushes"]`), ready("pushes"))
	time.Sleep(time.Second) // a read under way when the page was left ends
	n = get(t, b, chromedp.Evaluate[int](reads))
	time.Sleep(3500 * time.Millisecond)
	if m := get(t, b, chromedp.Evaluate[int](reads)); m != n {
		t.Fatalf("the push page left, the push was read %d more times", m-n)
	}

	// Bob switches his phone off before its next try; the outbox mended,
	// Alice's two are delivered and Bob's skipped.
	b.run(t, click(`table.grid tbody tr:first-child a[href="/admin/pushes/`+id+`"]`), ready("push"))
	untilRows(t, b, 3, false)
	if code, _ := memberCall(t, e, "PUT", "/api/push/switch/bob-iphone", map[string]any{"switch": false}, bob); code != 0 {
		t.Fatalf("switch off: code %d", code)
	}
	mend()
	e.Clock.Advance(time.Minute)
	e.DeliverPushes()
	// Refresh (a script's click: the auto-refresh may have hidden it already).
	get(t, b, chromedp.Evaluate[bool](`document.querySelector('#push-refresh').click(), true`))
	until(t, b, `document.querySelector('#push-status').textContent === 'sent' && document.querySelector('#push-refresh').hidden`)
	untilCounts(t, b, "all=3 due=0 sending=0 delivered=2 failed=0 dead=0 skipped=1")
	until(t, b, `[...document.querySelectorAll('#deliveries tr.delivery')].map(r => r.dataset.state).sort().join() === 'delivered,delivered,skipped'`)

	// Filtered by state.
	b.run(t, click(`#delivery-tabs a[data-state="skipped"]`), ready("push"))
	untilRows(t, b, 1, false)
	if row := texts(t, b, "#deliveries tr.delivery")[0]; !strings.Contains(row, "bob-iphone") || !strings.Contains(row, bobID) || !strings.Contains(row, "pushes switched off") {
		t.Fatalf("skipped row %q", row)
	}
	if on := texts(t, b, "#delivery-tabs a.on"); !slices.Equal(on, []string{"skipped"}) {
		t.Fatalf("tab on %v", on)
	}
	b.run(t, click(`#delivery-tabs a[data-state="delivered"]`), ready("push"))
	untilRows(t, b, 2, false)
	if st := rowStates(t, b); !slices.Equal(st, []string{"delivered", "delivered"}) {
		t.Fatalf("delivered tab shows %v", st)
	}
	if all := strings.Join(texts(t, b, "#deliveries tr.delivery"), "\n"); !strings.Contains(all, "alice-iphone") || !strings.Contains(all, "alice-pixel") {
		t.Fatalf("delivered rows %q", all)
	}
	b.run(t, click(`#delivery-tabs a[data-state="failed"]`), ready("push"))
	shows(t, b, "#deliveries tbody td", "No delivery failed.")
	b.run(t, click(`#delivery-tabs a[data-state="all"]`), ready("push"))
	untilRows(t, b, 3, false)
	// A row's user links to the user's page.
	b.run(t, click(`#deliveries tr.delivery a[href="/admin/users/`+aliceID+`"]`), ready("user"))
	if st := texts(t, b, "#user-devices tbody tr"); len(st) != 2 {
		t.Fatalf("alice's devices %q", st)
	}
	// In the history it is sent now.
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes"), ready("pushes"))
	if st := texts(t, b, "table.grid tbody tr:first-child .badge[data-status]"); !slices.Equal(st, []string{"sent"}) {
		t.Fatalf("history row's status %v, want sent", st)
	}
}

// More deliveries than a page: the list pages on with More, filtered too;
// a push given up on is failed in the history.
func TestPushDeliveriesPaging(t *testing.T) {
	e := env(t)
	a := apiLogin(t, e)
	carol, dave := register(t, e, "13800138023"), register(t, e, "13800138024")
	carolID, daveID := a.userID("13800138023"), a.userID("13800138024")
	var tokens []string
	for i := range 25 {
		tokens = append(tokens, fmt.Sprintf("carol-%02d", i))
		bind(t, e, carol, tokens[i], "android")
	}
	bind(t, e, dave, "dave-iphone", "ios")
	b := newTab(t)
	signIn(t, b, e)
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes"), ready("pushes"),
		typeIn("#push-title", "Many devices"), typeIn("#push-body", "to Carol's 25"), click("#to-some"), typeIn("#push-users", carolID), click("#send-push"))
	shows(t, b, ".status.ok", "1 chosen users")
	e.DeliverPushes()
	openLatestPush(t, b, e)
	if got := text(t, b, "#push-status"); got != "sent" {
		t.Fatalf("push status %q", got)
	}
	if to := text(t, b, "#push-to"); to != "user "+carolID {
		t.Fatalf("to %q", to)
	}
	untilCounts(t, b, "all=25 due=0 sending=0 delivered=25 failed=0 dead=0 skipped=0")
	untilRows(t, b, 20, true)
	b.run(t, click("#deliveries-more"))
	untilRows(t, b, 25, false)
	shown := get(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#deliveries tr.delivery code.token')].map(c => c.textContent)`))
	slices.Sort(shown)
	if !slices.Equal(shown, tokens) {
		t.Fatalf("the two pages show %v, want each of carol's devices once", shown)
	}
	// A filter pages the same way.
	b.run(t, click(`#delivery-tabs a[data-state="delivered"]`), ready("push"))
	untilRows(t, b, 20, true)
	b.run(t, click("#deliveries-more"))
	untilRows(t, b, 25, false)
	b.run(t, click(`#delivery-tabs a[data-state="skipped"]`), ready("push"))
	shows(t, b, "#deliveries tbody td", "No delivery skipped.")

	// Dave's push is never taken: given up after its 8 tries, it failed.
	mend := jamPushes(t, e)
	defer mend()
	p := a.do("POST", "/pushes", map[string]any{"push_title": "Never arrives", "push_body": "x", "user_ids": []any{json.Number(daveID)}}, 201)
	pid := p["id"].(json.Number).String()
	for range 9 { // each retry comes due within 15 minutes (5 s doubling, ±20%)
		e.DeliverPushes()
		e.Clock.Advance(15 * time.Minute)
	}
	if st := a.do("GET", "/pushes/"+pid, nil, 200)["status"].(json.Number).String(); st != "2" {
		t.Fatalf("push status %s after its tries, want 2 (failed)", st)
	}
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes"), ready("pushes"))
	if st := texts(t, b, "table.grid tbody tr .badge[data-status]"); !slices.Equal(st, []string{"failed", "sent"}) {
		t.Fatalf("history statuses %v", st)
	}
	if n := len(texts(t, b, "table.grid tbody tr:first-child .badge.bad[data-status]")); n != 1 {
		t.Fatal("a failed push is not shown as bad")
	}
	b.run(t, chromedp.Navigate(e.URL+"/admin/pushes/"+pid+"?state=failed"), ready("push"))
	untilRows(t, b, 1, false)
	if row := texts(t, b, "#deliveries tr.delivery")[0]; !strings.Contains(row, "dave-iphone") || !strings.Contains(row, "given up after 8 tries") {
		t.Fatalf("failed row %q", row)
	}
	if got := text(t, b, "#push-status"); got != "failed" {
		t.Fatalf("push status %q", got)
	}
}
