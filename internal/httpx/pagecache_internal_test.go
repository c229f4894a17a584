package httpx

import (
	"strconv"
	"strings"
	"testing"
)

// The page cache is bounded in bytes as well as in pages: long query
// strings (any parameter is part of the key, up to a header's size) and
// big pages cannot make it hold more than maxCachedBytes.
func TestPageCacheBoundedInBytes(t *testing.T) {
	var c PageCache
	body := make([]byte, 200<<10) // one backing array: the test itself stays small
	pad := strings.Repeat("x", 64<<10)
	for i := 0; i < 2*maxCachedPages; i++ {
		key := "http://h/market/exchange_products/?q=" + strconv.Itoa(i) + pad
		c.Put(key, 1, body)
		if b, ok := c.Get(key, 1); ok && len(b) != len(body) {
			t.Fatalf("entry %d: %d bytes back", i, len(b))
		}
		held := 0
		for k, p := range c.m {
			held += len(k) + len(p.body)
		}
		if held > maxCachedBytes || held != c.bytes {
			t.Fatalf("after %d puts the cache holds %d bytes (counted %d), the bound is %d", i+1, held, c.bytes, maxCachedBytes)
		}
	}
	// An answer too big to keep is not kept; a small one is, again and again.
	c.Put("big", 1, make([]byte, maxCachedEntry))
	if _, ok := c.Get("big", 1); ok {
		t.Fatal("an answer past maxCachedEntry was kept")
	}
	for gen := uint64(1); gen < 100; gen++ {
		c.Put("small", gen, []byte("{}"))
	}
	if b, ok := c.Get("small", 99); !ok || string(b) != "{}" || c.bytes > maxCachedBytes {
		t.Fatalf("small entry %q %v, %d bytes", b, ok, c.bytes)
	}
}
