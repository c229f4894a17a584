package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
)

// BenchmarkPersonalInfo serves GET /api/personal/info through the whole
// stack (HTTP, edge middleware, token check on SQLite, JSON).
//
//	go test -run '^$' -bench PersonalInfo -cpuprofile cpu.out ./internal/server/
func BenchmarkPersonalInfo(b *testing.B) {
	e := plazatest.New(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite},
		map[string]string{"PLAZA_SMS_TEST_OTP": "8613800138000=246810", "PLAZA_LOG_LEVEL": "error"})
	res := e.Do("POST", "/api/auth/register", map[string]any{"account": "13800138000", "code": "246810", "password": "secret123"})
	tok := res.JSON()["data"].(map[string]any)["access_token"].(string)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", e.URL+"/api/personal/info", nil)
			req.Header.Set("Authorization", "Token "+tok)
			r, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if !strings.HasPrefix(string(body), `{"code":0`) {
				b.Fatalf("answer %s", body)
			}
		}
	})
}
