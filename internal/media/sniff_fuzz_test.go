package media

import (
	"bytes"
	"errors"
	"image"
	"strings"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/media/mediatest"
)

// FuzzSniff: the type check of uploads reads any bytes without a panic;
// what it accepts is an image of one of the four formats, within the pixel
// cap, that the decoders Go registers for its format read with the same
// format and size (the type it is stored and served under is the type it
// decodes as); what it refuses is Invalid with the media Reason. declared
// reads any content type without a panic.
func FuzzSniff(f *testing.F) {
	for _, b := range [][]byte{
		mediatest.PNG(3, 2), mediatest.JPEG(2, 3), mediatest.GIF(1, 1), mediatest.WebP(),
		[]byte("\x89PNG\r\n\x1a\n"), []byte("\xff\xd8\xff\xe0"), []byte("GIF89a\x00\x00\x00\x00"), []byte("RIFF\x00\x00\x00\x00WEBPVP8 "),
		[]byte("not an image"), {},
		// a PNG header claiming 2^31-1 × 2^31-1 pixels
		[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x7f\xff\xff\xff\x7f\xff\xff\xff\x08\x06\x00\x00\x00\x00\x00\x00\x00"),
	} {
		f.Add(b, "image/png")
	}
	for _, ct := range []string{"", "image/jpeg", "image/jpg", "IMAGE/PNG; charset=x", "application/octet-stream", "image/*", "text/html", "image/gif;;", "a/b; c=\"d"} {
		f.Add(mediatest.GIF(2, 2), ct)
	}
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		if d := declared(contentType); d != strings.ToLower(d) {
			t.Fatalf("declared(%q) = %q", contentType, d)
		}
		ext, cfg, err := sniff(data)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Reason != Reason {
				t.Fatalf("sniff refused with %v, want Invalid with the media reason", err)
			}
			return
		}
		if formats[ext] == "" || ContentType(ext) != formats[ext] {
			t.Fatalf("sniff accepted format %q", ext)
		}
		if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
			t.Fatalf("sniff accepted a %d × %d image", cfg.Width, cfg.Height)
		}
		got, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || format != ext || got.Width != cfg.Width || got.Height != cfg.Height {
			t.Fatalf("sniff accepted a %d × %d %s that the registered decoders read as %q %d × %d (%v)",
				cfg.Width, cfg.Height, ext, format, got.Width, got.Height, err)
		}
	})
}
