package doge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"plaza/internal/catalog"
	"plaza/internal/face/doge"
	"plaza/internal/plazatest"
)

// FuzzDogeAPI sends any request under /api/v1/ through the real handler:
// no panic, no internal error, and every answer is the face's envelope,
// {"status","msg","body"} with a status of its table, an object as body
// (empty on errors), HTTP 200 (404 for an unknown path, 405 for another
// method).
func FuzzDogeAPI(f *testing.F) {
	z := plazatest.NewFuzz(f, nil)
	if _, err := z.App.Catalog.Create(context.Background(), catalog.Goods, map[string]any{"name": "bone", "price": 1}); err != nil {
		f.Fatal(err)
	}
	res := z.Serve(f, form("POST", "user/", url.Values{"user_id": {"fuzz-device"}, "nick": {"fuzz"}}))
	var signup struct {
		Body struct {
			User struct{ Token string } `json:"user"`
		} `json:"body"`
	}
	if json.Unmarshal(res.Body, &signup) != nil || signup.Body.User.Token == "" {
		f.Fatalf("sign-up: %s", res.Body)
	}
	device := signup.Body.User.Token
	z.Serve(f, form("POST", "user/pet/?token="+device, url.Values{"type": {"1"}, "sex": {"0"}, "character": {"2"}, "wish": {"3"}}))
	statuses := map[int64]bool{1: true}
	for _, a := range doge.Codes.Kinds {
		statuses[int64(a.Status)] = true
	}
	for _, a := range doge.Codes.Reasons {
		statuses[int64(a.Status)] = true
	}
	delete(statuses, 0) // 未知错误: an internal error
	const formType = "application/x-www-form-urlencoded"
	for _, s := range []struct {
		method, path, ct, body string
		auth                   uint8
	}{
		{"POST", "user/", formType, "user_id=dev-2&nick=Nick&male=1&sports=羽毛球&age=18", 0},
		{"POST", "user/", formType, "nick=renamed&avatar=/media/x.png&province=上海&city=上海&country=中国&travel=yes&foods=鱼", 1},
		{"POST", "user/", "application/json", `{"nick":"json","male":2}`, 2},
		{"GET", "user/?user_id=fuzz-device", "", "", 0},
		{"GET", "user/", "", "", 1},
		{"POST", "user/pet/", formType, "type=1&sex=0&character=8&wish=1", 2},
		{"GET", "user/pet/", "", "", 1},
		{"GET", "pick/", "", "", 1},
		{"GET", "pet/action/?action=1", "", "", 1},
		{"POST", "pet/action/", formType, "action=2", 1},
		{"GET", "goods/?page=1", "", "", 1},
		{"POST", "goods/1/", "", "", 1},
		{"GET", "gifts/?page=2", "", "", 1},
		{"GET", "gift/?gid=1", "", "", 1},
		{"GET", "encounters/", "", "", 1},
		{"GET", "encounter/1/", "", "", 1},
		{"POST", "upload/", "multipart/form-data; boundary=XX",
			"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.gif\"\r\nContent-Type: image/gif\r\n\r\nGIF89a\x01\x00\x01\x00\x00\x00\x00;\r\n--XX--\r\n", 1},
		{"GET", "nowhere/", "", "", 0},
		{"DELETE", "user/", "", "", 1},
		{"GET", "pick", "", "", 3},
	} {
		f.Add(s.method, s.path, s.ct, []byte(s.body), s.auth)
	}
	f.Fuzz(func(t *testing.T, method, path, ct string, body []byte, auth uint8) {
		target := doge.Prefix + path
		switch auth % 4 {
		case 1:
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + "token=" + device
		case 3:
			target += "?token=not-a-token"
		}
		r, ok := plazatest.FuzzRequest(method, target, ct, body)
		if !ok {
			return
		}
		if auth%4 == 2 {
			r.Header.Set("Authorization", "Token "+z.Token(t, plazatest.FuzzPhones[0]))
		}
		res := z.Serve(t, r)
		if plazatest.Redirected(r, res) {
			return
		}
		what := method + " " + r.URL.String()
		if (res.Status != 200 && res.Status != 404 && res.Status != 405) || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: HTTP %d %s: %s", what, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		var env struct {
			Status *int64
			Msg    *string
			Body   map[string]any
		}
		var keys map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(res.Body))
		dec.UseNumber()
		if dec.Decode(&env) != nil || json.Unmarshal(res.Body, &keys) != nil || len(keys) != 3 || env.Status == nil || env.Msg == nil || env.Body == nil {
			t.Fatalf("%s: not the envelope: %s", what, res.Body)
		}
		if !statuses[*env.Status] || *env.Msg == "" || (*env.Status != 1 && len(env.Body) != 0) || (*env.Status == 1 && res.Status != 200) {
			t.Fatalf("%s: HTTP %d status %d: %s", what, res.Status, *env.Status, res.Body)
		}
	})
}

func form(method, path string, v url.Values) *http.Request {
	r, _ := plazatest.FuzzRequest(method, doge.Prefix+path, "application/x-www-form-urlencoded", []byte(v.Encode()))
	return r
}
