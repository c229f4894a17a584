package yuanyi_test

import (
	"sync"
	"testing"

	"plaza/internal/plazatest"
)

func TestGameComments(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		a, aUID := signup(t, e, "18682222222")
		b, bUID := signup(t, e, "18683333333")
		game := idOf(adminLogin(t, e).create("games", map[string]any{"name": "游戏名称0", "recommended": true}))

		ok(t, e, "game_comment_publish", map[string]any{"game_id": game, "content": "test_game_comment"}, a)
		first := list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, a), "game_comment_list",
			"comment_id", "uid", "content", "reply_id", "created_at", "up_count", "down_count", "is_up", "is_down", "author")
		if len(first) != 1 || first[0]["uid"] != aUID || first[0]["reply_id"] != nil || first[0]["content"] != "test_game_comment" {
			t.Fatalf("list = %v", first)
		}
		cid := first[0]["comment_id"]
		// The shape of the document's items: reply_id null or 0 is a comment.
		ok(t, e, "game_comment_publish", map[string]any{"game_id": game, "content": "null reply", "reply_id": nil}, b)
		ok(t, e, "game_comment_publish", map[string]any{"game_id": game, "content": "zero reply", "reply_id": 0}, b)
		for _, it := range list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, a), "game_comment_list")[:2] {
			if it["reply_id"] != nil {
				t.Fatalf("a comment with reply_id null/0 became a reply: %v", it)
			}
			ok(t, e, "game_comment_del", map[string]any{"comment_id": it["comment_id"]}, b)
		}
		ok(t, e, "game_comment_publish", map[string]any{"game_id": game, "content": "回复", "reply_id": cid}, b)

		ok(t, e, "game_comment_up", map[string]any{"comment_id": cid}, b)
		ok(t, e, "game_comment_up", map[string]any{"comment_id": cid}, b) // again: no change
		got := list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, b), "game_comment_list")
		if len(got) != 2 || got[0]["uid"] != bUID || got[0]["reply_id"] == nil || count(t, got[1], "up_count") != "1" || got[1]["is_up"] != true {
			t.Fatalf("after reply and vote: %v", got)
		}
		ok(t, e, "game_comment_down", map[string]any{"comment_id": cid}, b) // moves the vote
		got = list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, b), "game_comment_list")
		if count(t, got[1], "up_count") != "0" || count(t, got[1], "down_count") != "1" || got[1]["is_down"] != true {
			t.Fatalf("after moving the vote: %v", got[1])
		}

		// Another's comment cannot be deleted; one's own can.
		fails(t, e, "game_comment_del", map[string]any{"comment_id": []any{cid}}, b, 111)
		ok(t, e, "game_comment_del", map[string]any{"comment_id": cid}, a)
		if got := list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, a), "game_comment_list"); len(got) != 1 {
			t.Fatalf("after delete: %v", got)
		}

		// A blocked user cannot reply to the blocker.
		ok(t, e, "game_comment_publish", map[string]any{"game_id": game, "content": "mine"}, a)
		mine := list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, a), "game_comment_list")[0]["comment_id"]
		ok(t, e, "sns_block", map[string]any{"to_uid": bUID}, a)
		fails(t, e, "game_comment_publish", map[string]any{"game_id": game, "content": "x", "reply_id": mine}, b, 111)

		for _, c := range []struct {
			method string
			params map[string]any
			tok    string
			code   int
		}{
			{"game_comment_publish", map[string]any{"game_id": 424242, "content": "x"}, a, 400},
			{"game_comment_publish", map[string]any{"game_id": "abc", "content": "x"}, a, 400},
			{"game_comment_publish", map[string]any{"game_id": game, "content": ""}, a, 400},
			{"game_comment_publish", map[string]any{"game_id": game, "content": string(make([]rune, 1001))}, a, 400},
			{"game_comment_publish", map[string]any{"game_id": game, "content": "x", "reply_id": 424242}, a, 400},
			{"game_comment_publish", map[string]any{"game_id": game, "content": "x"}, "", 403},
			{"game_comment_up", map[string]any{"comment_id": 424242}, a, 400},
			{"game_comment_list", map[string]any{"game_id": game, "limit": 101}, a, 400},
			{"game_comment_list", map[string]any{"game_id": game, "offset": -1}, a, 400},
			{"game_comment_del", map[string]any{"comment_id": make([]any, 101)}, a, 400},
		} {
			fails(t, e, c.method, c.params, c.tok, c.code)
		}
	})
}

// Parallel votes on one comment end with exact counters.
func TestGameCommentVotesInParallel(t *testing.T) {
	phones := []string{"18682222222", "18683333333", "18684444444", "18685555555"}
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		game := idOf(adminLogin(t, e).create("games", map[string]any{"name": "g"}))
		var toks []string
		for _, p := range phones {
			tok, _ := signup(t, e, p)
			toks = append(toks, tok)
		}
		ok(t, e, "game_comment_publish", map[string]any{"game_id": game, "content": "vote on me"}, toks[0])
		cid := list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, toks[0]), "game_comment_list")[0]["comment_id"]
		var wg sync.WaitGroup
		for i, tok := range toks {
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					method := "game_comment_up"
					if i%2 == 1 {
						method = "game_comment_down"
					}
					rpc(t, e, method, map[string]any{"comment_id": cid}, tok)
				}()
			}
		}
		wg.Wait()
		c := list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": game}, toks[0]), "game_comment_list")[0]
		if count(t, c, "up_count") != "2" || count(t, c, "down_count") != "2" {
			t.Fatalf("counters = %v / %v, want 2 / 2", c["up_count"], c["down_count"])
		}
	})
}
