// Package console is the operator's web console, served at /admin/ by the
// same binary: a page shell and static ES modules and CSS embedded in the
// binary (no build step), which call the admin API under /admin/v1/ as any
// client does. Every response carries a strict Content-Security-Policy;
// pages other than /admin/login need a session (the plaza_admin cookie).
package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"plaza/internal/admins"
	"plaza/internal/httpx"
)

//go:embed static
var files embed.FS

// CSP is the Content-Security-Policy of every response of the console
// whose media are served by plaza itself. Images come from this site only
// (and data: and blob: previews of uploads): a user's avatar given as a
// URL of another host is not fetched by an operator's browser, so that
// host never learns who looked, or when.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Policy is the CSP when media links point to another origin (a CDN, a
// bucket: PLAZA_MEDIA_PUBLIC_URL): images may come from there too.
func Policy(mediaOrigin string) string {
	if mediaOrigin == "" {
		return CSP
	}
	return strings.Replace(CSP, "img-src 'self' data: blob:", "img-src 'self' data: blob: "+mediaOrigin, 1)
}

// Cookie is the name of the admin session cookie.
const Cookie = "plaza_admin"

// Sessions checks an admin session token (*admins.Service does).
type Sessions interface {
	Authenticate(ctx context.Context, token string) (admins.Admin, error)
}

// Deps are what the console's server side needs.
type Deps struct {
	Admins Sessions // checks the session cookie of a page request
	// MediaOrigin is the scheme and host of the media links when they are
	// not on this site ("https://cdn.example.com"), else "".
	MediaOrigin string
}

type asset struct {
	data []byte
	etag string
	ct   string
}

type console struct {
	Deps
	assets map[string]asset // by path under static/
	shell  asset
}

// Routes registers the console on rt: /admin/ and everything under it but
// the API's /admin/v1/.
func Routes(rt interface {
	Handle(string, http.Handler)
}, d Deps) {
	c := &console{Deps: d, assets: map[string]asset{}}
	err := fs.WalkDir(files, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if strings.HasSuffix(p, ".js") {
			ct = "text/javascript; charset=utf-8"
		}
		c.assets[strings.TrimPrefix(p, "static/")] = asset{data: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ct: ct}
		return nil
	})
	if err != nil {
		panic("console: " + err.Error())
	}
	c.shell = c.assets["index.html"]
	rt.Handle("/admin", http.RedirectHandler("/admin/", http.StatusFound))
	rt.Handle("/admin/", secure(Policy(d.MediaOrigin), http.HandlerFunc(c.serve)))
}

// pages are the paths of the console's pages (static/app.js routes them).
var pages = regexp.MustCompile(`^/admin/(|login|account|audit|admins|pushes|pushes/\d+|users|users/\d+|feedback|feedback/\d+|service|service/\d+|orders|orders/\d+|exchange-orders/[^/]+|collections/[a-z-]+|collections/[a-z-]+/(new|\d+))$`)

// secure sets the console's security headers.
func secure(csp string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

func (c *console) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if name, ok := strings.CutPrefix(p, "/admin/static/"); ok {
		a, found := c.assets[name]
		if !found || name == "index.html" {
			httpx.SetCode(r, "not_found")
			http.NotFound(w, r)
			return
		}
		c.send(w, r, a, "no-cache")
		return
	}
	if !pages.MatchString(p) {
		httpx.SetCode(r, "not_found")
		http.NotFound(w, r)
		return
	}
	if p != "/admin/login" && !c.signedIn(r) {
		next := p
		if r.URL.RawQuery != "" {
			next += "?" + r.URL.RawQuery
		}
		httpx.SetCode(r, "redirect")
		http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(next), http.StatusFound)
		return
	}
	c.send(w, r, c.shell, "no-store")
}

// signedIn tells whether the request carries a live session cookie.
func (c *console) signedIn(r *http.Request) bool {
	ck, err := r.Cookie(Cookie)
	if err != nil || ck.Value == "" || c.Admins == nil {
		return false
	}
	_, err = c.Admins.Authenticate(r.Context(), ck.Value)
	return err == nil
}

func (c *console) send(w http.ResponseWriter, r *http.Request, a asset, cache string) {
	httpx.SetCode(r, "ok")
	w.Header().Set("Content-Type", a.ct)
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}
