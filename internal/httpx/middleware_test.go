package httpx

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestRecoverAnswersThroughTheFace(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer Recover(slog.New(slog.DiscardHandler), r, func() { WriteJSON(w, 200, map[string]int{"code": -1}) })
		panic("boom")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"code":-1`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
}

func TestEdgeRequestIDsAndLastResortRecovery(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	rt := NewRouter()
	rt.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rt.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { SetCode(r, "0"); w.Write([]byte("ok")) })
	h := Edge(rt, log, NewMetrics(prometheus.NewRegistry()))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/panic", nil))
	if rec.Code != 500 {
		t.Fatalf("panic answered %d", rec.Code)
	}
	req := httptest.NewRequest("GET", "/ok?token=secret-token", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("X-Request-Id") != "abc-123" {
		t.Fatalf("request id %q", rec.Header().Get("X-Request-Id"))
	}
	req = httptest.NewRequest("GET", "/ok", nil)
	req.Header.Set("X-Request-Id", "bad id with spaces")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if id := rec.Header().Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
		t.Fatalf("insane id kept: %q", id)
	}
	if strings.Contains(logs.String(), "secret-token") {
		t.Fatal("a query string reached the log")
	}
	if !strings.Contains(logs.String(), `"route":"GET /ok"`) || !strings.Contains(logs.String(), `"request_id":"abc-123"`) {
		t.Fatalf("log lacks route or id: %s", logs.String())
	}
}
