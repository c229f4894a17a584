package httpx

import (
	"bytes"
	"encoding/json"
	"sync"

	"plaza/internal/errs"
)

// PageCache keeps encoded answers in memory, each under the generation of
// what it was read from (a number its owner bumps after every committed
// change of the rows): an answer is served only while the generation it
// was kept under is the current one, so the cache is exact on one node.
// Read the generation before the read whose answer is kept, so that a
// change during the read leaves the entry stale. The zero PageCache is
// ready to use.
type PageCache struct {
	mu    sync.RWMutex
	m     map[string]cachedPage
	bytes int // of the keys and bodies in m
}

type cachedPage struct {
	gen  uint64
	body []byte
}

// maxCachedPages and maxCachedBytes bound a cache: past either, it starts
// over (keys are made of what visitors send, which varies without end,
// each up to the size of a request's header). An answer bigger than
// maxCachedEntry is not kept.
const (
	maxCachedPages = 4096
	maxCachedBytes = 32 << 20
	maxCachedEntry = maxCachedBytes / 64
)

// Get returns the answer kept under key, if it was kept under gen.
func (c *PageCache) Get(key string, gen uint64) ([]byte, bool) {
	c.mu.RLock()
	p, ok := c.m[key]
	c.mu.RUnlock()
	return p.body, ok && p.gen == gen
}

// Put keeps body under key and gen.
func (c *PageCache) Put(key string, gen uint64, body []byte) {
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

// Keep returns the answer kept under key and gen, or makes it: answer's
// value, encoded (Encode) and kept under key and gen. Read gen before the
// call (before the read answer makes).
func (c *PageCache) Keep(key string, gen uint64, answer func() (any, error)) ([]byte, error) {
	if b, ok := c.Get(key, gen); ok {
		return b, nil
	}
	v, err := answer()
	if err != nil {
		return nil, err
	}
	b, err := Encode(v)
	if err != nil {
		return nil, errs.Wrap(err, "encode")
	}
	c.Put(key, gen, b)
	return b, nil
}

// Encode is v as WriteJSON writes it (no HTML escaping, a final newline),
// for an answer to keep in a PageCache and write with WriteRawJSON.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
