package yuanyi_test

import (
	"encoding/json"
	"testing"

	"plaza/internal/plazatest"
)

// Users write to masters and merchants; a master linked to a user account
// is read and answered by that user, speaking "as_master".
func TestMessagesToMastersAndMerchants(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		fan, fanUID := signup(t, e, "18682222222")
		star, _ := signup(t, e, "18683333333")
		other, _ := signup(t, e, "18684444444")
		a := adminLogin(t, e)
		users := a.do("GET", "users", nil, 200)["items"].([]any)
		var starUserID json.Number
		for _, u := range users {
			if u.(map[string]any)["phone"] == "18683333333" {
				starUserID = u.(map[string]any)["id"].(json.Number)
			}
		}
		master := a.create("masters", map[string]any{"name": "达人0", "user_id": starUserID})
		masterID := master["master_id"].(string)
		merchant := a.create("merchants", map[string]any{"name": "商户0"})
		merchantID := merchant["merchant_id"].(string)

		ok(t, e, "send_message_to_master", map[string]any{"master_id": masterID, "content": "你好达人"}, fan)
		ok(t, e, "send_message_to_merchant", map[string]any{"merchant_id": merchantID, "content": "有货吗"}, fan)
		fails(t, e, "send_message_to_master", map[string]any{"master_id": "0123456789abcdef0123456789abcdef", "content": "x"}, fan, 400)
		fails(t, e, "send_message_to_merchant", map[string]any{"merchant_id": "nope", "content": "x"}, fan, 400)

		m := ok(t, e, "my_message", map[string]any{"to_id": masterID}, fan)
		msgs := list(t, m, "my_message")
		if len(msgs) != 1 || msgs[0]["to_id"] != masterID || msgs[0]["from_id"] != fanUID {
			t.Fatalf("conversation with the master = %v", msgs)
		}
		if m["other_side"].(map[string]any)["master_id"] != masterID {
			t.Fatalf("other_side = %v", m["other_side"])
		}
		center := list(t, ok(t, e, "my_message_center", nil, fan), "my_message_center")
		if len(center) != 2 || center[0]["type"] != "merchant" || center[1]["type"] != "master" || center[1]["master_id"] != masterID {
			t.Fatalf("center = %v", center)
		}

		// The linked user reads the master's inbox and answers as the master.
		inbox := list(t, ok(t, e, "my_message_center", map[string]any{"as_master": true}, star), "my_message_center")
		if len(inbox) != 1 || inbox[0]["type"] != "user" || inbox[0]["uid"] != fanUID {
			t.Fatalf("master's inbox = %v", inbox)
		}
		if own := list(t, ok(t, e, "my_message_center", nil, star), "my_message_center"); len(own) != 0 {
			t.Fatalf("the linked user's own center = %v", own)
		}
		ok(t, e, "send_message_to_user", map[string]any{"to_uid": fanUID, "content": "谢谢关注", "as_master": true}, star)
		msgs = list(t, ok(t, e, "my_message", map[string]any{"to_id": masterID}, fan), "my_message")
		if len(msgs) != 2 || msgs[0]["from_id"] != masterID || msgs[0]["content"] != "谢谢关注" {
			t.Fatalf("fan's view after the answer = %v", msgs)
		}
		// Only a linked user may speak as a master.
		fails(t, e, "my_message_center", map[string]any{"as_master": true}, other, 111)
		fails(t, e, "send_message_to_user", map[string]any{"to_uid": fanUID, "content": "x", "as_master": true}, other, 111)
		// Blocking the linked user shuts its master out too, both ways.
		ok(t, e, "sns_block", map[string]any{"to_uid": fanUID}, star)
		fails(t, e, "send_message_to_master", map[string]any{"master_id": masterID, "content": "again"}, fan, 111)
	})
}

// A block ends the blocked user's follow of the blocker's master.
func TestBlockEndsMasterFollow(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		fan, fanUID := signup(t, e, "18682222222")
		star, _ := signup(t, e, "18683333333")
		a := adminLogin(t, e)
		var starUserID any
		for _, u := range a.do("GET", "users", nil, 200)["items"].([]any) {
			if u.(map[string]any)["phone"] == "18683333333" {
				starUserID = u.(map[string]any)["id"]
			}
		}
		masterID := a.create("masters", map[string]any{"name": "达人0", "user_id": starUserID})["master_id"].(string)
		ok(t, e, "master_follow", map[string]any{"master_id": masterID}, fan)
		ok(t, e, "sns_block", map[string]any{"to_uid": fanUID}, star)
		d := ok(t, e, "master_detail", map[string]any{"master_id": masterID}, fan)["master_detail"].(map[string]any)
		if d["is_follow"] != false || count(t, d, "follower_count") != "0" {
			t.Fatalf("after the block: %v", d)
		}
		fails(t, e, "master_follow", map[string]any{"master_id": masterID}, fan, 111)
	})
}

// The app's message page reads item.master.name and item.master.avatar of
// every my_message_center item: each item has one, whatever the
// counterpart is.
func TestMessageCenterNamesEveryCounterpart(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		fan, fanUID := signup(t, e, "18682222222")
		friend, friendUID := signup(t, e, "18683333333")
		a := adminLogin(t, e)
		master := a.create("masters", map[string]any{"name": "达人0", "avatar": "m.jpeg"})
		merchant := a.create("merchants", map[string]any{"name": "商户0", "logo": "l.png"})
		ok(t, e, "send_message_to_master", map[string]any{"master_id": master["master_id"], "content": "1"}, fan)
		e.Clock.Advance(1000)
		ok(t, e, "send_message_to_merchant", map[string]any{"merchant_id": merchant["merchant_id"], "content": "2"}, fan)
		e.Clock.Advance(1000)
		ok(t, e, "send_message_to_customer_service", map[string]any{"content": "3"}, fan)
		e.Clock.Advance(1000)
		ok(t, e, "send_message_to_user", map[string]any{"to_uid": friendUID, "content": "4"}, fan)

		center := list(t, ok(t, e, "my_message_center", nil, fan), "my_message_center")
		want := []struct {
			kind, name string
			avatar     any
			idKey, id  any
		}{
			{"user", "nick-18683333333", nil, "uid", friendUID},
			{"customer_service", "客服", nil, "id", "00000000000000000000000000000000"},
			{"merchant", "商户0", "l.png", "merchant_id", merchant["merchant_id"]},
			{"master", "达人0", "m.jpeg", "master_id", master["master_id"]},
		}
		if len(center) != len(want) {
			t.Fatalf("center = %v", center)
		}
		for i, w := range want {
			it := center[i]
			m, isMap := it["master"].(map[string]any)
			if it["type"] != w.kind || !isMap || m["name"] != w.name || m["avatar"] != w.avatar || m[w.idKey.(string)] != w.id {
				t.Fatalf("item %d = %v, want a %s with master %s %v %v", i, it, w.kind, w.name, w.avatar, w.id)
			}
			if _, ok := it[w.kind]; !ok {
				t.Fatalf("item %d lacks its own %q: %v", i, w.kind, it)
			}
		}
		if center[0]["user"].(map[string]any)["uid"] != friendUID || center[0]["uid"] != friendUID {
			t.Fatalf("user item = %v", center[0])
		}
		// The other side sees the writer under master too.
		other := list(t, ok(t, e, "my_message_center", nil, friend), "my_message_center")
		if m, _ := other[0]["master"].(map[string]any); len(other) != 1 || m["name"] != "nick-18682222222" || m["uid"] != fanUID {
			t.Fatalf("the friend's center = %v", other)
		}
	})
}
