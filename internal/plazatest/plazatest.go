// Package plazatest starts a whole plaza for HTTP tests: the real handler
// stack on a real database (SQLite always, PostgreSQL when
// PLAZA_TEST_DATABASE_URL is set), with a settable clock.
package plazatest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/config"
	"plaza/internal/server"
	"plaza/internal/store/storetest"
)

// Env is a running plaza.
type Env struct {
	T     testing.TB
	App   *server.App
	URL   string
	Clock *clock.Fake
	Data  string
}

// Start is the clock's starting time in tests.
var Start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// TestHasher is a cheap argon2id for tests.
var TestHasher = account.NewHasher(account.Argon2Params{Memory: 64, Time: 1, Threads: 1})

// Each runs fn on a fresh plaza on every engine. env sets extra settings
// (PLAZA_* variables).
func Each(t *testing.T, env map[string]string, fn func(t *testing.T, e *Env)) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			fn(t, New(t, eng, env))
		})
	}
}

// New starts plaza on engine eng.
func New(t testing.TB, eng storetest.Engine, env map[string]string) *Env {
	t.Helper()
	return NewLogged(t, eng, env, nil)
}

// NewLogged is New with the server's log going to log (nil: discarded).
func NewLogged(t testing.TB, eng storetest.Engine, env map[string]string, log *slog.Logger) *Env {
	t.Helper()
	data := t.TempDir()
	vars := map[string]string{"PLAZA_DATA": data}
	if eng.Name == "postgres" {
		db, o := eng.Open(t)
		db.Close()
		vars["PLAZA_DATABASE_URL"] = o.URL
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load("plaza serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	clk := clock.NewFake(Start)
	app, err := server.New(context.Background(), cfg, server.Options{Clock: clk, Hasher: TestHasher, Log: log})
	if err != nil {
		t.Fatalf("start plaza: %v", err)
	}
	srv := httptest.NewServer(app.Handler())
	// The push delivery worker runs as under plaza serve (its retries wait
	// for the fake clock); Env.DeliverPushes waits for what is due.
	workers, stop := context.WithCancel(context.Background())
	delivering := make(chan struct{})
	go func() { app.RunPushDelivery(workers); close(delivering) }()
	t.Cleanup(func() {
		stop()
		<-delivering
		srv.Close()
		app.Close()
	})
	return &Env{T: t, App: app, URL: srv.URL, Clock: clk, Data: data}
}

// Response is an answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r Response) JSON() map[string]any {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil
	}
	return m
}

// Do sends a request. body: nil, a string (sent as is) or a value (sent
// as JSON). headers alternate name, value.
func (e *Env) Do(method, path string, body any, headers ...string) Response {
	e.T.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
		ct = "application/json"
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
		ct = "application/json; charset=utf-8"
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// DeliverPushes sends every push delivery due now (at the fake clock's
// time), after the worker's batch under way, if any.
func (e *Env) DeliverPushes() {
	e.T.Helper()
	if _, err := e.App.Notify.DeliverDue(context.Background()); err != nil {
		e.T.Fatalf("deliver pushes: %v", err)
	}
}

// Outbox returns the lines of an outbox file ("sms", "mail", "push").
func (e *Env) Outbox(name string) []map[string]any {
	e.T.Helper()
	f, err := os.Open(filepath.Join(e.Data, "outbox", name+".jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		e.T.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			e.T.Fatalf("outbox %s: %v", name, err)
		}
		out = append(out, m)
	}
	return out
}

// LastCode returns the newest code sent to "to" (SMS: area+number digits;
// mail: the address) through the outboxes.
func (e *Env) LastCode(to string) string {
	e.T.Helper()
	box := "sms"
	if strings.Contains(to, "@") {
		box = "mail"
	}
	lines := e.Outbox(box)
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i]["to"] == to {
			return lines[i]["code"].(string)
		}
	}
	e.T.Fatalf("no code was sent to %s", to)
	return ""
}
