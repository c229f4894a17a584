package doge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/catalog"
	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// call sends a form request and checks the envelope: the HTTP status and
// the envelope's status; it returns the body.
func call(t testing.TB, e *plazatest.Env, method, path string, form url.Values, httpStatus, status int) map[string]any {
	t.Helper()
	var body any
	var hdr []string
	if form != nil {
		body = []byte(form.Encode())
		hdr = []string{"Content-Type", "application/x-www-form-urlencoded"}
	}
	res := e.Do(method, path, body, hdr...)
	m := res.JSON()
	if res.Status != httpStatus || m == nil {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, res.Status, httpStatus, res.Body)
	}
	var st int
	if n, ok := m["status"].(json.Number); ok {
		i, _ := n.Int64()
		st = int(i)
	}
	if st != status {
		t.Fatalf("%s %s: status %v, want %d: %s", method, path, m["status"], status, res.Body)
	}
	b, ok := m["body"].(map[string]any)
	if !ok || (status != 1 && len(b) != 0) || m["msg"] == nil {
		t.Fatalf("%s %s: bad envelope %s", method, path, res.Body)
	}
	return b
}

func num(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	i, _ := n.Int64()
	return i
}

type player struct {
	e     *plazatest.Env
	token string
	id    int64
}

func (p player) q(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "token=" + p.token
}

func signUp(t testing.TB, e *plazatest.Env, openID, nick string) player {
	t.Helper()
	b := call(t, e, "POST", "/api/v1/user/", url.Values{"user_id": {openID}, "nick": {nick}, "male": {"1"}, "sports": {"羽毛球"}}, 200, 1)
	u := b["user"].(map[string]any)
	if u["user_id"] != openID || u["nick"] != nick || num(t, u["money"]) != 30 || num(t, u["pick"]) != 8 || u["sports"] != "羽毛球" || u["token"] == "" {
		t.Fatalf("new user: %v", u)
	}
	return player{e: e, token: u["token"].(string), id: num(t, u["id"])}
}

func money(t testing.TB, e *plazatest.Env, id int64) int64 {
	t.Helper()
	b, err := e.App.Wallet.Balance(context.Background(), id, wallet.Coin)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verify(t testing.TB, e *plazatest.Env) {
	t.Helper()
	rep, err := wallet.Verify(context.Background(), e.App.DB)
	if err != nil || !rep.OK() {
		t.Fatalf("ledger verify: %v %+v", err, rep)
	}
}

func goods(t testing.TB, e *plazatest.Env, name string, price int64) int64 {
	t.Helper()
	rec, err := e.App.Catalog.Create(context.Background(), catalog.Goods, map[string]any{"name": name, "price": price})
	if err != nil {
		t.Fatal(err)
	}
	return rec.ID()
}

func TestUsers(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "用户昵称")
		// The same open id again without its token: 6.
		call(t, e, "POST", "/api/v1/user/", url.Values{"user_id": {"dev-1"}}, 200, 6)
		// No user_id: the server makes one.
		b := call(t, e, "POST", "/api/v1/user/", url.Values{"nick": {"x"}}, 200, 1)
		if u := b["user"].(map[string]any); len(u["user_id"].(string)) < 20 {
			t.Fatalf("made id %v", u["user_id"])
		}
		// Update with the token (form field, query and header alike).
		b = call(t, e, "POST", "/api/v1/user/", url.Values{"token": {p.token}, "city": {"西宁"}, "travel": {"宅"}}, 200, 1)
		if u := b["user"].(map[string]any); u["city"] != "西宁" || u["travel"] != "宅" || u["nick"] != "用户昵称" || num(t, u["money"]) != 30 {
			t.Fatalf("updated: %v", u)
		}
		res := e.Do("GET", "/api/v1/user/", nil, "Authorization", "Token "+p.token)
		if !strings.Contains(string(res.Body), `"city":"西宁"`) || !strings.Contains(string(res.Body), p.token) {
			t.Fatalf("read own: %s", res.Body)
		}
		// Someone else's: no token shown.
		b = call(t, e, "GET", "/api/v1/user/?user_id=dev-1", nil, 200, 1)
		if u := b["user"].(map[string]any); u["token"] != nil || u["nick"] != "用户昵称" {
			t.Fatalf("read other: %v", u)
		}
		call(t, e, "GET", "/api/v1/user/?user_id=nobody", nil, 200, 7)
		call(t, e, "GET", "/api/v1/user/", nil, 200, 4)
		call(t, e, "GET", "/api/v1/user/?token=bad", nil, 200, 2)
		call(t, e, "POST", "/api/v1/user/", url.Values{"token": {"bad"}}, 200, 2)
		call(t, e, "POST", "/api/v1/user/", url.Values{"male": {"7"}}, 200, 4)
		call(t, e, "POST", "/api/v1/user/", url.Values{"nick": {strings.Repeat("长", 65)}}, 200, 4)
		call(t, e, "POST", "/api/v1/user/", url.Values{"user_id": {strings.Repeat("a", 65)}}, 200, 4)
		call(t, e, "POST", "/api/v1/user/", url.Values{"token": {p.token}, "user_id": {"other"}}, 200, 4)
		// JSON bodies too.
		res = e.Do("POST", "/api/v1/user/", map[string]any{"user_id": "dev-json", "nick": "J"})
		if !strings.Contains(string(res.Body), `"status":1`) {
			t.Fatalf("json sign-up: %s", res.Body)
		}
		if got := money(t, e, p.id); got != 30 {
			t.Fatalf("money %d", got)
		}
		verify(t, e)
	})
}

func TestEnvelopeAndCatchAll(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		call(t, e, "GET", "/api/v1/nothing/here", nil, 404, 7)
		call(t, e, "GET", "/api/v1/", nil, 404, 7)
		call(t, e, "DELETE", "/api/v1/user/", nil, 405, 7)
		call(t, e, "GET", "/api/v1/goods/", nil, 200, 2)
		call(t, e, "GET", "/api/v1/user/pet/?token=", nil, 200, 2)
		// The member face keeps the rest of /api/.
		if res := e.Do("GET", "/api/nothing", nil); !strings.Contains(string(res.Body), "10002") {
			t.Fatalf("member catch-all: %s", res.Body)
		}
	})
}

func TestPetPoopAndActions(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "阿黄")
		call(t, e, "GET", p.q("/api/v1/user/pet/"), nil, 200, 7) // no pet
		call(t, e, "GET", p.q("/api/v1/pet/action/?action=1"), nil, 200, 7)
		for _, bad := range []string{"type=0&character=1&wish=1", "type=5&character=1&wish=1", "type=x&character=1&wish=1", "type=1&character=9&wish=1", "type=1&character=1&wish=0", "type=1&character=1&wish=1&sex=3"} {
			call(t, e, "POST", p.q("/api/v1/user/pet/?"+bad), nil, 200, 4)
		}
		b := call(t, e, "POST", "/api/v1/user/pet/", url.Values{"token": {p.token}, "type": {"2"}, "sex": {"1"}, "character": {"3"}, "wish": {"4"}}, 200, 1)
		pt := b["pet"].(map[string]any)
		if pt["name"] != "阿黄的狗子" || num(t, pt["type"]) != 2 || pt["character"] != "3" || pt["wish"] != "4" || pt["eated"] != false || pt["showerd"] != false {
			t.Fatalf("pet: %v", pt)
		}
		call(t, e, "POST", "/api/v1/user/pet/", url.Values{"token": {p.token}, "type": {"1"}, "character": {"1"}, "wish": {"1"}}, 200, 6)

		pick := func() int64 {
			b := call(t, e, "GET", p.q("/api/v1/user/pet/"), nil, 200, 1)
			if b["new"] != false {
				t.Fatalf("new: %v", b)
			}
			return num(t, b["pet"].(map[string]any)["belong"].(map[string]any)["pick"])
		}
		// Poop over 0, 4, 5, 60 and 600 minutes (cap 12).
		for _, c := range []struct {
			after time.Duration
			want  int64
		}{{0, 8}, {4 * time.Minute, 8}, {time.Minute, 9}, {60 * time.Minute, 12}, {600 * time.Minute, 12}} {
			e.Clock.Advance(c.after)
			if got := pick(); got != c.want {
				t.Fatalf("after %v more: pick %d, want %d", c.after, got, c.want)
			}
		}
		// Picking: +1 coin each, until none.
		for i := 0; i < 12; i++ {
			b := call(t, e, "GET", p.q("/api/v1/pick/"), nil, 200, 1)
			if u := b["user"].(map[string]any); num(t, u["money"]) != int64(31+i) || num(t, u["pick"]) != int64(11-i) {
				t.Fatalf("pick %d: %v", i, u)
			}
		}
		res := e.Do("GET", p.q("/api/v1/pick/"), nil)
		if !strings.Contains(string(res.Body), "无屎可捡") || !strings.Contains(string(res.Body), `"status":7`) {
			t.Fatalf("nothing to pick: %s", res.Body)
		}
		// The cap restarted the clock: 5 minutes later one more.
		e.Clock.Advance(5 * time.Minute)
		if got := pick(); got != 1 {
			t.Fatalf("pick %d after the cap", got)
		}

		for _, bad := range []string{"", "3", "0", "x", "-1", "99999999999999999999"} {
			call(t, e, "GET", p.q("/api/v1/pet/action/?action="+bad), nil, 200, 4)
		}
		b = call(t, e, "GET", p.q("/api/v1/pet/action/?action=1"), nil, 200, 1)
		if num(t, b["ttuser"].(map[string]any)["money"]) != 42-4 {
			t.Fatalf("fed: %v", b)
		}
		call(t, e, "GET", p.q("/api/v1/pet/action/?action=1"), nil, 200, 6)
		b = call(t, e, "GET", p.q("/api/v1/pet/action/?action=2"), nil, 200, 1)
		if num(t, b["ttuser"].(map[string]any)["money"]) != 42-6 {
			t.Fatalf("bathed: %v", b)
		}
		call(t, e, "GET", p.q("/api/v1/pet/action/?action=2"), nil, 200, 6)
		b = call(t, e, "GET", p.q("/api/v1/user/pet/"), nil, 200, 1)
		if pt := b["pet"].(map[string]any); pt["eated"] != true || pt["showerd"] != true {
			t.Fatalf("after actions: %v", pt)
		}
		verify(t, e)
	})
}

func TestActionWithoutMoneyWritesNothing(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_DOGE_START_COINS": "3"}, func(t *testing.T, e *plazatest.Env) {
		b := call(t, e, "POST", "/api/v1/user/", url.Values{"user_id": {"poor"}}, 200, 1)
		p := player{e: e, token: b["user"].(map[string]any)["token"].(string), id: num(t, b["user"].(map[string]any)["id"])}
		call(t, e, "POST", p.q("/api/v1/user/pet/?type=1&character=1&wish=1"), nil, 200, 1)
		res := e.Do("GET", p.q("/api/v1/pet/action/?action=1"), nil)
		if !strings.Contains(string(res.Body), `"status":4`) || !strings.Contains(string(res.Body), "余额不足") {
			t.Fatalf("feed without money: %s", res.Body)
		}
		b = call(t, e, "GET", p.q("/api/v1/user/pet/"), nil, 200, 1)
		if pt := b["pet"].(map[string]any); pt["eated"] != false {
			t.Fatalf("fed without paying: %v", pt)
		}
		call(t, e, "GET", p.q("/api/v1/pet/action/?action=2"), nil, 200, 1) // 2 of 3
		if got := money(t, e, p.id); got != 1 {
			t.Fatalf("money %d", got)
		}
		verify(t, e)
	})
}

func TestGoodsAndGifts(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "U")
		other := signUp(t, e, "dev-2", "O")
		g1 := goods(t, e, "屎人", 1)
		g2 := goods(t, e, "毛绒玩具", 10)
		b := call(t, e, "GET", p.q("/api/v1/goods/"), nil, 200, 1)
		list := b["goods_list"].([]any)
		if len(list) != 2 || b["is_paginated"] != false || len(b["page_obj"].(map[string]any)) != 0 {
			t.Fatalf("goods: %v", b)
		}
		if g := list[1].(map[string]any); g["name"] != "毛绒玩具" || num(t, g["price"]) != 10 || num(t, g["id"]) != g2 {
			t.Fatalf("goods item: %v", g)
		}
		for _, pg := range []string{"0", "-1", "x", "99999999999"} {
			call(t, e, "GET", p.q("/api/v1/goods/?page="+pg), nil, 200, 4)
		}
		call(t, e, "GET", p.q("/api/v1/goods/?page=2"), nil, 200, 7)

		b = call(t, e, "POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g2)), nil, 200, 1)
		if u := b["user"].(map[string]any); num(t, u["money"]) != 20 || u["nick"] != "U" {
			t.Fatalf("bought: %v", u)
		}
		call(t, e, "POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g1)), nil, 200, 1)
		for _, bad := range []string{"x", "0", "01", "999", "-1"} {
			call(t, e, "POST", p.q("/api/v1/goods/"+bad+"/"), nil, 200, 7)
		}
		call(t, e, "POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g2)), nil, 200, 1)
		call(t, e, "POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g2)), nil, 200, 4) // 9 left
		if got := money(t, e, p.id); got != 9 {
			t.Fatalf("money %d", got)
		}

		b = call(t, e, "GET", p.q("/api/v1/gifts/"), nil, 200, 1)
		gifts := b["gift_list"].([]any)
		if len(gifts) != 3 || gifts[0].(map[string]any)["name"] != "毛绒玩具" || gifts[1].(map[string]any)["name"] != "屎人" || gifts[0].(map[string]any)["use"] != false {
			t.Fatalf("gifts: %v", b)
		}
		first := num(t, gifts[2].(map[string]any)["id"])
		call(t, e, "GET", other.q("/api/v1/gifts/"), nil, 200, 1)
		call(t, e, "GET", p.q(fmt.Sprintf("/api/v1/gift/?gid=%d", first)), nil, 200, 7) // no pet
		call(t, e, "POST", p.q("/api/v1/user/pet/?type=1&character=1&wish=1"), nil, 200, 1)
		call(t, e, "GET", other.q(fmt.Sprintf("/api/v1/gift/?gid=%d", first)), nil, 200, 7) // not theirs
		for _, bad := range []string{"x", "0", "999"} {
			call(t, e, "GET", p.q("/api/v1/gift/?gid="+bad), nil, 200, 7)
		}
		call(t, e, "GET", p.q("/api/v1/gift/"), nil, 200, 4)
		b = call(t, e, "GET", p.q(fmt.Sprintf("/api/v1/gift/?gid=%d", first)), nil, 200, 1)
		if num(t, b["pet"].(map[string]any)["gift_id"]) != first {
			t.Fatalf("carry: %v", b)
		}
		call(t, e, "GET", p.q(fmt.Sprintf("/api/v1/gift/?gid=%d", first)), nil, 200, 7)                                   // used
		call(t, e, "GET", p.q(fmt.Sprintf("/api/v1/gift/?gid=%d", num(t, gifts[0].(map[string]any)["id"]))), nil, 200, 6) // carries one
		if b := call(t, e, "POST", p.q("/api/v1/gifts/"), nil, 200, 1); len(b["gift_list"].([]any)) != 2 {
			t.Fatalf("gifts after carry: %v", b)
		}
		verify(t, e)
	})
}

func TestPaging(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "U")
		for i := 0; i < 21; i++ {
			goods(t, e, fmt.Sprintf("g%d", i), 1)
		}
		b := call(t, e, "GET", p.q("/api/v1/goods/?page=2"), nil, 200, 1)
		po := b["page_obj"].(map[string]any)
		if len(b["goods_list"].([]any)) != 1 || b["is_paginated"] != true || num(t, po["number"]) != 2 || num(t, po["num_pages"]) != 2 ||
			num(t, po["count"]) != 21 || po["has_next"] != false || po["has_previous"] != true {
			t.Fatalf("page 2: %v", b)
		}
		call(t, e, "GET", p.q("/api/v1/goods/?page=3"), nil, 200, 7)
	})
}

// Parallel picks and purchases by one user never double-pick nor overspend.
func TestParallelPicksAndPurchases(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "U")
		g := goods(t, e, "toy", 4)
		var picked, bought, short atomic.Int32
		fs := make([]func(), 0, 30)
		for i := 0; i < 15; i++ {
			fs = append(fs, func() {
				res := e.Do("GET", p.q("/api/v1/pick/"), nil)
				switch s := string(res.Body); {
				case strings.Contains(s, `"status":1`):
					picked.Add(1)
				case !strings.Contains(s, `"status":7`):
					t.Errorf("pick: %s", s)
				}
			})
			fs = append(fs, func() {
				res := e.Do("POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g)), nil)
				switch s := string(res.Body); {
				case strings.Contains(s, `"status":1`):
					bought.Add(1)
				case strings.Contains(s, `"status":4`):
					short.Add(1)
				default:
					t.Errorf("buy: %s", s)
				}
			})
		}
		storetest.Race(fs...)
		if picked.Load() != 8 {
			t.Fatalf("%d picked, want 8", picked.Load())
		}
		m := money(t, e, p.id)
		if want := 30 + 8 - 4*int64(bought.Load()); m != want || m < 0 || m >= 4+8 {
			t.Fatalf("money %d, %d bought: want %d", m, bought.Load(), want)
		}
		var gifts, pick int
		e.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM pet_gifts WHERE user_id = ?", p.id).Scan(&gifts)
		e.App.DB.QueryRow(context.Background(), "SELECT pick FROM pet_players WHERE user_id = ?", p.id).Scan(&pick)
		if gifts != int(bought.Load()) || pick != 0 {
			t.Fatalf("%d gifts, pick %d", gifts, pick)
		}
		verify(t, e)
	})
}

// A page number so large that its offset overflows is refused, not read
// (PostgreSQL refuses a negative OFFSET: a 500).
func TestHugePage(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "U")
		for _, path := range []string{"/api/v1/goods/", "/api/v1/gifts/", "/api/v1/encounters/"} {
			for _, page := range []string{"576460752303423489", "4611686018427387905", "9223372036854775807", "-1", "0", "x"} {
				call(t, e, "GET", p.q(path+"?page="+page), nil, 200, 4)
			}
		}
	})
}
