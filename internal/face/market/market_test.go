package market_test

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"plaza/internal/errs"
	"plaza/internal/plazatest"
)

func keys(m map[string]any) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func sameKeys(t *testing.T, what string, m map[string]any, want string) {
	t.Helper()
	if got := keys(m); got != want {
		t.Fatalf("%s: keys %s, want %s", what, got, want)
	}
}

func results(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	sameKeys(t, "page", m, "count,next,previous,results")
	list, ok := m["results"].([]any)
	if !ok {
		t.Fatalf("results %v", m["results"])
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

func number(v any) int64 {
	n, _ := v.(json.Number).Int64()
	return n
}

const (
	productKeys  = "bought,content,create_time,diamond,image,name,pk,product_type,product_type_display"
	virtualKeys  = "bought,category_detail,content,create_time,diamond,image,name,pk,product_type,product_type_display"
	orderKeys    = "create_time,diamond,exchange_product,order_number,owner,status,status_display"
	userProdKeys = "create_time,exchange_product,owner,pk,status,status_display"
)

var prefixes = []string{"/market/", "/program_face2face/market/"}

// The whole face with the seed's keys, values and display strings, on
// both prefixes.
func TestMarketFlow(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		e.Clock.Set(plazatest.Start.Add(719 * time.Millisecond))
		tea := product(t, e, "冰红茶", 100, "", nil)
		e.Clock.Advance(time.Second)
		frame := product(t, e, "虚拟商品", 300, "avatar", nil)
		alice := newUser(t, e, 1, "赵小明")
		bob := newUser(t, e, 2, "Bob")
		alice.grant(t, 1000)

		for _, pre := range prefixes {
			list := results(t, want(t, e.Do("GET", pre+"exchange_products/", nil), "list", 200))
			if len(list) != 2 || number(list[0]["pk"]) != frame || number(list[1]["pk"]) != tea {
				t.Fatalf("list %v", list)
			}
			sameKeys(t, "virtual product", list[0], virtualKeys)
			sameKeys(t, "physical product", list[1], productKeys)
			if list[1]["product_type_display"] != "实物商品" || list[0]["product_type_display"] != "虚拟商品" || number(list[0]["product_type"]) != 1 {
				t.Fatalf("types %v", list)
			}
			if got := list[1]["create_time"]; got != "2026-03-01T18:00:00.719000" {
				t.Fatalf("create_time %v", got)
			}
			cat := list[0]["category_detail"].(map[string]any)
			sameKeys(t, "category_detail", cat, "action,desc,name,pk,style")
			if cat["action"] != "avatar" || cat["style"] != "avatar_2" || cat["name"] != "Avatar" || cat["desc"] != "" {
				t.Fatalf("category %v", cat)
			}
			for q, n := range map[string]int{"?_type=0": 1, "?_type=1": 1, "?name=红": 1, "?name=商品&_type=1": 1, "?name=%25": 0, "?name=_": 0, "?_type=": 2} {
				if got := results(t, want(t, e.Do("GET", pre+"exchange_products/"+q, nil), q, 200)); len(got) != n {
					t.Fatalf("%s: %d results, want %d", q, len(got), n)
				}
			}
			d := want(t, e.Do("GET", pre+"exchange_products/"+id(tea)+"/", nil), "detail", 200)
			if !reflect.DeepEqual(d, list[1]) {
				t.Fatalf("detail %v, list item %v", d, list[1])
			}
		}

		// Purchases on both prefixes.
		for _, pre := range prefixes {
			m := want(t, alice.do("GET", pre+"exchange_products/purchase/"+id(frame)+"/"), "purchase", 200)
			if len(m) != 1 || m["message"] != "兑换成功" {
				t.Fatalf("purchase %v", m)
			}
		}
		want(t, alice.do("POST", "/market/exchange_products/purchase/"+id(tea)+"/"), "purchase", 200)
		if b := alice.balance(t); b != 1000-300-300-100 {
			t.Fatalf("balance %d", b)
		}
		if d := want(t, e.Do("GET", "/market/exchange_products/"+id(frame)+"/", nil), "detail", 200); number(d["bought"]) != 2 {
			t.Fatalf("bought %v", d["bought"])
		}

		orders := results(t, want(t, alice.do("GET", "/market/exchange_product_order/"), "orders", 200))
		if len(orders) != 3 {
			t.Fatalf("orders %v", orders)
		}
		digits := regexp.MustCompile(`^20260301180001\d{12}$`)
		for _, o := range orders {
			sameKeys(t, "order", o, orderKeys)
			if o["owner"] != phone(1) || number(o["status"]) != 1 || o["status_display"] != "已兑换" || !digits.MatchString(o["order_number"].(string)) {
				t.Fatalf("order %v", o)
			}
		}
		if number(orders[0]["diamond"]) != 100 || number(orders[0]["exchange_product"].(map[string]any)["pk"]) != tea {
			t.Fatalf("newest order %v", orders[0])
		}
		num := orders[1]["order_number"].(string)
		for _, pre := range prefixes {
			o := want(t, alice.do("GET", pre+"exchange_product_order/"+num+"/"), "order", 200)
			if !reflect.DeepEqual(o, orders[1]) {
				t.Fatalf("order %v, in list %v", o, orders[1])
			}
			sameKeys(t, "order's product", o["exchange_product"].(map[string]any), virtualKeys)
			wantDetail(t, bob.do("GET", pre+"exchange_product_order/"+num+"/"), "another's order", 404, "Not found.")
		}
		if got := results(t, want(t, bob.do("GET", "/market/exchange_product_order/"), "bob's orders", 200)); len(got) != 0 {
			t.Fatalf("bob sees %v", got)
		}

		ups := results(t, want(t, alice.do("GET", "/program_face2face/market/user_products/"), "user products", 200))
		if len(ups) != 2 {
			t.Fatalf("user products %v", ups)
		}
		for _, u := range ups {
			sameKeys(t, "user product", u, userProdKeys)
			if number(u["status"]) != 0 || u["status_display"] != "未使用" || u["owner"] != phone(1) {
				t.Fatalf("user product %v", u)
			}
		}
		first, second := id(number(ups[0]["pk"])), id(number(ups[1]["pk"]))
		for q, n := range map[string]int{"?_type=1": 2, "?_type=0": 0, "?status=0": 2, "?status=1": 0} {
			if got := results(t, want(t, alice.do("GET", "/market/user_products/"+q), q, 200)); len(got) != n {
				t.Fatalf("%s: %d", q, len(got))
			}
		}

		// Use one, then the other: one avatar at a time.
		u := want(t, alice.do("PUT", "/program_face2face/market/use_product/"+first+"/"), "use", 200)
		sameKeys(t, "used", u, userProdKeys)
		if number(u["status"]) != 1 || u["status_display"] != "已使用" {
			t.Fatalf("use %v", u)
		}
		want(t, alice.do("PUT", "/market/use_product/"+second+"/"), "use", 200)
		if got := results(t, want(t, alice.do("GET", "/market/user_products/?status=1"), "used", 200)); len(got) != 1 || id(number(got[0]["pk"])) != second {
			t.Fatalf("used %v", got)
		}
		for _, p := range []string{"/program_face2face/userinfo/", "/userinfo/"} {
			info := want(t, alice.do("GET", p), "userinfo", 200)
			sameKeys(t, "userinfo", info, "name,owner,pk,props")
			props := info["props"].([]any)
			if info["owner"] != phone(1) || info["name"] != "赵小明" || number(info["pk"]) != alice.id || len(props) != 1 {
				t.Fatalf("userinfo %v", info)
			}
			if p := props[0].(map[string]any); id(number(p["pk"])) != second || p["status_display"] != "已使用" {
				t.Fatalf("prop %v", p)
			}
		}
		// Another user's product: 404, nothing changed.
		for _, verb := range []string{"use_product", "unuse_product"} {
			wantDetail(t, bob.do("PUT", "/market/"+verb+"/"+second+"/"), "another's", 404, "Not found.")
		}
		u = want(t, alice.do("PUT", "/market/unuse_product/"+second+"/"), "unuse", 200)
		if number(u["status"]) != 0 || u["status_display"] != "未使用" {
			t.Fatalf("unuse %v", u)
		}
		if info := want(t, alice.do("GET", "/userinfo/"), "userinfo", 200); len(info["props"].([]any)) != 0 {
			t.Fatalf("props after unuse %v", info)
		}

		// The diamond ledger.
		for _, p := range []string{"/userinfo/diamond_records/", "/program_face2face/userinfo/diamond_records/"} {
			recs := results(t, want(t, alice.do("GET", p), "records", 200))
			if len(recs) != 4 || number(recs[0]["diamond"]) != -100 || number(recs[0]["balance"]) != 300 || number(recs[3]["diamond"]) != 1000 {
				t.Fatalf("records %v", recs)
			}
			sameKeys(t, "record", recs[0], "balance,create_time,diamond,kind,pk,reason")
			if recs[0]["kind"] != "purchase" || recs[0]["reason"] != "兑换冰红茶" || recs[3]["kind"] != "grant" {
				t.Fatalf("records %v", recs)
			}
		}
		if got := results(t, want(t, bob.do("GET", "/userinfo/diamond_records/"), "bob's records", 200)); len(got) != 0 {
			t.Fatalf("bob's records %v", got)
		}
	})
}

// Short of diamonds, sold out, unknown: refused, nothing written.
func TestPurchaseRefusals(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		dear := product(t, e, "Dear", 500, "background", nil)
		last := product(t, e, "Last", 10, "", 1)
		none := product(t, e, "None", 10, "", 0)
		u := newUser(t, e, 1, "U")
		u.grant(t, 400)
		wantDetail(t, u.do("GET", "/market/exchange_products/purchase/"+id(dear)+"/"), "short", 400, "钻石不足")
		wantDetail(t, u.do("GET", "/market/exchange_products/purchase/"+id(none)+"/"), "sold out", 400, "库存不足")
		want(t, u.do("GET", "/market/exchange_products/purchase/"+id(last)+"/"), "last one", 200)
		wantDetail(t, u.do("GET", "/market/exchange_products/purchase/"+id(last)+"/"), "sold out", 400, "库存不足")
		for _, pk := range []string{"999999", "abc", "-1", "01", "+1", "1.0", "99999999999999999999", "%20" + id(last)} {
			wantDetail(t, u.do("GET", "/market/exchange_products/purchase/"+pk+"/"), "purchase "+pk, 404, "Not found.")
			wantDetail(t, e.Do("GET", "/market/exchange_products/"+pk+"/", nil), "detail "+pk, 404, "Not found.")
			wantDetail(t, u.do("PUT", "/market/use_product/"+pk+"/"), "use "+pk, 404, "Not found.")
		}
		for _, n := range []string{"1", "abc", "20260301180000000000000000", strings.Repeat("9", 27)} {
			wantDetail(t, u.do("GET", "/market/exchange_product_order/"+n+"/"), "order "+n, 404, "Not found.")
		}
		// The core reads no malformed number (PostgreSQL fails on invalid
		// UTF-8): it names no order.
		for _, n := range []string{"\xff", "2026030118000000000000000\x00", "abc", ""} {
			if _, err := e.App.Market.Order(context.Background(), u.id, n); !errs.Is(err, errs.NotFound) {
				t.Fatalf("order %q: %v, want NotFound", n, err)
			}
		}
		if b := u.balance(t); b != 390 {
			t.Fatalf("balance %d", b)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM exchange_orders"); n != 1 {
			t.Fatalf("%d orders", n)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM user_products"); n != 0 {
			t.Fatalf("%d user products", n)
		}
		if n := count(t, e, "SELECT bought FROM exchange_products WHERE id = ?", dear); n != 0 {
			t.Fatalf("bought %d", n)
		}
		if n := count(t, e, "SELECT stock FROM exchange_products WHERE id = ?", last); n != 0 {
			t.Fatalf("stock %d", n)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM wallet_transactions WHERE kind = 'purchase'"); n != 1 {
			t.Fatalf("%d purchases in the ledger", n)
		}
	})
}

// Tokens, pages, filters and methods as DRF answers them.
func TestAuthPagingAndBadInput(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		for i := 0; i < 45; i++ {
			product(t, e, "P", 1, "", nil)
		}
		u := newUser(t, e, 1, "U")
		authed := []string{"exchange_products/purchase/1/", "exchange_product_order/", "exchange_product_order/12345678901234567890123456/",
			"user_products/", "use_product/1/", "unuse_product/1/"}
		for _, pre := range prefixes {
			for _, p := range authed {
				method := "GET"
				if strings.Contains(p, "use_product") {
					method = "PUT"
				}
				res := e.Do(method, pre+p, nil)
				wantDetail(t, res, "no token "+p, 401, "Authentication credentials were not provided.")
				if res.Header.Get("WWW-Authenticate") != "Token" {
					t.Fatalf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
				}
				wantDetail(t, e.Do(method, pre+p, nil, "Authorization", "Token nope"), "bad token "+p, 401, "Invalid token.")
				wantDetail(t, e.Do(method, pre+p, nil, "Authorization", u.token), "no scheme "+p, 401, "Authentication credentials were not provided.")
			}
		}
		for _, p := range []string{"/userinfo/", "/userinfo/diamond_records/", "/program_face2face/userinfo/"} {
			wantDetail(t, e.Do("GET", p, nil), "no token "+p, 401, "Authentication credentials were not provided.")
		}

		// Pages of 20 with absolute next and previous.
		base := e.URL + "/market/exchange_products/"
		p1 := want(t, e.Do("GET", "/market/exchange_products/", nil), "page 1", 200)
		if number(p1["count"]) != 45 || len(results(t, p1)) != 20 || p1["next"] != base+"?page=2" || p1["previous"] != nil {
			t.Fatalf("page 1: count %v next %v previous %v", p1["count"], p1["next"], p1["previous"])
		}
		p2 := want(t, e.Do("GET", "/market/exchange_products/?page=2&_type=0", nil), "page 2", 200)
		if p2["next"] != base+"?_type=0&page=3" || p2["previous"] != base+"?_type=0" {
			t.Fatalf("page 2: next %v previous %v", p2["next"], p2["previous"])
		}
		p3 := want(t, e.Do("GET", "/program_face2face/market/exchange_products/?page=3", nil), "page 3", 200)
		if len(results(t, p3)) != 5 || p3["next"] != nil || p3["previous"] != e.URL+"/program_face2face/market/exchange_products/?page=2" {
			t.Fatalf("page 3: %v %v", p3["next"], p3["previous"])
		}
		if last := want(t, e.Do("GET", "/market/exchange_products/?page=last", nil), "last", 200); len(results(t, last)) != 5 {
			t.Fatalf("last page %v", last)
		}
		for _, pg := range []string{"0", "-1", "4", "abc", "1.5", "99999999999999999999", "502", "%00",
			// (n-1)*20 wraps around: to a negative offset, and to 4.
			"461168601842738792", "922337203685477582"} {
			res := e.Do("GET", "/market/exchange_products/?page="+pg, nil)
			if pg == "%00" {
				want(t, res, "page NUL", 400)
				continue
			}
			wantDetail(t, res, "page "+pg, 404, "Invalid page.")
			wantDetail(t, u.do("GET", "/userinfo/diamond_records/?page="+pg), "records page "+pg, 404, "Invalid page.")
			wantDetail(t, u.do("GET", "/market/exchange_product_order/?page="+pg), "orders page "+pg, 404, "Invalid page.")
			wantDetail(t, u.do("GET", "/market/user_products/?page="+pg), "user products page "+pg, 404, "Invalid page.")
		}
		// An empty list has its first page.
		if p := want(t, u.do("GET", "/market/exchange_product_order/"), "no orders", 200); number(p["count"]) != 0 || p["next"] != nil {
			t.Fatalf("empty %v", p)
		}
		for _, q := range []string{"?_type=2", "?_type=-1", "?_type=abc", "?_type=99999999999999999999"} {
			m := want(t, e.Do("GET", "/market/exchange_products/"+q, nil), q, 400)
			if _, ok := m["_type"].([]any); !ok || len(m) != 1 {
				t.Fatalf("%s: %v", q, m)
			}
			if m := want(t, u.do("GET", "/market/user_products/"+strings.Replace(q, "_type", "status", 1)), q, 400); m["status"] == nil {
				t.Fatalf("%s: %v", q, m)
			}
		}
		want(t, e.Do("GET", "/market/exchange_products/?name="+strings.Repeat("x", 101), nil), "long name", 400)
		wantDetail(t, e.Do("POST", "/market/exchange_products/", nil), "POST list", 405, `Method "POST" not allowed.`)
		wantDetail(t, u.do("DELETE", "/market/use_product/1/"), "DELETE use", 405, `Method "DELETE" not allowed.`)
		wantDetail(t, e.Do("GET", "/market/nothing/", nil), "unknown path", 404, "Not found.")
		wantDetail(t, e.Do("GET", "/program_face2face/userinfo/nothing/", nil), "unknown path", 404, "Not found.")
	})
}
