package yuanyi

import "plaza/internal/httpx"

// mediaMethods are the media functions of the face (to come).
func (f *face) mediaMethods() map[string]method { return nil }

// routeUploads registers the upload endpoint (to come).
func (f *face) routeUploads(rt *httpx.Router) {}
