package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/media"
	"plaza/internal/media/mediatest"
	storage "plaza/internal/provider/media"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// flaky is local storage whose Put can be made to fail.
type flaky struct {
	*storage.Local
	mu   sync.Mutex
	fail bool
}

func (f *flaky) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	f.mu.Lock()
	fail := f.fail
	f.mu.Unlock()
	if fail {
		return errors.New("disk on fire")
	}
	return f.Local.Put(ctx, key, r, size, ct)
}

type env struct {
	svc   *media.Service
	db    *store.DB
	clock *clock.Fake
	st    *flaky
	user  int64
	other int64
}

func setup(t testing.TB, db *store.DB, cfg media.Config) *env {
	e := &env{db: db, clock: clock.NewFake(start), st: &flaky{Local: storage.NewLocal(filepath.Join(t.TempDir(), "media"))}}
	e.svc = media.New(db, e.clock, e.st, cfg)
	e.user = newUser(t, db, "a")
	e.other = newUser(t, db, "b")
	return e
}

func newUser(t testing.TB, db *store.DB, name string) int64 {
	var id int64
	err := db.QueryRowWrite(context.Background(), "INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id",
		"open-"+name, "uid-"+name).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) upload(t *testing.T, data []byte, ct string) media.Media {
	t.Helper()
	id, err := e.svc.Issue(context.Background(), e.user)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.Upload(context.Background(), id, bytes.NewReader(data), ct)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return m
}

func refused(t *testing.T, err error, kind errs.Kind, what string) {
	t.Helper()
	if !errs.Is(err, kind) || errs.ReasonOf(err) != media.Reason {
		t.Fatalf("%s: got %v, want %s with reason %q", what, err, kind, media.Reason)
	}
}

func TestIssueUploadServe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{})
		ctx := context.Background()
		for _, c := range []struct {
			name, ext, ct string
			data          []byte
			w, h          int
		}{
			{"png", "png", "image/png", mediatest.PNG(3, 2), 3, 2},
			{"jpeg", "jpeg", "image/jpeg", mediatest.JPEG(4, 5), 4, 5},
			{"gif", "gif", "image/gif", mediatest.GIF(2, 2), 2, 2},
			{"webp", "webp", "image/webp", mediatest.WebP(), 1, 1},
		} {
			id, err := e.svc.Issue(ctx, e.user)
			if err != nil {
				t.Fatal(err)
			}
			if len(id) != 41 || !strings.HasSuffix(id, ".jpeg") || strings.Count(id, "-") != 4 {
				t.Fatalf("issued %q, want <uuid>.jpeg", id)
			}
			m, err := e.svc.Upload(ctx, id, bytes.NewReader(c.data), "")
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if m.ID != strings.TrimSuffix(id, ".jpeg")+"."+c.ext || m.Ext != c.ext || m.ContentType != c.ct || m.Size != int64(len(c.data)) ||
				m.Width != c.w || m.Height != c.h || m.OwnerID != e.user || m.Status != media.Uploaded || !m.UploadedAt.Equal(start) {
				t.Fatalf("%s: %+v", c.name, m)
			}
			got, o, err := e.svc.Open(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(o)
			o.Close()
			if !bytes.Equal(b, c.data) || got.ID != m.ID {
				t.Fatalf("%s: read back differs", c.name)
			}
			if e.svc.URL(m.ID) != "/media/"+m.ID {
				t.Fatalf("url %s", e.svc.URL(m.ID))
			}
		}
	})
}

func TestResolveForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{})
		ctx := context.Background()
		png := e.upload(t, mediatest.PNG(1, 1), "image/png")
		jpg := e.upload(t, mediatest.JPEG(1, 1), "image/jpeg")
		u, j := png.UUID, jpg.UUID
		issued, _ := e.svc.Issue(ctx, e.user)
		for _, c := range []struct {
			ref, want string
			kind      errs.Kind
		}{
			{u, png.ID, 0},
			{u + ".png", png.ID, 0},
			{u + ".jpg", png.ID, 0}, // the client's issued id + ".jpg"
			{u + ".png.jpg", png.ID, 0},
			{strings.ToUpper(u) + ".PNG", png.ID, 0},
			{" " + u + ".png ", png.ID, 0},
			{j, jpg.ID, 0},
			{j + ".jpeg", jpg.ID, 0},
			{j + ".jpg", jpg.ID, 0},
			{j + ".jpeg.jpg", jpg.ID, 0},
			{j + ".jpg.jpg", jpg.ID, 0},
			{u + ".jpeg", png.ID, 0},     // the issued id names the media whatever its format
			{u + ".jpeg.jpg", png.ID, 0}, // the issued id + ".jpg"
			{u + ".jpg.jpg", png.ID, 0},
			{u + ".gif", "", errs.NotFound}, // another format
			{u + ".gif.jpg", "", errs.NotFound},
			{j + ".png", "", errs.NotFound},
			{issued, "", errs.NotFound},                                      // issued, not uploaded
			{issued + ".jpg", "", errs.NotFound},                             // ditto
			{strings.TrimSuffix(issued, ".jpeg"), "", errs.NotFound},         // ditto
			{"e4cbdd56-855a-11ee-bcb6-5785abdd6148.jpeg", "", errs.NotFound}, // never issued
			{"", "", errs.Invalid},
			{"image_id", "", errs.Invalid},
			{u + ".png.png", "", errs.Invalid},
			{u + ".txt", "", errs.Invalid},
			{u + ".", "", errs.Invalid},
			{u + "x", "", errs.Invalid},
			{u + ".png.jpg.jpg", "", errs.Invalid},
			{"../" + u + ".png", "", errs.Invalid},
			{u[:35], "", errs.Invalid},
		} {
			got, err := e.svc.Resolve(ctx, c.ref)
			if c.kind == 0 {
				if err != nil || got != c.want {
					t.Fatalf("Resolve(%q) = %q, %v; want %q", c.ref, got, err, c.want)
				}
				continue
			}
			refused(t, err, c.kind, "Resolve("+c.ref+")")
		}
		all, err := e.svc.ResolveAll(ctx, []string{u + ".png.jpg", j, u})
		if err != nil || len(all) != 3 || all[0] != png.ID || all[1] != jpg.ID || all[2] != png.ID {
			t.Fatalf("ResolveAll = %v, %v", all, err)
		}
		if all, err := e.svc.ResolveAll(ctx, nil); err != nil || len(all) != 0 {
			t.Fatalf("ResolveAll(nil) = %v, %v", all, err)
		}
		_, err = e.svc.ResolveAll(ctx, []string{u, issued})
		refused(t, err, errs.NotFound, "ResolveAll with an issued id")
		_, err = e.svc.ResolveAll(ctx, []string{u, "nope"})
		refused(t, err, errs.Invalid, "ResolveAll with garbage")
	})
}

func TestUploadRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{MaxSize: 2000, IssueTTL: time.Hour})
		ctx := context.Background()
		png := mediatest.PNG(2, 2)
		id, _ := e.svc.Issue(ctx, e.user)

		_, err := e.svc.Upload(ctx, id, strings.NewReader("not an image at all"), "")
		refused(t, err, errs.Invalid, "garbage")
		_, err = e.svc.Upload(ctx, id, bytes.NewReader(png[:20]), "")
		refused(t, err, errs.Invalid, "a cut PNG")
		_, err = e.svc.Upload(ctx, id, bytes.NewReader(nil), "")
		refused(t, err, errs.Invalid, "empty")
		_, err = e.svc.Upload(ctx, id, nil, "")
		refused(t, err, errs.Invalid, "no file")
		_, err = e.svc.Upload(ctx, id, bytes.NewReader(png), "image/jpeg")
		refused(t, err, errs.Invalid, "PNG declared as JPEG")
		_, err = e.svc.Upload(ctx, id, bytes.NewReader(png), "text/plain")
		refused(t, err, errs.Invalid, "PNG declared as text")
		big := append(append([]byte{}, png...), make([]byte, 2000)...) // a PNG with trailing bytes past the limit
		_, err = e.svc.Upload(ctx, id, bytes.NewReader(big), "")
		refused(t, err, errs.Invalid, "too large")
		if !strings.Contains(errs.Message(err), "2000 bytes") {
			t.Fatalf("size message: %v", err)
		}
		// A 20000 × 20000 GIF header claims 400 million pixels.
		huge := []byte("GIF89a\x20\x4e\x20\x4e\x00\x00\x00")
		_, err = e.svc.Upload(ctx, id, bytes.NewReader(huge), "")
		refused(t, err, errs.Invalid, "too many pixels")
		_, err = e.svc.Upload(ctx, "not-an-id", bytes.NewReader(png), "")
		refused(t, err, errs.Invalid, "malformed id")
		_, err = e.svc.Upload(ctx, "e4cbdd56-855a-11ee-bcb6-5785abdd6148", bytes.NewReader(png), "")
		refused(t, err, errs.NotFound, "unknown id")

		// After all those refusals the id still works, with an accepted
		// declaration (and an extension the client added).
		m, err := e.svc.Upload(ctx, id+".jpg", bytes.NewReader(png), "image/x-png; name=a.jpg")
		if err != nil || m.Ext != "png" {
			t.Fatalf("upload after refusals: %+v %v", m, err)
		}
		_, err = e.svc.Upload(ctx, id, bytes.NewReader(png), "")
		refused(t, err, errs.Conflict, "second upload")

		// Expiry: an id is good for the TTL, not a millisecond more.
		late, _ := e.svc.Issue(ctx, e.user)
		e.clock.Advance(time.Hour - time.Millisecond)
		if _, err := e.svc.Upload(ctx, late, bytes.NewReader(png), "application/octet-stream"); err != nil {
			t.Fatalf("upload just in time: %v", err)
		}
		late, _ = e.svc.Issue(ctx, e.user)
		e.clock.Advance(time.Hour)
		_, err = e.svc.Upload(ctx, late, bytes.NewReader(png), "")
		refused(t, err, errs.Expired, "expired id")
	})
}

func TestIgnoreDeclaredType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{IgnoreDeclaredType: true})
		ctx := context.Background()
		id, _ := e.svc.Issue(ctx, e.user)
		m, err := e.svc.Upload(ctx, id, bytes.NewReader(mediatest.PNG(1, 1)), "image/jpeg")
		if err != nil || m.ContentType != "image/png" {
			t.Fatalf("PNG declared as JPEG, types ignored: %+v %v", m, err)
		}
		id, _ = e.svc.Issue(ctx, e.user)
		_, err = e.svc.Upload(ctx, id, strings.NewReader("still not an image"), "image/jpeg")
		refused(t, err, errs.Invalid, "garbage with types ignored")
	})
}

func TestStorageFailureReleasesTheID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{})
		ctx := context.Background()
		id, _ := e.svc.Issue(ctx, e.user)
		e.st.fail = true
		_, err := e.svc.Upload(ctx, id, bytes.NewReader(mediatest.GIF(1, 1)), "")
		if errs.KindOf(err) != errs.Internal {
			t.Fatalf("upload to failing storage: %v", err)
		}
		if _, err := e.svc.Resolve(ctx, id); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a failed upload resolves: %v", err)
		}
		e.st.fail = false
		m, err := e.svc.Upload(ctx, id, bytes.NewReader(mediatest.GIF(1, 1)), "")
		if err != nil || m.Ext != "gif" {
			t.Fatalf("retry: %+v %v", m, err)
		}
	})
}

func TestPendingCapSaveAndSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{MaxPending: 3})
		ctx := context.Background()
		var ids []string
		for i := 0; i < 3; i++ {
			id, err := e.svc.Issue(ctx, e.user)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		// A limit, not a bad media: RateLimited without the media reason
		// (the faces answer "too frequent").
		if _, err := e.svc.Issue(ctx, e.user); !errs.Is(err, errs.RateLimited) || errs.ReasonOf(err) != (errs.Reason{}) {
			t.Fatalf("fourth pending id: got %v, want rate_limited without a reason", err)
		}
		if _, err := e.svc.Issue(ctx, e.other); err != nil {
			t.Fatalf("another user's cap: %v", err)
		}
		if _, err := e.svc.Issue(ctx, 0); !errs.Is(err, errs.Invalid) {
			t.Fatalf("issue to nobody: %v", err)
		}
		if _, err := e.svc.Issue(ctx, 999999); !errs.Is(err, errs.NotFound) {
			t.Fatalf("issue to an unknown user: %v", err)
		}
		// An upload frees a place.
		if _, err := e.svc.Upload(ctx, ids[0], bytes.NewReader(mediatest.PNG(1, 1)), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Issue(ctx, e.user); err != nil {
			t.Fatalf("issue after an upload: %v", err)
		}
		// Save issues and uploads at once, and leaves nothing behind when refused.
		m, err := e.svc.Save(ctx, e.other, bytes.NewReader(mediatest.JPEG(2, 2)), "image/jpeg")
		if err != nil || m.Ext != "jpeg" || m.OwnerID != e.other {
			t.Fatalf("save: %+v %v", m, err)
		}
		if _, err := e.svc.Save(ctx, e.other, strings.NewReader("nope"), ""); !errs.Is(err, errs.Invalid) {
			t.Fatalf("save garbage: %v", err)
		}
		if _, err := e.svc.Save(ctx, e.other, bytes.NewReader(mediatest.PNG(1, 1)), "image/gif"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("save mismatched: %v", err)
		}
		if n, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM media WHERE owner_id = ?", e.other); n != 2 {
			t.Fatalf("other's rows: %d", n) // one pending issue, one saved
		}

		// A crash while storing leaves a "storing" row: the sweep removes
		// it and its object after the TTL, with the expired issued ids.
		issued, _ := e.svc.Issue(ctx, e.other)
		stuck := strings.TrimSuffix(issued, ".jpeg") // the row's key
		if _, err := db.Exec(ctx, "UPDATE media SET status = 'storing', ext = 'png', uploaded_at = ? WHERE id = ?", start.UnixMilli(), stuck); err != nil {
			t.Fatal(err)
		}
		if err := e.st.Local.Put(ctx, stuck+".png", bytes.NewReader([]byte("x")), 1, "image/png"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM media"); n != 7 {
			t.Fatalf("sweep removed live rows: %d left", n)
		}
		e.clock.Advance(time.Hour)
		if err := e.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM media"); n != 2 {
			t.Fatalf("after the sweep: %d rows, want the 2 uploaded", n)
		}
		if _, err := e.st.Local.Open(ctx, stuck+".png"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the stuck upload's object survived: %v", err)
		}
		if _, err := e.svc.Resolve(ctx, m.ID); err != nil {
			t.Fatalf("the sweep lost an upload: %v", err)
		}
	})
}

func TestConcurrentUploadsOfOneID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{})
		ctx := context.Background()
		id, _ := e.svc.Issue(ctx, e.user)
		files := [][]byte{mediatest.PNG(1, 1), mediatest.JPEG(1, 1), mediatest.GIF(1, 1), mediatest.WebP(), mediatest.PNG(2, 2), mediatest.JPEG(2, 2)}
		var wg sync.WaitGroup
		results := make([]error, len(files))
		for i, f := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = e.svc.Upload(ctx, id, bytes.NewReader(f), "")
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case errs.Is(err, errs.Conflict):
			default:
				t.Fatalf("concurrent upload: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d uploads of one id succeeded", won)
		}
	})
}

func TestSaveUnowned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, media.Config{MaxPending: 1})
		ctx := context.Background()
		for i := 0; i < 3; i++ { // no owner, no cap
			m, err := e.svc.SaveUnowned(ctx, bytes.NewReader(mediatest.PNG(2, 3)), "image/png")
			if err != nil || m.Ext != "png" || m.OwnerID != 0 || m.Status != media.Uploaded || m.Width != 2 {
				t.Fatalf("save unowned %d: %+v %v", i, m, err)
			}
			if id, err := e.svc.Resolve(ctx, m.ID); err != nil || id != m.ID {
				t.Fatalf("resolve %s: %q %v", m.ID, id, err)
			}
		}
		_, err := e.svc.SaveUnowned(ctx, strings.NewReader("not an image"), "image/png")
		refused(t, err, errs.Invalid, "save unowned text")
	})
}
