package market

import "net/http"

// The product list (the shop's front page, read by every visitor) is kept
// encoded in a PageCache under the market core's Generation: an answer is
// served from memory only while no product has changed since it was read,
// so the cache is exact on one node; the server turns it on only where
// plaza is one node (SQLite; PLAZA_PAGE_CACHE).

// rawJSON is an answer already encoded.
type rawJSON []byte

// key is what an answer of the list depends on: the query (filters, page)
// and where next/previous point (scheme, host, path); "" for a request
// that may carry parameters in a body, which is not cached.
func (f *face) key(r *http.Request) string {
	if f.pages == nil || r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		return ""
	}
	return f.scheme(r) + "://" + r.Host + r.URL.Path + "?" + r.URL.RawQuery
}

// cached serves the answer of the request from the cache, or makes it with
// answer and keeps it.
func (f *face) cached(r *http.Request, answer func() (any, error)) (any, error) {
	key := f.key(r)
	if key == "" {
		return answer()
	}
	gen := f.Market.Generation() // before the read: a change during it makes the entry stale
	b, err := f.pages.Keep(key, gen, answer)
	if err != nil {
		return nil, err
	}
	return rawJSON(b), nil
}
