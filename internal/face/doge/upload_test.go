package doge_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
)

// upload posts a multipart body with data under field (nothing when field
// is "") and answers the envelope's status and body.
func upload(t *testing.T, e *plazatest.Env, token, field string, data []byte) (int64, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("token", token)
	if field != "" {
		fw, _ := mw.CreateFormFile(field, "pic")
		fw.Write(data)
	}
	mw.Close()
	res := e.Do("POST", "/api/v1/upload/", buf.Bytes(), "Content-Type", mw.FormDataContentType())
	var m struct {
		Status int64          `json:"status"`
		Body   map[string]any `json:"body"`
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &m) != nil {
		t.Fatalf("upload: HTTP %d %s", res.Status, res.Body)
	}
	return m.Status, m.Body
}

// POST /api/v1/upload/ stores a picture through the media core; its url
// serves the bytes and becomes the user's avatar. Not a picture, no file,
// no multipart body, no token: refused.
func TestUpload(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "device-upload", "阿黄")
		pic := mediatest.PNG(3, 3)
		for _, field := range []string{"file", "image", "avatar"} {
			st, b := upload(t, e, p.token, field, pic)
			u, _ := b["url"].(string)
			if st != 1 || !strings.HasSuffix(u, ".png") || b["media_id"] == nil {
				t.Fatalf("%s: status %d %v", field, st, b)
			}
			path := u
			if pu, err := url.Parse(u); err == nil && pu.Host != "" {
				path = pu.Path
			}
			if got := e.Do("GET", path, nil); got.Status != 200 || !bytes.Equal(got.Body, pic) {
				t.Fatalf("%s: GET %s: %d", field, path, got.Status)
			}
			if field == "avatar" {
				b := call(t, e, "POST", "/api/v1/user/", url.Values{"token": {p.token}, "avatar": {u}}, 200, 1)
				if b["user"].(map[string]any)["avatar"] != u {
					t.Fatalf("avatar: %v", b["user"])
				}
			}
		}
		if st, _ := upload(t, e, p.token, "file", []byte("not a picture")); st != 4 {
			t.Fatalf("not a picture: status %d", st)
		}
		if st, _ := upload(t, e, p.token, "", nil); st != 4 {
			t.Fatalf("no file: status %d", st)
		}
		if st, _ := upload(t, e, "bad-token", "file", pic); st != 2 {
			t.Fatalf("bad token: status %d", st)
		}
		call(t, e, "POST", "/api/v1/upload/", url.Values{"token": {p.token}}, 200, 4) // a form, no multipart
	})
}
