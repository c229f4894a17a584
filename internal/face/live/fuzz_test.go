package live_test

import (
	"encoding/json"
	"strings"
	"testing"

	"plaza/internal/face/live"
	"plaza/internal/plazatest"
)

// livePaths are the face's paths (but the room chat's WebSocket).
var livePaths = []string{"/register", "/upload", "/log", "/room", "/list", "/friend", "/golden"}

// FuzzLiveAPI sends any parameters to any of the face's paths through the
// real handler (query, form, multipart or JSON; with the token of a
// signed-in user or none): no panic, no internal error, and every answer
// is the face's envelope, HTTP 200 (405 for another method)
// {"result", "message"[, "flag"]} with a result of the document's table.
func FuzzLiveAPI(f *testing.F) {
	z := plazatest.NewFuzz(f, nil)
	z.Token(f, plazatest.FuzzPhones[1]) // a second user, to befriend
	results := map[string]bool{"0000": true}
	for _, a := range live.Codes.Kinds {
		results[a.Code] = true
	}
	for _, a := range live.Codes.Reasons {
		results[a.Code] = true
	}
	const formType = "application/x-www-form-urlencoded"
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
	for _, s := range []struct {
		method    string
		path      uint8
		query, ct string
		body      string
		auth      uint8
	}{
		{"POST", 0, "", formType, "userId=13800138002", 0},
		{"GET", 0, "token=13800138002", "", "", 0},
		{"POST", 0, "", formType, "code_v=CzynAVXmd9cUeqqX0QugEWSqlNS6ONr1&code=1234", 0},
		{"POST", 0, "", formType, "register=1&userId=13800138002&password=abc12345&gender=1&nickname=Anchor&headImage=/media/x.png", 0},
		{"POST", 1, "", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"img\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n" + png + "\r\n--XX--\r\n", 0},
		{"POST", 2, "", formType, "userId=13800138000&password=fuzz-password-1&expire_in=3600", 0},
		{"POST", 3, "", formType, "live=1&title=hello", 1},
		{"POST", 3, "leave=1", "", "", 1},
		{"POST", 4, "", formType, "friendlist=1", 1},
		{"GET", 4, "messagelist=1", "", "", 1},
		{"POST", 5, "", formType, "search=1&userId=13800138001", 1},
		{"POST", 5, "", "application/json", `{"add":"1","userId":"13800138001"}`, 1},
		{"POST", 5, "", formType, "dealMessage=1&behaviour=accept&verifyId=13800138001,1796137635173", 1},
		{"POST", 5, "", formType, "delete=1&userId=13800138001", 1},
		{"POST", 6, "", formType, "refill=1&money=10元&pay_method=sandbox", 1},
		{"POST", 6, "", formType, "send_gift=1&value=5&object=13800138001&description=rose", 1},
		{"POST", 5, "add=1&delete=1", "", "", 1},
		{"PUT", 4, "friendlist=1", "", "", 1},
		{"POST", 4, "friendlist=1&token=not-a-token", "", "", 0},
	} {
		f.Add(s.method, s.path, s.query, s.ct, []byte(s.body), s.auth)
	}
	f.Fuzz(func(t *testing.T, method string, path uint8, query, ct string, body []byte, auth uint8) {
		target := livePaths[int(path)%len(livePaths)]
		if auth%2 == 1 {
			if query != "" {
				query += "&"
			}
			query += "token=" + z.Token(t, plazatest.FuzzPhones[0])
		}
		if query != "" {
			target += "?" + query
		}
		r, ok := plazatest.FuzzRequest(method, target, ct, body)
		if !ok {
			return
		}
		res := z.Serve(t, r)
		what := method + " " + r.URL.String()
		if (res.Status != 200 && res.Status != 405) || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: HTTP %d %s: %s", what, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		var m map[string]json.RawMessage
		var result string
		if json.Unmarshal(res.Body, &m) != nil || json.Unmarshal(m["result"], &result) != nil || m["message"] == nil {
			t.Fatalf("%s: not the envelope: %s", what, res.Body)
		}
		if _, flag := m["flag"]; len(m) > 3 || len(m) == 3 && !flag {
			t.Fatalf("%s: not the envelope: %s", what, res.Body)
		}
		if !results[result] || (res.Status == 405) != (result == "0009" && method != "GET" && method != "POST") {
			t.Fatalf("%s: HTTP %d result %q: %s", what, res.Status, result, res.Body)
		}
	})
}
