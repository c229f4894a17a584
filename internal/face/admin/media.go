package admin

import (
	"errors"
	"mime"
	"net/http"

	"plaza/internal/admins"
	"plaza/internal/errs"
)

// multipartSlack is what a multipart body may hold beyond its file.
const multipartSlack = 64 << 10

type mediaBody struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// uploadMedia takes a multipart body with one image under "file" and
// stores it through the media core (no owner): the id it answers goes in
// an image field of a collection (avatar, image, logo...).
func (f *face) uploadMedia(r *http.Request, _ admins.Admin) (int, any, error) {
	if f.Media == nil {
		return 0, nil, errs.E(errs.Unavailable, "media uploads are not configured")
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		return 0, nil, errs.E(errs.Invalid, "send multipart/form-data with a file field")
	}
	limit := f.Media.MaxSize() + multipartSlack
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	if err := r.ParseMultipartForm(limit); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, nil, f.Media.TooLarge()
		}
		return 0, nil, errs.E(errs.Invalid, "malformed multipart body")
	}
	defer r.MultipartForm.RemoveAll()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return 0, nil, errs.InvalidField("file", "file is required")
	}
	defer file.Close()
	m, err := f.Media.SaveUnowned(r.Context(), file, hdr.Header.Get("Content-Type"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, mediaBody{ID: m.ID, URL: f.Media.URL(m.ID)}, nil
}
