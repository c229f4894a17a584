package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"plaza/internal/store/storetest"
)

// liveCall posts a form to a live-face path and checks the result code.
func liveCall(t *testing.T, base, path string, form url.Values, result string) map[string]any {
	t.Helper()
	res, err := http.PostForm(base+path, form)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil || m["result"] != result {
		t.Fatalf("%s %v: %v %v, want %s", path, form, m, err, result)
	}
	return m
}

// liveSignUp registers a test number (code 1234) on base and signs it in.
func liveSignUp(t *testing.T, base, phone string) string {
	t.Helper()
	ch := liveCall(t, base, "/register", url.Values{"userId": {phone}}, "0000")["message"].(string)
	liveCall(t, base, "/register", url.Values{"code_v": {ch}, "code": {"1234"}}, "0000")
	liveCall(t, base, "/register", url.Values{"register": {"1"}, "userId": {phone}, "password": {"abc12345"}, "nickname": {"n" + phone[7:]}}, "0000")
	return liveCall(t, base, "/log", url.Values{"userId": {phone}, "password": {"abc12345"}}, "0000")["message"].(string)
}

// viewer is a room-chat socket.
type viewer struct {
	t *testing.T
	c *websocket.Conn
}

func dialRoom(t *testing.T, base, token, room string) *viewer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(base, "http") + "/room/ws?" + url.Values{"token": {token}, "room": {room}}.Encode()
	c, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", base, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return &viewer{t: t, c: c}
}

// next reads frames until one of type typ for which ok holds.
func (v *viewer) next(typ string, ok func(map[string]any) bool) map[string]any {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		_, b, err := v.c.Read(ctx)
		if err != nil {
			v.t.Fatalf("waiting for a %s frame: %v", typ, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			v.t.Fatalf("frame %s: %v", b, err)
		}
		if m["type"] == typ && (ok == nil || ok(m)) {
			return m
		}
	}
}

func (v *viewer) say(text string) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, _ := json.Marshal(map[string]string{"type": "comment", "text": text})
	if err := v.c.Write(ctx, websocket.MessageText, b); err != nil {
		v.t.Fatal(err)
	}
}

// Two plaza processes on one PostgreSQL, the realtime seam over
// LISTEN/NOTIFY: a viewer on each node of one live room sees the other's
// comments, a gift given through the other node, and a count of two.
func TestRoomChatAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	db, o := storetest.OpenPostgres(t)
	db.Close()
	phones := []string{"13900000101", "13900000102", "13900000103"}
	var otp []string
	for _, p := range phones {
		otp = append(otp, "86"+p+"=1234")
	}
	node := func() *child {
		return startChild(t, map[string]string{
			"PLAZA_DATA": t.TempDir(), "PLAZA_DATABASE_URL": o.URL, "PLAZA_REALTIME": "postgres",
			"PLAZA_SMS_TEST_OTP": strings.Join(otp, ","), "PLAZA_LOG_LEVEL": "error",
		})
	}
	n1, n2 := node(), node()
	anchor, v1tok, v2tok := liveSignUp(t, n1.base, phones[0]), liveSignUp(t, n1.base, phones[1]), liveSignUp(t, n2.base, phones[2])
	liveCall(t, n2.base, "/room", url.Values{"token": {anchor}, "live": {"1"}, "title": {"两个节点"}}, "0000")

	v1, v2 := dialRoom(t, n1.base, v1tok, phones[0]), dialRoom(t, n2.base, v2tok, phones[0])
	for _, v := range []*viewer{v1, v2} {
		v.next("history", nil)
		v.next("viewers", func(m map[string]any) bool { return m["count"] == 2.0 })
	}
	v1.say("from node 1")
	for _, v := range []*viewer{v1, v2} {
		if m := v.next("comment", nil); m["text"] != "from node 1" || m["userId"] != phones[1] {
			t.Fatalf("comment: %v", m)
		}
	}
	v2.say("from node 2")
	for _, v := range []*viewer{v1, v2} {
		if m := v.next("comment", nil); m["text"] != "from node 2" || m["userId"] != phones[2] {
			t.Fatalf("comment: %v", m)
		}
	}
	// A gift over HTTP on node 2 is announced to the viewer on node 1.
	liveCall(t, n2.base, "/golden", url.Values{"token": {v2tok}, "refill": {"1"}, "money": {"10"}}, "0000")
	liveCall(t, n2.base, "/golden", url.Values{"token": {v2tok}, "send_gift": {"1"}, "value": {"30"}, "object": {phones[0]}, "description": {"火箭"}}, "0000")
	if m := v1.next("gift", nil); m["value"] != 30.0 || m["description"] != "火箭" || m["userId"] != phones[2] {
		t.Fatalf("gift: %v", m)
	}
	// The viewer on node 2 leaves: node 1 counts one.
	v2.c.Close(websocket.StatusNormalClosure, "")
	v1.next("viewers", func(m map[string]any) bool { return m["count"] == 1.0 })
}
