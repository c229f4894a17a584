package yuanyi_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
	"plaza/internal/provider/media/fakes3"
)

// file is one file part of an upload.
type file struct {
	name, contentType string
	data              []byte
}

// upload posts multipart fields and file (nil: no file part) as the app
// does: no token, no signature.
func upload(t *testing.T, e *plazatest.Env, fields map[string]string, f *file) map[string]any {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if f != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, f.name))
		if f.contentType != "" {
			h.Set("Content-Type", f.contentType)
		}
		p, _ := w.CreatePart(h)
		p.Write(f.data)
	}
	w.Close()
	res := e.Do("POST", "/yuanyiapi/upload", b.Bytes(), "Content-Type", w.FormDataContentType())
	if res.Status != 200 {
		t.Fatalf("upload: HTTP %d %s", res.Status, res.Body)
	}
	m := res.JSON()
	if m == nil {
		t.Fatalf("upload: not JSON: %s", res.Body)
	}
	return m
}

func uploadOK(t *testing.T, e *plazatest.Env, id string, f *file) string {
	t.Helper()
	m := upload(t, e, map[string]string{"media_id": id}, f)
	if c := code(t, m); c != 0 {
		t.Fatalf("upload %s: code %d (%v)", f.name, c, m["err_msg"])
	}
	return m["media_id"].(string)
}

func uploadFails(t *testing.T, e *plazatest.Env, fields map[string]string, f *file, want int, what string) string {
	t.Helper()
	m := upload(t, e, fields, f)
	if c := code(t, m); c != want {
		t.Fatalf("%s: code %d (%v), want %d", what, c, m["err_msg"], want)
	}
	return m["err_msg"].(string)
}

func mediaID(t *testing.T, e *plazatest.Env, tok string) string {
	t.Helper()
	id, _ := ok(t, e, "get_media_id", nil, tok)["media_id"].(string)
	if !issuedShape.MatchString(id) {
		t.Fatalf("get_media_id = %q", id)
	}
	return id
}

func TestMediaUploadAndServe(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		tok, _ := signup(t, e, "18682222222")
		for _, c := range []struct {
			ext string
			f   file
		}{
			{"png", file{"a.png", "image/png", mediatest.PNG(7, 5)}},
			{"jpeg", file{"b.jpg", "image/jpeg", mediatest.JPEG(8, 8)}},
			{"gif", file{"c.gif", "", mediatest.GIF(3, 3)}},
			{"webp", file{"d.webp", "application/octet-stream", mediatest.WebP()}},
			{"png", file{"photo.jpg", "", mediatest.PNG(2, 2)}}, // the name says nothing
		} {
			id := mediaID(t, e, tok)
			uuid := strings.TrimSuffix(id, ".jpeg")
			final := uploadOK(t, e, id, &c.f)
			if final != uuid+"."+c.ext {
				t.Fatalf("%s: final id %q for issued %q", c.f.name, final, id)
			}
			res := e.Do("GET", "/media/"+final, nil)
			if res.Status != 200 || !bytes.Equal(res.Body, c.f.data) {
				t.Fatalf("%s: GET /media/%s: %d, %d bytes", c.f.name, final, res.Status, len(res.Body))
			}
			if ct := res.Header.Get("Content-Type"); ct != "image/"+c.ext {
				t.Fatalf("%s: Content-Type %q", c.f.name, ct)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
				t.Fatalf("Cache-Control %q", cc)
			}
			if et := res.Header.Get("ETag"); et != `"`+final+`"` {
				t.Fatalf("ETag %q", et)
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("no nosniff")
			}
			// Revalidation, ranges, HEAD, and the client's ".jpg" habit.
			if r := e.Do("GET", "/media/"+final, nil, "If-None-Match", `"`+final+`"`); r.Status != 304 {
				t.Fatalf("If-None-Match: %d", r.Status)
			}
			if r := e.Do("GET", "/media/"+final, nil, "Range", "bytes=0-3"); r.Status != 206 || !bytes.Equal(r.Body, c.f.data[:4]) {
				t.Fatalf("Range: %d %q", r.Status, r.Body)
			}
			if r := e.Do("HEAD", "/media/"+final, nil); r.Status != 200 || r.Header.Get("Content-Length") != fmt.Sprint(len(c.f.data)) {
				t.Fatalf("HEAD: %d %v", r.Status, r.Header)
			}
			for _, alias := range []string{id, id + ".jpg", uuid, uuid + ".jpg", final + ".jpg"} {
				if r := e.Do("GET", "/media/"+alias, nil); r.Status != 200 || !bytes.Equal(r.Body, c.f.data) {
					t.Fatalf("GET /media/%s: %d", alias, r.Status)
				}
			}
		}
		issued := mediaID(t, e, tok)
		for _, path := range []string{
			"/media/" + issued, "/media/" + issued + ".png", "/media/e4cbdd56-855a-11ee-bcb6-5785abdd6148.jpeg",
			"/media/garbage", "/media/..%2Fplaza.db", "/media/",
		} {
			if r := e.Do("GET", path, nil); r.Status != 404 {
				t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
			}
		}
	})
}

func TestMediaRefusals(t *testing.T) {
	env := map[string]string{"PLAZA_MEDIA_MAX_SIZE": "2KiB"}
	for k, v := range testOTP {
		env[k] = v
	}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		fails(t, e, "get_media_id", nil, "", 403)
		fails(t, e, "get_media_id", nil, "no-such-token", 404)
		tok, _ := signup(t, e, "18682222222")
		id := mediaID(t, e, tok)
		png := mediatest.PNG(2, 2)
		field := map[string]string{"media_id": id}

		uploadFails(t, e, nil, &file{"a.png", "image/png", png}, 400, "no media_id")
		uploadFails(t, e, field, nil, 400, "no file")
		uploadFails(t, e, field, &file{"a.jpg", "image/jpeg", []byte("garbage, not a JPEG at all")}, 400, "garbage named .jpg")
		uploadFails(t, e, field, &file{"a.png", "", nil}, 400, "an empty file")
		uploadFails(t, e, field, &file{"a.jpg", "image/jpeg", png}, 400, "PNG declared as JPEG")
		uploadFails(t, e, field, &file{"a.png", "text/html", png}, 400, "PNG declared as HTML")
		padded := append(append([]byte{}, png...), make([]byte, 3000)...)
		msg := uploadFails(t, e, field, &file{"big.png", "image/png", padded}, 400, "over the size limit")
		huge := append(append([]byte{}, png...), make([]byte, 200<<10)...)
		msg2 := uploadFails(t, e, field, &file{"huge.png", "image/png", huge}, 400, "far over the size limit")
		if !strings.Contains(msg, "larger than 2 KiB") || msg2 != msg {
			t.Fatalf("size messages: %q, %q", msg, msg2)
		}
		if msg := uploadFails(t, e, field, &file{"a.jpg", "image/jpeg", png}, 400, "PNG declared as JPEG"); !strings.Contains(msg, "PNG") {
			t.Fatalf("type message: %q", msg)
		}
		uploadFails(t, e, map[string]string{"media_id": "e4cbdd56-855a-11ee-bcb6-5785abdd6148"}, &file{"a.png", "", png}, 400, "unknown id")
		uploadFails(t, e, map[string]string{"media_id": "image_id"}, &file{"a.png", "", png}, 400, "malformed id")
		if res := e.Do("POST", "/yuanyiapi/upload", map[string]any{"media_id": id}); res.JSON()["code"].(interface{ String() string }).String() != "400" {
			t.Fatalf("JSON upload: %s", res.Body)
		}

		// The id survived the refusals; it works once.
		final := uploadOK(t, e, id, &file{"a.png", "image/png", png})
		uploadFails(t, e, field, &file{"a.png", "image/png", png}, 400, "reused id")
		if r := e.Do("GET", "/media/"+final, nil); r.Status != 200 {
			t.Fatalf("served after refusals: %d", r.Status)
		}

		// An id waits an hour for its upload.
		late := mediaID(t, e, tok)
		e.Clock.Advance(time.Hour + time.Second)
		uploadFails(t, e, map[string]string{"media_id": late}, &file{"a.png", "", png}, 400, "expired id")
		if err := e.App.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		uploadFails(t, e, map[string]string{"media_id": late}, &file{"a.png", "", png}, 400, "swept id")
		if r := e.Do("GET", "/media/"+final, nil); r.Status != 200 {
			t.Fatalf("the sweep lost an upload: %d", r.Status)
		}
	})
}

func TestMediaOnS3(t *testing.T) {
	srv := fakes3.New("plaza-media", "AKIDPLAZA")
	defer srv.Close()
	env := map[string]string{
		"PLAZA_MEDIA": "s3", "PLAZA_MEDIA_S3_ENDPOINT": srv.Endpoint(), "PLAZA_MEDIA_S3_BUCKET": "plaza-media",
		"PLAZA_MEDIA_S3_ACCESS_KEY": "AKIDPLAZA", "PLAZA_MEDIA_S3_SECRET_KEY": "secret", "PLAZA_MEDIA_S3_USE_SSL": "false",
		"PLAZA_MEDIA_PUBLIC_URL": "https://cdn.example.com/m/",
	}
	for k, v := range testOTP {
		env[k] = v
	}
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		tok, _ := signup(t, e, "18682222222")
		id := mediaID(t, e, tok)
		jpg := mediatest.JPEG(6, 4)
		m := upload(t, e, map[string]string{"media_id": id}, &file{"x.jpg", "image/jpeg", jpg})
		final, _ := m["media_id"].(string)
		if code(t, m) != 0 || final != id || m["url"] != "https://cdn.example.com/m/"+final {
			t.Fatalf("upload to S3: %v", m)
		}
		o, ok := srv.Get(final)
		if !ok || !bytes.Equal(o.Data, jpg) || o.ContentType != "image/jpeg" {
			t.Fatalf("object in the bucket: %v %+v", ok, o.ContentType)
		}
		if r := e.Do("GET", "/media/"+final, nil); r.Status != 200 || !bytes.Equal(r.Body, jpg) || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("served from S3: %d", r.Status)
		}
		if r := e.Do("GET", "/media/"+final, nil, "Range", "bytes=2-5"); r.Status != 206 || !bytes.Equal(r.Body, jpg[2:6]) {
			t.Fatalf("range from S3: %d", r.Status)
		}
		// The bucket failing: the upload answers -1 and the id stays good.
		id = mediaID(t, e, tok)
		srv.FailNext(100)
		m = upload(t, e, map[string]string{"media_id": id}, &file{"x.jpg", "image/jpeg", jpg})
		if c := code(t, m); c != -1 {
			t.Fatalf("upload while the bucket fails: %v", m)
		}
		srv.FailNext(0)
		uploadOK(t, e, id, &file{"x.jpg", "image/jpeg", jpg})
	})
}

// issuedShape is the shape of the ids get_media_id issues: "<uuid>.jpeg",
// as every media id of the document.
var issuedShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.jpeg$`)

// get_media_id issues "<uuid>.jpeg"; that id names the upload whatever its
// format, wherever a media id is taken (article images, avatars, the media
// URLs), with or without the app's ".jpg"; ids issued in the old shape (a
// bare uuid) stay good.
func TestIssuedMediaIDsAsTheDocumentShowsThem(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		tok, uid := signup(t, e, "18682222222")
		issued, _ := ok(t, e, "get_media_id", nil, tok)["media_id"].(string)
		if !issuedShape.MatchString(issued) {
			t.Fatalf("get_media_id = %q, want <uuid>.jpeg", issued)
		}
		uuid := strings.TrimSuffix(issued, ".jpeg")
		png := mediatest.PNG(3, 3)
		final := uploadOK(t, e, issued, &file{"a.jpg", "", png})
		if final != uuid+".png" {
			t.Fatalf("a PNG uploaded under %s: media id %q", issued, final)
		}
		// A JPEG keeps the very id it was issued.
		issued2, _ := ok(t, e, "get_media_id", nil, tok)["media_id"].(string)
		if got := uploadOK(t, e, issued2, &file{"b.jpg", "image/jpeg", mediatest.JPEG(2, 2)}); got != issued2 {
			t.Fatalf("a JPEG uploaded under %s: media id %q", issued2, got)
		}

		// The issued id, and the app's ".jpg" after it, name the PNG.
		ok(t, e, "article_publish", map[string]any{"content": "x", "images": []any{issued, issued + ".jpg", final, final + ".jpg", issued2}}, tok)
		it := list(t, ok(t, e, "my_article_list", nil, tok), "my_article_list")[0]
		if got := it["images"].([]any); len(got) != 5 || got[0] != final || got[1] != final || got[2] != final || got[3] != final || got[4] != issued2 {
			t.Fatalf("images stored = %v, want the media ids", got)
		}
		ok(t, e, "my_user_info_update", map[string]any{"avatar": issued}, tok)
		if av := ok(t, e, "my_user_info", nil, tok)["my_user_info"].(map[string]any)["avatar"]; av != final {
			t.Fatalf("avatar = %v, want %s", av, final)
		}
		_ = uid
		for _, ref := range []string{issued, issued + ".jpg", strings.ToUpper(issued)} {
			if r := e.Do("GET", "/media/"+ref, nil); r.Status != 200 || !bytes.Equal(r.Body, png) || r.Header.Get("Content-Type") != "image/png" {
				t.Fatalf("GET /media/%s: %d %s", ref, r.Status, r.Header.Get("Content-Type"))
			}
		}
		// Another format's extension does not name it.
		fails(t, e, "article_publish", map[string]any{"content": "x", "images": []any{uuid + ".gif"}}, tok, 400)

		// An id issued in the old shape, a bare uuid, before the change.
		old := "0b8f6a9e-1c2d-4e3f-8a7b-6c5d4e3f2a1b"
		var userID int64
		if err := e.App.DB.QueryRow(t.Context(), "SELECT id FROM users WHERE uid = ?", uid).Scan(&userID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.DB.Exec(t.Context(), "INSERT INTO media (id, owner_id, status, created_at) VALUES (?, ?, 'issued', ?)",
			old, userID, e.Clock.Now().UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if got := uploadOK(t, e, old, &file{"c.gif", "image/gif", mediatest.GIF(2, 2)}); got != old+".gif" {
			t.Fatalf("an old-shape id: media id %q", got)
		}
		ok(t, e, "article_publish", map[string]any{"content": "old", "images": []any{old, old + ".jpg", old + ".gif", old + ".gif.jpg"}}, tok)
		if got := list(t, ok(t, e, "my_article_list", nil, tok), "my_article_list")[0]["images"].([]any); len(got) != 4 || got[0] != old+".gif" || got[3] != old+".gif" {
			t.Fatalf("old-shape images stored = %v", got)
		}
	})
}

// The app shows every image from <media host>/yuanyi-media/<id>: plaza
// serves that path as /media/{id}, for every form the app builds.
func TestYuanyiMediaPath(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		tok, _ := signup(t, e, "18682222222")
		issued := mediaID(t, e, tok)
		uuid := strings.TrimSuffix(issued, ".jpeg")
		png := mediatest.PNG(5, 4)
		final := uploadOK(t, e, issued, &file{"a.jpg", "", png})
		for _, ref := range []string{uuid, uuid + ".jpg", final, final + ".jpg", issued, issued + ".jpg"} {
			want := e.Do("GET", "/media/"+ref, nil)
			res := e.Do("GET", "/yuanyi-media/"+ref, nil)
			if res.Status != 200 || !bytes.Equal(res.Body, png) {
				t.Fatalf("GET /yuanyi-media/%s: %d", ref, res.Status)
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "ETag", "X-Content-Type-Options", "Last-Modified", "Accept-Ranges"} {
				if res.Header.Get(h) == "" || res.Header.Get(h) != want.Header.Get(h) {
					t.Fatalf("/yuanyi-media/%s %s: %q, /media/ says %q", ref, h, res.Header.Get(h), want.Header.Get(h))
				}
			}
			if res.Header.Get("ETag") != `"`+final+`"` {
				t.Fatalf("ETag %q", res.Header.Get("ETag"))
			}
		}
		if r := e.Do("GET", "/yuanyi-media/"+issued, nil, "If-None-Match", `"`+final+`"`); r.Status != 304 {
			t.Fatalf("If-None-Match: %d", r.Status)
		}
		if r := e.Do("GET", "/yuanyi-media/"+uuid+".jpg", nil, "Range", "bytes=1-4"); r.Status != 206 || !bytes.Equal(r.Body, png[1:5]) {
			t.Fatalf("Range: %d", r.Status)
		}
		if r := e.Do("HEAD", "/yuanyi-media/"+final, nil); r.Status != 200 || r.Header.Get("Content-Length") != fmt.Sprint(len(png)) {
			t.Fatalf("HEAD: %d", r.Status)
		}
		pending := mediaID(t, e, tok)
		for _, path := range []string{
			"/yuanyi-media/" + pending, "/yuanyi-media/" + uuid + ".gif", "/yuanyi-media/e4cbdd56-855a-11ee-bcb6-5785abdd6148.jpeg",
			"/yuanyi-media/garbage", "/yuanyi-media/..%2Fplaza.db", "/yuanyi-media/",
		} {
			if r := e.Do("GET", path, nil); r.Status != 404 {
				t.Fatalf("GET %s: %d", path, r.Status)
			}
		}
	})
}
