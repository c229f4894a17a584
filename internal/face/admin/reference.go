package admin

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/face/admin/openapi"
	"plaza/internal/httpx"
)

// The admin API describes itself: its OpenAPI 3.1 document at
// /admin/v1/openapi.json (assembled at start from the fragments of
// ./openapi; a broken fragment stops the start), and a page that shows
// it to people at /admin/v1/reference.

//go:embed reference/*
var referenceFiles embed.FS

// pageHeaders are the headers of the reference page and its files.
func pageHeaders(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "public, max-age=300")
}

// docRoutes registers the document and the reference page.
func (f *face) docRoutes(rt interface {
	HandleFunc(string, http.HandlerFunc)
}) {
	doc, err := openapi.Document()
	if err != nil {
		panic("admin face: the OpenAPI document: " + err.Error())
	}
	sum := sha256.Sum256(doc)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	rt.HandleFunc("GET /admin/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetCode(r, "ok")
		h := w.Header()
		h.Set("ETag", etag)
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("X-Content-Type-Options", "nosniff")
		if match := r.Header.Get("If-None-Match"); match != "" && (match == "*" || strings.Contains(match, etag)) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	page, err := referenceFiles.ReadFile("reference/index.html")
	if err != nil {
		panic(err)
	}
	rt.HandleFunc("GET /admin/v1/reference", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetCode(r, "ok")
		pageHeaders(w, "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	types := map[string]string{"reference.js": "text/javascript; charset=utf-8", "reference.css": "text/css; charset=utf-8"}
	rt.HandleFunc("GET /admin/v1/reference/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		ct, ok := types[name]
		if !ok {
			f.fail(w, r, errs.E(errs.NotFound, "no such file: "+name))
			return
		}
		b, err := referenceFiles.ReadFile("reference/" + name)
		if err != nil {
			f.fail(w, r, errs.Wrap(err, "reference file"))
			return
		}
		httpx.SetCode(r, "ok")
		pageHeaders(w, ct)
		_, _ = w.Write(b)
	})
}
