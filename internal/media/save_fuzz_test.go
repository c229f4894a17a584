package media_test

import (
	"bytes"
	"context"
	"image"
	"io"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/media"
	"plaza/internal/media/mediatest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// FuzzSaveUnowned stores any bytes with any declared type through the
// media core (SQLite, local storage): an accepted file is stored as sent,
// under the type, extension and size its bytes decode as, and served
// back the same; a refused one is Invalid with the media Reason and
// leaves no media row behind.
func FuzzSaveUnowned(f *testing.F) {
	db, _ := storetest.OpenSQLite(f)
	e := setup(f, db, media.Config{})
	for _, c := range []struct {
		data []byte
		ct   string
	}{
		{mediatest.PNG(3, 2), "image/png"}, {mediatest.JPEG(2, 3), "image/jpg"}, {mediatest.GIF(1, 1), ""}, {mediatest.WebP(), "image/webp"},
		{mediatest.PNG(1, 1), "image/jpeg"}, {mediatest.PNG(1, 1), "application/octet-stream"}, {[]byte("GIF89a"), "image/gif"},
		{[]byte("<svg/>"), "image/svg+xml"}, {nil, ""},
	} {
		f.Add(c.data, c.ct)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte, ct string) {
		before, err := store.Count(ctx, db, "SELECT COUNT(*) FROM media")
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.SaveUnowned(ctx, bytes.NewReader(data), ct)
		if err != nil {
			if !errs.Is(err, errs.Invalid) || errs.ReasonOf(err) != media.Reason {
				t.Fatalf("refused with %v, want Invalid with the media reason", err)
			}
			if after, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM media"); after != before {
				t.Fatalf("a refused file left %d media rows", after-before)
			}
			return
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || format != m.Ext || m.ContentType != media.ContentType(format) || cfg.Width != m.Width || cfg.Height != m.Height ||
			m.Size != int64(len(data)) || m.Status != media.Uploaded {
			t.Fatalf("stored %+v for bytes that decode as %q %d × %d (%v)", m, format, cfg.Width, cfg.Height, err)
		}
		got, obj, err := e.svc.Open(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		served, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(served, data) || got.ID != m.ID {
			t.Fatalf("served %d bytes of %s, sent %d (%v)", len(served), got.ID, len(data), err)
		}
	})
}
