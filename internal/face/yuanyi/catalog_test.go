package yuanyi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

// contentEnv: test phones with code 1234 and a first admin.
func contentEnv(phones ...string) map[string]string {
	otp := []string{testOTP["PLAZA_SMS_TEST_OTP"]}
	for _, p := range phones {
		otp = append(otp, "86"+p+"=1234")
	}
	return map[string]string{
		"PLAZA_SMS_TEST_OTP":   strings.Join(otp, ","),
		"PLAZA_ADMIN_EMAIL":    "ops@example.com",
		"PLAZA_ADMIN_PASSWORD": "ops-password",
	}
}

// admin makes content through the admin face.
type admin struct {
	t     *testing.T
	e     *plazatest.Env
	token string
}

func adminLogin(t *testing.T, e *plazatest.Env) admin {
	t.Helper()
	res := e.Do("POST", "/admin/v1/login", map[string]any{"email": "ops@example.com", "password": "ops-password"})
	if res.Status != 200 {
		t.Fatalf("admin login: %d %s", res.Status, res.Body)
	}
	return admin{t: t, e: e, token: res.JSON()["token"].(string)}
}

func (a admin) do(method, path string, body any, status int) map[string]any {
	a.t.Helper()
	res := a.e.Do(method, "/admin/v1/"+path, body, "Authorization", "Bearer "+a.token)
	if res.Status != status {
		a.t.Fatalf("%s /admin/v1/%s: HTTP %d, want %d: %s", method, path, res.Status, status, res.Body)
	}
	return res.JSON()
}

func (a admin) create(collection string, body map[string]any) map[string]any {
	a.t.Helper()
	return a.do("POST", collection, body, 201)
}

func idOf(m map[string]any) string { return m["id"].(json.Number).String() }

// list returns the items of an answer under key, checking (when want is
// given) that each has exactly the keys want.
func list(t *testing.T, m map[string]any, key string, want ...string) []map[string]any {
	t.Helper()
	raw, ok := m[key].([]any)
	if !ok {
		t.Fatalf("%s is %T (%v), want a list", key, m[key], m[key])
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
		if len(want) > 0 {
			exactKeys(t, key+" item", out[i], want...)
		}
	}
	return out
}

func exactKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want = append([]string(nil), want...)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s keys = %v, want %v", what, got, want)
	}
}

// field collects one field of every item, as text.
func field(items []map[string]any, name string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprint(it[name])
	}
	return out
}

func numIs(t *testing.T, what string, v any, want int64) {
	t.Helper()
	if n, ok := v.(json.Number); !ok || n.String() != fmt.Sprint(want) {
		t.Fatalf("%s = %v, want %d", what, v, want)
	}
}

var (
	masterItemKeys   = []string{"master_id", "name", "uid", "nickname", "avatar", "intro", "is_follow", "created_at"}
	masterDetailKeys = []string{"master_id", "name", "avatar", "intro", "address", "birthday", "is_follow", "follow_count",
		"article_count", "follower_count", "created_at"}
	masterBriefKeys   = []string{"master_id", "name", "avatar", "intro", "address", "birthday", "created_at"}
	merchantBriefKeys = []string{"merchant_id", "name", "logo", "intro", "address", "is_follow"}
	dcItemKeys        = []string{"cloth_id", "name", "image", "intro", "price", "dynasty", "created_at"}
	dcDetailKeys      = []string{"cloth_id", "name", "image", "images", "intro", "price", "designer_intro", "dynasty", "created_at", "is_collect"}
	mcItemKeys        = []string{"cloth_id", "name", "image", "intro", "price", "dynasty", "created_at", "is_collect", "merchant"}
	gameKeys          = []string{"game_id", "name", "image", "intro", "created_at", "is_collect"}
	bannerKeys        = []string{"banner_id", "image", "url"}
)

// badPages are limit/offset values every list refuses with 400.
var badPages = []map[string]any{
	{"limit": 101}, {"limit": 0}, {"limit": -1}, {"limit": "abc"}, {"limit": 1.5}, {"limit": true},
	{"offset": -1}, {"offset": "x"}, {"offset": []int{1}},
}

func TestMasters(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a := adminLogin(t, e)
		tokA, uidA := signup(t, e, "18682222222")
		tokB, _ := signup(t, e, "18683333333")
		tokC, uidC := signup(t, e, "18684444444")
		var userB map[string]any
		for _, it := range a.do("GET", "users", nil, 200)["items"].([]any) {
			if u := it.(map[string]any); u["phone"] == "18683333333" {
				userB = u
			}
		}
		if userB == nil {
			t.Fatal("user B is not in the admin's list")
		}

		m0 := a.create("masters", map[string]any{"name": "达人0", "avatar": "e35d9e3e-855a-11ee-bcb6-5785abdd6148.jpeg", "intro": "达人简介0",
			"address": "北京市海淀区中关村0号", "birthday": "1990-01-01", "recommended": true, "sort": 2})
		e.Clock.Advance(time.Second)
		m1 := a.create("masters", map[string]any{"name": "达人1", "recommended": true, "sort": 1, "user_id": userB["id"]})
		e.Clock.Advance(time.Second)
		m2 := a.create("masters", map[string]any{"name": "达人2"})
		id0, id1, id2 := m0["master_id"].(string), m1["master_id"].(string), m2["master_id"].(string)

		// Lists: newest first; the recommended by sort.
		res := ok(t, e, "master_list", nil, tokC)
		exactKeys(t, "master_list answer", res, "code", "master_list")
		items := list(t, res, "master_list", masterItemKeys...)
		if got := field(items, "master_id"); !reflect.DeepEqual(got, []string{id2, id1, id0}) {
			t.Fatalf("master_list = %v", got)
		}
		it := items[2]
		if it["uid"] != id0 || it["name"] != "达人0" || it["nickname"] != "达人0" || it["avatar"] != "e35d9e3e-855a-11ee-bcb6-5785abdd6148.jpeg" ||
			it["intro"] != "达人简介0" || it["is_follow"] != false {
			t.Fatalf("master item = %v", it)
		}
		numIs(t, "created_at", it["created_at"], plazatest.Start.UnixMilli())
		if items[0]["avatar"] != nil || items[0]["intro"] != nil {
			t.Fatalf("empty avatar/intro should be null: %v", items[0])
		}
		res = ok(t, e, "master_recommend_list", nil, tokC)
		exactKeys(t, "master_recommend_list answer", res, "code", "master_list", "master_recommend_list")
		rec := list(t, res, "master_recommend_list", masterItemKeys...)
		if got := field(rec, "master_id"); !reflect.DeepEqual(got, []string{id1, id0}) {
			t.Fatalf("master_recommend_list = %v", got)
		}
		if !reflect.DeepEqual(res["master_list"], res["master_recommend_list"]) {
			t.Fatal("master_recommend_list answers differ under its two keys")
		}
		if got := field(list(t, ok(t, e, "master_list", map[string]any{"limit": 1, "offset": 1}, tokC), "master_list", masterItemKeys...), "master_id"); !reflect.DeepEqual(got, []string{id1}) {
			t.Fatalf("master_list limit 1 offset 1 = %v", got)
		}
		if got := list(t, ok(t, e, "master_list", map[string]any{"limit": "100", "offset": "3"}, tokC), "master_list"); len(got) != 0 {
			t.Fatalf("past the end: %v", got)
		}

		// Follows are idempotent and show in lists, details and counts.
		ok(t, e, "master_follow", map[string]any{"master_id": id0}, tokA)
		ok(t, e, "master_follow", map[string]any{"master_id": id0}, tokA)
		e.Clock.Advance(time.Second)
		ok(t, e, "master_follow", map[string]any{"master_id": id1}, tokA)
		items = list(t, ok(t, e, "master_list", nil, tokA), "master_list", masterItemKeys...)
		if got := field(items, "is_follow"); !reflect.DeepEqual(got, []string{"false", "true", "true"}) {
			t.Fatalf("is_follow in master_list = %v", got)
		}
		if got := field(list(t, ok(t, e, "master_recommend_list", nil, tokB), "master_recommend_list"), "is_follow"); !reflect.DeepEqual(got, []string{"false", "false"}) {
			t.Fatalf("is_follow for another user = %v", got)
		}
		res = ok(t, e, "master_detail", map[string]any{"master_id": id0}, tokA)
		exactKeys(t, "master_detail answer", res, "code", "master_detail")
		d := res["master_detail"].(map[string]any)
		exactKeys(t, "master_detail", d, masterDetailKeys...)
		if d["master_id"] != id0 || d["birthday"] != "1990-01-01" || d["address"] != "北京市海淀区中关村0号" || d["is_follow"] != true {
			t.Fatalf("master_detail = %v", d)
		}
		numIs(t, "follower_count", d["follower_count"], 1)
		numIs(t, "follow_count", d["follow_count"], 0)
		numIs(t, "article_count", d["article_count"], 0)
		d = ok(t, e, "master_detail", map[string]any{"master_id": id2}, tokB)["master_detail"].(map[string]any)
		if d["is_follow"] != false || d["birthday"] != nil || d["address"] != nil || d["avatar"] != nil {
			t.Fatalf("bare master_detail = %v", d)
		}

		// A linked master counts its user's follows; its user cannot follow it.
		ok(t, e, "user_follow", map[string]any{"to_uid": uidA}, tokB)
		ok(t, e, "user_follow", map[string]any{"to_uid": uidC}, tokB)
		d = ok(t, e, "master_detail", map[string]any{"master_id": id1}, tokB)["master_detail"].(map[string]any)
		numIs(t, "linked follow_count", d["follow_count"], 2)
		numIs(t, "linked follower_count", d["follower_count"], 1)
		fails(t, e, "master_follow", map[string]any{"master_id": id1}, tokB, 400)
		// Nor can a user its user blocked.
		ok(t, e, "sns_block", map[string]any{"to_uid": uidC}, tokB)
		fails(t, e, "master_follow", map[string]any{"master_id": id1}, tokC, 111)
		ok(t, e, "master_follow", map[string]any{"master_id": id0}, tokC)

		res = ok(t, e, "my_following_masters", nil, tokA)
		exactKeys(t, "my_following_masters answer", res, "code", "my_following_masters")
		mine := list(t, res, "my_following_masters", masterBriefKeys...)
		if got := field(mine, "master_id"); !reflect.DeepEqual(got, []string{id1, id0}) {
			t.Fatalf("my_following_masters = %v", got)
		}
		if mine[1]["birthday"] != "1990-01-01" || mine[1]["name"] != "达人0" {
			t.Fatalf("my_following_masters item = %v", mine[1])
		}
		if got := field(list(t, ok(t, e, "my_following_masters", map[string]any{"limit": 1, "offset": 1}, tokA), "my_following_masters"), "master_id"); !reflect.DeepEqual(got, []string{id0}) {
			t.Fatalf("my_following_masters page 2 = %v", got)
		}

		// Unfollow is idempotent too.
		ok(t, e, "master_unfollow", map[string]any{"master_id": id1}, tokA)
		ok(t, e, "master_unfollow", map[string]any{"master_id": id1}, tokA)
		ok(t, e, "master_unfollow", map[string]any{"master_id": id2}, tokA)
		d = ok(t, e, "master_detail", map[string]any{"master_id": id1}, tokA)["master_detail"].(map[string]any)
		numIs(t, "follower_count after unfollow", d["follower_count"], 0)
		if d["is_follow"] != false {
			t.Fatalf("is_follow after unfollow: %v", d)
		}

		// Bad input: 400; no token: 403; a bad token: 404.
		for _, bad := range []any{"xyz", "0123456789abcdef0123456789abcdef", strings.ToUpper(id0), id0 + "0", 123, true, nil, "", []string{id0}} {
			fails(t, e, "master_detail", map[string]any{"master_id": bad}, tokA, 400)
			fails(t, e, "master_follow", map[string]any{"master_id": bad}, tokA, 400)
			fails(t, e, "master_unfollow", map[string]any{"master_id": bad}, tokA, 400)
		}
		fails(t, e, "master_detail", nil, tokA, 400)
		fails(t, e, "master_follow", map[string]any{"master_id": id0}, "", 403)
		fails(t, e, "master_follow", map[string]any{"master_id": id0}, "garbage-token", 404)
		fails(t, e, "my_following_masters", nil, "", 403)
		for _, p := range badPages {
			fails(t, e, "master_list", p, tokA, 400)
			fails(t, e, "master_recommend_list", p, tokA, 400)
			fails(t, e, "my_following_masters", p, tokA, 400)
		}
		// Reads need a good token.
		fails(t, e, "master_list", nil, "", 403)
		fails(t, e, "master_list", nil, "garbage-token", 404)

		// A master the admin deletes is gone, with its follows.
		a.do("DELETE", "masters/"+idOf(m0), nil, 204)
		if got := list(t, ok(t, e, "my_following_masters", nil, tokA), "my_following_masters"); len(got) != 0 {
			t.Fatalf("deleted master still followed: %v", got)
		}
		fails(t, e, "master_detail", map[string]any{"master_id": id0}, tokA, 400)
		fails(t, e, "master_follow", map[string]any{"master_id": id0}, tokA, 400)
	})
}

func TestClothes(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a := adminLogin(t, e)
		tok, _ := signup(t, e, "18682222222")
		tok2, _ := signup(t, e, "18683333333")

		mer := a.create("merchants", map[string]any{"name": "商户9", "logo": "f0ad3cc9-855a-11ee-bcb6-5785abdd6148.jpeg", "intro": "商户简介9",
			"address": "北京市海淀区中关村9号", "phone": "18888888888", "email": "xxx@163.com"})
		mer2 := a.create("merchants", map[string]any{"name": "商户2"})
		dc := a.create("clothes", map[string]any{"kind": "design_circle", "name": "服饰名称19", "image": "e87dbff1-855a-11ee-bcb6-5785abdd6148.jpeg",
			"images": []string{"a.jpeg", "b.png"}, "intro": "服饰简介19", "price": 2999, "dynasty": 1})
		e.Clock.Advance(time.Second)
		mc1 := a.create("clothes", map[string]any{"kind": "merchant", "name": "商家服饰1", "merchant": mer["id"], "recommended": true,
			"price": 1999, "dynasty": 2, "images": []string{"c.jpeg"}, "designer_intro": "不显示"})
		e.Clock.Advance(time.Second)
		mc2 := a.create("clothes", map[string]any{"kind": "merchant", "name": "商家服饰2", "merchant": mer2["id"]})
		dcID, mc1ID, mc2ID := idOf(dc), idOf(mc1), idOf(mc2)

		// Design circle.
		res := ok(t, e, "design_circle_cloth_list", nil, tok2)
		exactKeys(t, "design_circle_cloth_list answer", res, "code", "design_circle_cloth_list")
		items := list(t, res, "design_circle_cloth_list", dcItemKeys...)
		if len(items) != 1 || items[0]["cloth_id"].(json.Number).String() != dcID || items[0]["name"] != "服饰名称19" ||
			items[0]["image"] != "e87dbff1-855a-11ee-bcb6-5785abdd6148.jpeg" || items[0]["intro"] != "服饰简介19" {
			t.Fatalf("design_circle_cloth_list = %v", items)
		}
		numIs(t, "price", items[0]["price"], 2999)
		numIs(t, "dynasty", items[0]["dynasty"], 1)
		numIs(t, "created_at", items[0]["created_at"], plazatest.Start.UnixMilli())
		res = ok(t, e, "design_circle_cloth_detail", map[string]any{"cloth_id": dcID}, tok)
		exactKeys(t, "design_circle_cloth_detail answer", res, "code", "design_circle_cloth_detail")
		d := res["design_circle_cloth_detail"].(map[string]any)
		exactKeys(t, "design_circle_cloth_detail", d, dcDetailKeys...)
		if d["designer_intro"] != "" || !reflect.DeepEqual(d["images"], []any{"a.jpeg", "b.png"}) || d["is_collect"] != false {
			t.Fatalf("design_circle_cloth_detail = %v", d)
		}
		ok(t, e, "design_circle_cloth_collect", map[string]any{"cloth_id": dcID}, tok)
		ok(t, e, "design_circle_cloth_collect", map[string]any{"cloth_id": json.Number(dcID)}, tok)
		if d := ok(t, e, "design_circle_cloth_detail", map[string]any{"cloth_id": dcID}, tok)["design_circle_cloth_detail"].(map[string]any); d["is_collect"] != true {
			t.Fatalf("collected: %v", d)
		}
		if d := ok(t, e, "design_circle_cloth_detail", map[string]any{"cloth_id": dcID}, tok2)["design_circle_cloth_detail"].(map[string]any); d["is_collect"] != false {
			t.Fatalf("another user sees the collect: %v", d)
		}
		if n, _ := e.App.Showcase.ClothCollectors(context.Background(), mustInt(t, dcID)); n != 1 {
			t.Fatalf("%d collectors after two collects", n)
		}

		// Merchant clothes.
		res = ok(t, e, "merchant_cloth_list", nil, tok2)
		exactKeys(t, "merchant_cloth_list answer", res, "code", "merchant_cloth_list")
		items = list(t, res, "merchant_cloth_list", mcItemKeys...)
		if got := field(items, "cloth_id"); !reflect.DeepEqual(got, []string{mc2ID, mc1ID}) {
			t.Fatalf("merchant_cloth_list = %v", got)
		}
		m := items[1]["merchant"].(map[string]any)
		exactKeys(t, "merchant in a list", m, merchantBriefKeys...)
		if m["merchant_id"] != mer["merchant_id"] || m["name"] != "商户9" || m["logo"] != "f0ad3cc9-855a-11ee-bcb6-5785abdd6148.jpeg" ||
			m["address"] != "北京市海淀区中关村9号" || m["is_follow"] != false {
			t.Fatalf("merchant = %v", m)
		}
		if m := items[0]["merchant"].(map[string]any); m["logo"] != nil || m["intro"] != nil {
			t.Fatalf("bare merchant = %v", m)
		}
		res = ok(t, e, "merchant_cloth_recommend_list", nil, tok2)
		exactKeys(t, "merchant_cloth_recommend_list answer", res, "code", "merchant_cloth_list", "merchant_cloth_recommend_list")
		if got := field(list(t, res, "merchant_cloth_recommend_list", mcItemKeys...), "cloth_id"); !reflect.DeepEqual(got, []string{mc1ID}) {
			t.Fatalf("merchant_cloth_recommend_list = %v", got)
		}
		if !reflect.DeepEqual(res["merchant_cloth_list"], res["merchant_cloth_recommend_list"]) {
			t.Fatal("merchant_cloth_recommend_list answers differ under its two keys")
		}

		ok(t, e, "merchant_cloth_collect", map[string]any{"cloth_id": mc1ID}, tok)
		ok(t, e, "merchant_follow", map[string]any{"merchant_id": mer["merchant_id"]}, tok)
		ok(t, e, "merchant_follow", map[string]any{"merchant_id": mer["merchant_id"]}, tok)
		ok(t, e, "merchant_follow", map[string]any{"merchant_id": mer["merchant_id"]}, tok2)
		items = list(t, ok(t, e, "merchant_cloth_list", nil, tok), "merchant_cloth_list", mcItemKeys...)
		if items[1]["is_collect"] != true || items[1]["merchant"].(map[string]any)["is_follow"] != true ||
			items[0]["is_collect"] != false || items[0]["merchant"].(map[string]any)["is_follow"] != false {
			t.Fatalf("marks in merchant_cloth_list = %v", items)
		}
		res = ok(t, e, "merchant_cloth_detail", map[string]any{"cloth_id": mc1ID}, tok)
		exactKeys(t, "merchant_cloth_detail answer", res, "code", "merchant_cloth_detail")
		d = res["merchant_cloth_detail"].(map[string]any)
		exactKeys(t, "merchant_cloth_detail", d, append([]string{"images"}, mcItemKeys...)...)
		exactKeys(t, "merchant_cloth_detail.merchant", d["merchant"].(map[string]any), append([]string{"follow_count"}, merchantBriefKeys...)...)
		if d["is_collect"] != true || !reflect.DeepEqual(d["images"], []any{"c.jpeg"}) || d["merchant"].(map[string]any)["is_follow"] != true {
			t.Fatalf("merchant_cloth_detail = %v", d)
		}
		numIs(t, "merchant follow_count", d["merchant"].(map[string]any)["follow_count"], 2)
		d = ok(t, e, "merchant_cloth_detail", map[string]any{"cloth_id": mc2ID}, tok2)["merchant_cloth_detail"].(map[string]any)
		if !reflect.DeepEqual(d["images"], []any{}) || d["is_collect"] != false {
			t.Fatalf("bare merchant_cloth_detail = %v", d)
		}
		numIs(t, "merchant2 follow_count", d["merchant"].(map[string]any)["follow_count"], 0)

		res = ok(t, e, "my_following_merchants", nil, tok)
		exactKeys(t, "my_following_merchants answer", res, "code", "my_following_merchants")
		mine := list(t, res, "my_following_merchants", "merchant_id", "name", "logo", "intro", "address", "phone", "email", "created_at")
		if len(mine) != 1 || mine[0]["merchant_id"] != mer["merchant_id"] || mine[0]["phone"] != "18888888888" || mine[0]["email"] != "xxx@163.com" {
			t.Fatalf("my_following_merchants = %v", mine)
		}
		ok(t, e, "merchant_unfollow", map[string]any{"merchant_id": mer["merchant_id"]}, tok)
		ok(t, e, "merchant_unfollow", map[string]any{"merchant_id": mer["merchant_id"]}, tok)
		ok(t, e, "merchant_unfollow", map[string]any{"merchant_id": mer2["merchant_id"]}, tok)
		if got := list(t, ok(t, e, "my_following_merchants", nil, tok), "my_following_merchants"); len(got) != 0 {
			t.Fatalf("after unfollow: %v", got)
		}
		ok(t, e, "merchant_cloth_uncollect", map[string]any{"cloth_id": mc1ID}, tok)
		ok(t, e, "merchant_cloth_uncollect", map[string]any{"cloth_id": mc1ID}, tok)
		ok(t, e, "design_circle_cloth_uncollect", map[string]any{"cloth_id": dcID}, tok)
		if d := ok(t, e, "merchant_cloth_detail", map[string]any{"cloth_id": mc1ID}, tok)["merchant_cloth_detail"].(map[string]any); d["is_collect"] != false {
			t.Fatalf("after uncollect: %v", d)
		}

		// A cloth of the other kind is no cloth of this kind.
		fails(t, e, "merchant_cloth_detail", map[string]any{"cloth_id": dcID}, tok, 400)
		fails(t, e, "merchant_cloth_collect", map[string]any{"cloth_id": dcID}, tok, 400)
		fails(t, e, "merchant_cloth_uncollect", map[string]any{"cloth_id": dcID}, tok, 400)
		fails(t, e, "design_circle_cloth_detail", map[string]any{"cloth_id": mc1ID}, tok, 400)
		fails(t, e, "design_circle_cloth_collect", map[string]any{"cloth_id": mc1ID}, tok, 400)
		for _, bad := range []any{999999, "999999", "abc", 1.5, -1, 0, true, nil, "", []int{1}, map[string]any{"id": 1}} {
			for _, method := range []string{"merchant_cloth_detail", "merchant_cloth_collect", "design_circle_cloth_detail", "design_circle_cloth_uncollect"} {
				fails(t, e, method, map[string]any{"cloth_id": bad}, tok, 400)
			}
		}
		for _, bad := range []any{"xyz", "0123456789abcdef0123456789abcdef", 5, nil} {
			fails(t, e, "merchant_follow", map[string]any{"merchant_id": bad}, tok, 400)
			fails(t, e, "merchant_unfollow", map[string]any{"merchant_id": bad}, tok, 400)
		}
		fails(t, e, "merchant_cloth_collect", map[string]any{"cloth_id": mc1ID}, "", 403)
		fails(t, e, "design_circle_cloth_collect", map[string]any{"cloth_id": dcID}, "", 403)
		fails(t, e, "merchant_follow", map[string]any{"merchant_id": mer["merchant_id"]}, "", 403)
		fails(t, e, "my_following_merchants", nil, "", 403)
		for _, p := range badPages {
			for _, method := range []string{"design_circle_cloth_list", "merchant_cloth_list", "merchant_cloth_recommend_list"} {
				fails(t, e, method, p, tok, 400)
			}
			fails(t, e, "my_following_merchants", p, tok, 400)
		}

		// The admin moves a cloth to the design circle: it moves on the face too.
		a.do("PATCH", "clothes/"+mc2ID, map[string]any{"kind": "design_circle", "merchant": nil}, 200)
		if got := field(list(t, ok(t, e, "design_circle_cloth_list", nil, tok), "design_circle_cloth_list"), "cloth_id"); !reflect.DeepEqual(got, []string{mc2ID, dcID}) {
			t.Fatalf("design_circle_cloth_list after the move = %v", got)
		}
		fails(t, e, "merchant_cloth_detail", map[string]any{"cloth_id": mc2ID}, tok, 400)
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGamesAndBanners(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a := adminLogin(t, e)
		tok, _ := signup(t, e, "18682222222")
		g1 := a.create("games", map[string]any{"name": "游戏名称0", "image": "f1abbc30-855a-11ee-bcb6-5785abdd6148.jpeg", "intro": "游戏简介0", "recommended": true})
		g2 := a.create("games", map[string]any{"name": "游戏名称1"})
		id1, id2 := idOf(g1), idOf(g2)

		res := ok(t, e, "game_recommend_list", nil, tok)
		exactKeys(t, "game_recommend_list answer", res, "code", "game_recommend_list")
		items := list(t, res, "game_recommend_list", gameKeys...)
		if len(items) != 1 || items[0]["game_id"].(json.Number).String() != id1 || items[0]["name"] != "游戏名称0" ||
			items[0]["intro"] != "游戏简介0" || items[0]["is_collect"] != false {
			t.Fatalf("game_recommend_list = %v", items)
		}
		res = ok(t, e, "game_detail", map[string]any{"game_id": id2}, tok)
		exactKeys(t, "game_detail answer", res, "code", "game_detail")
		exactKeys(t, "game_detail", res["game_detail"].(map[string]any), gameKeys...)
		if d := res["game_detail"].(map[string]any); d["image"] != nil || d["name"] != "游戏名称1" {
			t.Fatalf("game_detail = %v", d)
		}

		for _, m := range []string{"game_like", "game_like", "game_collect", "game_collect"} {
			ok(t, e, m, map[string]any{"game_id": id1}, tok)
		}
		if d := ok(t, e, "game_detail", map[string]any{"game_id": id1}, tok)["game_detail"].(map[string]any); d["is_collect"] != true {
			t.Fatalf("collected game: %v", d)
		}
		if items := list(t, ok(t, e, "game_recommend_list", nil, tok), "game_recommend_list", gameKeys...); items[0]["is_collect"] != true {
			t.Fatalf("collected game in the list: %v", items)
		}
		st, err := e.App.Showcase.GameStats(context.Background(), mustInt(t, id1))
		if err != nil || st.Likes != 1 || st.Collects != 1 {
			t.Fatalf("game stats %+v %v", st, err)
		}
		for _, m := range []string{"game_unlike", "game_unlike", "game_uncollect", "game_uncollect"} {
			ok(t, e, m, map[string]any{"game_id": id1}, tok)
		}
		if st, _ := e.App.Showcase.GameStats(context.Background(), mustInt(t, id1)); st.Likes != 0 || st.Collects != 0 {
			t.Fatalf("game stats after undo %+v", st)
		}
		for _, m := range []string{"game_detail", "game_like", "game_unlike", "game_collect", "game_uncollect"} {
			for _, bad := range []any{999999, "abc", 1.5, 0, nil, true} {
				fails(t, e, m, map[string]any{"game_id": bad}, tok, 400)
			}
		}
		for _, m := range []string{"game_like", "game_unlike", "game_collect", "game_uncollect"} {
			fails(t, e, m, map[string]any{"game_id": id1}, "", 403)
		}
		for _, p := range badPages {
			fails(t, e, "game_recommend_list", p, tok, 400)
		}

		// Banners: each placement on its own, by sort, then newest.
		home2 := a.create("banners", map[string]any{"placement": "home", "image": "h2.jpeg", "url": "https://example.com/2", "sort": 2})
		home1 := a.create("banners", map[string]any{"placement": "home", "image": "h1.jpeg", "sort": 1})
		home3 := a.create("banners", map[string]any{"placement": "home", "image": "h3.jpeg", "sort": 2})
		ticket := a.create("banners", map[string]any{"placement": "ticket", "image": "t.jpeg", "url": "yuanyi://ticket/3"})
		dcb := a.create("banners", map[string]any{"placement": "design_circle", "image": "d.jpeg"})
		game := a.create("banners", map[string]any{"placement": "game", "image": "g.jpeg"})

		res = ok(t, e, "home_banner", nil, tok)
		exactKeys(t, "home_banner answer", res, "code", "home_banner", "banner")
		items = list(t, res, "home_banner", bannerKeys...)
		if got := field(items, "banner_id"); !reflect.DeepEqual(got, []string{idOf(home1), idOf(home3), idOf(home2)}) {
			t.Fatalf("home_banner = %v", got)
		}
		if items[0]["url"] != nil || items[0]["image"] != "h1.jpeg" || items[2]["url"] != "https://example.com/2" {
			t.Fatalf("home_banner items = %v", items)
		}
		if !reflect.DeepEqual(res["home_banner"], res["banner"]) {
			t.Fatal("home_banner differs under banner")
		}
		if got := field(list(t, ok(t, e, "home_banner", map[string]any{"limit": 1, "offset": 2}, tok), "banner"), "banner_id"); !reflect.DeepEqual(got, []string{idOf(home2)}) {
			t.Fatalf("home_banner page = %v", got)
		}
		for _, c := range []struct {
			method string
			keys   []string
			want   map[string]any
		}{
			{"ticket_banner", []string{"code", "ticket_banner", "banner"}, ticket},
			{"design_circle_banner", []string{"code", "design_circle_banner", "banner"}, dcb},
			{"game_banner", []string{"code", "game_banner", "banner", "design_circle_banner"}, game},
		} {
			res := ok(t, e, c.method, nil, tok)
			exactKeys(t, c.method+" answer", res, c.keys...)
			for _, k := range c.keys[1:] {
				if got := field(list(t, res, k, bannerKeys...), "banner_id"); !reflect.DeepEqual(got, []string{idOf(c.want)}) {
					t.Fatalf("%s under %s = %v", c.method, k, got)
				}
			}
			for _, p := range badPages {
				fails(t, e, c.method, p, tok, 400)
			}
		}
	})
}

// TestParallelMarks: many users follow, collect and like at once, each
// twice; the counts are exact.
func TestParallelMarks(t *testing.T) {
	const n = 12
	phones := make([]string, n)
	for i := range phones {
		phones[i] = fmt.Sprintf("186900000%02d", i)
	}
	plazatest.Each(t, contentEnv(phones...), func(t *testing.T, e *plazatest.Env) {
		a := adminLogin(t, e)
		master := a.create("masters", map[string]any{"name": "达人"})
		mer := a.create("merchants", map[string]any{"name": "商户"})
		cloth := a.create("clothes", map[string]any{"kind": "merchant", "name": "服饰", "merchant": mer["id"]})
		game := a.create("games", map[string]any{"name": "游戏"})
		toks := make([]string, n)
		for i, p := range phones {
			toks[i], _ = signup(t, e, p)
		}
		calls := []struct {
			method string
			params map[string]any
		}{
			{"master_follow", map[string]any{"master_id": master["master_id"]}},
			{"merchant_follow", map[string]any{"merchant_id": mer["merchant_id"]}},
			{"merchant_cloth_collect", map[string]any{"cloth_id": idOf(cloth)}},
			{"game_like", map[string]any{"game_id": idOf(game)}},
			{"game_collect", map[string]any{"game_id": idOf(game)}},
		}
		run := func(undo bool, who []string) {
			var wg sync.WaitGroup
			errc := make(chan error, len(who)*len(calls)*2)
			for _, tok := range who {
				for _, c := range calls {
					method := c.method
					if undo {
						method = strings.Replace(strings.Replace(strings.Replace(method, "_follow", "_unfollow", 1), "_collect", "_uncollect", 1), "_like", "_unlike", 1)
					}
					for range 2 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							errc <- rpcErr(e, method, c.params, tok)
						}()
					}
				}
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		check := func(want int) {
			t.Helper()
			d := ok(t, e, "master_detail", map[string]any{"master_id": master["master_id"]}, toks[0])["master_detail"].(map[string]any)
			numIs(t, "follower_count", d["follower_count"], int64(want))
			d = ok(t, e, "merchant_cloth_detail", map[string]any{"cloth_id": idOf(cloth)}, toks[0])["merchant_cloth_detail"].(map[string]any)
			numIs(t, "merchant follow_count", d["merchant"].(map[string]any)["follow_count"], int64(want))
			ctx := context.Background()
			if got, _ := e.App.Showcase.ClothCollectors(ctx, mustInt(t, idOf(cloth))); got != want {
				t.Fatalf("%d collectors, want %d", got, want)
			}
			if st, _ := e.App.Showcase.GameStats(ctx, mustInt(t, idOf(game))); st.Likes != want || st.Collects != want {
				t.Fatalf("game stats %+v, want %d", st, want)
			}
		}
		run(false, toks)
		check(n)
		run(true, toks[:n/2])
		check(n - n/2)
		for i, tok := range toks {
			d := ok(t, e, "master_detail", map[string]any{"master_id": master["master_id"]}, tok)["master_detail"].(map[string]any)
			if d["is_follow"] != (i >= n/2) {
				t.Fatalf("user %d: is_follow %v", i, d["is_follow"])
			}
		}
	})
}

// rpcErr is one signed call that must answer code 0, safe to make from any
// goroutine (it reports instead of failing the test).
func rpcErr(e *plazatest.Env, method string, params map[string]any, token string) error {
	body := map[string]any{"method": method, "ver": "1", "ts": e.Clock.Now().UnixMilli(), "app": "yuanyi-app", "token": token}
	for k, v := range params {
		body[k] = v
	}
	body["sig"] = signOf(body)
	raw, _ := json.Marshal(body)
	res, err := http.Post(e.URL+"/yuanyiapi/", "application/json", bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if c, _ := m["code"].(float64); c != 0 || res.StatusCode != 200 {
		return fmt.Errorf("%s %v: HTTP %d %v", method, params, res.StatusCode, m)
	}
	return nil
}

// The recommended lists (系统推荐) show the flagged items; while none is
// flagged they show the newest, so a fresh catalogue never looks empty.
func TestRecommendedListsShowTheNewestWhileNoneIsFlagged(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a := adminLogin(t, e)
		tok, _ := signup(t, e, "18682222222")
		mer := a.create("merchants", map[string]any{"name": "商户"})
		type shelf struct {
			method, key, collection, idKey string
			ids                            []string // oldest first
		}
		shelves := []*shelf{
			{method: "game_recommend_list", key: "game_recommend_list", collection: "games", idKey: "game_id"},
			{method: "merchant_cloth_recommend_list", key: "merchant_cloth_recommend_list", collection: "clothes", idKey: "cloth_id"},
			{method: "master_recommend_list", key: "master_recommend_list", collection: "masters", idKey: "master_id"},
		}
		for i := range 3 {
			for _, sh := range shelves {
				body := map[string]any{"name": fmt.Sprint(sh.collection, i)}
				if sh.collection == "clothes" {
					body["kind"], body["merchant"] = "merchant", mer["id"]
				}
				it := a.create(sh.collection, body)
				id := idOf(it)
				if sh.collection == "masters" {
					id = it["master_id"].(string)
				}
				sh.ids = append(sh.ids, id)
			}
			e.Clock.Advance(time.Second)
		}
		// A flagged design-circle cloth is no flagged merchant cloth.
		a.create("clothes", map[string]any{"kind": "design_circle", "name": "设计圈", "recommended": true})
		page := func(sh *shelf, limit, offset int) []string {
			t.Helper()
			return field(list(t, ok(t, e, sh.method, map[string]any{"limit": limit, "offset": offset}, tok), sh.key), sh.idKey)
		}
		adminID := func(sh *shelf, i int) string {
			if sh.collection != "masters" {
				return sh.ids[i]
			}
			for _, it := range a.do("GET", "masters?page_size=100", nil, 200)["items"].([]any) {
				if m := it.(map[string]any); m["master_id"] == sh.ids[i] {
					return idOf(m)
				}
			}
			t.Fatalf("no master %s", sh.ids[i])
			return ""
		}
		for _, sh := range shelves {
			// None flagged: the newest, paged.
			if got := page(sh, 20, 0); !reflect.DeepEqual(got, []string{sh.ids[2], sh.ids[1], sh.ids[0]}) {
				t.Fatalf("%s with none flagged = %v, want the newest %v", sh.method, got, sh.ids)
			}
			if got := page(sh, 2, 2); !reflect.DeepEqual(got, []string{sh.ids[0]}) {
				t.Fatalf("%s with none flagged, page 2 = %v", sh.method, got)
			}
			if got := page(sh, 2, 4); len(got) != 0 {
				t.Fatalf("%s with none flagged, past the end = %v", sh.method, got)
			}
			// One flagged: that one only; past its end is empty, not the newest.
			a.do("PATCH", sh.collection+"/"+adminID(sh, 0), map[string]any{"recommended": true}, 200)
			if got := page(sh, 20, 0); !reflect.DeepEqual(got, []string{sh.ids[0]}) {
				t.Fatalf("%s with the oldest flagged = %v", sh.method, got)
			}
			if got := page(sh, 20, 1); len(got) != 0 {
				t.Fatalf("%s past the flagged = %v", sh.method, got)
			}
			// The flag taken back: the newest again.
			a.do("PATCH", sh.collection+"/"+adminID(sh, 0), map[string]any{"recommended": false}, 200)
			if got := page(sh, 1, 0); !reflect.DeepEqual(got, []string{sh.ids[2]}) {
				t.Fatalf("%s with the flag taken back = %v", sh.method, got)
			}
		}
	})
}
