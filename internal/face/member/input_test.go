package member_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"plaza/internal/face/member"
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

// textRoute is a route of the face and the text it reads.
type textRoute struct {
	route  string         // the pattern routes.go registers
	path   string         // the request path; {client_id} is the path's text
	body   map[string]any // a good request (the query for GET)
	fields []string       // its text parameters; "{client_id}" is the path's
}

// inputEnv: test numbers with fixed codes (no SMS limits), and an admin.
var inputEnv = map[string]string{
	"PLAZA_SMS_TEST_OTP":   "8613800138000=246810,8613900139000=246810",
	"PLAZA_ADMIN_EMAIL":    "ops@example.com",
	"PLAZA_ADMIN_PASSWORD": "ops-password",
}

// signUp registers the test number phone and returns its tokens.
func signUp(t *testing.T, e *plazatest.Env) (access, refresh string) {
	t.Helper()
	d := want(t, e, "POST", "/api/auth/register", map[string]any{"account": phone, "code": "246810", "password": "secret123"}, "", 0)
	return d["access_token"].(string), d["refresh_token"].(string)
}

// memberRequest sends body as JSON, or as the query of a GET, and answers
// the envelope's code and message.
func memberRequest(t *testing.T, e *plazatest.Env, method, path string, body map[string]any, query url.Values, token string) (int, string) {
	t.Helper()
	if method == "GET" {
		if query == nil {
			query = url.Values{}
		}
		for k, v := range body {
			query.Set(k, v.(string))
		}
		body = nil
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	var b any
	if body != nil {
		b = body
	}
	res := e.Do(method, path, b, "Authorization", "Token "+token)
	if res.Status != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, res.Status, res.Body)
	}
	env := res.JSON()
	c, _ := env["code"].(json.Number)
	n, err := c.Int64()
	if err != nil {
		t.Fatalf("%s %s: %s", method, path, res.Body)
	}
	msg, _ := env["message"].(string)
	return int(n), msg
}

// Every text parameter of every route of the face refuses control
// characters with 10005 naming the parameter, in the body, in the query
// and in the path, on both engines (PostgreSQL used to fail on NUL with
// 10000; SQLite stored it).
func TestControlCharactersRefused(t *testing.T) {
	plazatest.Each(t, inputEnv, func(t *testing.T, e *plazatest.Env) {
		access, refresh := signUp(t, e)
		want(t, e, "POST", "/api/push/bind", map[string]any{"client_id": "dev-1", "client_type": "ios"}, access, 0)

		routes := []textRoute{
			{"POST /api/auth/send_code", "/api/auth/send_code", map[string]any{"area": "86", "account": phone}, []string{"area", "account"}},
			{"POST /api/auth/check_code", "/api/auth/check_code", map[string]any{"area": "86", "account": phone, "code": "246810"}, []string{"area", "account", "code"}},
			{"POST /api/auth/register", "/api/auth/register", map[string]any{"area": "86", "account": "13900139000", "code": "246810", "password": "secret123"},
				[]string{"area", "account", "code", "password"}},
			{"POST /api/auth/access_token", "/api/auth/access_token", map[string]any{"area": "86", "account": phone, "password": "secret123"},
				[]string{"area", "account", "password"}},
			{"POST /api/auth/refresh_token", "/api/auth/refresh_token", map[string]any{"refresh_token": refresh}, []string{"refresh_token"}},
			{"POST /api/auth/destroy_token", "/api/auth/destroy_token", nil, nil},
			{"GET /api/personal/info", "/api/personal/info", nil, nil},
			{"PUT /api/personal/info", "/api/personal/info", map[string]any{"nickname": "Nick", "avatar": "https://a.example/b.png",
				"birthday": "1991-03-08", "address": "Road 1", "gender": "1"}, []string{"nickname", "avatar", "birthday", "address", "gender"}},
			{"POST /api/push/bind", "/api/push/bind", map[string]any{"client_id": "dev-2", "client_type": "android"}, []string{"client_id", "client_type"}},
			{"GET /api/push/switch/{client_id}", "/api/push/switch/{client_id}", nil, []string{"{client_id}"}},
			{"PUT /api/push/switch/{client_id}", "/api/push/switch/{client_id}", map[string]any{"switch": "true"}, []string{"{client_id}", "switch"}},
			{"GET /api/push/log", "/api/push/log", map[string]any{"page_no": "1", "page_size": "20"}, []string{"page_no", "page_size"}},
			{"GET /api/push/log/{id}", "", nil, nil}, // a path id: TestPathIDs
			{"DELETE /api/push/log/delete", "/api/push/log/delete", map[string]any{"ids": "1,2"}, []string{"ids"}},
			{"GET /api/message/count", "/api/message/count", map[string]any{"push_ids": "1,2"}, []string{"push_ids"}},
			{"GET /api/faq", "/api/faq", map[string]any{"page_no": "1", "page_size": "20"}, []string{"page_no", "page_size"}},
			{"GET /api/faq/{id}", "", nil, nil},
			{"GET /api/feedback_category", "/api/feedback_category", map[string]any{"page_no": "1", "page_size": "20"}, []string{"page_no", "page_size"}},
			{"POST /api/feedback", "/api/feedback", map[string]any{"feedback_content": "It broke", "contact_phone": "13800138000", "feedback_category_id": "0"},
				[]string{"feedback_content", "contact_phone", "feedback_category_id"}},
			{"GET /api/feedback", "/api/feedback", map[string]any{"page_no": "1", "page_size": "20"}, []string{"page_no", "page_size"}},
			{"DELETE /api/feedback/{id}", "", nil, nil},
			{"GET /api/feedback/reply/{feedback_id}", "", nil, nil},
		}

		// The table covers every route of the face.
		rt := httpx.NewRouter()
		member.Routes(rt, member.Deps{})
		for _, p := range rt.Patterns() {
			if p != "/api/" && !slices.ContainsFunc(routes, func(r textRoute) bool { return r.route == p }) {
				t.Errorf("route %s is not in the table: add its text parameters", p)
			}
		}

		for _, r := range routes {
			method, _, _ := strings.Cut(r.route, " ")
			for _, field := range r.fields {
				for _, bad := range badChars {
					t.Run(r.route+" "+field+" "+bad.name, func(t *testing.T) {
						body := map[string]any{}
						for k, v := range r.body {
							body[k] = v
						}
						path := strings.Replace(r.path, "{client_id}", "dev-1", 1)
						name := field
						var sends []func() (int, string)
						if field == "{client_id}" {
							name = "client_id"
							path = strings.Replace(r.path, "{client_id}", url.PathEscape(inject("dev-1", bad.s)), 1)
							sends = append(sends, func() (int, string) { return memberRequest(t, e, method, path, body, nil, access) })
						} else {
							v := inject(r.body[field].(string), bad.s)
							inBody := map[string]any{}
							for k, x := range body {
								inBody[k] = x
							}
							inBody[field] = v
							sends = append(sends, func() (int, string) { return memberRequest(t, e, method, path, inBody, nil, access) })
							if method != "GET" {
								// The same in the query string.
								inQuery := map[string]any{}
								for k, x := range body {
									if k != field {
										inQuery[k] = x
									}
								}
								q := url.Values{field: {v}}
								sends = append(sends, func() (int, string) { return memberRequest(t, e, method, path, inQuery, q, access) })
							}
						}
						for _, send := range sends {
							code, msg := send()
							if code != 10005 || !strings.Contains(msg, name) {
								t.Fatalf("code %d (%s), want 10005 naming %s", code, msg, name)
							}
						}
					})
				}
			}
		}

		// Invalid UTF-8 (which JSON cannot carry, a query or form can).
		for _, q := range []string{"nickname=a%FFb", "nickname=%C0%80"} {
			res := e.Do("PUT", "/api/personal/info", []byte(q), "Authorization", "Token "+access, "Content-Type", "application/x-www-form-urlencoded")
			if c, _ := res.JSON()["code"].(json.Number); c != "10005" {
				t.Fatalf("form %s: %s", q, res.Body)
			}
		}

		// Nothing was stored.
		info := want(t, e, "GET", "/api/personal/info", nil, access, 0)
		if info["nickname"] != "" || info["address"] != "" {
			t.Fatalf("profile changed by refused updates: %v", info)
		}
		if d := want(t, e, "GET", "/api/feedback", nil, access, 0); d["total"].(json.Number).String() != "0" {
			t.Fatalf("feedback stored by refused requests: %v", d)
		}
	})
}

// Multi-line fields (feedback_content) keep tabs and line breaks;
// single-line ones (nickname, avatar, address, contact_phone, client_id)
// refuse them.
func TestSingleAndMultiLineFields(t *testing.T) {
	plazatest.Each(t, inputEnv, func(t *testing.T, e *plazatest.Env) {
		access, _ := signUp(t, e)
		for _, field := range []string{"nickname", "avatar", "address"} {
			for _, v := range []string{"a\nb", "a\tb", "a\rb"} {
				if code, _, msg := call(t, e, "PUT", "/api/personal/info", map[string]any{field: v}, access); code != 10005 || !strings.Contains(msg, field) {
					t.Fatalf("%s %q: code %d (%s), want 10005", field, v, code, msg)
				}
			}
		}
		want(t, e, "POST", "/api/push/bind", map[string]any{"client_id": "dev\n1", "client_type": "ios"}, access, 10005)
		want(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "x", "contact_phone": "138\t0013"}, access, 10005)

		text := "Line one\r\nline two\n\tindented"
		fb := want(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": text}, access, 0)
		if fb["feedback_content"] != text {
			t.Fatalf("feedback_content = %q, want %q", fb["feedback_content"], text)
		}
		list := want(t, e, "GET", "/api/feedback", nil, access, 0)["data"].([]any)
		if got := list[0].(map[string]any)["feedback_content"]; got != text {
			t.Fatalf("feedback_content read back = %q, want %q", got, text)
		}
	})
}

// Path ids are plain decimal digits: a sign, spaces, leading zeros or
// other digits name nothing (10001), and nothing is done.
func TestPathIDs(t *testing.T) {
	plazatest.Each(t, inputEnv, func(t *testing.T, e *plazatest.Env) {
		access, _ := signUp(t, e)
		admin := adminToken(t, e)
		res := e.Do("POST", "/admin/v1/faqs", map[string]any{"title": "Q"}, "Authorization", "Bearer "+admin)
		if res.Status != http.StatusCreated {
			t.Fatalf("faq: %s", res.Body)
		}
		faq, _ := res.JSON()["id"].(json.Number).Int64()
		sendPush(t, e, admin, map[string]any{"title": "T", "body": "B"})
		push, _ := want(t, e, "GET", "/api/push/log", nil, access, 0)["data"].([]any)[0].(map[string]any)["id"].(json.Number).Int64()
		fb, _ := want(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "x"}, access, 0)["id"].(json.Number).Int64()
		res = e.Do("POST", "/admin/v1/feedback/"+strconv.FormatInt(fb, 10)+"/replies", map[string]any{"content": "ok"}, "Authorization", "Bearer "+admin)
		if res.Status != http.StatusCreated {
			t.Fatalf("reply: %s", res.Body)
		}

		spellings := func(id int64) []string {
			s := strconv.FormatInt(id, 10)
			return []string{"+" + s, "%2B" + s, "0" + s, "00" + s, "-" + s, "%20" + s, s + "%20", "%09" + s, s + "%00",
				"\uff11", s + ".0", "0x" + s, strings.Repeat("0", 30) + s, "99999999999999999999", "1e3", "", "0"}
		}
		for _, c := range []struct {
			method, path string
			id           int64
		}{
			{"GET", "/api/faq/", faq},
			{"GET", "/api/push/log/", push},
			{"GET", "/api/feedback/reply/", fb},
			{"DELETE", "/api/feedback/", fb},
		} {
			for _, s := range spellings(c.id) {
				if s == "" {
					continue // the list route, or 10002
				}
				want(t, e, c.method, c.path+s, nil, access, 10001)
			}
		}
		// The feedback was not deleted by any of them; the plain ids work.
		want(t, e, "GET", "/api/faq/"+strconv.FormatInt(faq, 10), nil, access, 0)
		want(t, e, "GET", "/api/push/log/"+strconv.FormatInt(push, 10), nil, access, 0)
		want(t, e, "GET", "/api/feedback/reply/"+strconv.FormatInt(fb, 10), nil, access, 0)
		want(t, e, "DELETE", "/api/feedback/"+strconv.FormatInt(fb, 10), nil, access, 0)
	})
}
