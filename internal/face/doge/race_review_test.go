package doge_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
)

// Everything one player can do, all at once: each flag and poop is paid
// once, one gift is carried, no answer is status 0, the ledger holds.
func TestParallelEverything(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "U")
		other := signUp(t, e, "dev-2", "O")
		g := goods(t, e, "toy", 1)
		call(t, e, "POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g)), nil, 200, 1)
		call(t, e, "POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g)), nil, 200, 1)
		call(t, e, "POST", other.q(fmt.Sprintf("/api/v1/goods/%d/", g)), nil, 200, 1)
		call(t, e, "POST", p.q("/api/v1/user/pet/?type=1&character=2&wish=3"), nil, 200, 1)
		call(t, e, "POST", other.q("/api/v1/user/pet/?type=1&character=2&wish=3"), nil, 200, 1)
		var gifts []int64
		for _, who := range []player{p, other} {
			for _, it := range call(t, e, "GET", who.q("/api/v1/gifts/"), nil, 200, 1)["gift_list"].([]any) {
				gifts = append(gifts, num(t, it.(map[string]any)["id"]))
			}
		}
		ok := func(what string, res plazatest.Response) {
			if res.Status >= 500 || strings.Contains(string(res.Body), `"status":0`) || strings.Contains(string(res.Body), `"status":2`) {
				t.Errorf("%s: %d %s", what, res.Status, res.Body)
			}
		}
		var fs []func()
		for i := 0; i < 6; i++ {
			fs = append(fs,
				func() { ok("feed", e.Do("GET", p.q("/api/v1/pet/action/?action=1"), nil)) },
				func() { ok("bath", e.Do("GET", p.q("/api/v1/pet/action/?action=2"), nil)) },
				func() { ok("pick", e.Do("GET", p.q("/api/v1/pick/"), nil)) },
				func() { ok("pick", e.Do("GET", p.q("/api/v1/pick/"), nil)) },
				func() { ok("beat", e.Do("GET", p.q("/api/v1/user/pet/"), nil)) },
				func() { ok("create", e.Do("POST", p.q("/api/v1/user/pet/?type=2&character=2&wish=3"), nil)) },
				func() {
					ok("signup", e.Do("POST", "/api/v1/user/", []byte(url.Values{"user_id": {"dev-1"}}.Encode()),
						"Content-Type", "application/x-www-form-urlencoded"))
				},
			)
			for _, gid := range gifts {
				fs = append(fs, func() { ok("carry", e.Do("GET", p.q(fmt.Sprintf("/api/v1/gift/?gid=%d", gid)), nil)) })
			}
		}
		storetest.Race(fs...)
		if m := money(t, e, p.id); m != 30-2-4-2+8 {
			t.Fatalf("money %d, want %d", m, 30-2-4-2+8)
		}
		var used, pets, carried, users int
		db := e.App.DB
		db.QueryRow(context.Background(), "SELECT COUNT(*) FROM pet_gifts WHERE used = TRUE").Scan(&used)
		db.QueryRow(context.Background(), "SELECT COUNT(*) FROM pets WHERE user_id = ?", p.id).Scan(&pets)
		db.QueryRow(context.Background(), "SELECT COUNT(*) FROM pets WHERE gift_id IS NOT NULL").Scan(&carried)
		db.QueryRow(context.Background(), "SELECT COUNT(*) FROM users WHERE openid = 'dev-1'").Scan(&users)
		if used != 1 || pets != 1 || carried != 1 || users != 1 {
			t.Fatalf("used %d, pets %d, carried %d, users %d", used, pets, carried, users)
		}
		verify(t, e)
	})
}
