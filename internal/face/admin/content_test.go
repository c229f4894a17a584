package admin_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"plaza/internal/plazatest"
)

// The yuanyi content collections: masters, merchants, clothes, games,
// banners. What they share with every collection (paging, bodies that are
// not objects, ids that name nothing) is tested in TestCollections; here:
// their own kinds of fields.

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// badInput is a body the collection refuses with 400 naming field.
type badInput struct {
	body  map[string]any
	field string
}

// refuses posts every bad body (and PATCHes it to path) and checks that
// nothing changed.
func refuses(t *testing.T, a api, base, path string, bad []badInput) {
	t.Helper()
	before := total(t, a, base)
	rec := a.ok("GET", path, nil, 200)
	for _, b := range bad {
		a.fail("POST", base, b.body, 400, "invalid", b.field)
		a.fail("PATCH", path, b.body, 400, "invalid", b.field)
	}
	if n := total(t, a, base); n != before {
		t.Fatalf("%s: total %d after refused creates, was %d", base, n, before)
	}
	if got := a.ok("GET", path, nil, 200); !reflect.DeepEqual(got, rec) {
		t.Fatalf("%s after refused PATCHes = %v, was %v", path, got, rec)
	}
}

func with(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestMasters(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		_, userID := register(t, e, "13800138000")
		_, otherUserID := register(t, e, "13800138001")

		m := a.ok("POST", "/admin/v1/masters", map[string]any{"name": "达人0"}, 201)
		sameKeys(t, "master", m, "id", "master_id", "name", "avatar", "intro", "address", "birthday", "user_id",
			"recommended", "sort", "created_at", "updated_at")
		if !hex32.MatchString(m["master_id"].(string)) || m["user_id"] != nil || m["recommended"] != false ||
			num(t, m["sort"]) != 0 || m["avatar"] != "" || m["birthday"] != "" {
			t.Fatalf("master with defaults = %v", m)
		}
		path := "/admin/v1/masters/" + idStr(t, m)
		if got := a.ok("GET", path, nil, 200); !reflect.DeepEqual(got, m) {
			t.Fatalf("read %v, created %v", got, m)
		}

		full := map[string]any{"master_id": "ef1b95c82f4b47c2841d9c0c095a558b", "name": "达人1", "avatar": "e35d9e3e-855a-11ee-bcb6-5785abdd6148.jpeg",
			"intro": `["段落一","段落二"]`, "address": "北京市海淀区中关村0号", "birthday": "1990-01-01", "user_id": userID,
			"recommended": true, "sort": 3}
		linked := a.ok("POST", "/admin/v1/masters", full, 201)
		for k, v := range full {
			if fmt.Sprint(linked[k]) != fmt.Sprint(v) {
				t.Fatalf("created %s = %v, want %v", k, linked[k], v)
			}
		}
		linkedPath := "/admin/v1/masters/" + idStr(t, linked)

		// The record sent back without its read-only id and times is fine
		// (with them it is refused); master_id never changes.
		e.Clock.Advance(time.Minute)
		writable := with(linked, "name", "达人1号")
		delete(writable, "id")
		delete(writable, "created_at")
		delete(writable, "updated_at")
		a.fail("PATCH", linkedPath, with(writable, "created_at", linked["created_at"]), 400, "invalid", "created_at")
		back := a.ok("PATCH", linkedPath, writable, 200)
		if back["name"] != "达人1号" || back["master_id"] != full["master_id"] || back["updated_at"] == linked["updated_at"] {
			t.Fatalf("patched = %v", back)
		}
		a.fail("PATCH", linkedPath, map[string]any{"master_id": "00000000000000000000000000000000"}, 400, "invalid", "master_id")
		// Unique: master_id, and one master per user.
		a.fail("POST", "/admin/v1/masters", map[string]any{"name": "x", "master_id": full["master_id"]}, 409, "conflict", "master_id")
		a.fail("POST", "/admin/v1/masters", map[string]any{"name": "x", "user_id": userID}, 409, "conflict", "user_id")
		a.fail("PATCH", path, map[string]any{"user_id": userID}, 409, "conflict", "user_id")
		a.ok("PATCH", path, map[string]any{"user_id": otherUserID}, 200)
		// null unlinks; then the user is free again.
		if got := a.ok("PATCH", linkedPath, map[string]any{"user_id": nil}, 200); got["user_id"] != nil {
			t.Fatalf("unlinked: %v", got)
		}
		a.ok("PATCH", path, map[string]any{"user_id": userID, "birthday": ""}, 200)
		// user_id also takes the user's uid, as the yuanyi face shows it.
		var uid string
		if err := e.App.DB.QueryRow(context.Background(), "SELECT uid FROM users WHERE id = ?", otherUserID).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		if got := a.ok("PATCH", linkedPath, map[string]any{"user_id": uid}, 200); num(t, got["user_id"]) != otherUserID {
			t.Fatalf("linked by uid: %v", got)
		}
		a.fail("PATCH", path, map[string]any{"user_id": uid}, 409, "conflict", "user_id")
		a.fail("PATCH", path, map[string]any{"user_id": "0123456789abcdef0123456789abcdef"}, 400, "invalid", "user_id")
		a.ok("PATCH", linkedPath, map[string]any{"user_id": nil}, 200)

		refuses(t, a, "/admin/v1/masters", linkedPath, []badInput{
			{map[string]any{"name": "x", "master_id": "EF1B95C82F4B47C2841D9C0C095A558B"}, "master_id"},
			{map[string]any{"name": "x", "master_id": "ef1b95c8"}, "master_id"},
			{map[string]any{"name": "x", "master_id": 5}, "master_id"},
			{map[string]any{"name": "x", "master_id": nil}, "master_id"},
			{map[string]any{"name": "x", "birthday": "1990-13-01"}, "birthday"},
			{map[string]any{"name": "x", "birthday": "yesterday"}, "birthday"},
			{map[string]any{"name": "x", "birthday": 631152000000}, "birthday"},
			{map[string]any{"name": "x", "user_id": 999999}, "user_id"},
			{map[string]any{"name": "x", "user_id": 0}, "user_id"},
			{map[string]any{"name": "x", "user_id": -1}, "user_id"},
			{map[string]any{"name": "x", "user_id": 1.5}, "user_id"},
			{map[string]any{"name": "x", "user_id": "1"}, "user_id"},
			{map[string]any{"name": "x", "user_id": true}, "user_id"},
			{map[string]any{"name": "x", "recommended": "yes"}, "recommended"},
			{map[string]any{"name": "x", "recommended": 1}, "recommended"},
			{map[string]any{"name": "x", "sort": -1}, "sort"},
			{map[string]any{"name": "x", "sort": "1"}, "sort"},
			{map[string]any{"name": "x", "avatar": "a b.jpeg"}, "avatar"},
			{map[string]any{"name": "x", "intro": strings.Repeat("长", 20001)}, "intro"},
			{map[string]any{"name": ""}, "name"},
		})
		a.fail("POST", "/admin/v1/masters", map[string]any{"avatar": "a.jpeg"}, 400, "invalid", "name")

		// A user's token is not an admin's.
		tok, _ := register(t, e, "13800138002")
		api{t: t, e: e, token: tok}.fail("GET", "/admin/v1/masters", nil, 401, "unauthenticated", "")

		items := page(t, a.ok("GET", "/admin/v1/masters", nil, 200), 2, 1, 20)
		if ids(t, items)[0] != num(t, linked["id"]) {
			t.Fatalf("masters not newest first: %v", ids(t, items))
		}
		a.ok("DELETE", path, nil, 204)
		a.fail("GET", path, nil, 404, "not_found", "")
	})
}

func TestMerchantsAndClothes(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		mer := a.ok("POST", "/admin/v1/merchants", map[string]any{"name": "商户9", "logo": "f0ad3cc9-855a-11ee-bcb6-5785abdd6148.jpeg",
			"intro": "商户简介9", "address": "北京市海淀区中关村9号", "phone": "18888888888", "email": "xxx@163.com"}, 201)
		sameKeys(t, "merchant", mer, "id", "merchant_id", "name", "logo", "intro", "address", "phone", "email", "created_at", "updated_at")
		if !hex32.MatchString(mer["merchant_id"].(string)) {
			t.Fatalf("merchant_id %v", mer["merchant_id"])
		}
		merPath := "/admin/v1/merchants/" + idStr(t, mer)
		a.ok("PATCH", merPath, map[string]any{"phone": "+86 (010) 1234-5678", "email": ""}, 200)
		refuses(t, a, "/admin/v1/merchants", merPath, []badInput{
			{map[string]any{"name": "x", "phone": "call me"}, "phone"},
			{map[string]any{"name": "x", "phone": "123"}, "phone"},
			{map[string]any{"name": "x", "email": "not-an-address"}, "email"},
			{map[string]any{"name": "x", "email": "Bob <bob@example.com>"}, "email"},
			{map[string]any{"name": "x", "merchant_id": "xyz"}, "merchant_id"},
			{map[string]any{"name": 1}, "name"},
		})

		merID := num(t, mer["id"])
		cloth := a.ok("POST", "/admin/v1/clothes", map[string]any{"kind": "merchant", "name": "服饰名称19", "merchant_id": merID,
			"image": "e87dbff1-855a-11ee-bcb6-5785abdd6148.jpeg", "images": []string{"a.jpeg", "b.png"}, "price": 2999, "dynasty": 1}, 201)
		clothKeys := []string{"id", "kind", "name", "image", "images", "intro", "designer_intro", "price", "dynasty",
			"merchant_id", "recommended", "created_at", "updated_at"}
		sameKeys(t, "cloth", cloth, clothKeys...)
		if !reflect.DeepEqual(cloth["images"], []any{"a.jpeg", "b.png"}) || num(t, cloth["price"]) != 2999 || num(t, cloth["merchant_id"]) != merID {
			t.Fatalf("cloth = %v", cloth)
		}
		clothPath := "/admin/v1/clothes/" + idStr(t, cloth)
		// merchant_id also takes the merchant's 32-hex merchant_id, as the
		// faces show it; the record keeps (and answers) the merchants id.
		byHex := a.ok("POST", "/admin/v1/clothes", map[string]any{"kind": "merchant", "name": "hex", "merchant_id": mer["merchant_id"]}, 201)
		if num(t, byHex["merchant_id"]) != merID {
			t.Fatalf("cloth made with the merchant's merchant_id = %v", byHex)
		}
		// The earlier name merchant is an alias; the answer has merchant_id.
		old := a.ok("POST", "/admin/v1/clothes", map[string]any{"kind": "merchant", "name": "old name", "merchant": merID}, 201)
		sameKeys(t, "cloth made under the earlier name", old, clothKeys...)
		if num(t, old["merchant_id"]) != merID {
			t.Fatalf("cloth made under the earlier name = %v", old)
		}
		oldPath := "/admin/v1/clothes/" + idStr(t, old)
		if got := a.ok("PATCH", oldPath, map[string]any{"kind": "design_circle", "merchant": nil}, 200); got["merchant_id"] != nil {
			t.Fatalf("PATCH merchant null = %v", got)
		}
		if got := a.ok("PATCH", oldPath, map[string]any{"kind": "merchant", "merchant": mer["merchant_id"]}, 200); num(t, got["merchant_id"]) != merID {
			t.Fatalf("PATCH merchant by merchant_id = %v", got)
		}
		a.ok("DELETE", oldPath, nil, 204)
		a.ok("DELETE", "/admin/v1/clothes/"+idStr(t, byHex), nil, 204)
		// The record read and sent back, less its read-only fields, keeps working.
		back := maps.Clone(cloth)
		for _, k := range []string{"id", "created_at", "updated_at"} {
			delete(back, k)
		}
		a.ok("PATCH", clothPath, back, 200)
		dc := a.ok("POST", "/admin/v1/clothes", map[string]any{"kind": "design_circle", "name": "设计"}, 201)
		if !reflect.DeepEqual(dc["images"], []any{}) || dc["merchant_id"] != nil {
			t.Fatalf("design-circle cloth = %v", dc)
		}
		// The kind and the merchant go together, on create and on PATCH.
		a.fail("POST", "/admin/v1/clothes", map[string]any{"kind": "merchant", "name": "x"}, 400, "invalid", "merchant_id")
		a.fail("POST", "/admin/v1/clothes", map[string]any{"kind": "design_circle", "name": "x", "merchant_id": merID}, 400, "invalid", "merchant_id")
		a.fail("PATCH", clothPath, map[string]any{"kind": "design_circle"}, 400, "invalid", "merchant_id")
		a.fail("PATCH", clothPath, map[string]any{"merchant_id": nil}, 400, "invalid", "merchant_id")
		a.fail("PATCH", "/admin/v1/clothes/"+idStr(t, dc), map[string]any{"merchant_id": merID}, 400, "invalid", "merchant_id")
		if got := a.ok("PATCH", "/admin/v1/clothes/"+idStr(t, dc), map[string]any{"kind": "merchant", "merchant_id": merID}, 200); got["kind"] != "merchant" {
			t.Fatalf("moved to merchant: %v", got)
		}
		a.ok("PATCH", "/admin/v1/clothes/"+idStr(t, dc), map[string]any{"kind": "design_circle", "merchant_id": nil, "images": []string{}}, 200)

		many := make([]string, 21)
		for i := range many {
			many[i] = fmt.Sprintf("%d.jpeg", i)
		}
		good := map[string]any{"kind": "merchant", "name": "x", "merchant_id": merID}
		refuses(t, a, "/admin/v1/clothes", clothPath, []badInput{
			{map[string]any{"kind": "shop", "name": "x"}, "kind"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant_id": 999999}, "merchant_id"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant_id": "00000000000000000000000000000000"}, "merchant_id"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant_id": strings.ToUpper(mer["merchant_id"].(string))}, "merchant_id"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant_id": "1"}, "merchant_id"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant_id": true}, "merchant_id"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant": 999999}, "merchant_id"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant": "xyz"}, "merchant_id"},
			// Both names of the field in one body.
			{map[string]any{"kind": "merchant", "name": "x", "merchant": merID, "merchant_id": merID}, "merchant_id"},
			{map[string]any{"kind": "merchant", "name": "x", "merchant": nil, "merchant_id": merID}, "merchant_id"},
			{with(good, "images", "a.jpeg"), "images"},
			{with(good, "images", `["a.jpeg"]`), "images"},
			{with(good, "images", []any{1}), "images"},
			{with(good, "images", []any{""}), "images"},
			{with(good, "images", []any{"a b.jpeg"}), "images"},
			{with(good, "images", []any{nil}), "images"},
			{with(good, "images", nil), "images"},
			{with(good, "images", many), "images"},
			{with(good, "images", map[string]any{"0": "a.jpeg"}), "images"},
			{with(good, "price", -1), "price"},
			{with(good, "price", 29.99), "price"},
			{with(good, "price", "2999"), "price"},
			{with(good, "dynasty", 1001), "dynasty"},
		})
		a.fail("POST", "/admin/v1/clothes", map[string]any{"name": "x"}, 400, "invalid", "kind")
		a.ok("PATCH", clothPath, map[string]any{"images": many[:20]}, 200)

		// A merchant with clothes cannot go; without them it can.
		a.fail("DELETE", merPath, nil, 409, "conflict", "")
		a.ok("GET", clothPath, nil, 200)
		a.ok("DELETE", clothPath, nil, 204)
		a.ok("DELETE", merPath, nil, 204)
		a.fail("GET", merPath, nil, 404, "not_found", "")
	})
}

func TestGamesAndBanners(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		g := a.ok("POST", "/admin/v1/games", map[string]any{"name": "游戏名称0", "image": "f1abbc30-855a-11ee-bcb6-5785abdd6148.jpeg",
			"intro": "游戏简介0", "recommended": true}, 201)
		sameKeys(t, "game", g, "id", "name", "image", "intro", "recommended", "created_at", "updated_at")
		gPath := "/admin/v1/games/" + idStr(t, g)
		if got := a.ok("PATCH", gPath, map[string]any{"recommended": false}, 200); got["recommended"] != false {
			t.Fatalf("patched game %v", got)
		}
		refuses(t, a, "/admin/v1/games", gPath, []badInput{
			{map[string]any{"name": "x", "recommended": nil}, "recommended"},
			{map[string]any{"name": "x", "recommended": "true"}, "recommended"},
			{map[string]any{"name": "x", "image": 5}, "image"},
			{map[string]any{"name": strings.Repeat("x", 101)}, "name"},
		})

		b := a.ok("POST", "/admin/v1/banners", map[string]any{"placement": "home", "image": "a.jpeg", "url": "https://example.com/x?y=1"}, 201)
		sameKeys(t, "banner", b, "id", "placement", "image", "url", "sort", "created_at", "updated_at")
		bPath := "/admin/v1/banners/" + idStr(t, b)
		a.ok("PATCH", bPath, map[string]any{"placement": "game", "url": "yuanyi://ticket/3", "sort": 2}, 200)
		a.ok("PATCH", bPath, map[string]any{"url": ""}, 200)
		refuses(t, a, "/admin/v1/banners", bPath, []badInput{
			{map[string]any{"placement": "sidebar", "image": "a.jpeg"}, "placement"},
			{map[string]any{"placement": "home", "image": ""}, "image"},
			{map[string]any{"placement": "home", "image": "a.jpeg", "url": "example.com/page"}, "url"},
			{map[string]any{"placement": "home", "image": "a.jpeg", "url": "https://example.com/a b"}, "url"},
			{map[string]any{"placement": "home", "image": "a.jpeg", "sort": 1_000_000_001}, "sort"},
		})
		a.fail("POST", "/admin/v1/banners", map[string]any{"placement": "home"}, 400, "invalid", "image")
		a.ok("DELETE", bPath, nil, 204)
		a.ok("DELETE", gPath, nil, 204)
	})
}
