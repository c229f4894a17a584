package admin_test

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"plaza/internal/catalog"
	"plaza/internal/face/admin"
	"plaza/internal/httpx"
	"plaza/internal/plazatest"
)

// badChars are control characters no text field may hold: NUL, another C0
// (ESC), DEL and a C1 (NEL).
var badChars = []struct{ name, s string }{
	{"NUL", "\x00"}, {"ESC", "\x1b"}, {"DEL", "\x7f"}, {"NEL", "\u0085"},
}

// inject puts bad in the middle of v.
func inject(v, bad string) string { return v[:len(v)/2] + bad + v[len(v)/2:] }

// fixtures are a good create body of each collection; every collection
// needs one (the tests below enumerate catalog.Collections()).
var fixtures = map[string]map[string]any{
	"banners":             {"placement": "home", "image": "a.png"},
	"clothes":             {"kind": "design_circle", "name": "Robe"},
	"faqs":                {"title": "Q"},
	"feedback-categories": {"name": "App"},
	"games":               {"name": "Go"},
	"masters":             {"name": "Li"},
	"merchants":           {"name": "Shop"},
	"goods":               {"name": "Bone"},
	"exchange-products":   {"name": "Tea", "diamond": 100},
	// records makes masters before projects before tickets (by name): the
	// first of each has id 1.
	"projects": {"name": "P", "master_id": 1},
	"tickets":  {"name": "T", "project_id": 1},
}

// multiLine are the text fields that keep tabs and line breaks (the rest
// are one line): docs/compat.md lists them.
var multiLine = map[string]bool{
	"faqs.content": true, "feedback-categories.description": true,
	"clothes.intro": true, "clothes.designer_intro": true, "games.intro": true,
	"masters.intro": true, "merchants.intro": true, "projects.intro": true, "tickets.intro": true,
	"goods.desc": true, "exchange-products.content": true,
}

// badValue is a value of f's kind with bad in it: a text for texts, a list
// of one text for lists, a text where a number or a boolean belongs.
func badValue(f catalog.Field, bad string) any {
	switch f.Kind {
	case catalog.List:
		return []any{inject("a.png", bad)}
	case catalog.PublicID:
		return inject(strings.Repeat("ab", 16), bad)
	case catalog.Enum:
		return inject(f.Options[0], bad)
	case catalog.Int, catalog.Ref:
		return inject("12", bad)
	case catalog.Bool:
		return inject("true", bad)
	}
	return inject("ab", bad)
}

// records makes one record of every collection and returns its path.
func records(t *testing.T, a api) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range catalog.Collections() {
		fx, ok := fixtures[c.Name]
		if !ok {
			t.Fatalf("collection %s has no fixture: add a good create body", c.Name)
		}
		out[c.Name] = "/admin/v1/" + c.Name + "/" + idStr(t, a.ok("POST", "/admin/v1/"+c.Name, fx, 201))
	}
	return out
}

// bodyRoute is a route of the face that takes a body, and its texts.
type bodyRoute struct {
	route, path string
	body        map[string]any // a good body
	fields      []string       // its text fields
	token       string         // "-": sent without the admin token
}

// Every field of every collection, and every text of the other bodies
// (login, pushes, users, feedback replies, service messages) and of the
// query, refuses control characters with 400 naming the field, on both
// engines (PostgreSQL answered 500 on NUL, even at login; SQLite stored
// it).
func TestControlCharactersRefused(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		_, userID := register(t, e, "13800138000")
		uid := strconv.FormatInt(userID, 10)
		paths := records(t, a)
		before := map[string]map[string]any{}
		for name, p := range paths {
			before[name] = a.ok("GET", p, nil, 200)
		}

		for _, c := range catalog.Collections() {
			for _, f := range c.Fields {
				for _, bad := range badChars {
					t.Run(c.Name+"."+f.Name+" "+bad.name, func(t *testing.T) {
						a := api{t: t, e: e, token: a.token}
						v := badValue(f, bad.s)
						a.fail("POST", "/admin/v1/"+c.Name, with(fixtures[c.Name], f.Name, v), 400, "invalid", f.Name)
						a.fail("PATCH", paths[c.Name], map[string]any{f.Name: v}, 400, "invalid", f.Name)
					})
				}
			}
		}
		for name, p := range paths {
			if got := a.ok("GET", p, nil, 200); !reflect.DeepEqual(got, before[name]) {
				t.Fatalf("%s changed by refused PATCHes: %v, was %v", p, got, before[name])
			}
			if n := total(t, a, "/admin/v1/"+name); n != 1 {
				t.Fatalf("%s: %d records after refused creates", name, n)
			}
		}

		// The other bodies: route, path, a good body, its text fields.
		a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "T", "push_body": "B"}, 201)
		tok, _ := register(t, e, "13900139000")
		feedbackID := strconv.FormatInt(num(t, memberOK(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "x"}, tok)["id"]), 10)
		bodies := []bodyRoute{
			{"POST /admin/v1/login", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword}, []string{"email", "password"}, "-"},
			{"PATCH /admin/v1/users/{id}", "/admin/v1/users/" + uid, map[string]any{"is_active": true}, []string{"is_active"}, ""},
			{"POST /admin/v1/pushes", "/admin/v1/pushes", map[string]any{"push_title": "Title", "push_body": "Body", "user_ids": []any{userID}}, []string{"push_title", "push_body", "user_ids"}, ""},
			{"POST /admin/v1/feedback/{id}/replies", "/admin/v1/feedback/" + feedbackID + "/replies", map[string]any{"content": "Answer"}, []string{"content"}, ""},
			{"POST /admin/v1/feedback/{id}/replies", "/admin/v1/feedback/" + feedbackID + "/replies", map[string]any{"reply_content": "Answer"}, []string{"reply_content"}, ""},
			{"POST /admin/v1/service-conversations/{id}/messages", "/admin/v1/service-conversations/" + uid + "/messages", map[string]any{"content": "Hello"}, []string{"content"}, ""},
			{"POST /admin/v1/users/{id}/wallet", "/admin/v1/users/" + uid + "/wallet", map[string]any{"currency": "diamond", "amount": 5, "reason": "Gift", "idempotency_key": "k1"}, []string{"currency", "reason", "idempotency_key"}, ""},
			{"POST /admin/v1/admins", "/admin/v1/admins", map[string]any{"email": "new@example.com", "password": "new-password"}, []string{"email", "password"}, ""},
			{"PATCH /admin/v1/admins/{id}", "/admin/v1/admins/1", map[string]any{"password": "new-password", "disabled": false}, []string{"password", "disabled"}, ""},
			{"POST /admin/v1/admins/me/password", "/admin/v1/admins/me/password", map[string]any{"old_password": adminPassword, "new_password": "new-password"}, []string{"old_password", "new_password"}, ""},
			{"POST /admin/v1/admins/me/totp/confirm", "/admin/v1/admins/me/totp/confirm", map[string]any{"code": "123456"}, []string{"code"}, ""},
			{"POST /admin/v1/admins/me/totp", "/admin/v1/admins/me/totp", map[string]any{"password": adminPassword}, []string{"password"}, ""},
			{"POST /admin/v1/orders/{id}/refund", "/admin/v1/orders/1/refund", map[string]any{"reason": "Refund"}, []string{"reason"}, ""},
			{"POST /admin/v1/exchange-orders/{order_number}/refund", "/admin/v1/exchange-orders/" + strings.Repeat("1", 26) + "/refund", map[string]any{"reason": "Refund"}, []string{"reason"}, ""},
		}
		// Every route that takes a body is in the table, or a collection's.
		rt := httpx.NewRouter()
		admin.Routes(rt, admin.Deps{})
		for _, p := range rt.Patterns() {
			method, path, _ := strings.Cut(p, " ")
			if method != "POST" && method != "PATCH" && method != "PUT" {
				continue
			}
			collection := slices.ContainsFunc(catalog.Collections(), func(c *catalog.Collection) bool {
				return path == "/admin/v1/"+c.Name || path == "/admin/v1/"+c.Name+"/{id}"
			})
			noBody := p == "POST /admin/v1/logout" || p == "POST /admin/v1/media" /* multipart: TestMediaUpload */ ||
				strings.HasSuffix(p, "/ban") || strings.HasSuffix(p, "/unban")
			if !collection && !noBody && !slices.ContainsFunc(bodies, func(b bodyRoute) bool { return b.route == p }) {
				t.Errorf("route %s takes a body and is not in the table", p)
			}
		}
		for _, b := range bodies {
			method, _, _ := strings.Cut(b.route, " ")
			for _, field := range b.fields {
				for _, bad := range badChars {
					t.Run(b.route+" "+field+" "+bad.name, func(t *testing.T) {
						a := api{t: t, e: e, token: a.token}
						if b.token == "-" {
							a.token = ""
						}
						var v any
						switch x := b.body[field].(type) {
						case string:
							v = inject(x, bad.s)
						case bool:
							v = inject(strconv.FormatBool(x), bad.s)
						case []any:
							v = []any{inject("12", bad.s)}
						}
						a.fail(method, b.path, with(b.body, field, v), 400, "invalid", field)
					})
				}
			}
		}
		// A name with a control character, and the query.
		a.fail("POST", "/admin/v1/faqs", map[string]any{"title": "x", "ti\x00tle": "x"}, 400, "invalid", "ti\x00tle")
		a.fail("GET", "/admin/v1/faqs?page=1%00", nil, 400, "invalid", "page")
		a.fail("GET", "/admin/v1/faqs?page_size=%C2%8520", nil, 400, "invalid", "page_size")
		// The filters and keys of the order and payment routes.
		for path, field := range map[string]string{
			"/admin/v1/orders?status=1%00": "status", "/admin/v1/orders?user_id=" + uid + "%1b": "user_id",
			"/admin/v1/exchange-orders?user_id=%C2%85" + uid: "user_id",
			"/admin/v1/payments?status=paid%7f":              "status", "/admin/v1/payments?method=wechat%00": "method",
			"/admin/v1/payments?user_id=" + uid + "%00":                    "user_id",
			"/admin/v1/exchange-orders/" + strings.Repeat("1", 25) + "%00": "order_number",
			"/admin/v1/payments/P2026%1b":                                  "out_trade_no",
			"/admin/v1/users?q=138%00":                                     "q",
		} {
			a.fail("GET", path, nil, 400, "invalid", field)
		}
		// Nothing was written.
		if n := total(t, a, "/admin/v1/pushes"); n != 1 {
			t.Fatalf("%d pushes, want 1", n)
		}
		if n := rows(t, e, "feedback_replies"); n != 0 {
			t.Fatalf("%d feedback replies, want 0", n)
		}
		if n := rows(t, e, "messages"); n != 0 {
			t.Fatalf("%d messages, want 0", n)
		}
	})
}

// Multi-line texts keep tabs and line breaks; every other text field
// refuses them (400 naming the field).
func TestSingleAndMultiLineFields(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		_, userID := register(t, e, "13800138000")
		paths := records(t, a)
		const text = "line one\r\nline two\n\tindented"
		for _, c := range catalog.Collections() {
			for _, f := range c.Fields {
				if f.Kind != catalog.Text {
					continue
				}
				key := c.Name + "." + f.Name
				if f.Multiline != multiLine[key] {
					t.Fatalf("%s: Multiline is %v; the documented decision is %v", key, f.Multiline, multiLine[key])
				}
				switch {
				case f.Multiline:
					if got := a.ok("PATCH", paths[c.Name], map[string]any{f.Name: text}, 200)[f.Name]; got != text {
						t.Fatalf("%s = %q, want %q", key, got, text)
					}
				default:
					for _, v := range []string{"a\nb", "a\tb", "a\rb"} {
						a.fail("PATCH", paths[c.Name], map[string]any{f.Name: v}, 400, "invalid", f.Name)
					}
				}
			}
		}
		a.fail("POST", "/admin/v1/pushes", map[string]any{"push_title": "a\nb"}, 400, "invalid", "push_title")
		if got := a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "T", "push_body": text}, 201)["push_body"]; got != text {
			t.Fatalf("push body = %q", got)
		}
		uid := strconv.FormatInt(userID, 10)
		if got := a.ok("POST", "/admin/v1/service-conversations/"+uid+"/messages", map[string]any{"content": text}, 201)["content"]; got != text {
			t.Fatalf("service message = %q", got)
		}
	})
}

// id, created_at and updated_at are read-only: any value of any type is
// refused as an unknown field, in every admin body.
func TestReadOnlyFields(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		_, userID := register(t, e, "13800138000")
		uid := strconv.FormatInt(userID, 10)
		paths := records(t, a)
		fbTok, _ := register(t, e, "13900139000")
		fb := strconv.FormatInt(num(t, memberOK(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "x"}, fbTok)["id"]), 10)
		values := []any{1, "1", nil, true, "2026-03-01T10:00:00Z", strings.Repeat("9", 5000), []any{1}, map[string]any{"a": 1}}
		for _, field := range []string{"id", "created_at", "updated_at"} {
			for _, v := range values {
				for _, c := range catalog.Collections() {
					a.fail("POST", "/admin/v1/"+c.Name, with(fixtures[c.Name], field, v), 400, "invalid", field)
					a.fail("PATCH", paths[c.Name], map[string]any{field: v}, 400, "invalid", field)
				}
				a.fail("POST", "/admin/v1/login", map[string]any{"email": adminEmail, "password": adminPassword, field: v}, 400, "invalid", field)
				a.fail("PATCH", "/admin/v1/users/"+uid, map[string]any{"is_active": true, field: v}, 400, "invalid", field)
				a.fail("POST", "/admin/v1/pushes", map[string]any{"push_title": "T", field: v}, 400, "invalid", field)
				a.fail("POST", "/admin/v1/feedback/"+fb+"/replies", map[string]any{"content": "x", field: v}, 400, "invalid", field)
				a.fail("POST", "/admin/v1/service-conversations/"+uid+"/messages", map[string]any{"content": "x", field: v}, 400, "invalid", field)
			}
		}
		for _, c := range catalog.Collections() {
			if n := total(t, a, "/admin/v1/"+c.Name); n != 1 {
				t.Fatalf("%s: %d records", c.Name, n)
			}
		}
		if rows(t, e, "pushes") != 0 || rows(t, e, "feedback_replies") != 0 || rows(t, e, "messages") != 0 {
			t.Fatal("a refused body was written")
		}
	})
}

// Path ids are plain decimal digits: "+1", "01", " 1"... name nothing
// (404), in every route that takes one, and do nothing.
func TestPathIDs(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		_, userID := register(t, e, "13800138000")
		paths := records(t, a)
		push := num(t, a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "T"}, 201)["id"])
		fbTok, _ := register(t, e, "13900139000")
		fb := num(t, memberOK(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "x"}, fbTok)["id"])
		ticket, _ := strconv.ParseInt(paths["tickets"][strings.LastIndexByte(paths["tickets"], '/')+1:], 10, 64)
		order, err := e.App.Orders.Create(context.Background(), userID, []int64{ticket}, false)
		if err != nil {
			t.Fatal(err)
		}

		spellings := func(id int64) []string {
			s := strconv.FormatInt(id, 10)
			return []string{"+" + s, "%2B" + s, "0" + s, "00" + s, "-" + s, "%20" + s, s + "%20", "%09" + s, s + "%00",
				"\uff11", s + ".0", "0x" + s, strings.Repeat("0", 30) + s, "99999999999999999999", "1e3", "0"}
		}
		type route struct {
			method, prefix, suffix string
			id                     int64
			body                   any
		}
		var routes []route
		for _, c := range catalog.Collections() {
			p := paths[c.Name]
			id, _ := strconv.ParseInt(p[strings.LastIndexByte(p, '/')+1:], 10, 64)
			base := "/admin/v1/" + c.Name + "/"
			routes = append(routes, route{"GET", base, "", id, nil}, route{"PATCH", base, "", id, map[string]any{}}, route{"DELETE", base, "", id, nil})
		}
		routes = append(routes,
			route{"GET", "/admin/v1/users/", "", userID, nil},
			route{"PATCH", "/admin/v1/users/", "", userID, map[string]any{"is_active": false}},
			route{"POST", "/admin/v1/users/", "/ban", userID, nil},
			route{"POST", "/admin/v1/users/", "/unban", userID, nil},
			route{"POST", "/admin/v1/users/", "/wallet", userID, map[string]any{"currency": "diamond", "amount": 5, "reason": "x"}},
			route{"GET", "/admin/v1/users/", "/ledger", userID, nil},
			route{"GET", "/admin/v1/pushes/", "", push, nil},
			route{"GET", "/admin/v1/pushes/", "/deliveries", push, nil},
			route{"DELETE", "/admin/v1/pushes/", "", push, nil},
			route{"GET", "/admin/v1/feedback/", "", fb, nil},
			route{"POST", "/admin/v1/feedback/", "/replies", fb, map[string]any{"content": "x"}},
			route{"GET", "/admin/v1/service-conversations/", "/messages", userID, nil},
			route{"POST", "/admin/v1/service-conversations/", "/messages", userID, map[string]any{"content": "x"}},
			route{"GET", "/admin/v1/orders/", "", order.ID, nil},
			route{"PATCH", "/admin/v1/admins/", "", 1, map[string]any{"disabled": false}},
			route{"GET", "/admin/v1/users/", "/profile", userID, nil},
			route{"POST", "/admin/v1/orders/", "/refund", order.ID, map[string]any{"reason": "x"}},
		)
		// Every route with an {id} is in the table.
		rt := httpx.NewRouter()
		admin.Routes(rt, admin.Deps{})
		for _, p := range rt.Patterns() {
			method, path, _ := strings.Cut(p, " ")
			prefix, suffix, ok := strings.Cut(path, "{id}")
			if ok && !slices.ContainsFunc(routes, func(r route) bool { return r.method == method && r.prefix == prefix && r.suffix == suffix }) {
				t.Errorf("route %s is not in the table", p)
			}
		}
		for _, r := range routes {
			for _, s := range spellings(r.id) {
				a.fail(r.method, r.prefix+s+r.suffix, r.body, 404, "not_found", "")
			}
		}
		// Nothing was done: every record is there, the user is not banned,
		// no reply or message was written; the plain ids work.
		for _, p := range paths {
			a.ok("GET", p, nil, 200)
		}
		if u := a.ok("GET", "/admin/v1/users/"+strconv.FormatInt(userID, 10), nil, 200); u["is_active"] != true {
			t.Fatalf("user banned through a bad id: %v", u)
		}
		a.ok("GET", "/admin/v1/pushes/"+strconv.FormatInt(push, 10), nil, 200)
		a.ok("GET", "/admin/v1/orders/"+strconv.FormatInt(order.ID, 10), nil, 200)
		if rows(t, e, "feedback_replies") != 0 || rows(t, e, "messages") != 0 {
			t.Fatal("written through a bad id")
		}
		a.ok("DELETE", "/admin/v1/pushes/"+strconv.FormatInt(push, 10), nil, http.StatusNoContent)
	})
}
