package admin_test

import (
	"strconv"
	"strings"
	"testing"

	"plaza/internal/plazatest"
)

// Projects and tickets: create (by the master's id or master_id), patch,
// delete, and bad input of each, with nothing written by a refusal.
func TestProjectsAndTickets(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		master := a.ok("POST", "/admin/v1/masters", map[string]any{"name": "达人0"}, 201)
		masterID := master["master_id"].(string)

		p := a.ok("POST", "/admin/v1/projects", map[string]any{"master_id": masterID, "name": "项目名称0", "image": "e5df9161.jpeg", "intro": "[\"段落\"]"}, 201)
		sameKeys(t, "project", p, "id", "master_id", "name", "image", "intro", "recommended", "created_at", "updated_at")
		if num(t, p["master_id"]) != num(t, master["id"]) || p["recommended"] != false {
			t.Fatalf("project = %v", p)
		}
		byID := a.ok("POST", "/admin/v1/projects", map[string]any{"master_id": num(t, master["id"]), "name": "项目1", "recommended": true}, 201)
		pPath := "/admin/v1/projects/" + idStr(t, p)
		if got := a.ok("PATCH", pPath, map[string]any{"name": "项目名称9", "recommended": true}, 200); got["name"] != "项目名称9" || got["recommended"] != true {
			t.Fatalf("patched = %v", got)
		}
		for _, b := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "x"}, "master_id"},
			{map[string]any{"name": "x", "master_id": nil}, "master_id"},
			{map[string]any{"name": "x", "master_id": "00000000000000000000000000000000"}, "master_id"},
			{map[string]any{"name": "x", "master_id": 999999}, "master_id"},
			{map[string]any{"name": "x", "master_id": "xyz"}, "master_id"},
			{map[string]any{"master_id": masterID}, "name"},
			{map[string]any{"master_id": masterID, "name": strings.Repeat("名", 101)}, "name"},
			{map[string]any{"master_id": masterID, "name": "a\x00b"}, ""},
			{map[string]any{"master_id": masterID, "name": "x", "image": "a b.jpeg"}, "image"},
			{map[string]any{"master_id": masterID, "name": "x", "recommended": "yes"}, "recommended"},
			{map[string]any{"master_id": masterID, "name": "x", "price": 1}, "price"},
		} {
			if b.field == "" {
				if res := a.do("POST", "/admin/v1/projects", b.body); res.Status != 400 {
					t.Fatalf("POST %v: %d", b.body, res.Status)
				}
				continue
			}
			a.fail("POST", "/admin/v1/projects", b.body, 400, "invalid", b.field)
		}
		a.fail("PATCH", pPath, map[string]any{"master_id": nil}, 400, "invalid", "master_id")
		if n := total(t, a, "/admin/v1/projects"); n != 2 {
			t.Fatalf("%d projects", n)
		}

		tk := a.ok("POST", "/admin/v1/tickets", map[string]any{"project_id": num(t, p["id"]), "name": "票名称0", "price": 1999, "intro": "票简介0"}, 201)
		sameKeys(t, "ticket", tk, "id", "project_id", "name", "image", "intro", "price", "recommended", "created_at", "updated_at")
		tPath := "/admin/v1/tickets/" + idStr(t, tk)
		if got := a.ok("PATCH", tPath, map[string]any{"price": 0}, 200); num(t, got["price"]) != 0 {
			t.Fatalf("patched = %v", got)
		}
		for _, b := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "x"}, "project_id"},
			{map[string]any{"name": "x", "project_id": 999999}, "project_id"},
			{map[string]any{"name": "x", "project_id": "abc"}, "project_id"},
			{map[string]any{"name": "x", "project_id": num(t, p["id"]), "price": -1}, "price"},
			{map[string]any{"name": "x", "project_id": num(t, p["id"]), "price": 1.5}, "price"},
			{map[string]any{"name": "x", "project_id": num(t, p["id"]), "price": "1999"}, "price"},
			{map[string]any{"name": "x", "project_id": num(t, p["id"]), "price": 1e15}, "price"},
			{map[string]any{"name": "x", "project_id": num(t, p["id"]), "sold_to": 1}, "sold_to"},
			{map[string]any{"name": "x", "project_id": num(t, p["id"]), "reserved_order": 1}, "reserved_order"},
		} {
			a.fail("POST", "/admin/v1/tickets", b.body, 400, "invalid", b.field)
		}
		a.fail("PATCH", tPath, map[string]any{"price": -5}, 400, "invalid", "price")
		if n := total(t, a, "/admin/v1/tickets"); n != 1 {
			t.Fatalf("%d tickets", n)
		}

		// A project with tickets, a master with projects: refused (409).
		a.fail("DELETE", pPath, nil, 409, "conflict", "")
		a.fail("DELETE", "/admin/v1/masters/"+idStr(t, master), nil, 409, "conflict", "")
		a.ok("DELETE", tPath, nil, 204)
		a.fail("DELETE", tPath, nil, 404, "not_found", "")
		a.ok("DELETE", pPath, nil, 204)
		a.ok("DELETE", "/admin/v1/projects/"+strconv.FormatInt(num(t, byID["id"]), 10), nil, 204)
		a.fail("GET", pPath, nil, 404, "not_found", "")
		a.fail("DELETE", "/admin/v1/tickets/x", nil, 404, "not_found", "") // a garbage id names nothing
	})
}
