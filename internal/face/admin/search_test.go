package admin_test

import (
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

// A collection's list searches (?q=) and sorts (?sort=) on the server, so
// the console finds a record among all pages, not only on the one shown.
func TestCollectionSearchAndSort(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		made, public := map[string]int64{}, map[string]string{}
		for i, m := range []struct {
			name, address string
			sort          int
		}{
			{"Alice Zhang", "北京 朝阳", 3},
			{"bob", "上海 100% 浦东", 1},
			{"Carol_x", "广州", 2},
			{"alicia", "", 5},
			{"Dave", "北京 海淀", 4},
		} {
			rec := a.ok("POST", "/admin/v1/masters", map[string]any{"name": m.name, "address": m.address, "sort": m.sort,
				"intro": "long text about alice and everyone " + strconv.Itoa(i)}, 201)
			made[m.name], public[m.name] = num(t, rec["id"]), rec["master_id"].(string)
			e.Clock.Advance(time.Minute)
		}
		byName := func(names ...string) []int64 {
			out := make([]int64, len(names))
			for i, n := range names {
				out[i] = made[n]
			}
			return out
		}
		list := func(query string, total int64) []int64 {
			t.Helper()
			return ids(t, page(t, a.ok("GET", "/admin/v1/masters?"+query, nil, 200), total, 1, 20))
		}
		q := func(s string) string { return "q=" + url.QueryEscape(s) }

		for _, c := range []struct {
			query string
			want  []int64
		}{
			{q("alic"), byName("alicia", "Alice Zhang")}, // newest first; intro (multiline) is not searched
			{q("ALICE"), byName("Alice Zhang")},          // Latin letters in any case
			{q("北京"), byName("Dave", "Alice Zhang")},     // the address
			{q("100%"), byName("bob")},                   // % is a character, not a wildcard
			{q("%"), byName("bob")},
			{q("_"), byName("Carol_x")}, // _ too
			{q("  bob  "), byName("bob")},
			{q(strconv.FormatInt(made["Dave"], 10)), byName("Dave")}, // the id
			{q(strings.ToUpper(public["bob"])), byName("bob")},       // the public id, whole
			{q(public["bob"][:8]), []int64{}},
			{q("nobody"), []int64{}},
			{"", byName("Dave", "alicia", "Carol_x", "bob", "Alice Zhang")},
			{q(""), byName("Dave", "alicia", "Carol_x", "bob", "Alice Zhang")},
			{"sort=name", byName("Alice Zhang", "Carol_x", "Dave", "alicia", "bob")}, // code point order
			{"sort=-name", byName("bob", "alicia", "Dave", "Carol_x", "Alice Zhang")},
			{"sort=sort", byName("bob", "Carol_x", "Alice Zhang", "Dave", "alicia")},
			{"sort=-sort", byName("alicia", "Dave", "Alice Zhang", "Carol_x", "bob")},
			{"sort=created_at", byName("Alice Zhang", "bob", "Carol_x", "alicia", "Dave")},
			{"sort=-id", byName("Dave", "alicia", "Carol_x", "bob", "Alice Zhang")},
			{"sort=recommended", byName("Dave", "alicia", "Carol_x", "bob", "Alice Zhang")}, // ties newest first
			{q("北京") + "&sort=sort", byName("Alice Zhang", "Dave")},
		} {
			if got := list(c.query, int64(len(c.want))); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}

		// Paging over what a search finds: the total is of the matches.
		got := ids(t, page(t, a.ok("GET", "/admin/v1/masters?"+q("a")+"&sort=name&page=2&page_size=2", nil, 200), 4, 2, 2))
		if want := byName("Dave", "alicia"); !reflect.DeepEqual(got, want) {
			t.Errorf("page 2 of q=a: %v, want %v", got, want)
		}

		// A search or sort that cannot be: 400 naming the parameter.
		for _, c := range []struct{ query, field string }{
			{q(strings.Repeat("x", 101)), "q"},
			{q("a\x00b"), "q"},
			{q("a\nb"), "q"},
			{q("\xff"), "q"},
			{"sort=intro", "sort"}, // multiline
			{"sort=nothing", "sort"},
			{"sort=--name", "sort"},
			{"sort=" + url.QueryEscape("name;DROP TABLE masters"), "sort"},
		} {
			a.fail("GET", "/admin/v1/masters?"+c.query, nil, 400, "invalid", c.field)
		}

		// The description says which fields the list searches and sorts by.
		var masters map[string]any
		for _, c := range a.ok("GET", "/admin/v1/catalog", nil, 200)["collections"].([]any) {
			if c := c.(map[string]any); c["name"] == "masters" {
				masters = c
			}
		}
		flags := map[string][2]bool{}
		for _, f := range masters["fields"].([]any) {
			f := f.(map[string]any)
			flags[f["name"].(string)] = [2]bool{f["searchable"] == true, f["sortable"] == true}
		}
		for name, want := range map[string][2]bool{
			"name": {true, true}, "address": {true, true}, "master_id": {true, true},
			"intro": {false, false}, "avatar": {false, true}, "sort": {false, true}, "user_id": {false, true},
		} {
			if flags[name] != want {
				t.Errorf("masters.%s searchable, sortable = %v, want %v", name, flags[name], want)
			}
		}
	})
}
