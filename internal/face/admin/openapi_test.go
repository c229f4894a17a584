package admin_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"plaza/internal/face/admin"
	"plaza/internal/httpx"
	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
)

// Every route the admin face serves under /admin/v1/ is an operation of
// its OpenAPI document, and every operation of the document is served
// (the catch-all, which has no method, aside).
func TestDocumentCoversRoutes(t *testing.T) {
	rt := httpx.NewRouter()
	admin.Routes(rt, admin.Deps{})
	name := regexp.MustCompile(`\{[^}]+\}`)
	norm := func(p string) string { return name.ReplaceAllString(p, "{}") }
	var served []string
	for _, p := range rt.Patterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok || !strings.HasPrefix(path, "/admin/v1/") {
			continue
		}
		served = append(served, method+" "+norm(path))
	}
	var doc []string
	for _, k := range documented(t) {
		doc = append(doc, norm(k))
	}
	for _, s := range served {
		if !slices.Contains(doc, s) {
			t.Errorf("%s is served and not in the OpenAPI document (add it to a fragment of internal/face/admin/openapi)", s)
		}
	}
	for _, d := range doc {
		if !slices.Contains(served, d) {
			t.Errorf("%s is in the OpenAPI document and not served", d)
		}
	}
	if len(served) < 60 {
		t.Fatalf("only %d routes: %v", len(served), served)
	}
}

// The document and the reference page are served without a session;
// the document is cacheable.
func TestDocumentServed(t *testing.T) {
	e := plazatest.New(t, storetest.Engines()[0], withAdmin)
	c := check(api{t: t, e: e})
	res := c.do("GET", "/admin/v1/openapi.json", nil)
	if res.Status != 200 || res.Header.Get("ETag") == "" || !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("openapi.json: %d %v", res.Status, res.Header)
	}
	if m := res.JSON(); m["openapi"] != "3.1.0" {
		t.Fatalf("openapi %v", m["openapi"])
	}
	if res := c.do("GET", "/admin/v1/openapi.json", nil, "If-None-Match", res.Header.Get("ETag")); res.Status != 304 || len(res.Body) != 0 {
		t.Fatalf("If-None-Match: %d %q", res.Status, res.Body)
	}
	for path, ct := range map[string]string{"/admin/v1/reference": "text/html", "/admin/v1/reference/reference.js": "text/javascript",
		"/admin/v1/reference/reference.css": "text/css"} {
		res := c.do("GET", path, nil)
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), ct) {
			t.Fatalf("%s: %d %s", path, res.Status, res.Header.Get("Content-Type"))
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self'") {
			t.Fatalf("%s: CSP %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s: no nosniff", path)
		}
		body := string(res.Body)
		if strings.Contains(body, "innerHTML") || strings.Contains(body, "outerHTML") || strings.Contains(body, "insertAdjacentHTML") ||
			regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+=|style=`).MatchString(body) {
			t.Fatalf("%s: inline script or style, or HTML set from text", path)
		}
	}
	c.fail("GET", "/admin/v1/reference/nope.js", nil, 404, "not_found", "")
	c.fail("GET", "/admin/v1/reference/..%2fadmin.go", nil, 404, "not_found", "")
}

// The contract catches an answer that is not as documented.
func TestContractCatches(t *testing.T) {
	c := mustContract(t)
	user := `{"id":1,"area":"86","phone":"13800138000","email":"","openid":"","uid":"0123456789abcdef0123456789abcdef","nickname":"","avatar":"","gender":0,"birthday":"","address":"","role":0,"is_active":true,"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:00Z"}`
	json := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if _, err := c.check("GET", "/admin/v1/users/1", nil, "", nil, plazatest.Response{Status: 200, Header: json, Body: []byte(user)}); err != nil {
		t.Fatalf("a good answer refused: %v", err)
	}
	for name, res := range map[string]plazatest.Response{
		"an extra field":         {Status: 200, Header: json, Body: []byte(strings.Replace(user, `"id":1,`, `"id":1,"password":"x",`, 1))},
		"a field missing":        {Status: 200, Header: json, Body: []byte(strings.Replace(user, `"phone":"13800138000",`, "", 1))},
		"a wrong type":           {Status: 200, Header: json, Body: []byte(strings.Replace(user, `"id":1`, `"id":"1"`, 1))},
		"a bad time":             {Status: 200, Header: json, Body: []byte(strings.Replace(user, `"2026-03-01T10:00:00Z"`, `"yesterday"`, 1))},
		"an undocumented status": {Status: 201, Header: json, Body: []byte(user)},
		"another content type":   {Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(user)},
		"a bad error body":       {Status: 404, Header: json, Body: []byte(`{"error":{"code":"not_found"}}`)},
	} {
		if _, err := c.check("GET", "/admin/v1/users/1", nil, "", nil, res); err == nil {
			t.Errorf("%s: not caught", name)
		}
	}
	// A request the server took that the document refuses is caught too.
	if _, err := c.check("PATCH", "/admin/v1/users/1", []byte(`{"is_active":"yes"}`), "application/json", nil,
		plazatest.Response{Status: 200, Header: json, Body: []byte(user)}); err == nil {
		t.Errorf("a bad request: not caught")
	}
	if _, err := c.check("GET", "/admin/v1/nowhere", nil, "", nil, plazatest.Response{Status: 200, Header: json, Body: []byte(`{}`)}); err == nil {
		t.Errorf("an undocumented route: not caught")
	}
}
