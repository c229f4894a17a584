package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"plaza/internal/plazatest"
)

// fuzzAdmin keeps a session of an admin of its own for a fuzz target: an
// input may sign it out, change its password or disable it; the next
// input then signs in again, as a new admin when it must.
type fuzzAdmin struct {
	z     *plazatest.Fuzz
	mu    sync.Mutex
	n     int
	email string
	token string
}

const fuzzAdminPassword = "fuzz-admin-password"

func (a *fuzzAdmin) session(t testing.TB) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" {
		r, _ := plazatest.FuzzRequest("GET", "/admin/v1/session", "", nil)
		r.Header.Set("Authorization", "Bearer "+a.token)
		if a.z.Serve(t, r).Status == http.StatusOK {
			return a.token
		}
	}
	for try := 0; try < 2; try++ {
		if a.email == "" || try > 0 {
			a.n++
			a.email = fmt.Sprintf("fuzz-%d@example.com", a.n)
			if _, err := a.z.App.Admins.Create(context.Background(), a.email, fuzzAdminPassword); err != nil {
				t.Fatalf("create admin: %v", err)
			}
		}
		body, _ := json.Marshal(map[string]string{"email": a.email, "password": fuzzAdminPassword})
		r, _ := plazatest.FuzzRequest("POST", "/admin/v1/login", "application/json", body)
		r.RemoteAddr = "198.51.100.7:4321" // not the inputs' address, whose failures are limited
		res := a.z.Serve(t, r)
		var m struct{ Token string }
		if res.Status == http.StatusOK && json.Unmarshal(res.Body, &m) == nil && m.Token != "" {
			a.token = m.Token
			return a.token
		}
	}
	t.Fatal("no admin can sign in")
	return ""
}

// FuzzAdminAPI sends any request under /admin/v1/ through the real
// handler, with an admin's Bearer token or without: no panic, no internal
// error, no 5xx, and every answer is the face's: a JSON object (204: no
// body), and on errors {"error": {"code", "message"[, "field"]}} with a
// 4xx status.
func FuzzAdminAPI(f *testing.F) {
	z := plazatest.NewFuzz(f, map[string]string{"PLAZA_ADMIN_EMAIL": adminEmail, "PLAZA_ADMIN_PASSWORD": adminPassword})
	a := &fuzzAdmin{z: z}
	z.Token(f, plazatest.FuzzPhones[0]) // user 1
	for _, s := range []struct{ method, path, body string }{
		{"POST", "login", `{"email":"ops@example.com","password":"ops-password"}`},
		{"POST", "login", `{"email":"ops@example.com","password":"ops-password","cookie":true}`},
		{"GET", "session", ``},
		{"POST", "logout", ``},
		{"GET", "admins?page=1&page_size=20", ``},
		{"POST", "admins", `{"email":"second@example.com","password":"second-password"}`},
		{"PATCH", "admins/1", `{"disabled":true}`},
		{"POST", "admins/me/password", `{"old_password":"fuzz-admin-password","new_password":"fresh-password"}`},
		{"POST", "admins/me/totp", `{"password":"x"}`},
		{"POST", "admins/me/totp/confirm", `{"code":"123456"}`},
		{"GET", "catalog", ``},
		{"GET", "openapi.json", ``},
		{"GET", "faqs?q=Q&sort=-id&page=1&page_size=5", ``},
		{"POST", "faqs", `{"title":"Q","content":"A","category":"c","external_link":"https://example.com/"}`},
		{"PATCH", "faqs/1", `{"title":"Q2"}`},
		{"DELETE", "faqs/1", ``},
		{"POST", "feedback-categories", `{"name":"app"}`},
		{"POST", "masters", `{"name":"达人","birthday":"1990-01-02","recommended":true}`},
		{"POST", "merchants", `{"name":"Shop","email":"shop@example.com","phone":"+86 138-0013-8000","logo":"a.jpeg"}`},
		{"POST", "clothes", `{"kind":"merchant","name":"hex","merchant_id":1}`},
		{"POST", "projects", `{"master_id":1,"name":"项目","intro":"[\"段落\"]"}`},
		{"POST", "tickets", `{"project_id":1,"name":"票","price":1999}`},
		{"POST", "banners", `{"placement":"home","image":"a.jpeg","url":"https://example.com/x?y=1"}`},
		{"POST", "games", `{"name":"Go","recommended":true}`},
		{"POST", "goods", `{"name":"Bone","price":30,"picture":"b.png","desc":"A bone"}`},
		{"POST", "exchange-products", `{"name":"Avatar","diamond":2,"product_type":1,"category":{"name":"A","style":"avatar_2","action":"avatar"},"stock":null}`},
		{"POST", "pushes", `{"push_title":"Hello","push_body":"World","user_ids":[1]}`},
		{"GET", "pushes/1", ``},
		{"GET", "dashboard?days=7", ``},
		{"GET", "users?q=138", ``},
		{"GET", "users/1/profile", ``},
		{"PATCH", "users/1", `{"is_active":true}`},
		{"POST", "users/1/ban", ``},
		{"POST", "users/1/unban", ``},
		{"POST", "users/1/wallet", `{"currency":"diamond","amount":100,"reason":"grant","idempotency_key":"k1"}`},
		{"POST", "users/1/wallet", `{"currency":"coin","amount":-5}`},
		{"GET", "users/1/ledger?currency=diamond&limit=20&cursor=", ``},
		{"GET", "orders?status=0&user_id=1", ``},
		{"GET", "orders/1", ``},
		{"POST", "orders/1/refund", ``},
		{"GET", "exchange-orders?user_id=1", ``},
		{"GET", "exchange-orders/20260301100000000000000001", ``},
		{"POST", "exchange-orders/20260301100000000000000001/refund", ``},
		{"GET", "payments?status=paid&user_id=1&method=wechat", ``},
		{"GET", "payments/P20260301100000abc", ``},
		{"GET", "feedback?status=0", ``},
		{"POST", "feedback/1/replies", `{"content":"thanks"}`},
		{"GET", "service-conversations", ``},
		{"POST", "service-conversations/1/messages", `{"content":"hi"}`},
		{"GET", "audit?limit=5&action=create", ``},
		{"GET", "nowhere", ``},
	} {
		ct := ""
		if s.body != "" {
			ct = "application/json"
		}
		f.Add(s.method, s.path, ct, []byte(s.body), true)
	}
	f.Add("POST", "media", "multipart/form-data; boundary=XX",
		[]byte("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.gif\"\r\nContent-Type: image/gif\r\n\r\nGIF89a\x01\x00\x01\x00\x00\x00\x00;\r\n--XX--\r\n"), true)
	f.Add("GET", "users", "", []byte(nil), false)
	f.Fuzz(func(t *testing.T, method, path, ct string, body []byte, signedIn bool) {
		r, ok := plazatest.FuzzRequest(method, "/admin/v1/"+path, ct, body)
		if !ok {
			return
		}
		if signedIn {
			r.Header.Set("Authorization", "Bearer "+a.session(t))
		}
		res := z.Serve(t, r)
		if plazatest.Redirected(r, res) {
			return
		}
		what := method + " " + r.URL.String()
		ctype := res.Header.Get("Content-Type")
		switch {
		case res.Status == http.StatusNoContent:
			if len(res.Body) != 0 {
				t.Fatalf("%s: 204 with a body: %s", what, res.Body)
			}
			return
		case res.Status == http.StatusOK && strings.HasPrefix(ctype, "text/html") && r.URL.Path == "/admin/v1/reference":
			return
		case !strings.HasPrefix(ctype, "application/json"):
			t.Fatalf("%s: HTTP %d %s: %.300s", what, res.Status, ctype, res.Body)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(res.Body, &m) != nil || m == nil {
			t.Fatalf("%s: not a JSON object: %.300s", what, res.Body)
		}
		_, isErr := m["error"]
		if res.Status < 400 {
			if isErr || res.Status < 200 || res.Status > 299 {
				t.Fatalf("%s: HTTP %d: %.300s", what, res.Status, res.Body)
			}
			return
		}
		var e struct {
			Error map[string]string
		}
		if len(m) != 1 || json.Unmarshal(res.Body, &e) != nil || e.Error["code"] == "" || e.Error["message"] == "" ||
			len(e.Error) != 2 && (len(e.Error) != 3 || e.Error["field"] == "") {
			t.Fatalf("%s: HTTP %d, not the error body: %s", what, res.Status, res.Body)
		}
	})
}
