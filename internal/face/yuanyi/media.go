package yuanyi

import (
	"errors"
	"mime"
	"net/http"

	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// mediaMethods are the media functions of the face.
func (f *face) mediaMethods() map[string]method {
	return map[string]method{
		"get_media_id": {required, f.getMediaID},
	}
}

var errNoMedia = errs.E(errs.RateLimited, "media service unavailable")

// getMediaID reserves an id for the file the client is about to upload:
// {"media_id": "<uuid>.jpeg"}.
func (f *face) getMediaID(c *call) (result, error) {
	if f.Media == nil {
		return nil, errNoMedia
	}
	id, err := f.Media.Issue(c.r.Context(), c.user.ID)
	if err != nil {
		return nil, err
	}
	return result{"media_id": id}, nil
}

// routeUploads registers POST {Path}upload: multipart with "file" and
// "media_id" (from get_media_id). The client sends neither token nor
// signature: the issued id, good once and for a while, is the permission.
func (f *face) routeUploads(rt *httpx.Router) {
	rt.Handle("POST "+f.Config.Path+"upload", http.HandlerFunc(f.upload))
}

// multipartSlack is room in an upload's body for what surrounds the file.
const multipartSlack = 64 << 10

// upload answers {"code": 0, "media_id": "<uuid>.<ext>", "url": "..."}.
func (f *face) upload(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			f.Log.Error("panic in yuanyi upload", "request_id", httpx.InfoFrom(r.Context()).ID, "panic", v)
			f.fail(w, r, errs.E(errs.Internal, "internal error"))
		}
	}()
	if f.Media == nil {
		f.fail(w, r, errNoMedia)
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		f.fail(w, r, errs.E(errs.Invalid, "send multipart/form-data with file and media_id"))
		return
	}
	limit := f.Media.MaxSize() + multipartSlack
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(limit); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			f.fail(w, r, f.Media.TooLarge())
			return
		}
		f.fail(w, r, errs.E(errs.Invalid, "malformed multipart body"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	id := r.FormValue("media_id")
	if id == "" {
		f.fail(w, r, errs.InvalidField("media_id", "media_id is required"))
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.fail(w, r, errs.InvalidField("file", "file is required"))
		return
	}
	defer file.Close()
	m, err := f.Media.Upload(r.Context(), id, file, hdr.Header.Get("Content-Type"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.answer(w, r, codeOK, "", result{"media_id": m.ID, "url": f.Media.URL(m.ID)})
}
