// Package files serves uploaded media at their stable URL, GET /media/{id},
// where id is the media id "<uuid>.<ext>" (the other references the media
// core resolves work too), and at GET /yuanyi-media/{id}, the path the
// yuanyi app builds its image URLs with. Answers carry the image's content type, and
// since media never change they are cached for a year as immutable, with
// the id as ETag; ranges and conditional requests are honoured.
package files

import (
	"log/slog"
	"net/http"

	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/media"
)

// Prefix is the path of the media URLs.
const Prefix = "/media/"

// YuanyiPrefix is the path the yuanyi app shows every image from
// (<media host>/yuanyi-media/<media id>, ".jpg" appended to an id without
// an extension); its API host served it in an earlier build.
const YuanyiPrefix = "/yuanyi-media/"

// Routes registers GET (and HEAD) /media/{id} and /yuanyi-media/{id}.
func Routes(rt *httpx.Router, svc *media.Service, log *slog.Logger) {
	h := serve(svc, log)
	rt.Handle("GET "+Prefix+"{id}", h)
	rt.Handle("GET "+YuanyiPrefix+"{id}", h)
}

func serve(svc *media.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, obj, err := svc.Open(r.Context(), r.PathValue("id"))
		if err != nil {
			switch errs.KindOf(err) {
			case errs.Invalid, errs.NotFound:
				http.Error(w, "404 media not found", http.StatusNotFound)
			default:
				log.Error("serve media", "request_id", httpx.InfoFrom(r.Context()).ID, "err", err)
				http.Error(w, "500 internal error", http.StatusInternalServerError)
			}
			return
		}
		defer obj.Close()
		h := w.Header()
		h.Set("Content-Type", m.ContentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+m.ID+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", m.UploadedAt, obj)
	})
}
