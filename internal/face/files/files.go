// Package files serves uploaded media at their stable URL, GET /media/{id},
// where id is the media id "<uuid>.<ext>" (the other references the media
// core resolves work too). Answers carry the image's content type, and
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

// Routes registers GET (and HEAD) /media/{id}.
func Routes(rt *httpx.Router, svc *media.Service, log *slog.Logger) {
	rt.Handle("GET "+Prefix+"{id}", serve(svc, log))
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
