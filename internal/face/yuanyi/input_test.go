package yuanyi_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"plaza/internal/face/yuanyi"
	"plaza/internal/plazatest"
)

// badChars are control characters no text parameter may hold: NUL,
// another C0 (ESC), DEL and a C1 (NEL).
var badChars = []struct{ name, s string }{
	{"NUL", "\x00"}, {"ESC", "\x1b"}, {"DEL", "\x7f"}, {"NEL", "\u0085"},
}

// inject puts bad in the middle of v.
func inject(v, bad string) string { return v[:len(v)/2] + bad + v[len(v)/2:] }

// fnCase is a function of the face: a good call and the parameters it
// reads.
type fnCase struct {
	method string
	params map[string]any // a good call; its values are texts
	text   []string       // the parameters it reads (limit and offset too when paged)
	paged  bool           // a list taking limit and offset
	token  string         // the caller's token
}

// world is what the calls of the table act on.
type world struct {
	a, aUID, b, bUID, d    string // signed-in users (d: for logout and password changes)
	masterID, merchantID   string
	game, dcCloth, mcCloth string
	article, comment       string
	gameComment, message   string
	project, ticket        string
	ticketComment, order   string
}

func makeWorld(t *testing.T, e *plazatest.Env) world {
	t.Helper()
	var w world
	w.a, w.aUID = signup(t, e, "18682222222")
	w.b, w.bUID = signup(t, e, "18683333333")
	w.d, _ = signup(t, e, "18685555555")
	adm := adminLogin(t, e)
	w.masterID = adm.create("masters", map[string]any{"name": "M"})["master_id"].(string)
	merchant := adm.create("merchants", map[string]any{"name": "S"})
	w.merchantID = merchant["merchant_id"].(string)
	w.game = idOf(adm.create("games", map[string]any{"name": "G"}))
	w.dcCloth = idOf(adm.create("clothes", map[string]any{"kind": "design_circle", "name": "C"}))
	w.mcCloth = idOf(adm.create("clothes", map[string]any{"kind": "merchant", "name": "D", "merchant": merchant["id"]}))
	ok(t, e, "article_publish", map[string]any{"content": "hello"}, w.a)
	w.article = fmt.Sprint(list(t, ok(t, e, "my_article_list", nil, w.a), "my_article_list")[0]["article_id"])
	ok(t, e, "article_comment_publish", map[string]any{"article_id": w.article, "content": "c"}, w.b)
	w.comment = fmt.Sprint(list(t, ok(t, e, "article_comment_list", map[string]any{"article_id": w.article}, w.a), "article_comment_list")[0]["comment_id"])
	ok(t, e, "game_comment_publish", map[string]any{"game_id": w.game, "content": "g"}, w.b)
	w.gameComment = fmt.Sprint(list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": w.game}, w.a), "game_comment_list")[0]["comment_id"])
	ok(t, e, "send_message_to_user", map[string]any{"to_uid": w.bUID, "content": "hi"}, w.a)
	w.message = fmt.Sprint(list(t, ok(t, e, "my_message", map[string]any{"to_id": w.bUID}, w.a), "my_message")[0]["message_id"])
	w.project = idOf(adm.create("projects", map[string]any{"name": "P", "master_id": w.masterID}))
	w.ticket = idOf(adm.create("tickets", map[string]any{"name": "T", "project_id": mustInt(t, w.project), "price": 100}))
	ok(t, e, "ticket_comment_publish", map[string]any{"ticket_id": w.ticket, "content": "t"}, w.b)
	w.ticketComment = fmt.Sprint(list(t, ok(t, e, "ticket_comment_list", map[string]any{"ticket_id": w.ticket}, w.a), "ticket_comment_list")[0]["ticket_comment_id"])
	w.order = fmt.Sprint(ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{w.ticket}}, w.a)["order_id"])
	return w
}

// functions is every function of the face with a good call.
func functions(w world) []fnCase {
	p := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	a := w.a
	paged := func(method string, params map[string]any, text ...string) fnCase {
		return fnCase{method: method, params: params, text: text, paged: true, token: a}
	}
	fn := func(method string, params map[string]any, text ...string) fnCase {
		return fnCase{method: method, params: params, text: text, token: a}
	}
	signupParams := p("country", "86", "phone", "18684444444", "code", "1234", "password", "123456", "nickname", "N")
	return []fnCase{
		// The envelope, on one function.
		fn("my_user_info", p("ver", "1", "app", "yuanyi-app", "ts", "1772359200000", "method", "my_user_info"), "ver", "app", "ts", "method"),
		{method: "my_user_info", params: p("token", a), text: []string{"token"}},

		fn("send_sms_code", p("country", "86", "phone", "18684444444"), "country", "phone"),
		fn("user_signup", signupParams, "country", "phone", "code", "password", "nickname"),
		fn("user_signup", p("phone", "18684444444", "sms_code", "1234", "password", "123456"), "sms_code"),
		fn("user_login", p("country", "86", "phone", "18682222222", "password", "123456"), "country", "phone", "password"),
		fn("user_login", p("phone", "18682222222", "code", "1234"), "code"),
		fn("user_login", p("phone", "18682222222", "sms_code", "1234"), "sms_code"),
		{method: "user_password_update", params: p("country", "86", "phone", "18685555555", "code", "1234", "password", "654321"),
			text: []string{"country", "phone", "code", "password"}, token: w.d},
		{method: "user_logout", params: p("ver", "1"), text: []string{"ver"}, token: w.d},
		fn("my_user_info_update", p("nickname", "N", "avatar", "ab", "province", "P", "city", "C", "email", "a@example.com",
			"intro", "I", "birthday", "1991-03-08", "gender", "1"), "nickname", "avatar", "province", "city", "email", "intro", "birthday", "gender"),
		fn("user_info", p("to_uid", w.bUID), "to_uid"),
		fn("user_info", p("country", "86", "phone", "18683333333"), "country", "phone"),
		fn("current_time", p("ver", "1"), "ver"),

		fn("user_follow", p("to_uid", w.bUID), "to_uid"),
		fn("sns_follow", p("to_uid", w.bUID), "to_uid"),
		fn("user_unfollow", p("to_uid", w.bUID), "to_uid"),
		fn("sns_unfollow", p("to_uid", w.bUID), "to_uid"),
		fn("sns_block", p("to_uid", w.bUID), "to_uid"),
		fn("sns_unblock", p("to_uid", w.bUID), "to_uid"),
		paged("my_following_users", p()),
		paged("my_following", p()),
		paged("my_follower", p()),
		paged("my_block", p()),

		fn("get_media_id", p("ver", "1"), "ver"),

		fn("article_publish", p("content", "text", "images", ""), "content", "images"),
		paged("article_list", p()),
		paged("following_article_list", p()),
		paged("my_article_list", p()),
		paged("my_article_collect_list", p()),
		fn("article_detail", p("article_id", w.article), "article_id"),
		fn("article_like", p("article_id", w.article), "article_id"),
		fn("article_unlike", p("article_id", w.article), "article_id"),
		fn("article_collect", p("article_id", w.article), "article_id"),
		fn("article_uncollect", p("article_id", w.article), "article_id"),
		fn("article_comment_publish", p("article_id", w.article, "content", "text"), "article_id", "content"),
		fn("article_comment_publish", p("article_id", w.article, "content", "text", "reply_id", w.comment), "reply_id"),
		fn("article_comment", p("article_id", w.article, "content", "text"), "article_id", "content"),
		fn("article_comment_reply", p("article_id", w.article, "reply_id", w.comment, "first_reply_id", w.comment, "content", "text"),
			"article_id", "reply_id", "first_reply_id", "content"),
		paged("article_comment_list", p("article_id", w.article), "article_id"),
		fn("article_comment_up", p("article_comment_id", w.comment), "article_comment_id"),
		fn("article_comment_up", p("comment_id", w.comment), "comment_id"),
		fn("article_comment_down", p("article_comment_id", w.comment), "article_comment_id"),
		fn("article_comment_del", p("article_comment_id_list", w.comment), "article_comment_id_list"),
		fn("article_del", p("article_id_list", w.article), "article_id_list"),

		paged("master_list", p()),
		paged("master_recommend_list", p()),
		fn("master_detail", p("master_id", w.masterID), "master_id"),
		fn("master_follow", p("master_id", w.masterID), "master_id"),
		fn("master_unfollow", p("master_id", w.masterID), "master_id"),
		paged("my_following_masters", p()),
		fn("merchant_follow", p("merchant_id", w.merchantID), "merchant_id"),
		fn("merchant_unfollow", p("merchant_id", w.merchantID), "merchant_id"),
		paged("my_following_merchants", p()),
		paged("design_circle_cloth_list", p()),
		fn("design_circle_cloth_detail", p("cloth_id", w.dcCloth), "cloth_id"),
		fn("design_circle_cloth_collect", p("cloth_id", w.dcCloth), "cloth_id"),
		fn("design_circle_cloth_uncollect", p("cloth_id", w.dcCloth), "cloth_id"),
		paged("merchant_cloth_list", p()),
		paged("merchant_cloth_recommend_list", p()),
		fn("merchant_cloth_detail", p("cloth_id", w.mcCloth), "cloth_id"),
		fn("merchant_cloth_collect", p("cloth_id", w.mcCloth), "cloth_id"),
		fn("merchant_cloth_uncollect", p("cloth_id", w.mcCloth), "cloth_id"),
		paged("game_recommend_list", p()),
		fn("game_detail", p("game_id", w.game), "game_id"),
		fn("game_like", p("game_id", w.game), "game_id"),
		fn("game_unlike", p("game_id", w.game), "game_id"),
		fn("game_collect", p("game_id", w.game), "game_id"),
		fn("game_uncollect", p("game_id", w.game), "game_id"),
		paged("home_banner", p()),
		paged("ticket_banner", p()),
		paged("design_circle_banner", p()),
		paged("game_banner", p()),

		fn("game_comment_publish", p("game_id", w.game, "content", "text", "reply_id", w.gameComment), "game_id", "content", "reply_id"),
		paged("game_comment_list", p("game_id", w.game), "game_id"),
		fn("game_comment_up", p("comment_id", w.gameComment), "comment_id"),
		fn("game_comment_down", p("comment_id", w.gameComment), "comment_id"),
		fn("game_comment_del", p("comment_id", w.gameComment), "comment_id"),

		fn("send_message_to_user", p("to_uid", w.bUID, "content", "text", "as_master", "false"), "to_uid", "content", "as_master"),
		fn("send_message", p("to_uid", w.bUID, "content", "text"), "to_uid", "content"),
		fn("send_message_to_customer_service", p("content", "text", "as_master", "false"), "content", "as_master"),
		fn("send_message_to_master", p("master_id", w.masterID, "content", "text"), "master_id", "content"),
		fn("send_message_to_merchant", p("merchant_id", w.merchantID, "content", "text"), "merchant_id", "content"),
		paged("my_message", p("to_id", w.bUID, "as_master", "false"), "to_id", "as_master"),
		paged("my_message_with_customer_service", p()),
		paged("my_message_center", p("as_master", "false"), "as_master"),
		fn("message_del", p("message_id_list", w.message), "message_id_list"),

		fn("project_list", p("master_id", w.masterID), "master_id"),
		paged("project_recommend_list", p()),
		paged("my_following_masters_project_list", p()),
		fn("project_detail", p("project_id", w.project), "project_id"),
		paged("ticket_list", p("project_id", w.project), "project_id"),
		fn("ticket_detail", p("ticket_id", w.ticket), "ticket_id"),
		paged("ticket_recommend_list", p()),
		paged("my_following_masters_ticket_list", p()),
		fn("ticket_comment_publish", p("ticket_id", w.ticket, "content", "text"), "ticket_id", "content"),
		paged("ticket_comment_list", p("ticket_id", w.ticket), "ticket_id"),
		fn("ticket_comment_del", p("ticket_comment_id_list", w.ticketComment), "ticket_comment_id_list"),
		paged("ticket_circle", p()),
		fn("shopping_cart_add", p("ticket_id", w.ticket), "ticket_id"),
		fn("shopping_cart_del", p("ticket_id", w.ticket), "ticket_id"),
		paged("shopping_cart_info", p()),
		// The ticket is w.order's: these calls are refused, but only after
		// the parameters are read.
		fn("order_create", p("ticket_id_list", w.ticket), "ticket_id_list"),
		fn("order_create_by_shopping_cart", p("ticket_id_list", w.ticket), "ticket_id_list"),
		fn("order_detail", p("order_id", w.order), "order_id"),
		paged("my_order_list", p("status", "0"), "status"),
		paged("my_ticket_list", p()),
		fn("order_pay", p("order_id", w.order, "pay_method", "sandbox"), "order_id", "pay_method"),
		fn("order_cancel", p("order_id", w.order), "order_id"),
	}
}

// Every parameter of every function refuses control characters with 400
// naming it, signed in, on both engines (PostgreSQL answered -1 on NUL;
// SQLite stored it).
func TestControlCharactersRefused(t *testing.T) {
	plazatest.Each(t, contentEnv("18684444444", "18685555555"), func(t *testing.T, e *plazatest.Env) {
		w := makeWorld(t, e)
		cases := functions(w)
		covered := map[string]bool{}
		for _, c := range cases {
			covered[c.method] = true
		}
		for _, name := range yuanyi.MethodNames() {
			if !covered[name] {
				t.Errorf("function %s is not in the table: add a good call and the parameters it reads", name)
			}
		}
		for _, c := range cases {
			text := c.text
			if c.paged {
				text = append(append([]string(nil), text...), "limit", "offset")
			}
			for _, name := range text {
				for _, bad := range badChars {
					t.Run(c.method+" "+name+" "+bad.name, func(t *testing.T) {
						params := map[string]any{}
						for k, v := range c.params {
							params[k] = v
						}
						v, given := c.params[name].(string)
						if !given {
							v = map[string]string{"limit": "20", "offset": "0"}[name]
						}
						params[name] = inject(v, bad.s)
						token := c.token
						if name == "token" {
							token = ""
						}
						m := rpc(t, e, c.method, params, token)
						if got := code(t, m); got != 400 || !strings.Contains(m["err_msg"].(string), name) {
							t.Fatalf("code %d (%v), want 400 naming %s", got, m["err_msg"], name)
						}
					})
				}
			}
		}

		// In the query string (signed with the body), and in an upload.
		body := map[string]any{"method": "article_publish", "ver": "1", "ts": e.Clock.Now().UnixMilli(), "app": "yuanyi-app", "token": w.a}
		signed := map[string]any{"content": "a\x00b"}
		for k, v := range body {
			signed[k] = v
		}
		body["sig"] = signOf(signed)
		m := e.Do("POST", "/yuanyiapi/?content="+url.QueryEscape("a\x00b"), body).JSON()
		if got := code(t, m); got != 400 || !strings.Contains(m["err_msg"].(string), "content") {
			t.Fatalf("content in the query: %v", m)
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("media_id", "e4cbdd56-855a-41ee-bcb6-5785abdd61\x0048")
		fw, _ := mw.CreateFormFile("file", "a.png")
		fw.Write([]byte("x"))
		mw.Close()
		res := e.Do("POST", "/yuanyiapi/upload", buf.Bytes(), "Content-Type", mw.FormDataContentType())
		if got := code(t, res.JSON()); got != 400 {
			t.Fatalf("upload with a NUL in media_id: %s", res.Body)
		}

		// Nothing was stored: the one article, comment, message; no nickname.
		if got := list(t, ok(t, e, "article_list", nil, w.a), "article_list"); len(got) != 1 || got[0]["content"] != "hello" {
			t.Fatalf("articles: %v", got)
		}
		if got := list(t, ok(t, e, "article_comment_list", map[string]any{"article_id": w.article}, w.a), "article_comment_list"); len(got) != 1 {
			t.Fatalf("comments: %v", got)
		}
		if got := list(t, ok(t, e, "my_message", map[string]any{"to_id": w.bUID}, w.a), "my_message"); len(got) != 1 {
			t.Fatalf("messages: %v", got)
		}
		if info := ok(t, e, "my_user_info", nil, w.a)["my_user_info"].(map[string]any); info["nickname"] != "nick-18682222222" || info["intro"] != nil {
			t.Fatalf("profile: %v", info)
		}
	})
}

// Multi-line texts (article and comment text, messages, the intro) keep
// tabs and line breaks; single-line ones (nickname, province, city) refuse
// them.
func TestSingleAndMultiLineFields(t *testing.T) {
	plazatest.Each(t, contentEnv("18684444444", "18685555555"), func(t *testing.T, e *plazatest.Env) {
		w := makeWorld(t, e)
		for _, field := range []string{"nickname", "province", "city"} {
			for _, v := range []string{"a\nb", "a\tb", "a\rb"} {
				m := rpc(t, e, "my_user_info_update", map[string]any{field: v}, w.a)
				if got := code(t, m); got != 400 || !strings.Contains(m["err_msg"].(string), field) {
					t.Fatalf("%s %q: code %d (%v), want 400", field, v, got, m["err_msg"])
				}
			}
		}
		fails(t, e, "user_signup", map[string]any{"phone": "18684444444", "code": "1234", "password": "123456", "nickname": "a\nb"}, "", 400)

		const text = "line one\r\nline two\n\tindented"
		ok(t, e, "my_user_info_update", map[string]any{"intro": text}, w.a)
		if got := ok(t, e, "my_user_info", nil, w.a)["my_user_info"].(map[string]any)["intro"]; got != text {
			t.Fatalf("intro = %q", got)
		}
		ok(t, e, "article_publish", map[string]any{"content": text}, w.b)
		if got := list(t, ok(t, e, "my_article_list", nil, w.b), "my_article_list")[0]["content"]; got != text {
			t.Fatalf("article = %q", got)
		}
		ok(t, e, "article_comment_publish", map[string]any{"article_id": w.article, "content": text}, w.b)
		if got := list(t, ok(t, e, "article_comment_list", map[string]any{"article_id": w.article}, w.a), "article_comment_list")[1]["content"]; got != text {
			t.Fatalf("comment = %q", got)
		}
		ok(t, e, "game_comment_publish", map[string]any{"game_id": w.game, "content": text}, w.b)
		if got := list(t, ok(t, e, "game_comment_list", map[string]any{"game_id": w.game}, w.a), "game_comment_list")[0]["content"]; got != text {
			t.Fatalf("game comment = %q", got)
		}
		ok(t, e, "send_message_to_user", map[string]any{"to_uid": w.aUID, "content": text}, w.b)
		if got := list(t, ok(t, e, "my_message", map[string]any{"to_id": w.bUID}, w.a), "my_message")[0]["content"]; got != text {
			t.Fatalf("message = %q", got)
		}
	})
}

// Every list takes offset 0 to 10,000 (docs/compat.md): the cap answers,
// one past it is 400 naming offset.
func TestListOffsetCap(t *testing.T) {
	plazatest.Each(t, contentEnv("18684444444", "18685555555"), func(t *testing.T, e *plazatest.Env) {
		w := makeWorld(t, e)
		for _, c := range functions(w) {
			if !c.paged {
				continue
			}
			for _, offset := range []any{10000, "10000"} {
				params := map[string]any{"offset": offset, "limit": 100}
				for k, v := range c.params {
					params[k] = v
				}
				if m := ok(t, e, c.method, params, c.token); len(m) < 2 {
					t.Fatalf("%s at offset %v: %v", c.method, offset, m)
				}
			}
			for _, offset := range []any{10001, "10001", 1 << 40, -1} {
				params := map[string]any{"offset": offset}
				for k, v := range c.params {
					params[k] = v
				}
				m := rpc(t, e, c.method, params, c.token)
				if got := code(t, m); got != 400 || !strings.Contains(m["err_msg"].(string), "offset") {
					t.Fatalf("%s at offset %v: code %d (%v), want 400 naming offset", c.method, offset, got, m["err_msg"])
				}
			}
		}
	})
}
