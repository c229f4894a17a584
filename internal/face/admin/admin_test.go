package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

const (
	adminEmail    = "ops@example.com"
	adminPassword = "ops-password"
)

// withAdmin is the setting that makes the first admin at start.
var withAdmin = map[string]string{"PLAZA_ADMIN_EMAIL": adminEmail, "PLAZA_ADMIN_PASSWORD": adminPassword}

// ---- helpers -------------------------------------------------------------

// api sends admin-face requests with one bearer token.
type api struct {
	t     *testing.T
	e     *plazatest.Env
	token string
}

// Every exchange is checked against the OpenAPI document (contract_test.go).
func (a api) do(method, path string, body any) plazatest.Response {
	a.t.Helper()
	return check(a).do(method, path, body)
}

// ok sends a request that must answer status with a JSON object, and
// returns that object (nil for 204, whose body must be empty).
func (a api) ok(method, path string, body any, status int) map[string]any {
	a.t.Helper()
	return wantOK(a.t, a.do(method, path, body), method+" "+path, status)
}

// fail sends a request that must be refused with status, error code and
// (when not "") error field.
func (a api) fail(method, path string, body any, status int, code, field string) {
	a.t.Helper()
	wantError(a.t, a.do(method, path, body), method+" "+path, status, code, field)
}

func wantOK(t *testing.T, res plazatest.Response, what string, status int) map[string]any {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: HTTP %d, want %d: %s", what, res.Status, status, res.Body)
	}
	if status == http.StatusNoContent {
		if len(res.Body) != 0 {
			t.Fatalf("%s: 204 with a body: %s", what, res.Body)
		}
		return nil
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q", what, ct)
	}
	m := res.JSON()
	if m == nil {
		t.Fatalf("%s: not a JSON object: %s", what, res.Body)
	}
	if _, isErr := m["error"]; isErr {
		t.Fatalf("%s: error in a success: %s", what, res.Body)
	}
	return m
}

// wantError checks {"error": {"code", "message"[, "field"]}} and nothing else.
func wantError(t *testing.T, res plazatest.Response, what string, status int, code, field string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: HTTP %d, want %d: %s", what, res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q: %s", what, ct, res.Body)
	}
	m := res.JSON()
	sameKeys(t, what+": error body", m, "error")
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("%s: error is not an object: %s", what, res.Body)
	}
	if e["code"] != code {
		t.Fatalf("%s: error code %v, want %s: %s", what, e["code"], code, res.Body)
	}
	if msg, _ := e["message"].(string); msg == "" || msg == "internal error" {
		t.Fatalf("%s: error message %q", what, msg)
	}
	if got, _ := e["field"].(string); got != field {
		t.Fatalf("%s: error field %q, want %q: %s", what, got, field, res.Body)
	}
	if field == "" {
		sameKeys(t, what+": error", e, "code", "message")
	} else {
		sameKeys(t, what+": error", e, "code", "message", "field")
	}
}

// login signs the first admin in.
func login(t *testing.T, e *plazatest.Env) api {
	t.Helper()
	res := e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword})
	m := wantOK(t, res, "login", http.StatusOK)
	sameKeys(t, "login", m, "token", "csrf_token", "expires_at", "admin")
	tok, _ := m["token"].(string)
	if len(tok) < 32 {
		t.Fatalf("admin token %q is too short", tok)
	}
	return api{t: t, e: e, token: tok}
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%v is not an integer", v)
	}
	return i
}

func idStr(t *testing.T, m map[string]any) string {
	t.Helper()
	return strconv.FormatInt(num(t, m["id"]), 10)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameKeys(t *testing.T, what string, got map[string]any, want ...string) {
	t.Helper()
	sort.Strings(want)
	if !reflect.DeepEqual(keys(got), want) {
		t.Fatalf("%s keys = %v, want %v", what, keys(got), want)
	}
}

// page checks a list answer and returns its items.
func page(t *testing.T, m map[string]any, total, no, size int64) []map[string]any {
	t.Helper()
	sameKeys(t, "list", m, "items", "total", "page", "page_size")
	if num(t, m["total"]) != total || num(t, m["page"]) != no || num(t, m["page_size"]) != size {
		t.Fatalf("list total/page/page_size = %v/%v/%v, want %d/%d/%d", m["total"], m["page"], m["page_size"], total, no, size)
	}
	raw, ok := m["items"].([]any)
	if !ok {
		t.Fatalf("items is %T (%v), want a list", m["items"], m["items"])
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

func ids(t *testing.T, items []map[string]any) []int64 {
	t.Helper()
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = num(t, it["id"])
	}
	return out
}

func total(t *testing.T, a api, path string) int64 {
	t.Helper()
	return num(t, a.ok("GET", path, nil, http.StatusOK)["total"])
}

// rows counts the rows of a table straight in the database.
func rows(t *testing.T, e *plazatest.Env, table string) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rfc is the admin face's time format for plazatest.Start + d.
func rfc(d time.Duration) string { return plazatest.Start.Add(d).UTC().Format(time.RFC3339) }

// ---- the member face, for users, their tokens, feedback and push logs ---

// member calls the member face, which answers HTTP 200 with {code, data}.
func member(t *testing.T, e *plazatest.Env, method, path string, body any, token string) (int64, map[string]any) {
	t.Helper()
	var headers []string
	if token != "" {
		headers = []string{"Authorization", "Token " + token}
	}
	res := e.Do(method, path, body, headers...)
	if res.Status != http.StatusOK {
		t.Fatalf("member %s %s: HTTP %d: %s", method, path, res.Status, res.Body)
	}
	env := res.JSON()
	if env == nil {
		t.Fatalf("member %s %s: not JSON: %s", method, path, res.Body)
	}
	data, _ := env["data"].(map[string]any)
	return num(t, env["code"]), data
}

func memberOK(t *testing.T, e *plazatest.Env, method, path string, body any, token string) map[string]any {
	t.Helper()
	code, data := member(t, e, method, path, body, token)
	if code != 0 {
		t.Fatalf("member %s %s: code %d", method, path, code)
	}
	return data
}

// register signs a member up with a mainland phone number and returns the
// access token and user id.
func register(t *testing.T, e *plazatest.Env, phone string) (token string, id int64) {
	t.Helper()
	memberOK(t, e, "POST", "/api/auth/send_code", map[string]any{"account": phone}, "")
	d := memberOK(t, e, "POST", "/api/auth/register",
		map[string]any{"account": phone, "code": e.LastCode("86" + phone), "password": "secret123"}, "")
	token = d["access_token"].(string)
	return token, num(t, memberOK(t, e, "GET", "/api/personal/info", nil, token)["id"])
}

// ---- login, logout, expiry -----------------------------------------------

func TestLogin(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		cases := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"right password", map[string]any{"email": adminEmail, "password": adminPassword}, 200, ""},
			{"e-mail in other case and spaces", map[string]any{"email": "  OPS@Example.COM ", "password": adminPassword}, 200, ""},
			{"wrong password", map[string]any{"email": adminEmail, "password": "ops-passwordx"}, 401, "unauthenticated"},
			{"password in other case", map[string]any{"email": adminEmail, "password": strings.ToUpper(adminPassword)}, 401, "unauthenticated"},
			{"unknown e-mail", map[string]any{"email": "nobody@example.com", "password": adminPassword}, 401, "unauthenticated"},
			{"malformed JSON", `{"email": "ops@example.com", `, 400, "invalid"},
			{"empty body", ``, 400, "invalid"},
			{"JSON null", `null`, 400, "invalid"},
			{"JSON array", `[{"email": "ops@example.com", "password": "ops-password"}]`, 400, "invalid"},
			{"two objects", `{"email": "ops@example.com", "password": "ops-password"} {}`, 400, "invalid"},
			{"trailing bracket", `{"email": "ops@example.com", "password": "ops-password"}]`, 400, "invalid"},
			{"missing password", map[string]any{"email": adminEmail}, 400, "invalid"},
			{"missing email", map[string]any{"password": adminPassword}, 400, "invalid"},
			{"empty password", map[string]any{"email": adminEmail, "password": ""}, 400, "invalid"},
			{"email a number", map[string]any{"email": 5, "password": adminPassword}, 400, "invalid"},
			{"password a list", map[string]any{"email": adminEmail, "password": []string{adminPassword}}, 400, "invalid"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := e.Do("POST", "/admin/v1/login", c.body)
				if c.status == 200 {
					m := wantOK(t, res, "login", 200)
					sameKeys(t, "login", m, "token", "csrf_token", "expires_at", "admin")
					return
				}
				// A text of another type is refused naming its field.
				wantError(t, res, "login", c.status, c.code, map[string]string{"email a number": "email", "password a list": "password"}[c.name])
			})
		}
		// A wrong password and an unknown e-mail look the same.
		wrong := e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": "nope-nope"})
		unknown := e.Do("POST", "/admin/v1/login", map[string]any{"email": "x@example.com", "password": "nope-nope"})
		if string(wrong.Body) != string(unknown.Body) {
			t.Fatalf("wrong password %s and unknown e-mail %s answer differently", wrong.Body, unknown.Body)
		}
		// A user's password does not open the admin face.
		register(t, e, "13800138000")
		wantError(t, e.Do("POST", "/admin/v1/login", map[string]any{"email": "13800138000", "password": "secret123"}),
			"login as a user", 401, "unauthenticated", "")
	})
}

func TestNoAdminWithoutSettings(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		wantError(t, e.Do("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}),
			"login", 401, "unauthenticated", "")
	})
}

func TestLogout(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		one, two := login(t, e), login(t, e)
		if one.token == two.token {
			t.Fatal("two sign-ins got the same token")
		}
		one.ok("GET", "/admin/v1/faqs", nil, 200)
		one.ok("POST", "/admin/v1/logout", nil, 204)
		one.fail("GET", "/admin/v1/faqs", nil, 401, "unauthenticated", "")
		one.fail("POST", "/admin/v1/logout", nil, 401, "unauthenticated", "")
		// The other session lives on.
		two.ok("GET", "/admin/v1/faqs", nil, 200)
		api{t: t, e: e}.fail("POST", "/admin/v1/logout", nil, 401, "unauthenticated", "")
	})
}

func TestTokenExpiry(t *testing.T) {
	env := map[string]string{"PLAZA_ADMIN_TOKEN_TTL": "1h"}
	for k, v := range withAdmin {
		env[k] = v
	}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		e.Clock.Advance(time.Hour - time.Second)
		a.ok("GET", "/admin/v1/faqs", nil, 200)
		e.Clock.Advance(time.Second)
		a.fail("GET", "/admin/v1/faqs", nil, 401, "unauthenticated", "")
		// Signing in again works.
		login(t, e).ok("GET", "/admin/v1/faqs", nil, 200)
	})
}

// ---- authorization -----------------------------------------------------

func TestAuthorization(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		userToken, userID := register(t, e, "13800138000")
		faq := a.ok("POST", "/admin/v1/faqs", map[string]any{"title": "Q"}, 201)
		uid := strconv.FormatInt(userID, 10)

		headers := []struct {
			name  string
			value string // "" sends no Authorization header
		}{
			{"no header", ""},
			{"empty bearer", "Bearer "},
			{"garbage token", "Bearer garbage"},
			{"long garbage token", "Bearer " + strings.Repeat("a", 5000)},
			{"user access token", "Bearer " + userToken},
			{"user access token, Token scheme", "Token " + userToken},
			{"admin token with a suffix", "Bearer " + a.token + "x"},
			{"admin token without scheme", a.token},
			{"admin token, Basic scheme", "Basic " + a.token},
		}
		faqPath := "/admin/v1/faqs/" + idStr(t, faq)
		routes := []struct {
			method, path string
			body         any
		}{
			{"GET", "/admin/v1/faqs", nil},
			{"POST", "/admin/v1/faqs", map[string]any{"title": "sneaky"}},
			{"GET", faqPath, nil},
			{"PATCH", faqPath, map[string]any{"title": "sneaky"}},
			{"DELETE", faqPath, nil},
			{"GET", "/admin/v1/feedback-categories", nil},
			{"GET", "/admin/v1/users", nil},
			{"GET", "/admin/v1/users/" + uid, nil},
			{"PATCH", "/admin/v1/users/" + uid, map[string]any{"is_active": false}},
			{"POST", "/admin/v1/users/" + uid + "/ban", nil},
			{"POST", "/admin/v1/users/" + uid + "/unban", nil},
			{"GET", "/admin/v1/pushes", nil},
			{"POST", "/admin/v1/pushes", map[string]any{"push_title": "sneaky"}},
			{"GET", "/admin/v1/feedback", nil},
			{"POST", "/admin/v1/feedback/1/replies", map[string]any{"content": "sneaky"}},
			{"POST", "/admin/v1/logout", nil},
		}
		for _, h := range headers {
			t.Run(h.name, func(t *testing.T) {
				for _, r := range routes {
					var hs []string
					if h.value != "" {
						hs = []string{"Authorization", h.value}
					}
					res := e.Do(r.method, r.path, r.body, hs...)
					wantError(t, res, r.method+" "+r.path, 401, "unauthenticated", "")
				}
			})
		}
		// Nothing was done by the refused requests.
		got := a.ok("GET", "/admin/v1/faqs/"+idStr(t, faq), nil, 200)
		if !reflect.DeepEqual(got, faq) {
			t.Fatalf("faq changed: %v, was %v", got, faq)
		}
		if n := total(t, a, "/admin/v1/faqs"); n != 1 {
			t.Fatalf("%d faqs, want 1", n)
		}
		if n := total(t, a, "/admin/v1/pushes"); n != 0 {
			t.Fatalf("%d pushes, want 0", n)
		}
		memberOK(t, e, "GET", "/api/personal/info", nil, userToken)
		// The admin token still works, and is no user token.
		a.ok("GET", "/admin/v1/faqs", nil, 200)
		if code, _ := member(t, e, "GET", "/api/personal/info", nil, a.token); code != 10004 {
			t.Fatalf("admin token on the member face: code %d, want 10004", code)
		}
	})
}

// ---- generic collections -----------------------------------------------

type collection struct {
	name     string
	required string   // the required text field
	max      int      // its cap in characters
	other    string   // an optional text field
	otherMax int      // its cap
	fields   []string // every field
}

var collections = []collection{
	{"faqs", "title", 200, "content", 20000, []string{"title", "content", "category", "external_link"}},
	{"feedback-categories", "name", 100, "description", 1000, []string{"name", "description"}},
}

func TestCollections(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		for _, c := range collections {
			t.Run(c.name, func(t *testing.T) {
				a := api{t: t, e: e, token: a.token}
				testCollection(t, e, a, c)
			})
		}
	})
}

func testCollection(t *testing.T, e *plazatest.Env, a api, c collection) {
	base := "/admin/v1/" + c.name
	recordKeys := append([]string{"id", "created_at", "updated_at"}, c.fields...)
	start := e.Clock.Now().Sub(plazatest.Start)

	// Empty: a list, not null.
	if items := page(t, a.ok("GET", base, nil, 200), 0, 1, 20); len(items) != 0 {
		t.Fatalf("items of an empty collection: %v", items)
	}

	// Create: 201 with the id and every field, defaults for the absent.
	first := a.ok("POST", base, map[string]any{c.required: "First", c.other: "其他"}, 201)
	sameKeys(t, "created", first, recordKeys...)
	if num(t, first["id"]) < 1 || first[c.required] != "First" || first[c.other] != "其他" ||
		first["created_at"] != rfc(start) || first["updated_at"] != rfc(start) {
		t.Fatalf("created = %v", first)
	}
	for _, f := range c.fields {
		if f != c.required && f != c.other && first[f] != "" {
			t.Fatalf("absent field %s = %v, want \"\"", f, first[f])
		}
	}
	id := idStr(t, first)
	path := base + "/" + id

	// Read.
	if got := a.ok("GET", path, nil, 200); !reflect.DeepEqual(got, first) {
		t.Fatalf("read %v, created %v", got, first)
	}

	// PATCH changes only the given fields, and updated_at.
	e.Clock.Advance(time.Minute)
	patched := a.ok("PATCH", path, map[string]any{c.other: "changed"}, 200)
	want := map[string]any{}
	for k, v := range first {
		want[k] = v
	}
	want[c.other] = "changed"
	want["updated_at"] = rfc(start + time.Minute)
	if !reflect.DeepEqual(patched, want) {
		t.Fatalf("patched = %v, want %v", patched, want)
	}
	if got := a.ok("GET", path, nil, 200); !reflect.DeepEqual(got, want) {
		t.Fatalf("read after PATCH = %v, want %v", got, want)
	}
	// The record as read may be sent back without its read-only id and
	// times; with any of them it is refused.
	e.Clock.Advance(time.Minute)
	echo := map[string]any{}
	for k, v := range want {
		echo[k] = v
	}
	echo[c.required] = "First, again"
	for _, ro := range []string{"id", "created_at", "updated_at"} {
		a.fail("PATCH", path, map[string]any{c.required: "x", ro: echo[ro]}, 400, "invalid", ro)
		delete(echo, ro)
	}
	got := a.ok("PATCH", path, echo, 200)
	want[c.required] = "First, again"
	want["updated_at"] = rfc(start + 2*time.Minute)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("patched with the record sent back = %v, want %v", got, want)
	}
	a.fail("GET", base+"/987654", nil, 404, "not_found", "")
	// An empty PATCH only touches updated_at.
	e.Clock.Advance(time.Minute)
	got = a.ok("PATCH", path, map[string]any{}, 200)
	want["updated_at"] = rfc(start + 3*time.Minute)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("empty PATCH = %v, want %v", got, want)
	}
	// Lengths are counted in characters, not bytes; empty optional text is fine.
	long := a.ok("POST", base, map[string]any{c.required: strings.Repeat("長", c.max), c.other: ""}, 201)
	a.ok("DELETE", base+"/"+idStr(t, long), nil, 204)

	// Paging: newest first, with the total.
	created := []int64{num(t, first["id"])}
	for i := range 4 {
		e.Clock.Advance(time.Second)
		r := a.ok("POST", base, map[string]any{c.required: fmt.Sprintf("R%d", i)}, 201)
		created = append(created, num(t, r["id"]))
	}
	newest := func(from, n int) []int64 { // created[] reversed, [from:from+n]
		var out []int64
		for i := len(created) - 1 - from; i >= 0 && len(out) < n; i-- {
			out = append(out, created[i])
		}
		return out
	}
	pages := []struct {
		query    string
		no, size int64
		want     []int64
	}{
		{"", 1, 20, newest(0, 5)},
		{"?page_size=2", 1, 2, newest(0, 2)},
		{"?page=2&page_size=2", 2, 2, newest(2, 2)},
		{"?page=3&page_size=2", 3, 2, newest(4, 2)},
		{"?page=4&page_size=2", 4, 2, nil},
		{"?page=1&page_size=100", 1, 100, newest(0, 5)},
		{"?page=1000000&page_size=1", 1000000, 1, nil},
	}
	for _, p := range pages {
		items := page(t, a.ok("GET", base+p.query, nil, 200), 5, p.no, p.size)
		if got := ids(t, items); !reflect.DeepEqual(got, p.want) && (len(got) != 0 || len(p.want) != 0) {
			t.Fatalf("%s%s: ids %v, want %v", base, p.query, got, p.want)
		}
		for _, it := range items {
			sameKeys(t, "list item", it, recordKeys...)
		}
	}
	// The record read in a list is the record read alone.
	if items := page(t, a.ok("GET", base+"?page=3&page_size=2", nil, 200), 5, 3, 2); !reflect.DeepEqual(items[0], want) {
		t.Fatalf("listed %v, read %v", items[0], want)
	}

	// Refused input: 400 invalid naming the field, nothing written.
	over := strings.Repeat("x", c.max+1)
	overOther := strings.Repeat("長", c.otherMax+1)
	bad := []struct {
		name   string
		method string
		body   any
		field  string
	}{
		{"unknown field", "POST", map[string]any{c.required: "x", "nope": 1}, "nope"},
		{"unknown field only", "POST", map[string]any{"nope": "x"}, "nope"},
		{"required missing", "POST", map[string]any{c.other: "x"}, c.required},
		{"required missing, empty object", "POST", map[string]any{}, c.required},
		{"required empty", "POST", map[string]any{c.required: ""}, c.required},
		{"required a number", "POST", map[string]any{c.required: 5}, c.required},
		{"required null", "POST", map[string]any{c.required: nil}, c.required},
		{"required true", "POST", map[string]any{c.required: true}, c.required},
		{"required a list", "POST", map[string]any{c.required: []string{"x"}}, c.required},
		{"required an object", "POST", map[string]any{c.required: map[string]any{"x": 1}}, c.required},
		{"other a number", "POST", map[string]any{c.required: "x", c.other: 5}, c.other},
		{"other null", "POST", map[string]any{c.required: "x", c.other: nil}, c.other},
		{"required too long", "POST", map[string]any{c.required: over}, c.required},
		{"other too long", "POST", map[string]any{c.required: "x", c.other: overOther}, c.other},
		{"PATCH unknown field", "PATCH", map[string]any{"nope": 1}, "nope"},
		{"PATCH good and unknown field", "PATCH", map[string]any{c.other: "new", "nope": 1}, "nope"},
		{"PATCH required empty", "PATCH", map[string]any{c.required: ""}, c.required},
		{"PATCH required null", "PATCH", map[string]any{c.required: nil}, c.required},
		{"PATCH required a number", "PATCH", map[string]any{c.other: "new", c.required: 5}, c.required},
		{"PATCH required too long", "PATCH", map[string]any{c.other: "new", c.required: over}, c.required},
		{"PATCH other a bool", "PATCH", map[string]any{c.other: false}, c.other},
		{"PATCH other too long", "PATCH", map[string]any{c.required: "new", c.other: overOther}, c.other},
	}
	notObjects := []string{``, `{`, `{"` + c.required + `": "x"`, `null`, `[]`, `[{"` + c.required + `": "x"}]`, `"x"`, `5`, `true`,
		`{"` + c.required + `": "a"} {"` + c.required + `": "b"}`, `{"` + c.required + `": "a"}]`, `{"` + c.required + `": "a"}}`,
		`{"` + c.required + `": "a"} x`}
	totalBefore := total(t, a, base)
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			p := base
			if b.method == "PATCH" {
				p = path
			}
			a := api{t: t, e: e, token: a.token}
			a.fail(b.method, p, b.body, 400, "invalid", b.field)
		})
	}
	for _, body := range notObjects {
		t.Run("not an object: "+body, func(t *testing.T) {
			a := api{t: t, e: e, token: a.token}
			a.fail("POST", base, body, 400, "invalid", "")
			a.fail("PATCH", path, body, 400, "invalid", "")
		})
	}
	huge := `{"` + c.required + `": "` + strings.Repeat("x", 2<<20) + `"}`
	a.fail("POST", base, huge, 400, "invalid", "")
	a.fail("PATCH", path, huge, 400, "invalid", "")
	if n := total(t, a, base); n != totalBefore {
		t.Fatalf("total %d after refused creates, was %d", n, totalBefore)
	}
	if got := a.ok("GET", path, nil, 200); !reflect.DeepEqual(got, want) {
		t.Fatalf("record after refused PATCHes = %v, want %v", got, want)
	}

	// Bad paging.
	for _, q := range []struct{ query, field string }{
		{"page_size=0", "page_size"}, {"page_size=101", "page_size"}, {"page_size=abc", "page_size"},
		{"page_size=-1", "page_size"}, {"page_size=1.5", "page_size"}, {"page_size=99999999999999999999", "page_size"},
		{"page=0", "page"}, {"page=-1", "page"}, {"page=abc", "page"}, {"page=1000001", "page"},
		{"page=1&page_size=0", "page_size"},
	} {
		a.fail("GET", base+"?"+q.query, nil, 400, "invalid", q.field)
	}

	// Ids that name nothing: 404.
	for _, bad := range []string{"abc", "0", "-1", "99999", "99999999999999999999", "1.5", "1e3", "%20" + id, id + "x"} {
		p := base + "/" + bad
		a.fail("GET", p, nil, 404, "not_found", "")
		a.fail("PATCH", p, map[string]any{c.other: "x"}, 404, "not_found", "")
		a.fail("DELETE", p, nil, 404, "not_found", "")
	}
	if n := total(t, a, base); n != totalBefore {
		t.Fatalf("total %d after refused deletes, was %d", n, totalBefore)
	}

	// Delete: 204, then it is gone.
	a.ok("DELETE", path, nil, 204)
	a.fail("GET", path, nil, 404, "not_found", "")
	a.fail("PATCH", path, map[string]any{c.other: "x"}, 404, "not_found", "")
	a.fail("DELETE", path, nil, 404, "not_found", "")
	if n := total(t, a, base); n != totalBefore-1 {
		t.Fatalf("total %d after delete, want %d", n, totalBefore-1)
	}
	for _, it := range page(t, a.ok("GET", base+"?page_size=100", nil, 200), totalBefore-1, 1, 100) {
		if idStr(t, it) == id {
			t.Fatalf("deleted record %s still listed", id)
		}
	}
}

// ---- users ---------------------------------------------------------------

func TestUsers(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		page(t, a.ok("GET", "/admin/v1/users", nil, 200), 0, 1, 20)
		aliceTok, aliceID := register(t, e, "13800138000")
		e.Clock.Advance(time.Minute)
		bobTok, bobID := register(t, e, "13900139000")
		alice := "/admin/v1/users/" + strconv.FormatInt(aliceID, 10)
		bob := "/admin/v1/users/" + strconv.FormatInt(bobID, 10)
		userKeys := []string{"id", "area", "phone", "email", "openid", "uid", "nickname", "avatar", "gender", "birthday",
			"address", "role", "is_active", "created_at", "updated_at"}

		// List, newest first, paged.
		items := page(t, a.ok("GET", "/admin/v1/users", nil, 200), 2, 1, 20)
		if got := ids(t, items); !reflect.DeepEqual(got, []int64{bobID, aliceID}) {
			t.Fatalf("users %v, want [%d %d]", got, bobID, aliceID)
		}
		items = page(t, a.ok("GET", "/admin/v1/users?page=2&page_size=1", nil, 200), 2, 2, 1)
		if got := ids(t, items); !reflect.DeepEqual(got, []int64{aliceID}) {
			t.Fatalf("page 2: %v, want [%d]", got, aliceID)
		}
		a.fail("GET", "/admin/v1/users?page_size=101", nil, 400, "invalid", "page_size")
		a.fail("GET", "/admin/v1/users?page=x", nil, 400, "invalid", "page")

		// Read.
		u := a.ok("GET", alice, nil, 200)
		sameKeys(t, "user", u, userKeys...)
		if num(t, u["id"]) != aliceID || u["phone"] != "13800138000" || u["area"] != "86" || u["is_active"] != true ||
			u["created_at"] != rfc(0) || u["updated_at"] != rfc(0) {
			t.Fatalf("alice = %v", u)
		}
		if !reflect.DeepEqual(items[0], u) {
			t.Fatalf("listed %v, read %v", items[0], u)
		}
		for _, p := range []string{"99999", "0", "-1", "abc", "99999999999999999999"} {
			a.fail("GET", "/admin/v1/users/"+p, nil, 404, "not_found", "")
			a.fail("PATCH", "/admin/v1/users/"+p, map[string]any{"is_active": false}, 404, "not_found", "")
			a.fail("POST", "/admin/v1/users/"+p+"/ban", nil, 404, "not_found", "")
			a.fail("POST", "/admin/v1/users/"+p+"/unban", nil, 404, "not_found", "")
		}

		// PATCH takes only is_active, a boolean.
		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"other key", map[string]any{"nickname": "x"}, "nickname"},
			{"is_active and another key", map[string]any{"is_active": false, "role": 1}, "role"},
			{"is_active a string", map[string]any{"is_active": "false"}, "is_active"},
			{"is_active a number", map[string]any{"is_active": 0}, "is_active"},
			{"is_active null", map[string]any{"is_active": nil}, "is_active"},
			{"empty object", map[string]any{}, "is_active"},
			{"not an object", `[false]`, ""},
			{"null body", `null`, ""},
			{"malformed", `{"is_active": fal`, ""},
		} {
			a.fail("PATCH", alice, c.body, 400, "invalid", c.field)
		}
		if got := a.ok("GET", alice, nil, 200); !reflect.DeepEqual(got, u) {
			t.Fatalf("alice after refused PATCHes = %v, was %v", got, u)
		}
		memberOK(t, e, "GET", "/api/personal/info", nil, aliceTok)

		// Ban through PATCH: her sessions end at once; Bob is untouched.
		e.Clock.Advance(time.Minute)
		banned := a.ok("PATCH", alice, map[string]any{"is_active": false}, 200)
		sameKeys(t, "banned user", banned, userKeys...)
		if banned["is_active"] != false || banned["updated_at"] != rfc(2*time.Minute) || banned["created_at"] != u["created_at"] {
			t.Fatalf("banned = %v", banned)
		}
		if code, _ := member(t, e, "GET", "/api/personal/info", nil, aliceTok); code != 10004 {
			t.Fatalf("banned user's token: code %d, want 10004", code)
		}
		if code, _ := member(t, e, "POST", "/api/auth/access_token", map[string]any{"account": "13800138000", "password": "secret123"}, ""); code != 10003 {
			t.Fatalf("banned user signing in: code %d, want 10003", code)
		}
		memberOK(t, e, "GET", "/api/personal/info", nil, bobTok)
		if got := a.ok("GET", alice, nil, 200); got["is_active"] != false {
			t.Fatalf("alice after ban = %v", got)
		}

		// Unban: a new sign-in works, the old session stays dead.
		if got := a.ok("POST", alice+"/unban", nil, 200); got["is_active"] != true {
			t.Fatalf("unban = %v", got)
		}
		if code, _ := member(t, e, "GET", "/api/personal/info", nil, aliceTok); code != 10004 {
			t.Fatalf("old token after unban: code %d, want 10004", code)
		}
		memberOK(t, e, "POST", "/api/auth/access_token", map[string]any{"account": "13800138000", "password": "secret123"}, "")
		if got := a.ok("PATCH", alice, map[string]any{"is_active": true}, 200); got["is_active"] != true {
			t.Fatalf("PATCH is_active true = %v", got)
		}

		// POST /ban, twice (the same answer), then /unban.
		for range 2 {
			if got := a.ok("POST", bob+"/ban", nil, 200); got["is_active"] != false || num(t, got["id"]) != bobID {
				t.Fatalf("ban = %v", got)
			}
		}
		if code, _ := member(t, e, "GET", "/api/personal/info", nil, bobTok); code != 10004 {
			t.Fatalf("banned bob's token: code %d, want 10004", code)
		}
		if got := a.ok("POST", bob+"/unban", nil, 200); got["is_active"] != true {
			t.Fatalf("unban = %v", got)
		}
		if n := total(t, a, "/admin/v1/users"); n != 2 {
			t.Fatalf("%d users, want 2", n)
		}
	})
}

// ---- pushes --------------------------------------------------------------

func TestPushes(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		aliceTok, aliceID := register(t, e, "13800138000")
		bobTok, bobID := register(t, e, "13900139000")
		memberOK(t, e, "POST", "/api/push/bind", map[string]any{"client_id": "dev-alice", "client_type": "ios"}, aliceTok)
		pushKeys := []string{"id", "push_title", "push_body", "scope", "admin_id", "status", "created_at"}
		page(t, a.ok("GET", "/admin/v1/pushes", nil, 200), 0, 1, 20)

		// To everyone: scope 0, queued (Alice's phone is to be sent to).
		all := a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "全体", "push_body": "hello all"}, 201)
		sameKeys(t, "push to all", all, pushKeys...)
		if all["push_title"] != "全体" || all["push_body"] != "hello all" || num(t, all["scope"]) != 0 || num(t, all["status"]) != 0 ||
			num(t, all["admin_id"]) < 1 || all["created_at"] != rfc(0) {
			t.Fatalf("push to all = %v", all)
		}
		// Read once the worker sent its one delivery: delivered, and the
		// push sent.
		e.DeliverPushes()
		read := a.ok("GET", "/admin/v1/pushes/"+idStr(t, all), nil, 200)
		if d := read["deliveries"].(map[string]any); num(t, d["due"]) != 0 || num(t, d["delivered"]) != 1 || num(t, read["status"]) != 1 {
			t.Fatalf("the push to all once sent: %v", read)
		}
		delete(read, "deliveries")
		all["status"] = read["status"]
		list := a.ok("GET", "/admin/v1/pushes/"+idStr(t, all)+"/deliveries", nil, 200)
		dl := list["items"].([]any)
		if len(dl) != 1 || list["next_cursor"] != "" {
			t.Fatalf("deliveries: %v", list)
		}
		if d := dl[0].(map[string]any); d["client_id"] != "dev-alice" || d["client_type"] != "ios" || d["state"] != "delivered" ||
			num(t, d["attempts"]) != 1 || d["channel"] != "outbox" || num(t, d["user_id"]) != aliceID {
			t.Fatalf("delivery: %v", d)
		} // Bad paging and filters: 400 naming the parameter.
		for q, field := range map[string]string{
			"?limit=0": "limit", "?limit=101": "limit", "?limit=abc": "limit", "?limit=-1": "limit", "?limit=1.5": "limit",
			"?cursor=garbage": "cursor", "?cursor=%00": "cursor", "?state=DELIVERED": "state", "?state=%E2%80%AE": "state",
		} {
			a.fail("GET", "/admin/v1/pushes/"+idStr(t, all)+"/deliveries"+q, nil, 400, "invalid", field)
		}
		a.fail("GET", "/admin/v1/pushes/999999/deliveries", nil, 404, "not_found", "")

		// To chosen users: scope 1, duplicates counted once.
		toBob := a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "bob", "user_ids": []any{bobID, bobID}}, 201)
		sameKeys(t, "push to users", toBob, append(pushKeys, "user_ids")...)
		if num(t, toBob["scope"]) != 1 || num(t, toBob["status"]) != 1 || toBob["push_body"] != "" ||
			!reflect.DeepEqual(toBob["user_ids"], []any{json.Number(strconv.FormatInt(bobID, 10))}) {
			t.Fatalf("push to bob = %v", toBob)
		}
		// The earlier names title and body are aliases; the answer has the table's names.
		both := a.ok("POST", "/admin/v1/pushes", map[string]any{"title": "both", "body": "b", "user_ids": []any{bobID, aliceID}}, 201)
		sameKeys(t, "push sent under the earlier names", both, append(pushKeys, "user_ids")...)
		if both["push_title"] != "both" || both["push_body"] != "b" {
			t.Fatalf("push sent under the earlier names = %v", both)
		}
		// user_ids null is everyone.
		allAgain := a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "all again", "user_ids": nil}, 201)
		if num(t, allAgain["scope"]) != 0 {
			t.Fatalf("push with user_ids null = %v", allAgain)
		}

		// Read: with the addressees, in id order.
		got := a.ok("GET", "/admin/v1/pushes/"+idStr(t, both), nil, 200)
		lo, hi := min(aliceID, bobID), max(aliceID, bobID)
		if !reflect.DeepEqual(got["user_ids"], []any{json.Number(strconv.FormatInt(lo, 10)), json.Number(strconv.FormatInt(hi, 10))}) ||
			got["push_title"] != "both" || num(t, got["scope"]) != 1 {
			t.Fatalf("read push = %v", got)
		}
		got = a.ok("GET", "/admin/v1/pushes/"+idStr(t, all), nil, 200)
		if delete(got, "deliveries"); !reflect.DeepEqual(got, all) {
			t.Fatalf("read %v, created %v", got, all)
		}

		// List: newest first.
		items := page(t, a.ok("GET", "/admin/v1/pushes?page_size=3", nil, 200), 4, 1, 3)
		if got := ids(t, items); !reflect.DeepEqual(got, []int64{num(t, allAgain["id"]), num(t, both["id"]), num(t, toBob["id"])}) {
			t.Fatalf("pushes %v", got)
		}

		// Deliveries: Alice's phone got the pushes to everyone and to her.
		var titles []string
		e.DeliverPushes()
		for _, d := range e.Outbox("push") {
			titles = append(titles, d["title"].(string))
		}
		if !reflect.DeepEqual(titles, []string{"全体", "both", "all again"}) {
			t.Fatalf("delivered %v", titles)
		}

		// The members' logs.
		logTitles := func(tok string) []string {
			t.Helper()
			d := memberOK(t, e, "GET", "/api/push/log?page_size=50", nil, tok)
			var out []string
			for _, it := range d["data"].([]any) {
				out = append(out, it.(map[string]any)["push_title"].(string))
			}
			return out
		}
		if got := logTitles(aliceTok); !reflect.DeepEqual(got, []string{"all again", "both", "全体"}) {
			t.Fatalf("alice's log %v", got)
		}
		if got := logTitles(bobTok); !reflect.DeepEqual(got, []string{"all again", "both", "bob", "全体"}) {
			t.Fatalf("bob's log %v", got)
		}

		// Refused pushes: 400, no push row, no delivery, no log entry.
		e.DeliverPushes()
		deliveries := len(e.Outbox("push"))
		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"empty user list", map[string]any{"push_title": "t", "user_ids": []any{}}, "user_ids"},
			{"unknown user", map[string]any{"push_title": "t", "user_ids": []any{aliceID, 99999}}, "user_ids"},
			{"unknown user only", map[string]any{"push_title": "t", "user_ids": []any{99999}}, "user_ids"},
			{"user id zero", map[string]any{"push_title": "t", "user_ids": []any{0}}, "user_ids"},
			{"user id negative", map[string]any{"push_title": "t", "user_ids": []any{-1}}, "user_ids"},
			{"user id a fraction", map[string]any{"push_title": "t", "user_ids": []any{1.5}}, "user_ids"},
			{"user id a string", map[string]any{"push_title": "t", "user_ids": []any{strconv.FormatInt(aliceID, 10)}}, "user_ids"},
			{"user id null", map[string]any{"push_title": "t", "user_ids": []any{nil}}, "user_ids"},
			{"user id huge", `{"push_title": "t", "user_ids": [99999999999999999999]}`, "user_ids"},
			{"user_ids a string", map[string]any{"push_title": "t", "user_ids": "1,2"}, "user_ids"},
			{"user_ids a number", map[string]any{"push_title": "t", "user_ids": aliceID}, "user_ids"},
			{"user_ids an object", map[string]any{"push_title": "t", "user_ids": map[string]any{"1": true}}, "user_ids"},
			{"push_title missing", map[string]any{"push_body": "b"}, "push_title"},
			{"push_title empty", map[string]any{"push_title": ""}, "push_title"},
			{"push_title a number", map[string]any{"push_title": 5}, "push_title"},
			{"push_title null", map[string]any{"push_title": nil}, "push_title"},
			{"push_title too long", map[string]any{"push_title": strings.Repeat("長", 101)}, "push_title"},
			{"push_body a number", map[string]any{"push_title": "t", "push_body": 5}, "push_body"},
			{"push_body too long", map[string]any{"push_title": "t", "push_body": strings.Repeat("x", 2001)}, "push_body"},
			{"title (alias) empty", map[string]any{"title": ""}, "push_title"},
			{"body (alias) a number", map[string]any{"title": "t", "body": 5}, "push_body"},
			{"title and push_title", map[string]any{"title": "t", "push_title": "t"}, "push_title"},
			{"body and push_body", map[string]any{"push_title": "t", "body": "b", "push_body": "b"}, "push_body"},
			{"unknown field", map[string]any{"push_title": "t", "scope": 1}, "scope"},
			{"not an object", `["t"]`, ""},
			{"null", `null`, ""},
			{"malformed", `{"title": "t"`, ""},
		} {
			a.fail("POST", "/admin/v1/pushes", c.body, 400, "invalid", c.field)
		}
		if n := total(t, a, "/admin/v1/pushes"); n != 4 {
			t.Fatalf("%d pushes after refused ones, want 4", n)
		}
		if n := rows(t, e, "push_targets"); n != 3 {
			t.Fatalf("%d push targets after refused pushes, want 3", n)
		}
		e.DeliverPushes()
		if n := len(e.Outbox("push")); n != deliveries {
			t.Fatalf("%d deliveries after refused pushes, want %d", n, deliveries)
		}
		if got := logTitles(aliceTok); len(got) != 3 {
			t.Fatalf("alice's log after refused pushes: %v", got)
		}
		a.fail("GET", "/admin/v1/pushes?page_size=0", nil, 400, "invalid", "page_size")

		// Delete: 204, then 404, and it leaves the logs.
		p := "/admin/v1/pushes/" + idStr(t, both)
		a.ok("DELETE", p, nil, 204)
		a.fail("GET", p, nil, 404, "not_found", "")
		a.fail("DELETE", p, nil, 404, "not_found", "")
		if got := logTitles(aliceTok); !reflect.DeepEqual(got, []string{"all again", "全体"}) {
			t.Fatalf("alice's log after delete %v", got)
		}
		if n := total(t, a, "/admin/v1/pushes"); n != 3 {
			t.Fatalf("%d pushes after delete, want 3", n)
		}
		for _, bad := range []string{"abc", "0", "-1", "99999", "99999999999999999999"} {
			a.fail("GET", "/admin/v1/pushes/"+bad, nil, 404, "not_found", "")
			a.fail("DELETE", "/admin/v1/pushes/"+bad, nil, 404, "not_found", "")
		}
	})
}

// ---- feedback ------------------------------------------------------------

func TestFeedback(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		aliceTok, aliceID := register(t, e, "13800138000")
		cat := a.ok("POST", "/admin/v1/feedback-categories", map[string]any{"name": "app"}, 201)
		catID := num(t, cat["id"])
		page(t, a.ok("GET", "/admin/v1/feedback", nil, 200), 0, 1, 20)

		first := memberOK(t, e, "POST", "/api/feedback",
			map[string]any{"feedback_content": "反馈内容", "feedback_category_id": catID, "contact_phone": "13800138000"}, aliceTok)
		e.Clock.Advance(time.Minute)
		second := memberOK(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "no category"}, aliceTok)
		fbKeys := []string{"id", "user_id", "category_id", "content", "status", "contact_phone", "created_at"}

		// List: newest first.
		items := page(t, a.ok("GET", "/admin/v1/feedback", nil, 200), 2, 1, 20)
		if got := ids(t, items); !reflect.DeepEqual(got, []int64{num(t, second["id"]), num(t, first["id"])}) {
			t.Fatalf("feedback ids %v", got)
		}
		sameKeys(t, "listed feedback", items[1], fbKeys...)
		if num(t, items[1]["user_id"]) != aliceID || num(t, items[1]["category_id"]) != catID || items[1]["content"] != "反馈内容" ||
			num(t, items[1]["status"]) != 0 || items[1]["contact_phone"] != "13800138000" || items[1]["created_at"] != rfc(0) {
			t.Fatalf("feedback = %v", items[1])
		}
		if num(t, items[0]["category_id"]) != 0 || items[0]["created_at"] != rfc(time.Minute) {
			t.Fatalf("feedback without category = %v", items[0])
		}
		items = page(t, a.ok("GET", "/admin/v1/feedback?page=2&page_size=1", nil, 200), 2, 2, 1)
		if got := ids(t, items); !reflect.DeepEqual(got, []int64{num(t, first["id"])}) {
			t.Fatalf("page 2: %v", got)
		}
		a.fail("GET", "/admin/v1/feedback?page_size=abc", nil, 400, "invalid", "page_size")

		// Replies.
		path := "/admin/v1/feedback/" + idStr(t, first)
		if got, ok := a.ok("GET", path, nil, 200)["replies"].([]any); !ok || len(got) != 0 {
			t.Fatalf("replies before any: %v", got)
		}
		e.Clock.Advance(time.Minute)
		r1 := a.ok("POST", path+"/replies", map[string]any{"content": "回复内容"}, 201)
		sameKeys(t, "reply", r1, "id", "feedback_id", "admin_id", "content", "is_read", "created_at")
		if r1["feedback_id"] != first["id"] || r1["content"] != "回复内容" || r1["is_read"] != false ||
			num(t, r1["admin_id"]) < 1 || r1["created_at"] != rfc(2*time.Minute) {
			t.Fatalf("reply = %v", r1)
		}
		e.Clock.Advance(time.Minute)
		r2 := a.ok("POST", path+"/replies", map[string]any{"reply_content": "second"}, 201) // the old name
		got := a.ok("GET", path, nil, 200)
		sameKeys(t, "feedback", got, append(fbKeys, "replies")...)
		if num(t, got["status"]) != 1 {
			t.Fatalf("status after reply = %v", got["status"])
		}
		if rs := got["replies"].([]any); len(rs) != 2 || !reflect.DeepEqual(rs[0], r1) || !reflect.DeepEqual(rs[1], r2) {
			t.Fatalf("replies = %v, want [%v %v]", rs, r1, r2)
		}

		// The inbox: the open feedback only, and the replied.
		if got := ids(t, page(t, a.ok("GET", "/admin/v1/feedback?status=0", nil, 200), 1, 1, 20)); !reflect.DeepEqual(got, []int64{num(t, second["id"])}) {
			t.Fatalf("open feedback %v", got)
		}
		if got := ids(t, page(t, a.ok("GET", "/admin/v1/feedback?status=1&page_size=5", nil, 200), 1, 1, 5)); !reflect.DeepEqual(got, []int64{num(t, first["id"])}) {
			t.Fatalf("replied feedback %v", got)
		}
		for _, bad := range []string{"2", "-1", "open", "1.0", "99999999999999999999"} {
			a.fail("GET", "/admin/v1/feedback?status="+bad, nil, 400, "invalid", "status")
		}

		// The member reads the newest reply; the admin sees them read.
		rd := memberOK(t, e, "GET", "/api/feedback/reply/"+idStr(t, first), nil, aliceTok)
		if rd["reply_content"] != "second" {
			t.Fatalf("member's reply = %v", rd)
		}
		for _, r := range a.ok("GET", path, nil, 200)["replies"].([]any) {
			if r.(map[string]any)["is_read"] != true {
				t.Fatalf("reply not read: %v", r)
			}
		}

		// Refused replies: nothing written.
		replies := rows(t, e, "feedback_replies")
		other := "/admin/v1/feedback/" + idStr(t, second)
		before := a.ok("GET", other, nil, 200)
		for _, c := range []struct {
			name, path string
			body       any
			status     int
			code       string
			field      string
		}{
			{"empty content", other, map[string]any{"content": ""}, 400, "invalid", "content"},
			{"missing content", other, map[string]any{}, 400, "invalid", "content"},
			{"content a number", other, map[string]any{"content": 5}, 400, "invalid", "content"},
			{"content null", other, map[string]any{"content": nil}, 400, "invalid", "content"},
			{"content too long", other, map[string]any{"content": strings.Repeat("長", 4001)}, 400, "invalid", "content"},
			{"not an object", other, `["hi"]`, 400, "invalid", ""},
			{"malformed", other, `{"content": "hi`, 400, "invalid", ""},
			{"unknown feedback", "/admin/v1/feedback/99999", map[string]any{"content": "hi"}, 404, "not_found", ""},
			{"garbage feedback id", "/admin/v1/feedback/abc", map[string]any{"content": "hi"}, 404, "not_found", ""},
			{"zero feedback id", "/admin/v1/feedback/0", map[string]any{"content": "hi"}, 404, "not_found", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantError(t, e.Do("POST", c.path+"/replies", c.body, "Authorization", "Bearer "+a.token), c.name, c.status, c.code, c.field)
			})
		}
		if n := rows(t, e, "feedback_replies"); n != replies {
			t.Fatalf("%d replies after refused ones, want %d", n, replies)
		}
		if got := a.ok("GET", other, nil, 200); !reflect.DeepEqual(got, before) {
			t.Fatalf("feedback after refused replies = %v, was %v", got, before)
		}
		for _, bad := range []string{"99999", "abc", "0", "-1"} {
			a.fail("GET", "/admin/v1/feedback/"+bad, nil, 404, "not_found", "")
		}

		// Deleting its category leaves the feedback without one.
		a.ok("DELETE", "/admin/v1/feedback-categories/"+strconv.FormatInt(catID, 10), nil, 204)
		if got := a.ok("GET", path, nil, 200); num(t, got["category_id"]) != 0 {
			t.Fatalf("category_id after the category went = %v", got["category_id"])
		}
	})
}

// ---- routes --------------------------------------------------------------

func TestUnknownRoutes(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		for _, r := range []struct{ method, path string }{
			{"GET", "/admin/v1/nothing"},
			{"GET", "/admin/v1/"},
			{"POST", "/admin/v1/nothing"},
			{"GET", "/admin/v1/faqs/1/extra"},
			{"GET", "/admin/v1/users/1/ban"},
			{"PUT", "/admin/v1/faqs/1"},
			{"POST", "/admin/v1/users"},
			{"DELETE", "/admin/v1/users/1"},
			{"GET", "/admin/v1/login"},
			{"GET", "/admin/v1/feedback/1/replies"},
		} {
			wantError(t, a.do(r.method, r.path, nil), r.method+" "+r.path, 404, "not_found", "")
			wantError(t, e.Do(r.method, r.path, nil), r.method+" "+r.path+" without a token", 404, "not_found", "")
		}
	})
}
