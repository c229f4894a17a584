package yuanyi_test

import (
	"fmt"
	"testing"

	"plaza/internal/plazatest"
)

// shop is a master with a project of tickets, made by the admin face.
type shop struct {
	masterID, project string
	tickets           []string // prices 1999, 2999, 3999, ...
}

func makeShop(t *testing.T, e *plazatest.Env, n int) shop {
	t.Helper()
	adm := adminLogin(t, e)
	m := adm.create("masters", map[string]any{"name": "达人0", "avatar": "ef203694-855a-11ee-bcb6-5785abdd6148.jpeg", "intro": "达人简介0"})
	s := shop{masterID: m["master_id"].(string)}
	s.project = idOf(adm.create("projects", map[string]any{"master_id": s.masterID, "name": "项目名称0", "image": "e5df9161.jpeg", "intro": "项目简介0"}))
	for i := 0; i < n; i++ {
		s.tickets = append(s.tickets, idOf(adm.create("tickets", map[string]any{
			"project_id": mustInt(t, s.project), "name": fmt.Sprintf("票名称%d", i), "image": "f2bf36d8.jpeg", "intro": "票简介", "price": 1999 + 1000*i,
		})))
	}
	return s
}

var (
	projectKeys     = []string{"project_id", "name", "image", "intro", "created_at", "master"}
	projectMaster   = append(append([]string(nil), masterBriefKeys...), "is_follow")
	ticketKeys      = []string{"ticket_id", "project_id", "name", "image", "intro", "price", "created_at"}
	ticketWithOwner = append(append([]string(nil), ticketKeys...), "master")
)

func TestProjectsAndTickets(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a, _ := signup(t, e, "18682222222")
		s := makeShop(t, e, 3)
		for _, method := range []string{"project_list", "project_recommend_list"} {
			items := list(t, ok(t, e, method, nil, a), method, projectKeys...)
			if len(items) != 1 || items[0]["name"] != "项目名称0" {
				t.Fatalf("%s = %v", method, items)
			}
			exactKeys(t, "master", items[0]["master"].(map[string]any), projectMaster...)
		}
		if got := list(t, ok(t, e, "project_list", map[string]any{"master_id": s.masterID}, a), "project_list"); len(got) != 1 {
			t.Fatalf("project_list of the master = %v", got)
		}
		ok(t, e, "project_list", map[string]any{"master_id": nil}, a)
		fails(t, e, "project_list", map[string]any{"master_id": "00000000000000000000000000000000"}, a, 400)
		fails(t, e, "project_list", map[string]any{"master_id": "xyz"}, a, 400)

		// Following the master: its projects and unsold tickets.
		m := ok(t, e, "my_following_masters_project_list", nil, a)
		if len(list(t, m, "project_recommend_list")) != 0 || len(list(t, m, "my_following_masters_project_list")) != 0 {
			t.Fatalf("before follow: %v", m)
		}
		ok(t, e, "master_follow", map[string]any{"master_id": s.masterID}, a)
		m = ok(t, e, "my_following_masters_project_list", nil, a)
		if got := list(t, m, "project_recommend_list", projectKeys...); len(got) != 1 || got[0]["master"].(map[string]any)["is_follow"] != true {
			t.Fatalf("after follow: %v", m)
		}
		list(t, m, "my_following_masters_project_list", projectKeys...)
		if got := list(t, ok(t, e, "my_following_masters_ticket_list", nil, a), "my_following_masters_ticket_list", ticketWithOwner...); len(got) != 3 {
			t.Fatalf("followed tickets = %v", got)
		}

		d := keys(t, "project_detail", ok(t, e, "project_detail", map[string]any{"project_id": s.project}, a)["project_detail"],
			append(projectKeys, "ticket_count")...)
		numIs(t, "ticket_count", d["ticket_count"], 3)
		fails(t, e, "project_detail", map[string]any{"project_id": 999999}, a, 400)
		fails(t, e, "project_detail", map[string]any{"project_id": "x"}, a, 400)
		fails(t, e, "project_detail", nil, a, 400)

		tl := list(t, ok(t, e, "ticket_list", map[string]any{"project_id": s.project}, a), "ticket_list", ticketKeys...)
		if len(tl) != 3 || tl[2]["price"].(interface{ String() string }).String() != "1999" {
			t.Fatalf("ticket_list = %v", tl)
		}
		td := ok(t, e, "ticket_detail", map[string]any{"ticket_id": s.tickets[0]}, a)
		numIs(t, "project_ticket_count", td["project_ticket_count"], 3)
		det := keys(t, "ticket_detail", td["ticket_detail"], append(ticketKeys, "updated_at", "project_name", "project_ticket_count")...)
		if det["project_name"] != "项目名称0" {
			t.Fatalf("ticket_detail = %v", det)
		}
		fails(t, e, "ticket_detail", map[string]any{"ticket_id": 999999}, a, 201)
		fails(t, e, "ticket_detail", map[string]any{"ticket_id": -1}, a, 400)
		fails(t, e, "ticket_list", map[string]any{"project_id": 999999}, a, 400)
		rec := list(t, ok(t, e, "ticket_recommend_list", nil, a), "ticket_recommend_list", ticketWithOwner...)
		if len(rec) != 3 || rec[0]["master"].(map[string]any)["name"] != "达人0" || rec[0]["master"].(map[string]any)["avatar"] == nil {
			t.Fatalf("ticket_recommend_list = %v", rec)
		}

		// A sold ticket leaves every unsold list; the flagged ones are the
		// recommended.
		ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{s.tickets[0]}}, a)
		oid := list(t, ok(t, e, "my_order_list", nil, a), "my_order_list")[0]["order_id"]
		ok(t, e, "order_pay", map[string]any{"order_id": oid}, a)
		for _, c := range []struct {
			method, key string
			params      map[string]any
		}{{"ticket_list", "ticket_list", map[string]any{"project_id": s.project}}, {"ticket_recommend_list", "ticket_recommend_list", nil},
			{"my_following_masters_ticket_list", "my_following_masters_ticket_list", nil}} {
			if got := list(t, ok(t, e, c.method, c.params, a), c.key); len(got) != 2 {
				t.Fatalf("%s after a sale: %v", c.method, got)
			}
		}
		numIs(t, "ticket_count", ok(t, e, "project_detail", map[string]any{"project_id": s.project}, a)["project_detail"].(map[string]any)["ticket_count"], 2)
		adminLogin(t, e).do("PATCH", "tickets/"+s.tickets[1], map[string]any{"recommended": true}, 200)
		if got := list(t, ok(t, e, "ticket_recommend_list", nil, a), "ticket_recommend_list"); len(got) != 1 || fmt.Sprint(got[0]["ticket_id"]) != s.tickets[1] {
			t.Fatalf("flagged: %v", got)
		}
		for _, bad := range badPages {
			fails(t, e, "ticket_recommend_list", bad, a, 400)
		}
	})
}

func TestTicketComments(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a, aUID := signup(t, e, "18682222222")
		b, _ := signup(t, e, "18683333333")
		s := makeShop(t, e, 2)
		if got := list(t, ok(t, e, "ticket_circle", nil, a), "ticket_circle"); len(got) != 0 {
			t.Fatalf("empty circle = %v", got)
		}
		ok(t, e, "ticket_comment_publish", map[string]any{"ticket_id": s.tickets[0], "content": "test_ticket_comment"}, a)
		ok(t, e, "ticket_comment_publish", map[string]any{"ticket_id": s.tickets[1], "content": "b1"}, b)
		ok(t, e, "ticket_comment_publish", map[string]any{"ticket_id": s.tickets[1], "content": "b2"}, b)
		got := list(t, ok(t, e, "ticket_comment_list", map[string]any{"ticket_id": s.tickets[0]}, b), "ticket_comment_list",
			"ticket_comment_id", "comment_id", "uid", "content", "created_at", "author")
		if len(got) != 1 || got[0]["uid"] != aUID || got[0]["author"].(map[string]any)["nickname"] != "nick-18682222222" {
			t.Fatalf("ticket_comment_list = %v", got)
		}
		mine := got[0]["ticket_comment_id"]
		circle := list(t, ok(t, e, "ticket_circle", nil, a), "ticket_circle", "ticket", "last_comment")
		if len(circle) != 2 || circle[0]["last_comment"].(map[string]any)["content"] != "b2" || circle[1]["last_comment"].(map[string]any)["content"] != "test_ticket_comment" {
			t.Fatalf("ticket_circle = %v", circle)
		}
		keys(t, "ticket", circle[0]["ticket"], "ticket_id", "name", "image", "intro", "created_at")
		lc := keys(t, "last_comment", circle[0]["last_comment"], "comment_id", "content", "created_at", "author")
		keys(t, "author", lc["author"], "uid", "nickname", "avatar", "gender", "country", "province", "city", "birthday", "score", "level", "exp", "intro", "created_at")

		// Only one's own: another's refuses the whole call; "1,2" works.
		bc := list(t, ok(t, e, "ticket_comment_list", map[string]any{"ticket_id": s.tickets[1]}, b), "ticket_comment_list")
		fails(t, e, "ticket_comment_del", map[string]any{"ticket_comment_id_list": []any{mine, bc[0]["ticket_comment_id"]}}, b, 111)
		fails(t, e, "ticket_comment_del", map[string]any{"ticket_comment_id_list": []any{}}, b, 400)
		fails(t, e, "ticket_comment_del", map[string]any{"ticket_comment_id_list": "x,y"}, b, 400)
		ok(t, e, "ticket_comment_del", map[string]any{"ticket_comment_id_list": fmt.Sprint(bc[0]["ticket_comment_id"])}, b)
		circle = list(t, ok(t, e, "ticket_circle", nil, a), "ticket_circle")
		if circle[0]["last_comment"].(map[string]any)["content"] != "b1" {
			t.Fatalf("after deleting the last comment: %v", circle)
		}
		ok(t, e, "ticket_comment_del", map[string]any{"ticket_comment_id_list": []any{bc[1]["ticket_comment_id"]}}, b)
		if circle = list(t, ok(t, e, "ticket_circle", nil, a), "ticket_circle"); len(circle) != 1 {
			t.Fatalf("after deleting every comment of a ticket: %v", circle)
		}
		ok(t, e, "ticket_comment_del", map[string]any{"ticket_comment_id_list": []any{mine, 999999}}, a)

		for _, c := range []map[string]any{
			{"ticket_id": s.tickets[0]}, {"ticket_id": s.tickets[0], "content": "  "}, {"content": "x"},
			{"ticket_id": "abc", "content": "x"}, {"ticket_id": s.tickets[0], "content": []any{"x"}},
			{"ticket_id": s.tickets[0], "content": string(make([]byte, 1001))},
		} {
			fails(t, e, "ticket_comment_publish", c, a, 400)
		}
		fails(t, e, "ticket_comment_publish", map[string]any{"ticket_id": 999999, "content": "x"}, a, 201)
		fails(t, e, "ticket_comment_list", map[string]any{"ticket_id": 999999}, a, 201)
	})
}
