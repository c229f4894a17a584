package member_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"plaza/internal/plazatest"
)

// memberCodes are the codes of the member face's table (seed 002).
var memberCodes = map[int64]bool{0: true}

func init() {
	for c := int64(10000); c <= 10014; c++ {
		memberCodes[c] = true
	}
}

// FuzzMemberAPI sends any request under /api/ through the real handler:
// no panic, no internal error, and every answer is the face's envelope,
// HTTP 200 {"code","message","data"} with a code of its table and an
// object as data (empty on errors).
func FuzzMemberAPI(f *testing.F) {
	z := plazatest.NewFuzz(f, nil)
	for _, s := range []struct {
		method, path, ct, body string
		auth                   uint8
	}{
		{"POST", "auth/send_code", "application/json", `{"account": "13800138000"}`, 0},
		{"POST", "auth/send_code", "application/json", `{"account": "LI.LEI@example.com"}`, 0},
		{"POST", "auth/check_code", "application/json", `{"account": "13800138000", "code": "1234"}`, 0},
		{"POST", "auth/register", "application/json", `{"account": "13800138001", "code": "1234", "password": "correct-horse-9"}`, 0},
		{"POST", "auth/access_token", "application/json", `{"area": "86", "account": "13800138000", "password": "fuzz-password-1"}`, 0},
		{"POST", "auth/refresh_token", "application/json", `{"refresh_token": "hkcs"}`, 0},
		{"POST", "auth/destroy_token", "", ``, 2},
		{"GET", "personal/info", "", ``, 1},
		{"PUT", "personal/info", "application/json", `{"nickname": "小明", "gender": 1, "birthday": "1990-01-02", "address": "上海", "avatar": "https://example.com/a.png"}`, 1},
		{"PUT", "personal/info", "application/json", `{"gender": "0"}`, 1},
		{"POST", "push/bind", "application/json", `{"client_id": "cid-1", "client_type": "android"}`, 1},
		{"GET", "push/switch/cid-1", "", ``, 1},
		{"PUT", "push/switch/cid-1", "application/json", `{"switch": false}`, 1},
		{"GET", "push/log?page_no=1&page_size=20", "", ``, 1},
		{"GET", "push/log/1", "", ``, 1},
		{"DELETE", "push/log/delete", "application/json", `{"ids": [1, 2]}`, 1},
		{"GET", "message/count?push_ids=1,2,3", "", ``, 1},
		{"GET", "faq?page_no=2&page_size=100", "", ``, 1},
		{"GET", "faq/1", "", ``, 1},
		{"GET", "feedback_category", "", ``, 1},
		{"POST", "feedback", "application/json", `{"feedback_content": "it crashes", "feedback_category_id": 1, "contact_phone": "13800138000"}`, 1},
		{"GET", "feedback", "", ``, 3},
		{"DELETE", "feedback/1", "", ``, 1},
		{"GET", "feedback/reply/1", "", ``, 1},
		{"GET", "nowhere", "", ``, 0},
		{"POST", "feedback", "application/x-www-form-urlencoded", `feedback_content=hi`, 1},
		{"POST", "feedback", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"feedback_content\"\r\n\r\nv\r\n--XX--\r\n", 1},
		{"PUT", "personal/info", "application/json", `{"nickname": "a\u0000b"}`, 1},
	} {
		f.Add(s.method, s.path, s.ct, []byte(s.body), s.auth)
	}
	f.Fuzz(func(t *testing.T, method, path, ct string, body []byte, auth uint8) {
		if path == "v1" || strings.HasPrefix(path, "v1/") {
			return // the doge face's
		}
		r, ok := plazatest.FuzzRequest(method, "/api/"+path, ct, body)
		if !ok {
			return
		}
		switch auth % 4 {
		case 1:
			r.Header.Set("Authorization", "Token "+z.Token(t, plazatest.FuzzPhones[0]))
		case 2:
			r.Header.Set("Authorization", "Token CRSnotatokenCRSnotatokenCRSnotatoken")
		case 3:
			r.Header.Set("Authorization", "Bearer "+z.Token(t, plazatest.FuzzPhones[1]))
		}
		res := z.Serve(t, r)
		if plazatest.Redirected(r, res) {
			return
		}
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s %s: HTTP %d %s: %s", method, r.URL, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		var env map[string]json.RawMessage
		if err := json.Unmarshal(res.Body, &env); err != nil || len(env) != 3 {
			t.Fatalf("%s %s: not the envelope: %s", method, r.URL, res.Body)
		}
		var code int64
		var msg string
		var data map[string]any
		dec := json.NewDecoder(bytes.NewReader(env["data"]))
		dec.UseNumber()
		if json.Unmarshal(env["code"], &code) != nil || json.Unmarshal(env["message"], &msg) != nil || dec.Decode(&data) != nil || data == nil {
			t.Fatalf("%s %s: not the envelope: %s", method, r.URL, res.Body)
		}
		if !memberCodes[code] || msg == "" {
			t.Fatalf("%s %s: code %d message %q: %s", method, r.URL, code, msg, res.Body)
		}
		if code != 0 && len(data) != 0 {
			t.Fatalf("%s %s: an error with data: %s", method, r.URL, res.Body)
		}
	})
}
