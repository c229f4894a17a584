package yuanyi_test

import (
	"encoding/json"
	"sync"
	"testing"

	"plaza/internal/plazatest"
)

func uids(t *testing.T, list any) []string {
	t.Helper()
	var out []string
	for _, it := range list.([]any) {
		out = append(out, it.(map[string]any)["uid"].(string))
	}
	return out
}

func count(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	return m[key].(json.Number).String()
}

func TestFollowBlock(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		a, aUID := signup(t, e, "18682222222")
		b, bUID := signup(t, e, "18683333333")
		c, cUID := signup(t, e, "18684444444")
		d, dUID := signup(t, e, "18685555555")

		ok(t, e, "sns_follow", map[string]any{"to_uid": bUID}, a)
		ok(t, e, "user_follow", map[string]any{"to_uid": cUID}, a)
		ok(t, e, "user_follow", map[string]any{"to_uid": cUID}, a) // again: no change
		ok(t, e, "sns_block", map[string]any{"to_uid": dUID}, a)
		ok(t, e, "sns_unblock", map[string]any{"to_uid": dUID}, a)
		ok(t, e, "sns_unfollow", map[string]any{"to_uid": cUID}, a)
		ok(t, e, "sns_follow", map[string]any{"to_uid": aUID}, b)

		m := ok(t, e, "my_following", nil, a)
		if got := uids(t, m["my_following"]); len(got) != 1 || got[0] != bUID {
			t.Fatalf("my_following = %v", got)
		}
		if got := uids(t, m["my_following_users"]); len(got) != 1 {
			t.Fatalf("my_following_users = %v", got)
		}
		item := m["my_following_users"].([]any)[0].(map[string]any)
		sameKeys(t, item, "uid", "nickname", "avatar", "gender", "country", "province", "city", "birthday", "intro", "created_at")
		if got := uids(t, ok(t, e, "my_follower", nil, a)["my_follower"]); len(got) != 1 || got[0] != bUID {
			t.Fatalf("my_follower = %v", got)
		}
		if got := ok(t, e, "my_block", nil, a)["my_block"].([]any); len(got) != 0 {
			t.Fatalf("my_block = %v", got)
		}
		info := ok(t, e, "my_user_info", nil, a)["my_user_info"].(map[string]any)
		if count(t, info, "follow_count") != "1" || count(t, info, "follower_count") != "1" {
			t.Fatalf("counts = %v", info)
		}
		if ui := ok(t, e, "user_info", map[string]any{"to_uid": bUID}, a)["user_info"].(map[string]any); ui["is_follow"] != true {
			t.Fatalf("is_follow = %v", ui["is_follow"])
		}

		// A blocked user cannot follow or write to the blocker; the block
		// ends the follows between them.
		ok(t, e, "sns_block", map[string]any{"to_uid": bUID}, a)
		if got := uids(t, ok(t, e, "my_block", nil, a)["my_block"]); len(got) != 1 || got[0] != bUID {
			t.Fatalf("my_block = %v", got)
		}
		if got := ok(t, e, "my_follower", nil, a)["my_follower"].([]any); len(got) != 0 {
			t.Fatalf("followers after block = %v", got)
		}
		fails(t, e, "sns_follow", map[string]any{"to_uid": aUID}, b, 111)
		fails(t, e, "send_message", map[string]any{"to_uid": aUID, "content": "hi"}, b, 111)
		// The blocker still can.
		ok(t, e, "send_message", map[string]any{"to_uid": bUID, "content": "hi"}, a)

		// Bad input.
		fails(t, e, "sns_follow", map[string]any{"to_uid": aUID}, a, 400) // self
		fails(t, e, "sns_follow", map[string]any{"to_uid": "0123456789abcdef0123456789abcdef"}, a, 107)
		fails(t, e, "sns_follow", map[string]any{"to_uid": "not-a-uid"}, a, 400)
		fails(t, e, "sns_follow", map[string]any{"to_uid": 12}, a, 400)
		fails(t, e, "sns_follow", map[string]any{}, a, 400)
		fails(t, e, "sns_follow", map[string]any{"to_uid": bUID}, "", 403)
		fails(t, e, "my_follower", map[string]any{"limit": 101}, a, 400)
		fails(t, e, "my_follower", map[string]any{"offset": -1}, a, 400)
		fails(t, e, "my_follower", map[string]any{"offset": 10001}, a, 400)
		ok(t, e, "my_follower", map[string]any{"offset": 10000}, a)
		_, _ = c, d
	})
}

// Parallel follows of one user are all counted.
func TestConcurrentFollows(t *testing.T) {
	phones := []string{"18682222222", "18683333333", "18684444444", "18685555555"}
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		star, starUID := signup(t, e, phones[0])
		var fans []string
		for _, p := range phones[1:] {
			tok, _ := signup(t, e, p)
			fans = append(fans, tok)
		}
		var wg sync.WaitGroup
		for range 3 {
			for _, tok := range fans {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rpc(t, e, "sns_follow", map[string]any{"to_uid": starUID}, tok)
				}()
			}
		}
		wg.Wait()
		info := ok(t, e, "my_user_info", nil, star)["my_user_info"].(map[string]any)
		if count(t, info, "follower_count") != "3" {
			t.Fatalf("follower_count = %v", info["follower_count"])
		}
	})
}

func TestMessages(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		a, aUID := signup(t, e, "18682222222")
		b, bUID := signup(t, e, "18683333333")
		c, _ := signup(t, e, "18684444444")

		ok(t, e, "send_message", map[string]any{"to_uid": bUID, "content": "hello"}, a)
		e.Clock.Advance(1000)
		ok(t, e, "send_message_to_user", map[string]any{"to_uid": aUID, "content": "hi a"}, b)
		ok(t, e, "send_message_to_customer_service", map[string]any{"content": "help"}, a)

		m := ok(t, e, "my_message", map[string]any{"to_id": bUID}, a)
		msgs := m["my_message"].([]any)
		if len(msgs) != 2 {
			t.Fatalf("my_message = %v", msgs)
		}
		newest := msgs[0].(map[string]any)
		sameKeys(t, newest, "message_id", "from_id", "to_id", "content", "created_at")
		if newest["from_id"] != bUID || newest["to_id"] != aUID || newest["content"] != "hi a" {
			t.Fatalf("newest = %v", newest)
		}
		if m["other_side"].(map[string]any)["uid"] != bUID {
			t.Fatalf("other_side = %v", m["other_side"])
		}
		center := ok(t, e, "my_message_center", nil, a)["my_message_center"].([]any)
		if len(center) != 2 {
			t.Fatalf("center = %v", center)
		}
		first := center[0].(map[string]any)
		if first["type"] != "customer_service" || first["last_message"].(map[string]any)["content"] != "help" {
			t.Fatalf("center[0] = %v", first)
		}
		cs := ok(t, e, "my_message_with_customer_service", nil, a)
		if got := cs["my_message_with_customer_service"].([]any); len(got) != 1 {
			t.Fatalf("customer service conversation = %v", got)
		}

		// Deleting is per side; someone else's message cannot be deleted.
		hello := msgs[1].(map[string]any)["message_id"]
		fails(t, e, "message_del", map[string]any{"message_id_list": []any{hello}}, c, 111)
		fails(t, e, "message_del", map[string]any{"message_id_list": []any{999999}}, a, 400)
		fails(t, e, "message_del", map[string]any{"message_id_list": []any{}}, a, 400)
		ok(t, e, "message_del", map[string]any{"message_id_list": []any{hello}}, a)
		if got := ok(t, e, "my_message", map[string]any{"to_id": bUID}, a)["my_message"].([]any); len(got) != 1 {
			t.Fatalf("after delete, a sees %v", got)
		}
		if got := ok(t, e, "my_message", map[string]any{"to_id": aUID}, b)["my_message"].([]any); len(got) != 2 {
			t.Fatalf("after a's delete, b sees %v", got)
		}
		ok(t, e, "message_del", map[string]any{"message_id_list": []any{newest["message_id"]}}, a)
		if center := ok(t, e, "my_message_center", nil, a)["my_message_center"].([]any); len(center) != 1 {
			t.Fatalf("center after deleting the whole conversation = %v", center)
		}

		fails(t, e, "send_message", map[string]any{"to_uid": bUID, "content": ""}, a, 400)
		fails(t, e, "send_message", map[string]any{"to_uid": aUID, "content": "me"}, a, 400)
		fails(t, e, "send_message", map[string]any{"to_uid": bUID, "content": string(make([]byte, 2001))}, a, 400)
		fails(t, e, "my_message", map[string]any{"to_id": "nope"}, a, 400)
		fails(t, e, "my_message", nil, "", 403)
	})
}

func sameKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	if len(m) != len(keys) {
		t.Fatalf("keys of %v, want %v", m, keys)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Fatalf("%v lacks %q", m, k)
		}
	}
}
