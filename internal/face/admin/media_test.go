package admin_test

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"

	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
)

func multipartBody(t *testing.T, field, name string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func TestMediaUpload(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		body, ct := multipartBody(t, "file", "a.png", mediatest.PNG(3, 2))
		res := e.Do("POST", "/admin/v1/media", body, "Authorization", "Bearer "+a.token, "Content-Type", ct)
		if res.Status != 201 {
			t.Fatalf("upload: %d %s", res.Status, res.Body)
		}
		m := res.JSON()
		id, _ := m["id"].(string)
		if !strings.HasSuffix(id, ".png") || m["url"] != "/media/"+id {
			t.Fatalf("upload answer %v", m)
		}
		if got := e.Do("GET", "/media/"+id, nil); got.Status != 200 || !bytes.Equal(got.Body, mediatest.PNG(3, 2)) {
			t.Fatalf("GET %s: %d", m["url"], got.Status)
		}
		// The id goes in an image field.
		a.ok("POST", "/admin/v1/masters", map[string]any{"name": "M", "avatar": id}, 201)

		// Refusals: no token, no image, no multipart, no file field.
		wantError(t, e.Do("POST", "/admin/v1/media", body, "Content-Type", ct), "upload without a token", 401, "unauthenticated", "")
		txt, ct2 := multipartBody(t, "file", "a.png", []byte("not an image"))
		wantError(t, e.Do("POST", "/admin/v1/media", txt, "Authorization", "Bearer "+a.token, "Content-Type", ct2), "text upload", 400, "invalid", "file")
		wantError(t, e.Do("POST", "/admin/v1/media", `{"file":"x"}`, "Authorization", "Bearer "+a.token), "JSON upload", 400, "invalid", "")
		other, ct3 := multipartBody(t, "picture", "a.png", mediatest.PNG(1, 1))
		wantError(t, e.Do("POST", "/admin/v1/media", other, "Authorization", "Bearer "+a.token, "Content-Type", ct3), "no file field", 400, "invalid", "file")
	})
}

func TestCatalogDescription(t *testing.T) {
	plazatest.Each(t, withAdmin, func(t *testing.T, e *plazatest.Env) {
		a := login(t, e)
		m := a.ok("GET", "/admin/v1/catalog", nil, 200)
		cols, _ := m["collections"].([]any)
		var masters map[string]any
		for _, c := range cols {
			if c.(map[string]any)["name"] == "masters" {
				masters = c.(map[string]any)
			}
		}
		if len(cols) < 11 || masters == nil {
			t.Fatalf("catalog = %v", m)
		}
		kinds := map[string]map[string]any{}
		for _, f := range masters["fields"].([]any) {
			fm := f.(map[string]any)
			kinds[fm["name"].(string)] = fm
		}
		if kinds["avatar"]["media"] != true || kinds["name"]["required"] != true || kinds["user_id"]["kind"] != "ref" || kinds["intro"]["multiline"] != true || kinds["name"]["media"] != nil {
			t.Fatalf("masters fields = %v", kinds)
		}
		wantError(t, e.Do("GET", "/admin/v1/catalog", nil), "catalog without a token", 401, "unauthenticated", "")
	})
}
