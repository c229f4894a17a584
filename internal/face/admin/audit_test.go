package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"plaza/internal/catalog"
	"plaza/internal/face/admin"
	"plaza/internal/httpx"
	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
)

// auditPage reads GET /admin/v1/audit with query and returns its entries
// and next cursor.
func auditPage(t *testing.T, a api, query string) ([]map[string]any, string) {
	t.Helper()
	m := a.ok("GET", "/admin/v1/audit"+query, nil, 200)
	sameKeys(t, "audit page", m, "entries", "next_cursor")
	raw, ok := m["entries"].([]any)
	if !ok {
		t.Fatalf("entries %T", m["entries"])
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
		sameKeys(t, "audit entry", out[i], "id", "admin_id", "admin_email", "action", "target", "before", "after", "ip", "request_id", "created_at")
	}
	next, _ := m["next_cursor"].(string)
	return out, next
}

// write is one admin write route, with a request it refuses and one it
// takes.
type write struct {
	route string // "METHOD pattern"
	// setup runs before both (it may write: its entries are not counted),
	// and returns the path of the refused and of the good request.
	setup         func(t *testing.T) (refusedPath, okPath string)
	refused, ok   any // their bodies
	refusedStatus int
	okStatus      int
	before        bool // the good request's entries hold the object before: what GET okPath answers
	// beforeOf, when set, is what they hold instead (read before the good
	// request).
	beforeOf       func(t *testing.T, okPath string) any
	entries        int // the good request's transactions (0: 1)
	refusedHeaders []string
	after          any // the entries' after when not the good body (secrets redacted)
	// okHeaders are the good request's headers (a multipart upload, whose
	// body is no JSON: its entries' after is null).
	okHeaders []string
}

// Every admin write route records, in the write's own transaction, one
// entry per transaction it commits (with the admin, the route, the path,
// the address, the request id, the object before when read and the body
// asked), and a refused request records none.
func TestAuditEveryWrite(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		_, userID := register(t, e, "13800138000")
		uid := strconv.FormatInt(userID, 10)
		paths := records(t, a)
		fbTok, _ := register(t, e, "13900139000")
		fb := strconv.FormatInt(num(t, memberOK(t, e, "POST", "/api/feedback", map[string]any{"feedback_content": "x"}, fbTok)["id"]), 10)
		fixed := func(refused, ok string) func(*testing.T) (string, string) {
			return func(*testing.T) (string, string) { return refused, ok }
		}
		var writes []write
		for _, c := range catalog.Collections() {
			base := "/admin/v1/" + c.Name
			writes = append(writes,
				write{route: "POST " + base, setup: fixed(base, base), refused: map[string]any{"no_such_field": 1}, refusedStatus: 400,
					ok: fixtures[c.Name], okStatus: 201},
				write{route: "PATCH " + base + "/{id}", setup: fixed(paths[c.Name], paths[c.Name]), refused: map[string]any{"no_such_field": 1},
					refusedStatus: 400, ok: fixtures[c.Name], okStatus: 200, before: true},
				write{route: "DELETE " + base + "/{id}", setup: func(t *testing.T) (string, string) {
					return base + "/999999", base + "/" + idStr(t, a.ok("POST", base, fixtures[c.Name], 201))
				}, refusedStatus: 404, okStatus: 204, before: true},
			)
		}
		_, other := register(t, e, "13700137000")
		second := login(t, e)
		writes = append(writes,
			write{route: "PATCH /admin/v1/users/{id}", setup: fixed("/admin/v1/users/"+uid, "/admin/v1/users/"+uid),
				refused: map[string]any{"is_active": "no"}, refusedStatus: 400, ok: map[string]any{"is_active": false}, okStatus: 200, before: true},
			write{route: "POST /admin/v1/users/{id}/unban", setup: fixed("/admin/v1/users/999999/unban", "/admin/v1/users/"+uid+"/unban"),
				refusedStatus: 404, okStatus: 200, before: true},
			write{route: "POST /admin/v1/users/{id}/ban", setup: fixed("/admin/v1/users/999999/ban", "/admin/v1/users/"+strconv.FormatInt(other, 10)+"/ban"),
				refusedStatus: 404, okStatus: 200, before: true},
			write{route: "POST /admin/v1/users/{id}/wallet", setup: fixed("/admin/v1/users/"+uid+"/wallet", "/admin/v1/users/"+uid+"/wallet"),
				refused: map[string]any{"currency": "diamond", "amount": -5, "reason": "take", "idempotency_key": "k0"}, refusedStatus: 409,
				ok: map[string]any{"currency": "diamond", "amount": 5, "reason": "gift", "idempotency_key": "k1"}, okStatus: 201,
				beforeOf: func(t *testing.T, okPath string) any {
					return map[string]any{"balances": a.ok("GET", strings.TrimSuffix(okPath, "/wallet")+"/profile", nil, 200)["balances"]}
				}},
			write{route: "POST /admin/v1/pushes", setup: fixed("/admin/v1/pushes", "/admin/v1/pushes"),
				refused: map[string]any{"push_title": "T", "user_ids": []any{999999}}, refusedStatus: 400,
				ok: map[string]any{"push_title": "T", "push_body": "B"}, okStatus: 201}, // the push and its deliveries: one transaction
			write{route: "DELETE /admin/v1/pushes/{id}", setup: func(t *testing.T) (string, string) {
				return "/admin/v1/pushes/999999", "/admin/v1/pushes/" + idStr(t, a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "D"}, 201))
			}, refusedStatus: 404, okStatus: 204, before: true},
			write{route: "POST /admin/v1/feedback/{id}/replies", setup: fixed("/admin/v1/feedback/"+fb+"/replies", "/admin/v1/feedback/"+fb+"/replies"),
				refused: map[string]any{"content": ""}, refusedStatus: 400, ok: map[string]any{"content": "Answer"}, okStatus: 201},
			write{route: "POST /admin/v1/service-conversations/{id}/messages",
				setup:   fixed("/admin/v1/service-conversations/999999/messages", "/admin/v1/service-conversations/"+uid+"/messages"),
				refused: map[string]any{"content": "x"}, refusedStatus: 404, ok: map[string]any{"content": "Hello"}, okStatus: 201},
			// It ends the session of the second token.
			write{route: "POST /admin/v1/logout", setup: fixed("/admin/v1/logout", "/admin/v1/logout"),
				refusedStatus: 401, refusedHeaders: []string{"Authorization", "Bearer not-a-token"}, okStatus: 204},
		)
		ctx := context.Background()
		writes = append(writes,
			write{route: "POST /admin/v1/orders/{id}/refund", setup: func(t *testing.T) (string, string) {
				ticket := num(t, a.ok("POST", "/admin/v1/tickets", fixtures["tickets"], 201)["id"])
				o, err := e.App.Orders.Create(ctx, userID, []int64{ticket}, false)
				if err == nil {
					_, err = e.App.Orders.Pay(ctx, userID, o.ID, "sandbox")
				}
				if err != nil {
					t.Fatal(err)
				}
				return "/admin/v1/orders/999999/refund", "/admin/v1/orders/" + strconv.FormatInt(o.ID, 10) + "/refund"
			}, refused: map[string]any{"reason": "x"}, refusedStatus: 404, ok: map[string]any{"reason": "asked"}, okStatus: 200,
				beforeOf: func(t *testing.T, okPath string) any {
					return a.ok("GET", strings.TrimSuffix(okPath, "/refund"), nil, 200)
				}},
			write{route: "POST /admin/v1/exchange-orders/{order_number}/refund", setup: func(t *testing.T) (string, string) {
				pid := num(t, a.ok("POST", "/admin/v1/exchange-products", fixtures["exchange-products"], 201)["id"])
				a.ok("POST", "/admin/v1/users/"+uid+"/wallet", map[string]any{"currency": "diamond", "amount": 1000, "reason": "for the refund", "idempotency_key": "refund-grant"}, 201)
				xo, err := e.App.Market.Purchase(ctx, userID, pid)
				if err != nil {
					t.Fatal(err)
				}
				return "/admin/v1/exchange-orders/" + strings.Repeat("1", 26) + "/refund", "/admin/v1/exchange-orders/" + xo.Number + "/refund"
			}, refused: map[string]any{"reason": "x"}, refusedStatus: 404, ok: map[string]any{"reason": "asked"}, okStatus: 200,
				beforeOf: func(t *testing.T, okPath string) any {
					return a.ok("GET", strings.TrimSuffix(okPath, "/refund"), nil, 200)
				}},
		)
		img, imgType := multipartBody(t, "file", "a.png", mediatest.PNG(3, 2))
		writes = append(writes, write{route: "POST /admin/v1/media", setup: fixed("/admin/v1/media", "/admin/v1/media"),
			refused: map[string]any{"file": "x"}, refusedStatus: 400, ok: img, okHeaders: []string{"Content-Type", imgType}, okStatus: 201,
			entries: 3}) // the media core's three writes: the id issued, storing, stored
		// The admins, and the admin's own password and second factor (after
		// the logout: a new password ends the admin's other sessions).
		redacted := "[redacted]"
		var secret string
		confirm, disable := map[string]any{}, map[string]any{}
		writes = append(writes,
			write{route: "POST /admin/v1/admins", setup: fixed("/admin/v1/admins", "/admin/v1/admins"),
				refused: map[string]any{"email": "new@example.com"}, refusedStatus: 400,
				ok: map[string]any{"email": "new@example.com", "password": "new-password-1"}, okStatus: 201,
				after: map[string]any{"email": "new@example.com", "password": redacted}},
			write{route: "PATCH /admin/v1/admins/{id}", setup: func(t *testing.T) (string, string) {
				return "/admin/v1/admins/999999", "/admin/v1/admins/" + idStr(t, a.ok("POST", "/admin/v1/admins", map[string]any{"email": "off@example.com", "password": "off-password-1"}, 201))
			}, refused: map[string]any{"disabled": true}, refusedStatus: 404, ok: map[string]any{"disabled": true}, okStatus: 200,
				beforeOf: func(t *testing.T, okPath string) any {
					for _, it := range a.ok("GET", "/admin/v1/admins?page_size=100", nil, 200)["items"].([]any) {
						if "/admin/v1/admins/"+idStr(t, it.(map[string]any)) == okPath {
							return it
						}
					}
					t.Fatalf("no admin %s", okPath)
					return nil
				}},
			write{route: "POST /admin/v1/admins/me/password", setup: fixed("/admin/v1/admins/me/password", "/admin/v1/admins/me/password"),
				refused: map[string]any{"old_password": "not-the-password", "new_password": adminPassword}, refusedStatus: 400,
				ok: map[string]any{"old_password": adminPassword, "new_password": adminPassword}, okStatus: 204,
				after: map[string]any{"old_password": redacted, "new_password": redacted}},
			write{route: "POST /admin/v1/admins/me/totp", setup: fixed("/admin/v1/admins/me/totp", "/admin/v1/admins/me/totp"),
				refused: map[string]any{"password": "not-the-password"}, refusedStatus: 400,
				ok: map[string]any{"password": adminPassword}, okStatus: 200, after: map[string]any{"password": redacted}},
			write{route: "POST /admin/v1/admins/me/totp/confirm", setup: func(t *testing.T) (string, string) {
				secret = a.ok("POST", "/admin/v1/admins/me/totp", map[string]any{"password": adminPassword}, 200)["secret"].(string)
				confirm["code"] = totpCode(t, e, secret)
				return "/admin/v1/admins/me/totp/confirm", "/admin/v1/admins/me/totp/confirm"
			}, refused: map[string]any{"code": "000000x"}, refusedStatus: 400, ok: confirm, okStatus: 200,
				after: map[string]any{"code": redacted}},
			write{route: "DELETE /admin/v1/admins/me/totp", setup: func(t *testing.T) (string, string) {
				e.Clock.Advance(30 * time.Second) // a code is good once: the next step's
				disable["code"] = totpCode(t, e, secret)
				return "/admin/v1/admins/me/totp", "/admin/v1/admins/me/totp"
			}, refused: map[string]any{"code": "000000x"}, refusedStatus: 400, ok: disable, okStatus: 204,
				after: map[string]any{"code": redacted}, entries: 2}, // the code's step taken, then the factor off
		)
		// Every write route of the face is in the table.
		rt := httpx.NewRouter()
		admin.Routes(rt, admin.Deps{})
		for _, p := range rt.Patterns() {
			method, _, _ := strings.Cut(p, " ")
			if method == "GET" || method == "HEAD" || !strings.Contains(p, " ") || p == "POST /admin/v1/login" {
				continue
			}
			if !slices.ContainsFunc(writes, func(w write) bool { return w.route == p }) {
				t.Errorf("write route %s is not in the audit table", p)
			}
		}

		reader := a // the first session: the rows' changes keep it
		for _, w := range writes {
			t.Run(w.route, func(t *testing.T) {
				a := api{t: t, e: e, token: a.token}
				if w.route == "POST /admin/v1/logout" {
					a.token = second.token
				}
				method, _, _ := strings.Cut(w.route, " ")
				refusedPath, okPath := w.setup(t)
				n := rows(t, e, "admin_audit")
				res := e.Do(method, refusedPath, w.refused, append([]string{"Authorization", "Bearer " + a.token}, w.refusedHeaders...)...)
				if res.Status != w.refusedStatus {
					t.Fatalf("refused request: HTTP %d, want %d: %s", res.Status, w.refusedStatus, res.Body)
				}
				if got := rows(t, e, "admin_audit"); got != n {
					t.Fatalf("a refused request left %d audit entries", got-n)
				}
				var before any
				switch {
				case w.beforeOf != nil:
					before = w.beforeOf(t, okPath)
				case w.before:
					before = a.ok("GET", strings.TrimSuffix(strings.TrimSuffix(okPath, "/ban"), "/unban"), nil, 200)
				}
				if w.okHeaders != nil {
					res = e.Do(method, okPath, w.ok, append([]string{"Authorization", "Bearer " + a.token}, w.okHeaders...)...)
				} else {
					res = a.do(method, okPath, w.ok)
				}
				if res.Status != w.okStatus {
					t.Fatalf("good request: HTTP %d, want %d: %s", res.Status, w.okStatus, res.Body)
				}
				want := max(w.entries, 1)
				if got := rows(t, e, "admin_audit"); got != n+want {
					t.Fatalf("good request left %d audit entries, want %d", got-n, want)
				}
				rd := reader
				rd.t = t
				entries, _ := auditPage(t, rd, "?limit="+strconv.Itoa(want))
				for _, en := range entries {
					if en["action"] != w.route || en["target"] != okPath || en["admin_email"] != adminEmail || en["ip"] != "127.0.0.1" ||
						en["request_id"] != res.Header.Get("X-Request-Id") || en["request_id"] == "" || en["created_at"] != rfc(e.Clock.Now().Sub(plazatest.Start)) {
						t.Fatalf("entry %v (request id %s)", en, res.Header.Get("X-Request-Id"))
					}
					if want := jsonOf(t, before); jsonOf(t, en["before"]) != want {
						t.Fatalf("before = %s, want %s", jsonOf(t, en["before"]), want)
					}
					after := w.ok
					switch {
					case w.after != nil:
						after = w.after
					case w.okHeaders != nil:
						after = nil
					}
					if want := jsonOf(t, after); jsonOf(t, en["after"]) != want {
						t.Fatalf("after = %s, want %s", jsonOf(t, en["after"]), want)
					}
				}
			})
		}
	})
}

// jsonOf is v as canonical JSON (numbers as written).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x)
	return string(b)
}

// No admin write commits without its entry: when the entry cannot be
// written, the write is rolled back, whatever core makes it.
func TestAuditEntryOrNoWrite(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		ctx := context.Background()
		_, userID := register(t, e, "13800138000")
		uid := strconv.FormatInt(userID, 10)
		faq := a.ok("POST", "/admin/v1/faqs", map[string]any{"title": "Q"}, 201)
		if _, err := e.App.DB.Exec(ctx, "ALTER TABLE admin_audit RENAME TO admin_audit_away"); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct{ method, path string }{
			{"PATCH", "/admin/v1/faqs/" + idStr(t, faq)}, {"DELETE", "/admin/v1/faqs/" + idStr(t, faq)},
			{"POST", "/admin/v1/faqs"}, {"POST", "/admin/v1/users/" + uid + "/ban"}, {"POST", "/admin/v1/users/" + uid + "/wallet"},
			{"POST", "/admin/v1/pushes"}, {"POST", "/admin/v1/service-conversations/" + uid + "/messages"},
		} {
			var body any
			switch {
			case strings.HasPrefix(r.path, "/admin/v1/faqs"):
				body = map[string]any{"title": "Changed"}
			case strings.HasSuffix(r.path, "/wallet"):
				body = map[string]any{"currency": "diamond", "amount": 5, "reason": "r"}
			case r.path == "/admin/v1/pushes":
				body = map[string]any{"push_title": "T"}
			case strings.HasSuffix(r.path, "/messages"):
				body = map[string]any{"content": "x"}
			}
			if res := a.do(r.method, r.path, body); res.Status != 500 {
				t.Fatalf("%s %s without the audit table: HTTP %d: %s", r.method, r.path, res.Status, res.Body)
			}
		}
		if _, err := e.App.DB.Exec(ctx, "ALTER TABLE admin_audit_away RENAME TO admin_audit"); err != nil {
			t.Fatal(err)
		}
		if got := a.ok("GET", "/admin/v1/faqs/"+idStr(t, faq), nil, 200); got["title"] != "Q" {
			t.Fatalf("faq changed without its audit entry: %v", got)
		}
		if n := total(t, a, "/admin/v1/faqs"); n != 1 {
			t.Fatalf("%d faqs", n)
		}
		if u := a.ok("GET", "/admin/v1/users/"+uid, nil, 200); u["is_active"] != true {
			t.Fatal("user banned without its audit entry")
		}
		if b, err := e.App.Wallet.Balance(ctx, userID, "diamond"); err != nil || b != 0 {
			t.Fatalf("balance %d (%v) without its audit entry", b, err)
		}
		if rows(t, e, "pushes") != 0 || rows(t, e, "messages") != 0 || rows(t, e, "admin_audit") != 1 {
			t.Fatalf("written without its audit entry: pushes %d, messages %d, entries %d (want the faq's only)",
				rows(t, e, "pushes"), rows(t, e, "messages"), rows(t, e, "admin_audit"))
		}
	})
}

// GET /admin/v1/audit: newest first, by cursor, by admin and by action;
// reads are not recorded; bad parameters are refused.
func TestAuditLog(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		if _, err := e.App.Admins.Create(context.Background(), "two@example.com", "two-password"); err != nil {
			t.Fatal(err)
		}
		res := e.Do("POST", "/admin/v1/login", map[string]any{"email": "two@example.com", "password": "two-password"})
		b := api{t: t, e: e, token: wantOK(t, res, "login", 200)["token"].(string)}
		for i := range 5 {
			a.ok("POST", "/admin/v1/faqs", map[string]any{"title": "A" + strconv.Itoa(i)}, 201)
			a.ok("GET", "/admin/v1/faqs", nil, 200)
		}
		for i := range 3 {
			b.fail("POST", "/admin/v1/feedback-categories", map[string]any{"name": "B" + strconv.Itoa(i), "password": "x"}, 400, "invalid", "password")
			b.ok("POST", "/admin/v1/feedback-categories", map[string]any{"name": "B" + strconv.Itoa(i)}, 201)
		}
		var all []map[string]any
		cursor, pages := "", 0
		for {
			entries, next := auditPage(t, a, "?limit=3&cursor="+url.QueryEscape(cursor))
			all = append(all, entries...)
			pages++
			if next == "" {
				break
			}
			cursor = next
		}
		if len(all) != 8 || pages != 3 {
			t.Fatalf("%d entries in %d pages, want 8 in 3", len(all), pages)
		}
		for i := 1; i < len(all); i++ {
			if num(t, all[i]["id"]) >= num(t, all[i-1]["id"]) {
				t.Fatal("not newest first")
			}
		}
		if all[0]["admin_email"] != "two@example.com" || all[0]["action"] != "POST /admin/v1/feedback-categories" ||
			jsonOf(t, all[0]["after"]) != `{"name":"B2"}` || all[0]["before"] != nil || all[7]["admin_email"] != adminEmail {
			t.Fatalf("entries %v ... %v", all[0], all[7])
		}
		two := strconv.FormatInt(num(t, all[0]["admin_id"]), 10)
		if entries, next := auditPage(t, a, "?admin_id="+two); len(entries) != 3 || next != "" {
			t.Fatalf("admin two: %d entries", len(entries))
		}
		if entries, _ := auditPage(t, a, "?action="+url.QueryEscape("POST /admin/v1/faqs")+"&limit=100"); len(entries) != 5 {
			t.Fatalf("faq creates: %d entries", len(entries))
		}
		if entries, _ := auditPage(t, a, "?admin_id="+two+"&action="+url.QueryEscape("POST /admin/v1/faqs")); len(entries) != 0 {
			t.Fatalf("admin two's faq creates: %d entries", len(entries))
		}
		if entries, _ := auditPage(t, a, "?admin_id=999999"); len(entries) != 0 {
			t.Fatal("entries of no admin")
		}
		for q, field := range map[string]string{
			"?limit=0": "limit", "?limit=101": "limit", "?limit=x": "limit", "?cursor=bad": "cursor", "?admin_id=0": "admin_id",
			"?admin_id=-1": "admin_id", "?admin_id=x": "admin_id", "?action=a%00b": "action",
		} {
			a.fail("GET", "/admin/v1/audit"+q, nil, 400, "invalid", field)
		}
		(api{t: t, e: e}).fail("GET", "/admin/v1/audit", nil, http.StatusUnauthorized, "unauthenticated", "")
	})
}

// Concurrent writes each commit with their own entry.
func TestAuditConcurrentWrites(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		const n = 8
		errc := make(chan string, n)
		for i := range n {
			go func() {
				res := a.e.Do("POST", "/admin/v1/faqs", map[string]any{"title": "Q" + strconv.Itoa(i)}, "Authorization", "Bearer "+a.token)
				if res.Status != 201 {
					errc <- "HTTP " + strconv.Itoa(res.Status) + ": " + string(res.Body)
					return
				}
				errc <- res.Header.Get("X-Request-Id")
			}()
		}
		ids := map[string]bool{}
		for range n {
			ids[<-errc] = true
		}
		entries, _ := auditPage(t, a, "?limit=100")
		if len(entries) != n {
			t.Fatalf("%d entries for %d writes", len(entries), n)
		}
		for _, en := range entries {
			if !ids[en["request_id"].(string)] {
				t.Fatalf("entry %v of no request (%v)", en, ids)
			}
			delete(ids, en["request_id"].(string))
		}
	})
}
