package media

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime"
	"strings"

	"golang.org/x/image/webp"

	"plaza/internal/errs"
)

// maxPixels caps width × height, so that no client is handed an image
// that would take gigabytes to show.
const maxPixels = 100_000_000

// formats are the accepted image formats: extension (as Go's image
// package names them) -> content type.
var formats = map[string]string{
	"jpeg": "image/jpeg",
	"png":  "image/png",
	"gif":  "image/gif",
	"webp": "image/webp",
}

// ContentType is the content type of an extension ("" when unknown).
func ContentType(ext string) string { return formats[normalExt(ext)] }

// normalExt treats "jpg" as "jpeg".
func normalExt(ext string) string {
	if ext == "jpg" {
		return "jpeg"
	}
	return ext
}

// errNotImage is the answer to bytes that are not an accepted image.
var errNotImage = &errs.Error{Kind: errs.Invalid, Reason: Reason, Field: "file", Msg: "the file is not a JPEG, PNG, GIF or WebP image"}

// sniff tells the format of b by its magic bytes and reads its header. It
// does not decode the pixels.
func sniff(b []byte) (ext string, cfg image.Config, err error) {
	r := bytes.NewReader(b)
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		ext = "jpeg"
		cfg, err = jpeg.DecodeConfig(r)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		ext = "png"
		cfg, err = png.DecodeConfig(r)
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		ext = "gif"
		cfg, err = gif.DecodeConfig(r)
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		ext = "webp"
		cfg, err = webp.DecodeConfig(r)
	default:
		return "", cfg, errNotImage
	}
	if err != nil {
		return "", cfg, errNotImage
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return "", cfg, &errs.Error{Kind: errs.Invalid, Reason: Reason, Field: "file", Msg: "the image is empty or too large in pixels"}
	}
	return ext, cfg, nil
}

// declared reads the content type a client gave its file: "" when it gave
// none that names an image format (absent, application/octet-stream,
// */*, image/*), the canonical image type otherwise, or the text as given
// for anything else (which then matches no image).
func declared(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(ct)
	}
	switch mt {
	case "application/octet-stream", "binary/octet-stream", "*/*", "image/*":
		return ""
	case "image/jpg", "image/pjpeg":
		return "image/jpeg"
	case "image/x-png":
		return "image/png"
	}
	return mt
}
