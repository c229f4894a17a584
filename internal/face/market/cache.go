package market

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"plaza/internal/errs"
)

// pageCache keeps the encoded answers of the product list (the shop's
// front page, read by every visitor) under the market core's Generation:
// an answer is served from memory only while no product has changed since
// it was read, so the cache is exact on one node; the server turns it on
// only where plaza is one node (SQLite; PLAZA_MARKET_CACHE).
type pageCache struct {
	mu    sync.RWMutex
	m     map[string]cachedPage
	bytes int // of the keys and bodies in m
}

type cachedPage struct {
	gen  uint64
	body []byte
}

// maxCachedPages and maxCachedBytes bound the cache: past either, it
// starts over (the keys are filters, pages and any other query parameter,
// which visitors vary without end, each up to the size of a request's
// header). An answer bigger than maxCachedEntry is not kept.
const (
	maxCachedPages = 4096
	maxCachedBytes = 32 << 20
	maxCachedEntry = maxCachedBytes / 64
)

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
	if b, ok := f.pages.get(key, gen); ok {
		return rawJSON(b), nil
	}
	v, err := answer()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as httpx.WriteJSON
	if err := enc.Encode(v); err != nil {
		return nil, errs.Wrap(err, "encode")
	}
	f.pages.put(key, gen, buf.Bytes())
	return rawJSON(buf.Bytes()), nil
}

func (c *pageCache) get(key string, gen uint64) ([]byte, bool) {
	c.mu.RLock()
	p, ok := c.m[key]
	c.mu.RUnlock()
	return p.body, ok && p.gen == gen
}

func (c *pageCache) put(key string, gen uint64, body []byte) {
	size := len(key) + len(body)
	if size > maxCachedEntry {
		return
	}
	c.mu.Lock()
	if old, ok := c.m[key]; ok {
		c.bytes -= len(key) + len(old.body)
		delete(c.m, key)
	}
	if c.m == nil || len(c.m) >= maxCachedPages || c.bytes+size > maxCachedBytes {
		c.m, c.bytes = make(map[string]cachedPage), 0
	}
	c.m[key] = cachedPage{gen: gen, body: body}
	c.bytes += size
	c.mu.Unlock()
}
