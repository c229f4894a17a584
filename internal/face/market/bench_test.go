package market_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// The market face's load figures (the lead measures them on a quiet
// machine; none are recorded here):
//
//	go test -run '^$' -bench . -benchtime 10s ./internal/face/market/
//	PLAZA_TEST_DATABASE_URL=postgres://... go test -run '^$' -bench . ./internal/face/market/
//
// Each runs through the whole stack (HTTP, edge middleware, token check,
// JSON) from 64 connections (b.SetParallelism over GOMAXPROCS).

func benchEngine() storetest.Engine {
	if os.Getenv("PLAZA_TEST_DATABASE_URL") != "" {
		return storetest.Engine{Name: "postgres", Open: storetest.OpenPostgres}
	}
	return storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}
}

func parallel64(b *testing.B, url, token, prefix string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	procs := max(1, 64/max(1, testingProcs()))
	b.SetParallelism(procs)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			if token != "" {
				req.Header.Set("Authorization", "Token "+token)
			}
			r, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if !strings.HasPrefix(string(body), prefix) {
				b.Fatalf("answer %d %s", r.StatusCode, body)
			}
		}
	})
}

// BenchmarkPurchase buys a 1-diamond product with unlimited stock from 64
// connections of 64 users (one unit each: product row, wallet, order).
func BenchmarkPurchase(b *testing.B) {
	e := plazatest.New(b, benchEngine(), with(testOTP, "PLAZA_LOG_LEVEL", "error"))
	p := product(b, e, "Tea", 1, "", nil)
	// One user per connection would need 64 test numbers; 32 users share.
	users := make([]user, 32)
	for i := range users {
		users[i] = newUser(b, e, i, "U")
		users[i].grant(b, 1<<40)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	b.SetParallelism(max(1, 64/testingProcs()))
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		u := users[(next.Add(1)-1)%int64(len(users))]
		for pb.Next() {
			req, _ := http.NewRequest("GET", e.URL+"/market/exchange_products/purchase/"+id(p)+"/", nil)
			req.Header.Set("Authorization", "Token "+u.token)
			r, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != 200 {
				b.Fatalf("purchase %d %s", r.StatusCode, body)
			}
		}
	})
	b.StopTimer()
	// Every purchase acknowledged is one order and one balanced debit.
	var orders int
	if err := e.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM exchange_orders").Scan(&orders); err != nil {
		b.Fatal(err)
	}
	if orders != b.N {
		b.Fatalf("%d purchases, %d orders", b.N, orders)
	}
	if rep, err := wallet.Verify(context.Background(), e.App.DB); err != nil || !rep.OK() {
		b.Fatalf("ledger verify after the run: %v %+v", err, rep)
	}
}

// BenchmarkExchangeProducts serves the first page of 20 products.
func BenchmarkExchangeProducts(b *testing.B) {
	e := plazatest.New(b, benchEngine(), with(testOTP, "PLAZA_LOG_LEVEL", "error"))
	for i := 0; i < 30; i++ {
		product(b, e, "P", 10, "avatar", nil)
	}
	parallel64(b, e.URL+"/market/exchange_products/", "", `{"count":30`)
}

// BenchmarkBareHandler is the yardstick: the same page's bytes from a bare
// net/http handler, through the same client.
func BenchmarkBareHandler(b *testing.B) {
	e := plazatest.New(b, benchEngine(), with(testOTP, "PLAZA_LOG_LEVEL", "error"))
	for i := 0; i < 30; i++ {
		product(b, e, "P", 10, "avatar", nil)
	}
	page := e.Do("GET", "/market/exchange_products/", nil).Body
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(page)
	}))
	b.Cleanup(srv.Close)
	parallel64(b, srv.URL, "", `{"count":30`)
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func testingProcs() int { return runtime.GOMAXPROCS(0) }
