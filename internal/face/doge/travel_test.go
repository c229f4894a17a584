package doge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// back is long enough for any traveller to be back (leaves within 5
// minutes, back within 9 after).
const back = 14 * time.Minute

// traveller signs up a user with a pet, optionally carrying a gift of
// goods g (0: none), and feeds and bathes it: it goes travelling.
func traveller(t testing.TB, e *plazatest.Env, openID string, g int64) (player, int64) {
	t.Helper()
	p := signUp(t, e, openID, "N"+openID)
	b := call(t, e, "POST", p.q("/api/v1/user/pet/?type=1&character=2&wish=3"), nil, 200, 1)
	petID := num(t, b["pet"].(map[string]any)["id"])
	if g != 0 {
		call(t, e, "POST", p.q(fmt.Sprintf("/api/v1/goods/%d/", g)), nil, 200, 1)
		gl := call(t, e, "GET", p.q("/api/v1/gifts/"), nil, 200, 1)["gift_list"].([]any)
		call(t, e, "GET", p.q(fmt.Sprintf("/api/v1/gift/?gid=%d", num(t, gl[0].(map[string]any)["id"]))), nil, 200, 1)
	}
	feedAndBath(t, e, p)
	return p, petID
}

func feedAndBath(t testing.TB, e *plazatest.Env, p player) {
	t.Helper()
	call(t, e, "GET", p.q("/api/v1/pet/action/?action=1"), nil, 200, 1)
	call(t, e, "GET", p.q("/api/v1/pet/action/?action=2"), nil, 200, 1)
}

// beat is a heartbeat: the pet and "new".
func beat(t testing.TB, e *plazatest.Env, p player) (map[string]any, bool) {
	t.Helper()
	b := call(t, e, "GET", p.q("/api/v1/user/pet/"), nil, 200, 1)
	return b["pet"].(map[string]any), b["new"] == true
}

type ship struct{ id, sender, receiver, gift, rgift int64 }

func ships(t testing.TB, e *plazatest.Env) []ship {
	t.Helper()
	rows, err := e.App.DB.Query(context.Background(), "SELECT id, sender_pet_id, receiver_pet_id, COALESCE(gift_id, 0), COALESCE(receiver_gift_id, 0) FROM petships ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []ship
	for rows.Next() {
		var s ship
		if err := rows.Scan(&s.id, &s.sender, &s.receiver, &s.gift, &s.rgift); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func travelling(t testing.TB, e *plazatest.Env) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM pets WHERE back_at IS NOT NULL OR leave_at IS NOT NULL OR eaten OR showered OR gift_id IS NOT NULL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func reset(t testing.TB, pt map[string]any) {
	t.Helper()
	if pt["eated"] != false || pt["showerd"] != false || pt["gift_id"] != nil {
		t.Fatalf("not reset: %v", pt)
	}
}

// Travel times: leave 1-5 minutes after fed and bathed, back 6-9 minutes
// after leaving; a lone traveller back is reset with no petship.
func TestTravelAlone(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		start := e.Clock.Now()
		p, petID := traveller(t, e, "dev-1", 0)
		var leave, backAt int64
		if err := e.App.DB.QueryRow(context.Background(), "SELECT leave_at, back_at FROM pets WHERE id = ?", petID).Scan(&leave, &backAt); err != nil {
			t.Fatal(err)
		}
		if d := time.Duration(leave-start.UnixMilli()) * time.Millisecond; d < time.Minute || d > 5*time.Minute {
			t.Fatalf("leaves after %v", d)
		}
		if d := time.Duration(backAt-leave) * time.Millisecond; d < 6*time.Minute || d > 9*time.Minute {
			t.Fatalf("back after %v", d)
		}
		// Not back before 7 minutes: nothing happens.
		e.Clock.Advance(7*time.Minute - time.Millisecond)
		if pt, n := beat(t, e, p); pt["eated"] != true || pt["showerd"] != true || n {
			t.Fatalf("before back: %v %v", pt, n)
		}
		e.Clock.Advance(back)
		pt, n := beat(t, e, p)
		reset(t, pt)
		if n || len(ships(t, e)) != 0 || travelling(t, e) != 0 {
			t.Fatalf("alone: new %v, %v", n, ships(t, e))
		}
		// Reset: it can be fed and bathed again, and travels again.
		feedAndBath(t, e, p)
		if travelling(t, e) != 1 {
			t.Fatal("not travelling again")
		}
		verify(t, e)
	})
}

// Settings narrow the ranges: leave and back at exact times.
func TestTravelSettings(t *testing.T) {
	env := map[string]string{"PLAZA_DOGE_LEAVE_MIN": "2m", "PLAZA_DOGE_LEAVE_MAX": "2m", "PLAZA_DOGE_BACK_MIN": "3m", "PLAZA_DOGE_BACK_MAX": "3m"}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		p, _ := traveller(t, e, "dev-1", 0)
		e.Clock.Advance(5*time.Minute - time.Millisecond)
		if pt, _ := beat(t, e, p); pt["eated"] != true {
			t.Fatalf("back early: %v", pt)
		}
		e.Clock.Advance(time.Millisecond)
		pt, _ := beat(t, e, p)
		reset(t, pt)
	})
}

// One and three returned pets: the heartbeat pairs with one that is back
// (two petships, each with its sender's gift), both are reset; the third
// is reset alone by its own heartbeat. Then the encounters.
func TestPairingAndEncounters(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		g := goods(t, e, "毛线团", 1)
		a, aPet := traveller(t, e, "dev-a", g)
		b, bPet := traveller(t, e, "dev-b", 0)
		var aGift int64
		e.App.DB.QueryRow(context.Background(), "SELECT gift_id FROM pets WHERE id = ?", aPet).Scan(&aGift)
		e.Clock.Advance(back)
		// b has not looked: a's heartbeat pairs them both.
		pt, n := beat(t, e, a)
		reset(t, pt)
		if !n || travelling(t, e) != 0 {
			t.Fatalf("paired: new %v, %d travelling", n, travelling(t, e))
		}
		ss := ships(t, e)
		if len(ss) != 2 || ss[0].sender != aPet || ss[0].receiver != bPet || ss[0].gift != aGift || ss[0].rgift != 0 ||
			ss[1].sender != bPet || ss[1].receiver != aPet || ss[1].gift != 0 || ss[1].rgift != aGift {
			t.Fatalf("petships %+v (a %d gift %d, b %d)", ss, aPet, aGift, bPet)
		}
		pt, n = beat(t, e, b)
		reset(t, pt)
		if !n {
			t.Fatal("b: no new")
		}
		// The gift was carried across: b's encounter shows it, with its owner.
		lb := call(t, e, "GET", b.q("/api/v1/encounters/"), nil, 200, 1)
		list := lb["petship_list"].([]any)
		if len(list) != 1 || lb["is_paginated"] != false || len(lb["page_obj"].(map[string]any)) != 0 {
			t.Fatalf("b's encounters: %v", lb)
		}
		s := list[0].(map[string]any)
		sg := s["sender_gift"].(map[string]any)
		if num(t, s["sender_id"]) != aPet || num(t, s["receiver_id"]) != bPet || num(t, s["sender_gift_id"]) != aGift || s["receiver_gift_id"] != nil ||
			s["read"] != false || s["receiver_gift"] != nil || sg["name"] != "毛线团" || sg["belong"].(map[string]any)["user_id"] != "dev-a" ||
			s["receiver"].(map[string]any)["belong"].(map[string]any)["user_id"] != "dev-b" || s["sender"].(map[string]any)["name"] != "Ndev-a的狗子" || s["create_time"] == "" {
			t.Fatalf("b's petship: %v", s)
		}
		la := call(t, e, "GET", a.q("/api/v1/encounters/"), nil, 200, 1)["petship_list"].([]any)
		if len(la) != 1 || num(t, la[0].(map[string]any)["receiver_gift_id"]) != aGift || la[0].(map[string]any)["receiver_gift"].(map[string]any)["belong"].(map[string]any)["user_id"] != "dev-a" {
			t.Fatalf("a's encounters: %v", la)
		}

		// Reading: one's own only; unknown 7; marks read, "new" goes.
		mid := num(t, s["id"])
		call(t, e, "GET", a.q(fmt.Sprintf("/api/v1/encounter/%d/", mid)), nil, 200, 2)
		for _, bad := range []string{"999", "x", "0", "-1", "99999999999999999999"} {
			call(t, e, "GET", b.q("/api/v1/encounter/"+bad+"/"), nil, 200, 7)
		}
		call(t, e, "GET", fmt.Sprintf("/api/v1/encounter/%d/", mid), nil, 200, 2)
		r := call(t, e, "GET", b.q(fmt.Sprintf("/api/v1/encounter/%d/", mid)), nil, 200, 1)["petship"].(map[string]any)
		if r["read"] != true || num(t, r["id"]) != mid {
			t.Fatalf("read: %v", r)
		}
		if _, n := beat(t, e, b); n {
			t.Fatal("b: new after reading")
		}
		if _, n := beat(t, e, a); !n {
			t.Fatal("a: not new")
		}

		// Three back: two pair, the third is reset alone.
		c, cPet := traveller(t, e, "dev-c", 0)
		feedAndBath(t, e, a)
		feedAndBath(t, e, b)
		e.Clock.Advance(back)
		before := len(ships(t, e))
		for _, p := range []player{c, a, b} {
			pt, _ := beat(t, e, p)
			reset(t, pt)
		}
		ss = ships(t, e)[before:]
		if len(ss) != 2 || ss[0].sender != ss[1].receiver || ss[0].receiver != ss[1].sender || (ss[0].sender != cPet && ss[0].receiver != cPet) {
			t.Fatalf("three back: %+v", ss)
		}
		if travelling(t, e) != 0 {
			t.Fatal("left travelling")
		}

		// Unread first, then newest: b's second encounter (if any) or a's.
		x := a
		if ss[0].receiver == bPet || ss[1].receiver == bPet {
			x = b
		}
		l := call(t, e, "GET", x.q("/api/v1/encounters/"), nil, 200, 1)["petship_list"].([]any)
		if len(l) != 2 || l[0].(map[string]any)["read"] != false || num(t, l[0].(map[string]any)["id"]) < num(t, l[1].(map[string]any)["id"]) {
			t.Fatalf("order: %v", l)
		}
		if x == a { // both unread: newest first already checked; read the newest, the older unread comes first
			call(t, e, "GET", a.q(fmt.Sprintf("/api/v1/encounter/%d/", num(t, l[0].(map[string]any)["id"]))), nil, 200, 1)
			l2 := call(t, e, "GET", a.q("/api/v1/encounters/"), nil, 200, 1)["petship_list"].([]any)
			if l2[0].(map[string]any)["read"] != false || num(t, l2[0].(map[string]any)["id"]) != num(t, l[1].(map[string]any)["id"]) {
				t.Fatalf("unread first: %v", l2)
			}
		}
		for _, pg := range []string{"0", "-1", "x", "99999999999"} {
			call(t, e, "GET", a.q("/api/v1/encounters/?page="+pg), nil, 200, 4)
		}
		call(t, e, "GET", a.q("/api/v1/encounters/?page=2"), nil, 200, 7)
		call(t, e, "GET", "/api/v1/encounters/?token=bad", nil, 200, 2)
		call(t, e, "POST", a.q("/api/v1/encounters/"), nil, 405, 7)
		verify(t, e)
	})
}

// Many heartbeats at once of ten returned pets: every pet is paired at
// most once, never with itself, the petships come in pairs, and every pet
// is reset.
func TestParallelPairing(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		var ps []player
		for i := 0; i < 10; i++ {
			p, _ := traveller(t, e, fmt.Sprintf("dev-%d", i), 0)
			ps = append(ps, p)
		}
		e.Clock.Advance(back)
		var fs []func()
		for _, p := range ps {
			for k := 0; k < 2; k++ {
				fs = append(fs, func() {
					res := e.Do("GET", p.q("/api/v1/user/pet/"), nil)
					if !strings.Contains(string(res.Body), `"status":1`) {
						t.Errorf("heartbeat: %s", res.Body)
					}
				})
			}
		}
		storetest.Race(fs...)
		ss := ships(t, e)
		sent, got := map[int64]int64{}, map[int64]int{}
		for _, s := range ss {
			if s.sender == s.receiver {
				t.Fatalf("paired with itself: %+v", s)
			}
			if _, ok := sent[s.sender]; ok {
				t.Fatalf("pet %d paired twice: %+v", s.sender, ss)
			}
			sent[s.sender] = s.receiver
			got[s.receiver]++
		}
		for s, r := range sent {
			if sent[r] != s || got[s] != 1 {
				t.Fatalf("not in pairs: %+v", ss)
			}
		}
		if e.App.DB.Engine() == store.SQLite && len(ss) != 10 {
			t.Fatalf("SQLite serializes the heartbeats: all paired, got %+v", ss)
		}
		if travelling(t, e) != 0 {
			t.Fatalf("%d not reset", travelling(t, e))
		}
		verify(t, e)
	})
}
