package live

import (
	"crypto/subtle"
	"net/http"

	"plaza/internal/errs"
	liveprov "plaza/internal/provider/live"
)

// The nginx-rtmp callbacks (docs/live.md): nginx-rtmp POSTs a form
// (call, app, name, addr, ...) and admits on 2xx, refuses otherwise.
const (
	RoomOnPublishPath     = "/live/rtmp/on_publish"
	RoomOnPublishDonePath = "/live/rtmp/on_publish_done"
	RoomOnUpdatePath      = "/live/rtmp/on_update"
)

// RoomCallbackSecretMin is the shortest callback secret Routes takes.
const RoomCallbackSecretMin = 16

// maxCallbackBody bounds a callback's form.
const maxCallbackBody = 16 << 10

// Routes mounts the nginx-rtmp callbacks on rt:
//
//	POST /live/rtmp/on_publish       admits the key of an open room (the room is then publishing)
//	POST /live/rtmp/on_publish_done  the stream ended: the room closes
//	POST /live/rtmp/on_update        keeps a publisher while its room is open (403 drops it)
//
// nginx-rtmp names them with the secret as the query argument "secret"
// (on_publish http://127.0.0.1:8080/live/rtmp/on_publish?secret=...); a
// call without it, or for another application than "live", is refused
// (403). An admitted publish is answered with a redirect to the room's
// public stream name, which nginx-rtmp then publishes under (viewers play
// that name; the key stays secret). With an empty secret (or one shorter
// than RoomCallbackSecretMin) every call is refused: nobody can publish.
func (r *Rooms) Routes(rt interface{ Handle(string, http.Handler) }, secret string) {
	if len(secret) < RoomCallbackSecretMin {
		r.d.Log.Warn("live: no callback secret (live-callback-secret): the nginx-rtmp callbacks refuse every publish")
		secret = ""
	}
	rt.Handle("POST "+RoomOnPublishPath, r.callback(secret, r.onPublish))
	rt.Handle("POST "+RoomOnPublishDonePath, r.callback(secret, r.onPublishDone))
	rt.Handle("POST "+RoomOnUpdatePath, r.callback(secret, r.onUpdate))
}

// callback checks the secret and the application, and hands the form's
// call and name to h.
func (r *Rooms) callback(secret string, h func(w http.ResponseWriter, req *http.Request, call, name string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got := req.URL.Query().Get("secret")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			r.d.Log.Warn("live: an nginx-rtmp callback without the right secret", "path", req.URL.Path, "remote", req.RemoteAddr)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		req.Body = http.MaxBytesReader(w, req.Body, maxCallbackBody)
		if err := req.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if req.PostForm.Get("app") != liveprov.App {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h(w, req, req.PostForm.Get("call"), req.PostForm.Get("name"))
	})
}

func (r *Rooms) onPublish(w http.ResponseWriter, req *http.Request, call, name string) {
	if call != "" && call != "publish" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	rm, err := r.Publish(req.Context(), name)
	if err != nil {
		if errs.KindOf(err) == errs.Forbidden {
			r.d.Log.Info("live: publish refused", "addr", req.PostForm.Get("addr"))
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		r.d.Log.Error("live: on_publish", "err", err)
		http.Error(w, "error", http.StatusInternalServerError)
		return
	}
	r.d.Log.Info("live: publishing", "user", rm.UserID, "stream", rm.StreamName)
	// A local redirect of nginx-rtmp: the Location is the new stream name.
	w.Header().Set("Location", rm.StreamName)
	w.WriteHeader(http.StatusFound)
}

func (r *Rooms) onPublishDone(w http.ResponseWriter, req *http.Request, call, name string) {
	if err := r.PublishDone(req.Context(), name); err != nil {
		r.d.Log.Error("live: on_publish_done", "err", err)
		http.Error(w, "error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (r *Rooms) onUpdate(w http.ResponseWriter, req *http.Request, call, name string) {
	if call != "update_publish" {
		w.WriteHeader(http.StatusOK) // players are not ours to drop
		return
	}
	err := r.Publishing(req.Context(), name)
	switch {
	case err == nil:
		w.WriteHeader(http.StatusOK)
	case errs.KindOf(err) == errs.Forbidden:
		http.Error(w, "forbidden", http.StatusForbidden)
	default:
		// A failing database must not cut every stream: keep it.
		r.d.Log.Error("live: on_update", "err", err)
		w.WriteHeader(http.StatusOK)
	}
}
