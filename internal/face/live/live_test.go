package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/payment"
	"plaza/internal/plazatest"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// Test numbers: their code is always 1234 and nothing is sent.
var testPhones = []string{"13800000001", "13800000002", "13800000003", "13800000004"}

func env() map[string]string {
	var otp []string
	for _, p := range testPhones {
		otp = append(otp, "86"+p+"=1234")
	}
	return map[string]string{"PLAZA_SMS_TEST_OTP": strings.Join(otp, ",")}
}

// call posts a form and checks the result code; it returns the answer.
func call(t testing.TB, e *plazatest.Env, path string, form url.Values, result string) map[string]any {
	t.Helper()
	res := e.Do("POST", path, []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	m := res.JSON()
	if res.Status != 200 || m == nil {
		t.Fatalf("%s %v: HTTP %d: %s", path, form, res.Status, res.Body)
	}
	if _, ok := m["message"]; !ok || m["result"] != result {
		t.Fatalf("%s %v: %s, want result %s", path, form, res.Body, result)
	}
	return m
}

type user struct {
	phone, token string
	id           int64
}

// signUp registers phone (a test number) through the challenge flow and
// signs it in.
func signUp(t testing.TB, e *plazatest.Env, phone, nick string) user {
	t.Helper()
	ch := call(t, e, "/register", url.Values{"userId": {phone}}, "0000")["message"].(string)
	call(t, e, "/register", url.Values{"code_v": {ch}, "code": {"1234"}}, "0000")
	call(t, e, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {"abc12345"}, "gender": {"1"}, "nickname": {nick}}, "0000")
	tok := call(t, e, "/log", url.Values{"userId": {phone}, "password": {"abc12345"}, "expire_in": {"86400"}}, "0000")["message"].(string)
	u, err := e.App.Accounts.Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	return user{phone: phone, token: tok, id: u.ID}
}

func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t testing.TB, e *plazatest.Env, field string, data []byte) map[string]any {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile(field, "head.png")
	fw.Write(data)
	w.Close()
	res := e.Do("POST", "/upload", b.Bytes(), "Content-Type", w.FormDataContentType())
	m := res.JSON()
	if res.Status != 200 || m == nil {
		t.Fatalf("upload: %d %s", res.Status, res.Body)
	}
	return m
}

func TestRegisterAndLogIn(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		phone := "13912345678"
		// The code goes by SMS; message is a challenge, not the code.
		ch := call(t, e, "/register", url.Values{"userId": {phone}}, "0000")["message"].(string)
		code := e.LastCode("86" + phone)
		if len(code) != 4 || ch == code || len(ch) < 16 {
			t.Fatalf("challenge %q code %q", ch, code)
		}
		// GET works too, and the document's name token for the phone.
		res := e.Do("GET", "/register?token=13912345679", nil)
		if m := res.JSON(); m["result"] != "0000" {
			t.Fatalf("GET /register: %s", res.Body)
		}
		// Not verified yet: no sign-up.
		call(t, e, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {"abc12345"}}, "0004")
		wrong := "0000"
		if code == wrong {
			wrong = "1111"
		}
		call(t, e, "/register", url.Values{"code_v": {ch}, "code": {wrong}}, "0004")
		call(t, e, "/register", url.Values{"code_v": {ch}, "code": {code}}, "0000")

		head := upload(t, e, "img", pngBytes(t))
		if head["result"] != "0000" || !strings.HasPrefix(head["message"].(string), "/media/") {
			t.Fatalf("upload: %v", head)
		}
		// The password policy: 8 or more, letters and digits.
		for _, pw := range []string{"abcdefgh", "12345678", "ab12"} {
			call(t, e, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {pw}}, "0009")
		}
		call(t, e, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {"abc12345"}, "gender": {"2"}}, "0009")
		// With code_v, only the challenge verified signs up.
		call(t, e, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {"abc12345"}, "code_v": {"another-challenge"}}, "0004")
		call(t, e, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {"abc12345"}, "gender": {"0"}, "code_v": {ch},
			"nickname": {"小红"}, "headImage": {head["message"].(string)}}, "0000")
		// Registered: no second account, no code.
		call(t, e, "/register", url.Values{"userId": {phone}}, "0001")
		call(t, e, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {"abc12345"}}, "0001")

		call(t, e, "/log", url.Values{"userId": {phone}, "password": {"abc12345x"}}, "0008")
		call(t, e, "/log", url.Values{"userId": {"13900000000"}, "password": {"abc12345"}}, "0007")
		for _, bad := range []string{"1391234567", "139123456789", "abcdefghijk", "23912345678", ""} {
			call(t, e, "/log", url.Values{"userId": {bad}, "password": {"abc12345"}}, "0009")
			call(t, e, "/register", url.Values{"userId": {bad}}, "0009")
		}
		call(t, e, "/log", url.Values{"userId": {phone}, "password": {"abc12345"}, "expire_in": {"soon"}}, "0009")
		call(t, e, "/log", url.Values{"userId": {phone}, "password": {"abc12345"}, "expire_in": {"0"}}, "0009")

		// expire_in has no minimum: one second is honoured.
		short := call(t, e, "/log", url.Values{"userId": {phone}, "password": {"abc12345"}, "expire_in": {"1"}}, "0000")["message"].(string)
		long := call(t, e, "/log", url.Values{"userId": {phone}, "password": {"abc12345"}, "expire_in": {"99999999999"}}, "0000")["message"].(string)
		u, err := e.App.Accounts.Authenticate(context.Background(), short)
		if err != nil || u.Nickname != "小红" || u.Gender != 0 || u.Avatar == "" {
			t.Fatalf("user %+v %v", u, err)
		}
		call(t, e, "/list", url.Values{"friendlist": {"1"}, "token": {short}}, "0000")
		e.Clock.Advance(2 * time.Second)
		call(t, e, "/list", url.Values{"friendlist": {"1"}, "token": {short}}, "0011")
		// Logging in again does not cancel earlier tokens; the long one is
		// capped at the setting (7 days).
		call(t, e, "/list", url.Values{"friendlist": {"1"}, "token": {long}}, "0000")
		e.Clock.Advance(7*24*time.Hour + time.Second)
		call(t, e, "/list", url.Values{"friendlist": {"1"}, "token": {long}}, "0011")

		// Not an image, or none: upload refuses.
		if m := upload(t, e, "img", []byte("GIF89a not really")); m["result"] != "0006" {
			t.Fatalf("not an image: %v", m)
		}
		if m := upload(t, e, "file", pngBytes(t)); m["result"] != "0009" {
			t.Fatalf("no img field: %v", m)
		}
	})
}

// Five wrong codes end a challenge: 0005 even for the right code.
func TestCodeTries(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		ch := call(t, e, "/register", url.Values{"userId": {"13912340000"}}, "0000")["message"].(string)
		code := e.LastCode("8613912340000")
		wrong := "0000"
		if code == wrong {
			wrong = "1111"
		}
		for range 5 {
			call(t, e, "/register", url.Values{"code_v": {ch}, "code": {wrong}}, "0004")
		}
		call(t, e, "/register", url.Values{"code_v": {ch}, "code": {code}}, "0005")
		call(t, e, "/register", url.Values{"code_v": {"made-up"}, "code": {code}}, "0004")
	})
}

// The echo mode answers the code itself, as the original app expects.
func TestEchoCode(t *testing.T) {
	plazatest.Each(t, map[string]string{"PLAZA_LIVE_ECHO_CODE": "true"}, func(t *testing.T, e *plazatest.Env) {
		code := call(t, e, "/register", url.Values{"userId": {"13912340001"}}, "0000")["message"].(string)
		if code != e.LastCode("8613912340001") {
			t.Fatalf("echo %q", code)
		}
		call(t, e, "/register", url.Values{"code_v": {code}, "code": {code + "9"}}, "0004")
		call(t, e, "/register", url.Values{"code_v": {code}, "code": {code}}, "0000")
		call(t, e, "/register", url.Values{"register": {"1"}, "userId": {"13912340001"}, "password": {"abc12345"}}, "0000")
		// A phone no code was sent to cannot sign up.
		call(t, e, "/register", url.Values{"register": {"1"}, "userId": {"13912340002"}, "password": {"abc12345"}}, "0004")
	})
}

// An account of the member face signs in here, and one made here there.
func TestOneUserBase(t *testing.T) {
	plazatest.Each(t, env(), func(t *testing.T, e *plazatest.Env) {
		res := e.Do("POST", "/api/auth/register", map[string]any{"account": testPhones[0], "code": "1234", "password": "abc12345"})
		if res.JSON()["code"] != json.Number("0") {
			t.Fatalf("member register: %s", res.Body)
		}
		call(t, e, "/log", url.Values{"userId": {testPhones[0]}, "password": {"abc12345"}}, "0000")
		signUp(t, e, testPhones[1], "B")
		res = e.Do("POST", "/api/auth/access_token", map[string]any{"account": testPhones[1], "password": "abc12345"})
		if res.JSON()["code"] != json.Number("0") {
			t.Fatalf("member sign-in: %s", res.Body)
		}
	})
}

func TestFriends(t *testing.T) {
	plazatest.Each(t, env(), func(t *testing.T, e *plazatest.Env) {
		a, b, c := signUp(t, e, testPhones[0], "A"), signUp(t, e, testPhones[1], "B"), signUp(t, e, testPhones[2], "C")
		f := func(u user, vals ...string) url.Values {
			v := url.Values{"token": {u.token}}
			for i := 0; i+1 < len(vals); i += 2 {
				v.Set(vals[i], vals[i+1])
			}
			return v
		}
		// Search: stranger, self, unknown, bad.
		m := call(t, e, "/friend", f(a, "search", "1", "userId", b.phone), "0000")
		if m["flag"] != "0" || m["message"].(map[string]any)["nickname"] != "B" {
			t.Fatalf("search: %v", m)
		}
		if m := call(t, e, "/friend", f(a, "search", "1", "userId", a.phone), "0000"); m["flag"] != "-1" {
			t.Fatalf("search self: %v", m)
		}
		call(t, e, "/friend", f(a, "search", "1", "userId", "13999999999"), "0007")
		call(t, e, "/friend", f(a, "search", "1", "userId", "12"), "0009")

		// A asks B; both see the message.
		call(t, e, "/friend", f(a, "add", "1", "userId", b.phone), "0000")
		call(t, e, "/friend", f(a, "add", "1", "userId", b.phone), "0000") // again: the same request
		call(t, e, "/friend", f(a, "add", "1", "userId", a.phone), "0009")
		call(t, e, "/friend", f(a, "add", "1", "userId", "13999999999"), "0007")
		msgs := call(t, e, "/list", f(b, "messagelist", "1"), "0000")["message"].([]any)
		if len(msgs) != 1 {
			t.Fatalf("B's messages: %v", msgs)
		}
		mb := msgs[0].(map[string]any)
		if mb["flag"] != json.Number("0") || mb["userId"] != a.phone || mb["nickname"] != "A" || !strings.HasPrefix(mb["verifyId"].(string), a.phone+",") {
			t.Fatalf("B's message: %v", mb)
		}
		ma := call(t, e, "/list", f(a, "messagelist", "1"), "0000")["message"].([]any)[0].(map[string]any)
		if ma["flag"] != json.Number("2") || ma["userId"] != b.phone {
			t.Fatalf("A's message: %v", ma)
		}
		// A stranger cannot deal with it; the requester cannot accept it.
		call(t, e, "/friend", f(c, "dealMessage", "1", "behaviour", "accept", "verifyId", mb["verifyId"].(string)), "0009")
		call(t, e, "/friend", f(c, "dealMessage", "1", "behaviour", "accept", "userId", a.phone), "0009")
		call(t, e, "/friend", f(a, "dealMessage", "1", "behaviour", "accept", "objectId", mb["objectId"].(string)), "0002")
		call(t, e, "/friend", f(b, "dealMessage", "1", "behaviour", "maybe", "verifyId", mb["verifyId"].(string)), "0009")
		call(t, e, "/friend", f(b, "dealMessage", "1", "behaviour", "accept", "verifyId", a.phone+",123"), "0009")
		call(t, e, "/friend", f(b, "dealMessage", "1", "behaviour", "accept", "verifyId", "garbage"), "0009")
		call(t, e, "/friend", f(b, "dealMessage", "1", "behaviour", "accept", "verifyId", mb["verifyId"].(string), "objectId", mb["objectId"].(string)), "0000")
		if m := call(t, e, "/list", f(b, "messagelist", "1"), "0000")["message"].([]any)[0].(map[string]any); m["flag"] != json.Number("1") {
			t.Fatalf("B after accepting: %v", m)
		}
		if m := call(t, e, "/list", f(a, "messagelist", "1"), "0000")["message"].([]any)[0].(map[string]any); m["flag"] != json.Number("3") {
			t.Fatalf("A after B accepted: %v", m)
		}
		if m := call(t, e, "/friend", f(a, "search", "1", "userId", b.phone), "0000"); m["flag"] != "1" {
			t.Fatalf("search a friend: %v", m)
		}
		call(t, e, "/friend", f(a, "add", "1", "userId", b.phone), "0010")

		// The friend list, live friends first with their play URLs.
		call(t, e, "/friend", f(c, "add", "1", "userId", a.phone), "0000")
		call(t, e, "/friend", f(a, "add", "1", "userId", c.phone), "0000") // crossing: one friendship
		list := call(t, e, "/list", f(a, "friendlist", "1"), "0000")["message"].(map[string]any)
		if list["count"] != json.Number("2") {
			t.Fatalf("A's friends: %v", list)
		}
		stream := call(t, e, "/room", f(b, "live", "1", "title", "B's room"), "0000")["message"].(string)
		var s map[string]any
		if err := json.Unmarshal([]byte(stream), &s); err != nil {
			t.Fatalf("stream is no JSON string: %q", stream)
		}
		if s["publishKey"] == "" || s["hosts"] == nil || s["publishUrl"] == nil ||
			!strings.HasSuffix(s["id"].(string), "."+s["title"].(string)) { // as Pili: title is the stream's name
			t.Fatalf("stream: %v", s)
		}
		friends := call(t, e, "/list", f(a, "friendlist", "1"), "0000")["message"].(map[string]any)["friends"].([]any)
		first := friends[0].(map[string]any)
		if first["userId"] != b.phone || first["liveStatus"] != "on" || first["playUrl"] == "" || first["gender"] != "1" {
			t.Fatalf("live friend first: %v", friends)
		}
		if second := friends[1].(map[string]any); second["liveStatus"] != "off" || second["playUrl"] != "" {
			t.Fatalf("friend off: %v", second)
		}
		call(t, e, "/room", f(b, "leave", "1"), "0000")
		friends = call(t, e, "/list", f(a, "friendlist", "1"), "0000")["message"].(map[string]any)["friends"].([]any)
		for _, fr := range friends {
			if fr.(map[string]any)["liveStatus"] != "off" {
				t.Fatalf("after leave: %v", friends)
			}
		}
		// Unfriend; again is 0006 (the document's answer of delete).
		call(t, e, "/friend", f(a, "delete", "1", "userId", b.phone), "0000")
		call(t, e, "/friend", f(a, "delete", "1", "userId", b.phone), "0006")
		if m := call(t, e, "/friend", f(a, "search", "1", "userId", b.phone), "0000"); m["flag"] != "0" {
			t.Fatalf("after unfriend: %v", m)
		}
		// The addressee deletes a pending request: the requester may ask again.
		call(t, e, "/friend", f(b, "add", "1", "userId", c.phone), "0000")
		call(t, e, "/friend", f(c, "dealMessage", "1", "behaviour", "delete", "userId", b.phone), "0000")
		call(t, e, "/friend", f(b, "add", "1", "userId", c.phone), "0000")
	})
}

func TestGold(t *testing.T) {
	plazatest.Each(t, env(), func(t *testing.T, e *plazatest.Env) {
		a, b := signUp(t, e, testPhones[0], "A"), signUp(t, e, testPhones[1], "B")
		ctx := context.Background()
		bal := func(u user) int64 {
			n, err := e.App.Wallet.Balance(ctx, u.id, wallet.Gold)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		g := func(u user, vals ...string) url.Values {
			v := url.Values{"token": {u.token}}
			for i := 0; i+1 < len(vals); i += 2 {
				v.Set(vals[i], vals[i+1])
			}
			return v
		}
		call(t, e, "/golden", g(a, "refill", "1", "money", "10"), "0000")
		if bal(a) != 100 {
			t.Fatalf("after a 10-yuan refill: %d", bal(a))
		}
		for _, m := range []string{"20", "0", "-10", "abc", "", "10.5", "99999999999999999999"} {
			call(t, e, "/golden", g(a, "refill", "1", "money", m), "0009")
		}
		call(t, e, "/golden", g(a, "send_gift", "1", "value", "30", "object", b.phone, "description", "rose"), "0000")
		if bal(a) != 70 || bal(b) != 30 {
			t.Fatalf("after a gift: %d %d", bal(a), bal(b))
		}
		if m := call(t, e, "/golden", g(a, "send_gift", "1", "value", "71", "object", b.phone, "description", "car"), "0013"); strings.Count(m["message"].(string), "not enough") != 1 {
			t.Fatalf("message %q", m["message"])
		}
		for _, v := range []string{"0", "-5", "abc", "1.5", "", "99999999999999999999"} {
			call(t, e, "/golden", g(a, "send_gift", "1", "value", v, "object", b.phone, "description", "x"), "0009")
		}
		call(t, e, "/golden", g(a, "send_gift", "1", "value", "1", "object", a.phone, "description", "x"), "0009")
		call(t, e, "/golden", g(a, "send_gift", "1", "value", "1", "object", "13999999999", "description", "x"), "0007")
		call(t, e, "/golden", g(a, "send_gift", "1", "value", "1", "object", b.phone, "description", "a\x01b"), "0009")
		if bal(a) != 70 || bal(b) != 30 {
			t.Fatalf("refusals moved gold: %d %d", bal(a), bal(b))
		}
		// A vendor's refill credits the gold fixed at its start (its ref),
		// whatever the rate when the notification comes.
		err := e.App.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
			return e.App.Gold.Settle(ctx, tx, payment.Payment{OutTradeNo: "P-test-1", Method: "wechat", UserID: b.id, Amount: 1000, Ref: "77"})
		})
		if err != nil || bal(b) != 30+77 {
			t.Fatalf("settle: %v, balance %d", err, bal(b))
		}
		// The ledger shows both sides.
		page, err := e.App.Wallet.Ledger(ctx, b.id, wallet.Gold, "", 10)
		if err != nil || len(page.Entries) != 2 || page.Entries[1].Amount != 30 || page.Entries[0].Amount != 77 {
			t.Fatalf("B's ledger: %+v %v", page, err)
		}
		rep, err := wallet.Verify(ctx, e.App.DB)
		if err != nil || !rep.OK() {
			t.Fatalf("ledger verify: %+v %v", rep, err)
		}
	})
}

// Ten gifts of 20 racing from a balance of 100: exactly five are given.
func TestGiftRace(t *testing.T) {
	plazatest.Each(t, env(), func(t *testing.T, e *plazatest.Env) {
		a, b := signUp(t, e, testPhones[0], "A"), signUp(t, e, testPhones[1], "B")
		call(t, e, "/golden", url.Values{"token": {a.token}, "refill": {"1"}, "money": {"10"}}, "0000")
		results := make(chan string, 10)
		for range 10 {
			go func() {
				res := e.Do("POST", "/golden", []byte(url.Values{"token": {a.token}, "send_gift": {"1"}, "value": {"20"}, "object": {b.phone}, "description": {"x"}}.Encode()),
					"Content-Type", "application/x-www-form-urlencoded")
				r, _ := res.JSON()["result"].(string)
				results <- r
			}()
		}
		got := map[string]int{}
		for range 10 {
			got[<-results]++
		}
		if got["0000"] != 5 || got["0013"] != 5 {
			t.Fatalf("outcomes %v", got)
		}
		ctx := context.Background()
		if n, _ := e.App.Wallet.Balance(ctx, b.id, wallet.Gold); n != 100 {
			t.Fatalf("anchor has %d", n)
		}
		if rep, err := wallet.Verify(ctx, e.App.DB); err != nil || !rep.OK() {
			t.Fatalf("ledger verify: %+v %v", rep, err)
		}
	})
}

// Markers, tokens and garbage: always a code of the table, HTTP 200 (405
// for other methods), never a 500.
func TestBadInput(t *testing.T) {
	plazatest.Each(t, env(), func(t *testing.T, e *plazatest.Env) {
		a := signUp(t, e, testPhones[0], "A")
		for _, c := range []struct {
			path   string
			form   url.Values
			result string
		}{
			{"/room", url.Values{"token": {a.token}}, "0009"},
			{"/room", url.Values{"token": {a.token}, "live": {"1"}, "leave": {"1"}}, "0009"},
			{"/room", url.Values{"token": {a.token}, "live": {"2"}}, "0009"},
			{"/list", url.Values{"token": {a.token}}, "0009"},
			{"/list", url.Values{"token": {a.token}, "friendlist": {"1"}, "messagelist": {"1"}}, "0009"},
			{"/friend", url.Values{"token": {a.token}, "search": {"1"}, "add": {"1"}, "userId": {testPhones[1]}}, "0009"},
			{"/golden", url.Values{"token": {a.token}}, "0009"},
			{"/list", url.Values{"friendlist": {"1"}}, "0011"},
			{"/list", url.Values{"friendlist": {"1"}, "token": {"nope"}}, "0011"},
			{"/list", url.Values{"friendlist": {"1"}, "token": {strings.Repeat("x", 50)}}, "0011"},
			{"/room", url.Values{"live": {"1"}, "token": {"a\x00b"}}, "0009"},
			{"/room", url.Values{"live": {"1"}, "token": {a.token}, "title": {strings.Repeat("长", 5000)}}, "0009"},
			{"/friend", url.Values{"token": {a.token}, "dealMessage": {"1"}, "behaviour": {"accept"}}, "0009"},
		} {
			call(t, e, c.path, c.form, c.result)
		}
		for _, c := range [][2]string{{"DELETE", "/room"}, {"PUT", "/list"}, {"POST", "/room/ws"}} {
			if res := e.Do(c[0], c[1], nil); res.Status != 405 || res.JSON()["result"] != "0009" {
				t.Fatalf("%s %s: %d %s", c[0], c[1], res.Status, res.Body)
			}
		}
		huge := "99999999999999999999999"
		vals := []string{huge, "-1", "0", "1", "%00", strings.Repeat("x", 5000), "true", "null", "[1]", "{\"a\":1}"}
		keys := []string{"userId", "password", "expire_in", "code", "code_v", "register", "live", "leave", "title", "friendlist", "messagelist",
			"search", "add", "dealMessage", "delete", "verifyId", "objectId", "behaviour", "refill", "money", "send_gift", "value", "object", "description", "gender", "nickname", "headImage"}
		for _, path := range []string{"/register", "/log", "/room", "/list", "/friend", "/golden", "/upload"} {
			for _, k := range keys {
				for _, v := range vals {
					q := path + "?token=" + a.token + "&" + k + "=" + url.QueryEscape(v)
					for _, res := range []plazatest.Response{e.Do("GET", q, nil), e.Do("POST", path, `{"token":"`+a.token+`","`+k+`":`+jsonValue(v)+`}`)} {
						r, _ := res.JSON()["result"].(string)
						if res.Status != 200 || len(r) != 4 || r == "0006" && path != "/upload" {
							t.Errorf("%s %s=%.40s: %d %.200s", path, k, v, res.Status, res.Body)
						}
					}
				}
			}
		}
	})
}

// jsonValue is v as a JSON value: itself when it is one, else a string.
func jsonValue(v string) string {
	if json.Valid([]byte(v)) {
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var _ = account.DefaultArea
