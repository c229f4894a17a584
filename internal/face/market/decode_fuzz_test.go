package market

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// FuzzMarketDecode: the face's readers of its query (pageNo, choice) and
// its page links read any request without a panic: a page whose offset
// stays within the bounds the lists read (or "last"), a filter that is 0,
// 1 or none, DRF's errors otherwise; a page link is an absolute URL of
// the same path that carries the page asked for.
func FuzzMarketDecode(f *testing.F) {
	for _, q := range []string{
		"", "page=2", "page=last", "page=0", "page=-1", "page=abc", "page=501", "page=502", "page=9223372036854775807",
		"_type=0", "_type=1", "_type=2", "_type=", "status=1&_type=0&name=可乐", "page=1&page=2", "_type=0&_type=1",
		"name=%E5%8F%AF&page=%32",
	} {
		f.Add(q, 3)
	}
	f.Fuzz(func(t *testing.T, query string, no int) {
		vals, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		m := map[string]any{}
		for k, vs := range vals {
			if len(vs) == 1 {
				m[k] = vs[0]
			} else {
				l := make([]any, len(vs))
				for i, v := range vs {
					l[i] = v
				}
				m[k] = l
			}
		}
		if httpx.CheckText(m) != nil {
			return
		}
		p := httpx.NewParams(m)
		if n, err := pageNo(p); err != nil {
			if !errors.Is(err, errInvalidPage) {
				t.Fatalf("pageNo of %q: %v", query, err)
			}
		} else if n < 0 || n > maxOffset/pageSize+1 || (n-1)*pageSize > maxOffset {
			t.Fatalf("pageNo of %q = %d", query, n)
		}
		for _, name := range []string{"_type", "status"} {
			c, err := choice(p, name)
			if err != nil {
				var e *errs.Error
				if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != name {
					t.Fatalf("choice(%s) of %q: %v", name, query, err)
				}
			} else if c != nil && *c != 0 && *c != 1 {
				t.Fatalf("choice(%s) of %q = %d", name, query, *c)
			}
		}
		r := httptest.NewRequest("GET", "/market/exchange_products/", nil)
		r.URL.RawQuery = query
		fc := &face{}
		link := fc.pageURL(r, no)
		u, err := url.Parse(*link)
		if err != nil || !u.IsAbs() || u.Path != r.URL.Path {
			t.Fatalf("page link %q of %q: %v", *link, query, err)
		}
		if got := u.Query().Get("page"); (no == 1 && got != "") || (no != 1 && got != strconv.Itoa(no)) {
			t.Fatalf("page link %q of %q for page %d", *link, query, no)
		}
	})
}
