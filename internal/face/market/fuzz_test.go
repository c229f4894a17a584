package market_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"plaza/internal/catalog"
	"plaza/internal/face/market"
	"plaza/internal/plazatest"
	"plaza/internal/wallet"
)

// marketPrefixes are the face's paths.
var marketPrefixes = []string{"/market/", "/program_face2face/market/", "/userinfo/", "/program_face2face/userinfo/"}

// FuzzMarketAPI sends any request under the face's paths through the
// real handler: no panic, no internal error, and every answer is DRF's:
// a JSON object, a 4xx error {"detail": text} or {"<field>": [texts]}.
func FuzzMarketAPI(f *testing.F) {
	z := plazatest.NewFuzz(f, nil)
	ctx := context.Background()
	for _, in := range []map[string]any{
		{"name": "可乐", "content": "可乐饮料", "image": "http://thisisimages/", "diamond": 1, "stock": 1000000},
		{"name": "Avatar", "diamond": 2, "product_type": 1, "category": map[string]any{"name": "Avatar", "style": "avatar_2", "action": "avatar"}},
	} {
		if _, err := z.App.Catalog.Create(ctx, catalog.ExchangeProducts, in); err != nil {
			f.Fatal(err)
		}
	}
	tok := z.Token(f, plazatest.FuzzPhones[0])
	u, err := z.App.Accounts.Authenticate(ctx, tok)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := z.App.Wallet.Adjust(ctx, u.ID, wallet.Diamond, 1_000_000_000, wallet.Meta{Reason: "fuzz"}); err != nil {
		f.Fatal(err)
	}
	statuses := map[int]bool{200: true, 401: true, 404: true, 405: true}
	for _, a := range market.Codes.Kinds {
		statuses[a.Status] = true
	}
	for _, a := range market.Codes.Reasons {
		statuses[a.Status] = true
	}
	for s := range statuses {
		if s >= 500 {
			delete(statuses, s)
		}
	}
	for _, s := range []struct {
		method, path string
		prefix, auth uint8
	}{
		{"GET", "exchange_products/?_type=0&name=可&page=1", 0, 0},
		{"GET", "exchange_products/?_type=1", 1, 1},
		{"GET", "exchange_products/?page=last", 0, 0},
		{"GET", "exchange_products/1/", 0, 0},
		{"GET", "exchange_products/purchase/1/", 0, 1},
		{"POST", "exchange_products/purchase/2/", 1, 1},
		{"GET", "exchange_product_order/", 0, 1},
		{"GET", "exchange_product_order/20260301100000000000000001/", 0, 1},
		{"GET", "user_products/?_type=1&status=0", 0, 1},
		{"PUT", "use_product/1/", 0, 1},
		{"GET", "unuse_product/1/", 1, 1},
		{"GET", "", 2, 1},
		{"GET", "diamond_records/?page=2", 3, 1},
		{"GET", "", 2, 2},
		{"DELETE", "exchange_products/", 0, 0},
		{"GET", "nothing/", 0, 0},
	} {
		f.Add(s.method, s.path, "", []byte(nil), s.prefix, s.auth)
	}
	f.Fuzz(func(t *testing.T, method, path, ct string, body []byte, prefix, auth uint8) {
		r, ok := plazatest.FuzzRequest(method, marketPrefixes[int(prefix)%len(marketPrefixes)]+path, ct, body)
		if !ok {
			return
		}
		switch auth % 3 {
		case 1:
			r.Header.Set("Authorization", "Token "+z.Token(t, plazatest.FuzzPhones[0]))
		case 2:
			r.Header.Set("Authorization", "Token not-a-token")
		}
		res := z.Serve(t, r)
		if plazatest.Redirected(r, res) {
			return
		}
		what := method + " " + r.URL.String()
		if !statuses[res.Status] || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: HTTP %d %s: %s", what, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(res.Body, &m) != nil || m == nil {
			t.Fatalf("%s: not a JSON object: %s", what, res.Body)
		}
		if res.Status == http.StatusOK {
			return
		}
		if len(m) != 1 {
			t.Fatalf("%s: an error of %d keys: %s", what, len(m), res.Body)
		}
		for k, v := range m {
			var detail string
			var list []string
			switch {
			case k == "detail" && json.Unmarshal(v, &detail) == nil && detail != "":
			case k != "detail" && json.Unmarshal(v, &list) == nil && len(list) > 0 && list[0] != "":
			default:
				t.Fatalf("%s: not DRF's error: %s", what, res.Body)
			}
		}
	})
}
