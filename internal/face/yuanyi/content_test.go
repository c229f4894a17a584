package yuanyi_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
)

// twoImages uploads a JPEG and a PNG as tok's user and returns their ids.
func twoImages(t *testing.T, e *plazatest.Env, tok string) (jpeg, png string) {
	t.Helper()
	jpeg = uploadOK(t, e, mediaID(t, e, tok), &file{name: "a.jpg", contentType: "image/jpeg", data: mediatest.JPEG(4, 4)})
	png = uploadOK(t, e, mediaID(t, e, tok), &file{name: "b.png", contentType: "image/png", data: mediatest.PNG(4, 4)})
	return jpeg, png
}

// keys requires m to have exactly the given keys.
func keys(t *testing.T, what string, m any, want ...string) map[string]any {
	t.Helper()
	obj, isObj := m.(map[string]any)
	if !isObj {
		t.Fatalf("%s is %T, not an object: %v", what, m, m)
	}
	got := make([]string, 0, len(obj))
	for k := range obj {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s keys\n got %v\nwant %v", what, got, want)
	}
	return obj
}

// listN returns the list under key, requiring exactly n items.
func listN(t *testing.T, m map[string]any, key string, n int) []any {
	t.Helper()
	l, isList := m[key].([]any)
	if !isList {
		t.Fatalf("%s is %T, not a list: %v", key, m[key], m)
	}
	if len(l) != n {
		t.Fatalf("%s has %d items, want %d: %v", key, len(l), n, l)
	}
	return l
}

// num reads an integer field (which must be a JSON integer).
func num(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	n, isNum := m[key].(json.Number)
	if !isNum {
		t.Fatalf("%s is %T (%v), not a number", key, m[key], m[key])
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %s, not an integer", key, n)
	}
	return v
}

var (
	articleKeys   = []string{"article_id", "uid", "content", "images", "created_at", "like_count", "collect_count", "comment_count", "is_like", "is_collect", "author"}
	myArticleKeys = []string{"article_id", "uid", "content", "images", "created_at", "like_count", "collect_count", "comment_count", "is_like", "is_collect"}
	collectedKeys = []string{"article_id", "content", "images", "created_at", "like_count", "collect_count", "comment_count"}
	authorKeys    = []string{"uid", "nickname", "avatar"}
	commentKeys   = []string{"comment_id", "uid", "content", "reply_id", "reply_uid", "first_reply_id", "first_reply_uid", "created_at",
		"up_count", "down_count", "is_up", "is_down", "author", "reply_author", "first_reply_author"}
	detailKeys       = []string{"article_id", "content", "images", "created_at", "like_user_list", "collect_user_list", "comment_list", "author", "is_like", "is_collect"}
	detailAuthorKeys = []string{"uid", "nickname", "avatar", "gender", "country", "province", "city", "birthday", "intro", "created_at", "is_follow"}
)

func TestArticles(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		aTok, aUID := signup(t, e, "18682222222")
		bTok, bUID := signup(t, e, "18683333333")
		cTok, _ := signup(t, e, "18684444444") // a viewer who marks and follows nothing
		img1, img2 := twoImages(t, e, aTok)
		now := e.Clock.Now().UnixMilli()

		ok(t, e, "article_publish", map[string]any{"content": "qwertyuiop", "images": []any{img1, img2 + ".jpg"}}, aTok)
		if m := ok(t, e, "article_publish", map[string]any{"content": "second"}, aTok); len(m) != 1 {
			t.Fatalf("article_publish answers %v, want only the code", m)
		}

		// The home list, by a viewer who marked nothing; signed out: 403.
		fails(t, e, "article_list", nil, "", 403)
		m := ok(t, e, "article_list", nil, cTok)
		items := listN(t, m, "article_list", 2)
		first := keys(t, "article_list item", items[0], articleKeys...)
		second := keys(t, "article_list item", items[1], articleKeys...)
		if first["content"] != "second" || second["content"] != "qwertyuiop" || first["uid"] != aUID ||
			num(t, first, "created_at") != now || first["is_like"] != false || first["is_collect"] != false {
			t.Fatalf("article_list = %v", items)
		}
		if imgs := second["images"].([]any); len(imgs) != 2 || imgs[0] != img1 || imgs[1] != img2 {
			t.Fatalf("images = %v (the .jpg the app adds is not stored)", imgs)
		}
		if imgs := first["images"].([]any); len(imgs) != 0 {
			t.Fatalf("no images shows as %v", imgs)
		}
		au := keys(t, "author", first["author"], authorKeys...)
		if au["uid"] != aUID || au["nickname"] != "nick-18682222222" || au["avatar"] != nil {
			t.Fatalf("author = %v", au)
		}
		id := num(t, second, "article_id")
		newer := num(t, first, "article_id")
		// A new nickname shows at once (the authors kept in memory are
		// dropped by the profile change).
		ok(t, e, "my_user_info_update", map[string]any{"nickname": "renamed", "avatar": img1}, aTok)
		au = listN(t, ok(t, e, "article_list", nil, cTok), "article_list", 2)[0].(map[string]any)["author"].(map[string]any)
		if au["nickname"] != "renamed" || au["avatar"] != img1 {
			t.Fatalf("author after the update = %v", au)
		}
		ok(t, e, "my_user_info_update", map[string]any{"nickname": "nick-18682222222", "avatar": ""}, aTok)

		// Likes and collects, idempotent.
		for range 2 {
			ok(t, e, "article_like", map[string]any{"article_id": id}, bTok)
			ok(t, e, "article_collect", map[string]any{"article_id": id}, bTok)
		}
		ok(t, e, "article_like", map[string]any{"article_id": id}, aTok)
		items = listN(t, ok(t, e, "article_list", map[string]any{"limit": 1, "offset": 1}, bTok), "article_list", 1)
		it := items[0].(map[string]any)
		if num(t, it, "article_id") != id || num(t, it, "like_count") != 2 || num(t, it, "collect_count") != 1 ||
			it["is_like"] != true || it["is_collect"] != true {
			t.Fatalf("after likes: %v", it)
		}
		ok(t, e, "article_unlike", map[string]any{"article_id": id}, aTok)
		ok(t, e, "article_unlike", map[string]any{"article_id": id}, aTok) // nothing to take back
		ok(t, e, "article_uncollect", map[string]any{"article_id": newer}, aTok)

		// Following list: b follows a.
		listN(t, ok(t, e, "following_article_list", nil, bTok), "following_article_list", 0)
		listN(t, ok(t, e, "following_article_list", nil, cTok), "following_article_list", 0)
		ok(t, e, "user_follow", map[string]any{"to_uid": aUID}, bTok)
		items = listN(t, ok(t, e, "following_article_list", map[string]any{"limit": 20, "offset": 0}, bTok), "following_article_list", 2)
		it = keys(t, "following_article_list item", items[1], articleKeys...)
		if num(t, it, "article_id") != id || it["is_like"] != true || num(t, it, "like_count") != 1 {
			t.Fatalf("following_article_list = %v", items)
		}
		listN(t, ok(t, e, "following_article_list", nil, aTok), "following_article_list", 0)

		// My lists.
		items = listN(t, ok(t, e, "my_article_list", nil, aTok), "my_article_list", 2)
		it = keys(t, "my_article_list item", items[1], myArticleKeys...)
		if it["uid"] != aUID || num(t, it, "like_count") != 1 || it["is_like"] != false {
			t.Fatalf("my_article_list = %v", items)
		}
		listN(t, ok(t, e, "my_article_list", nil, bTok), "my_article_list", 0)
		items = listN(t, ok(t, e, "my_article_collect_list", nil, bTok), "my_article_collect_list", 1)
		it = keys(t, "my_article_collect_list item", items[0], collectedKeys...)
		if num(t, it, "article_id") != id || num(t, it, "collect_count") != 1 {
			t.Fatalf("my_article_collect_list = %v", items)
		}

		// Comments: b comments, a replies, b replies to the reply.
		e.Clock.Advance(time.Second)
		ok(t, e, "article_comment_publish", map[string]any{"article_id": id, "content": "comment-00000"}, bTok)
		top := num(t, listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id}, cTok), "article_comment_list", 1)[0].(map[string]any), "comment_id")
		ok(t, e, "article_comment_reply", map[string]any{"article_id": id, "reply_id": top, "first_reply_id": top, "content": "hello"}, aTok)
		cl := listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id, "limit": 100, "offset": 0}, cTok), "article_comment_list", 2)
		reply := num(t, cl[1].(map[string]any), "comment_id")
		ok(t, e, "article_comment", map[string]any{"article_id": id, "content": "again"}, bTok) // the client's name
		// The client's name with a reply_id answers that comment.
		ok(t, e, "article_comment", map[string]any{"article_id": id, "reply_id": reply, "content": "deeper"}, bTok)

		cl = listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id}, bTok), "article_comment_list", 4)
		c0 := keys(t, "comment", cl[0], commentKeys...)
		if num(t, c0, "comment_id") != top || c0["uid"] != bUID || c0["content"] != "comment-00000" || c0["reply_id"] != nil ||
			c0["reply_uid"] != nil || c0["first_reply_id"] != nil || c0["first_reply_uid"] != nil || c0["reply_author"] != nil ||
			c0["first_reply_author"] != nil || num(t, c0, "created_at") != now+1000 || num(t, c0, "up_count") != 0 || c0["is_up"] != false {
			t.Fatalf("top comment = %v", c0)
		}
		keys(t, "comment author", c0["author"], "nickname", "avatar")
		c1 := keys(t, "reply", cl[1], commentKeys...)
		if c1["uid"] != aUID || num(t, c1, "reply_id") != top || c1["reply_uid"] != bUID || num(t, c1, "first_reply_id") != top ||
			c1["first_reply_uid"] != bUID {
			t.Fatalf("reply = %v", c1)
		}
		if ra := keys(t, "reply_author", c1["reply_author"], "nickname", "avatar"); ra["nickname"] != "nick-18683333333" {
			t.Fatalf("reply_author = %v", ra)
		}
		if cl[2].(map[string]any)["reply_id"] != nil {
			t.Fatalf("article_comment has no reply: %v", cl[2])
		}
		c3 := cl[3].(map[string]any)
		if num(t, c3, "reply_id") != reply || c3["reply_uid"] != aUID || num(t, c3, "first_reply_id") != top || c3["first_reply_uid"] != bUID {
			t.Fatalf("reply to a reply = %v", c3)
		}
		if cl := listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id, "limit": 2, "offset": 3}, cTok), "article_comment_list", 1); num(t, cl[0].(map[string]any), "comment_id") != num(t, c3, "comment_id") {
			t.Fatalf("second page = %v", cl)
		}

		// Votes: up, then down moves it, repeating changes nothing.
		ok(t, e, "article_comment_up", map[string]any{"article_comment_id": reply}, bTok)
		ok(t, e, "article_comment_up", map[string]any{"article_comment_id": reply}, bTok)
		ok(t, e, "article_comment_up", map[string]any{"article_comment_id": reply}, aTok)
		c1 = listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id}, bTok), "article_comment_list", 4)[1].(map[string]any)
		if num(t, c1, "up_count") != 2 || num(t, c1, "down_count") != 0 || c1["is_up"] != true || c1["is_down"] != false {
			t.Fatalf("after ups: %v", c1)
		}
		ok(t, e, "article_comment_down", map[string]any{"article_comment_id": reply}, bTok)
		ok(t, e, "article_comment_down", map[string]any{"comment_id": reply}, bTok)
		c1 = listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id}, bTok), "article_comment_list", 4)[1].(map[string]any)
		if num(t, c1, "up_count") != 1 || num(t, c1, "down_count") != 1 || c1["is_up"] != false || c1["is_down"] != true {
			t.Fatalf("after down: %v", c1)
		}

		// The detail.
		d := keys(t, "article_detail", ok(t, e, "article_detail", map[string]any{"article_id": id}, bTok)["article_detail"], detailKeys...)
		if num(t, d, "article_id") != id || d["content"] != "qwertyuiop" || d["is_like"] != true || d["is_collect"] != true || num(t, d, "created_at") != now {
			t.Fatalf("article_detail = %v", d)
		}
		da := keys(t, "detail author", d["author"], detailAuthorKeys...)
		if da["uid"] != aUID || da["is_follow"] != true || da["country"] != "86" || da["province"] != nil {
			t.Fatalf("detail author = %v", da)
		}
		if lu := listN(t, d, "like_user_list", 1); keys(t, "liker", lu[0], authorKeys...)["uid"] != bUID {
			t.Fatalf("like_user_list = %v", lu)
		}
		listN(t, d, "collect_user_list", 1)
		dc := listN(t, d, "comment_list", 4)
		keys(t, "detail comment", dc[1], commentKeys...)
		if ra, _ := dc[1].(map[string]any)["reply_author"].(map[string]any); ra["nickname"] != "nick-18683333333" {
			t.Fatalf("detail reply_author = %v", dc[1])
		}
		d = ok(t, e, "article_detail", map[string]any{"article_id": id}, cTok)["article_detail"].(map[string]any)
		if d["is_like"] != false || d["author"].(map[string]any)["is_follow"] != false {
			t.Fatalf("a stranger's detail = %v", d)
		}
		it = listN(t, ok(t, e, "article_list", nil, cTok), "article_list", 2)[1].(map[string]any)
		if num(t, it, "comment_count") != 4 {
			t.Fatalf("comment_count = %v", it)
		}

		// Deleting: only one's own; another's refuses the whole call.
		fails(t, e, "article_comment_del", map[string]any{"article_comment_id_list": []any{top, reply}}, bTok, 111)
		ok(t, e, "article_comment_del", map[string]any{"article_comment_id_list": []any{reply}}, aTok)
		ok(t, e, "article_comment_del", map[string]any{"article_comment_id_list": fmt.Sprintf("%d,%d", reply, top)}, bTok) // reply: gone already
		cl = listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id}, bTok), "article_comment_list", 2)
		if c := cl[1].(map[string]any); c["content"] != "deeper" || num(t, c, "reply_id") != reply || c["reply_uid"] != aUID {
			t.Fatalf("a reply outlives the comment it answers: %v", c)
		}
		it = listN(t, ok(t, e, "article_list", nil, cTok), "article_list", 2)[1].(map[string]any)
		if num(t, it, "comment_count") != 2 {
			t.Fatalf("comment_count after deletes = %v", it)
		}

		info := ok(t, e, "user_info", map[string]any{"to_uid": aUID}, bTok)["user_info"].(map[string]any)
		if num(t, info, "article_count") != 2 {
			t.Fatalf("article_count = %v", info)
		}
		ok(t, e, "article_publish", map[string]any{"content": "b's"}, bTok)
		bArticle := num(t, listN(t, ok(t, e, "my_article_list", nil, bTok), "my_article_list", 1)[0].(map[string]any), "article_id")
		fails(t, e, "article_del", map[string]any{"article_id_list": []any{id, bArticle}}, bTok, 111)
		listN(t, ok(t, e, "article_list", nil, cTok), "article_list", 3) // nothing went
		ok(t, e, "article_del", map[string]any{"article_id_list": fmt.Sprintf("%d,%d,999999", id, newer)}, aTok)
		listN(t, ok(t, e, "article_list", nil, cTok), "article_list", 1)
		fails(t, e, "article_detail", map[string]any{"article_id": id}, bTok, 301)
		listN(t, ok(t, e, "my_article_collect_list", nil, bTok), "my_article_collect_list", 0)
		info = ok(t, e, "my_user_info", nil, aTok)["my_user_info"].(map[string]any)
		if num(t, info, "article_count") != 0 {
			t.Fatalf("article_count after delete = %v", info)
		}
		ok(t, e, "article_del", map[string]any{"article_id_list": []any{bArticle}}, bTok)
	})
}

func TestArticlesBadInput(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		aTok, aUID := signup(t, e, "18682222222")
		bTok, _ := signup(t, e, "18683333333")
		img1, img2 := twoImages(t, e, aTok)
		ok(t, e, "article_publish", map[string]any{"content": "x"}, aTok)
		id := num(t, listN(t, ok(t, e, "my_article_list", nil, aTok), "my_article_list", 1)[0].(map[string]any), "article_id")
		ok(t, e, "article_comment_publish", map[string]any{"article_id": id, "content": "mine"}, aTok)
		top := num(t, listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": id}, aTok), "article_comment_list", 1)[0].(map[string]any), "comment_id")

		for _, name := range []string{"article_list", "following_article_list", "my_article_list", "my_article_collect_list"} {
			fails(t, e, name, map[string]any{"limit": "abc"}, aTok, 400)
			fails(t, e, name, map[string]any{"limit": 101}, aTok, 400)
			fails(t, e, name, map[string]any{"limit": 0}, aTok, 400)
			fails(t, e, name, map[string]any{"offset": -1}, aTok, 400)
			fails(t, e, name, map[string]any{"offset": []any{1}}, aTok, 400)
			ok(t, e, name, map[string]any{"limit": "100", "offset": "0"}, aTok)
		}
		fails(t, e, "article_comment_list", map[string]any{"article_id": id, "limit": 101}, aTok, 400)
		fails(t, e, "article_comment_list", map[string]any{"article_id": id, "offset": -5}, aTok, 400)

		// Publishing.
		ten := make([]any, 10)
		for i := range ten {
			ten[i] = img1
		}
		fails(t, e, "article_publish", map[string]any{"content": "x", "images": ten}, aTok, 400)
		ok(t, e, "article_publish", map[string]any{"content": "nine", "images": ten[:9]}, aTok)
		ok(t, e, "article_publish", map[string]any{"content": "as a string", "images": img1 + "," + img2}, aTok)
		fails(t, e, "article_publish", map[string]any{"content": "x", "images": []any{"../../etc/passwd"}}, aTok, 400)
		fails(t, e, "article_publish", map[string]any{"content": "x", "images": []any{1}}, aTok, 400)
		fails(t, e, "article_publish", map[string]any{"content": "x", "images": map[string]any{"a": 1}}, aTok, 400)
		fails(t, e, "article_publish", map[string]any{"content": ""}, aTok, 400)
		fails(t, e, "article_publish", map[string]any{"content": " \n\t"}, aTok, 400)
		fails(t, e, "article_publish", map[string]any{}, aTok, 400)
		fails(t, e, "article_publish", map[string]any{"content": []any{"x"}}, aTok, 400)
		fails(t, e, "article_publish", map[string]any{"content": strings.Repeat("字", 5001)}, aTok, 400)
		ok(t, e, "article_publish", map[string]any{"content": strings.Repeat("字", 5000)}, aTok)
		fails(t, e, "article_publish", map[string]any{"content": "x"}, "", 403)
		listN(t, ok(t, e, "my_article_list", nil, aTok), "my_article_list", 4)

		// Ids.
		for _, name := range []string{"article_detail", "article_like", "article_unlike", "article_collect", "article_uncollect", "article_comment_list"} {
			fails(t, e, name, map[string]any{"article_id": 999999}, aTok, 301)
			fails(t, e, name, map[string]any{"article_id": "abc"}, aTok, 400)
			fails(t, e, name, map[string]any{"article_id": -1}, aTok, 400)
			fails(t, e, name, map[string]any{}, aTok, 400)
		}
		fails(t, e, "article_comment_publish", map[string]any{"article_id": 999999, "content": "x"}, aTok, 301)
		fails(t, e, "article_comment_reply", map[string]any{"article_id": 999999, "reply_id": top, "content": "x"}, aTok, 301)
		fails(t, e, "article_comment_reply", map[string]any{"article_id": id, "reply_id": 999999, "content": "x"}, aTok, 400)
		fails(t, e, "article_comment_reply", map[string]any{"article_id": id, "content": "x"}, aTok, 400)
		fails(t, e, "article_comment_reply", map[string]any{"article_id": id, "reply_id": top, "first_reply_id": "abc", "content": "x"}, aTok, 400)
		fails(t, e, "article_comment_up", map[string]any{"article_comment_id": 999999}, aTok, 400)
		fails(t, e, "article_comment_down", map[string]any{"article_comment_id": "x"}, aTok, 400)
		fails(t, e, "article_comment_publish", map[string]any{"article_id": id, "content": ""}, aTok, 400)
		fails(t, e, "article_comment_publish", map[string]any{"article_id": id, "content": strings.Repeat("a", 1001)}, aTok, 400)
		for _, name := range []string{"article_like", "article_unlike", "article_collect", "article_uncollect", "article_comment_up", "article_comment_down",
			"article_comment_publish", "article_comment_reply", "article_comment_del", "article_del", "my_article_list", "my_article_collect_list"} {
			fails(t, e, name, map[string]any{"article_id": id, "article_comment_id": top, "content": "x"}, "", 403)
		}

		many := make([]any, 101)
		for i := range many {
			many[i] = i + 1
		}
		fails(t, e, "article_del", map[string]any{"article_id_list": many}, aTok, 400)
		fails(t, e, "article_comment_del", map[string]any{"article_comment_id_list": many}, aTok, 400)
		fails(t, e, "article_del", map[string]any{"article_id_list": []any{}}, aTok, 400)
		fails(t, e, "article_del", map[string]any{"article_id_list": "1,x"}, aTok, 400)
		fails(t, e, "article_del", map[string]any{}, aTok, 400)
		fails(t, e, "article_del", map[string]any{"article_id_list": []any{id}}, bTok, 111)
		fails(t, e, "article_comment_del", map[string]any{"article_comment_id_list": []any{top}}, bTok, 111)
		ok(t, e, "article_detail", map[string]any{"article_id": id}, bTok) // still there

		// A blocked user cannot comment on the blocker's articles nor reply
		// to the blocker's comments; liking is not commenting.
		ok(t, e, "sns_block", map[string]any{"to_uid": bUIDOf(t, e, bTok)}, aTok)
		fails(t, e, "article_comment_publish", map[string]any{"article_id": id, "content": "x"}, bTok, 111)
		fails(t, e, "article_comment", map[string]any{"article_id": id, "content": "x"}, bTok, 111)
		fails(t, e, "article_comment_reply", map[string]any{"article_id": id, "reply_id": top, "content": "x"}, bTok, 111)
		ok(t, e, "article_like", map[string]any{"article_id": id}, bTok)
		ok(t, e, "article_comment_publish", map[string]any{"article_id": id, "content": "own article"}, aTok)
		// On a third user's article, b cannot answer a's comment either.
		cTok, _ := signup(t, e, "18684444444")
		ok(t, e, "article_publish", map[string]any{"content": "c's"}, cTok)
		cid := num(t, listN(t, ok(t, e, "my_article_list", nil, cTok), "my_article_list", 1)[0].(map[string]any), "article_id")
		ok(t, e, "article_comment_publish", map[string]any{"article_id": cid, "content": "a here"}, aTok)
		aComment := num(t, listN(t, ok(t, e, "article_comment_list", map[string]any{"article_id": cid}, aTok), "article_comment_list", 1)[0].(map[string]any), "comment_id")
		ok(t, e, "article_comment_publish", map[string]any{"article_id": cid, "content": "b here"}, bTok)
		fails(t, e, "article_comment_reply", map[string]any{"article_id": cid, "reply_id": aComment, "content": "x"}, bTok, 111)
		fails(t, e, "article_comment_reply", map[string]any{"article_id": id, "reply_id": aComment, "content": "x"}, aTok, 400) // not this article's
		ok(t, e, "sns_unblock", map[string]any{"to_uid": bUIDOf(t, e, bTok)}, aTok)
		ok(t, e, "article_comment_reply", map[string]any{"article_id": cid, "reply_id": aComment, "content": "x"}, bTok)
		_ = aUID
	})
}

func bUIDOf(t *testing.T, e *plazatest.Env, tok string) string {
	return ok(t, e, "my_user_info", nil, tok)["my_user_info"].(map[string]any)["uid"].(string)
}

// TestLikesInParallel: many users like and unlike one article at once;
// the count ends exact.
func TestLikesInParallel(t *testing.T) {
	const users = 12
	otp := []string{}
	for i := range users {
		otp = append(otp, fmt.Sprintf("86186000000%02d=1234", i))
	}
	plazatest.Each(t, map[string]string{"PLAZA_SMS_TEST_OTP": strings.Join(otp, ",")}, func(t *testing.T, e *plazatest.Env) {
		toks := make([]string, users)
		for i := range toks {
			toks[i], _ = signup(t, e, fmt.Sprintf("186000000%02d", i))
		}
		ok(t, e, "article_publish", map[string]any{"content": "popular"}, toks[0])
		id := num(t, listN(t, ok(t, e, "article_list", nil, toks[0]), "article_list", 1)[0].(map[string]any), "article_id")
		var wg sync.WaitGroup
		for i, tok := range toks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Even users end liking, odd ones not; every one repeats
				// itself on the way.
				for round := range 5 {
					method := "article_like"
					if round%2 == 1 {
						method = "article_unlike"
					}
					for range 2 {
						m := rpc(t, e, method, map[string]any{"article_id": id}, tok)
						if m["code"].(json.Number).String() != "0" {
							t.Errorf("%s: %v", method, m)
						}
					}
				}
				if i%2 == 1 {
					rpc(t, e, "article_unlike", map[string]any{"article_id": id}, tok)
				}
				rpc(t, e, "article_collect", map[string]any{"article_id": id}, tok)
			}()
		}
		wg.Wait()
		it := listN(t, ok(t, e, "article_list", nil, toks[0]), "article_list", 1)[0].(map[string]any)
		if num(t, it, "like_count") != users/2 || num(t, it, "collect_count") != users {
			t.Fatalf("counts after the storm: %v", it)
		}
		d := ok(t, e, "article_detail", map[string]any{"article_id": id}, toks[0])["article_detail"].(map[string]any)
		listN(t, d, "like_user_list", users/2)
		listN(t, d, "collect_user_list", users)
	})
}
