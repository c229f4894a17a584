package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/store/storetest"
)

// syncBuffer is a concurrency-safe bytes.Buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envOf is the environment list of m.
func envOf(m map[string]string) []string {
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	return env
}

// start runs "plaza serve" until the test ends and returns its base URL.
func start(t *testing.T, vars map[string]string) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"plaza", "serve", "-addr", "127.0.0.1:0"}, envOf(vars), pw, stderr)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		cancel()
		t.Fatalf("plaza did not start: %v\n%s", <-done, stderr.String())
	}
	first := lines.Text()
	go io.Copy(io.Discard, pr)
	_, rest, ok := strings.Cut(first, "http://")
	if !ok {
		t.Fatalf("unexpected first line %q", first)
	}
	base = "http://" + strings.Fields(rest)[0]
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("plaza did not stop")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

func TestServeEndToEnd(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			vars := map[string]string{
				"PLAZA_DATA":           t.TempDir(),
				"PLAZA_SMS_TEST_OTP":   "8613800138000=246810",
				"PLAZA_ADMIN_EMAIL":    "ops@example.com",
				"PLAZA_ADMIN_PASSWORD": "ops-password",
			}
			if eng.Name == "postgres" {
				db, o := eng.Open(t)
				db.Close()
				vars["PLAZA_DATABASE_URL"] = o.URL
			}
			base, stop := start(t, vars)
			for _, p := range []string{"/healthz", "/readyz"} {
				res, err := http.Get(base + p)
				if err != nil || res.StatusCode != 200 {
					t.Fatalf("%s: %v %v", p, err, res)
				}
				res.Body.Close()
			}
			post := func(path, body string) map[string]any {
				res, err := http.Post(base+path, "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var m map[string]any
				json.NewDecoder(res.Body).Decode(&m)
				return m
			}
			r := post("/api/auth/register", `{"account":"13800138000","code":"246810","password":"secret123"}`)
			if r["code"] != float64(0) {
				t.Fatalf("register: %v", r)
			}
			if r := post("/admin/v1/login", `{"email":"ops@example.com","password":"ops-password"}`); r["token"] == nil {
				t.Fatalf("first admin missing: %v", r)
			}
			res, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(body), `plaza_http_requests_total{code="0",route="POST /api/auth/register",status="200"} 1`) {
				t.Fatalf("metrics lack the register request:\n%s", body)
			}
			if err := stop(); err != nil {
				t.Fatalf("run returned %v", err)
			}
		})
	}
}

// An in-flight request finishes when the server is told to stop.
func TestGracefulShutdown(t *testing.T) {
	base, stop := start(t, map[string]string{"PLAZA_DATA": t.TempDir()})
	// A slow upload: the request is in flight while shutdown begins.
	pr, pw := io.Pipe()
	got := make(chan int, 1)
	go func() {
		res, err := http.Post(base+"/api/auth/send_code", "application/json", pr)
		if err != nil {
			got <- -1
			return
		}
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		res.Body.Close()
		got <- int(m["code"].(float64))
	}()
	pw.Write([]byte(`{"account":`))
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(100 * time.Millisecond)
	pw.Write([]byte(`"13800138000"}`))
	pw.Close()
	if c := <-got; c != 0 {
		t.Fatalf("in-flight request answered code %d, want 0", c)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

func TestBadSettingsStopTheStart(t *testing.T) {
	cases := []struct {
		vars map[string]string
		args []string
		want string
	}{
		{map[string]string{"PLAZA_ACCESS_TTL": "forever"}, nil, "PLAZA_ACCESS_TTL"},
		{map[string]string{"PLAZA_ACCESS_TTL": "xyz"}, nil, "want a duration such as 168h"},
		{nil, []string{"-access-ttl", "xyz"}, "want a duration such as 168h"},
		{map[string]string{"PLAZA_CODE_MAX_TRIES": "many"}, nil, "want a whole number"},
		{map[string]string{"PLAZA_TRUST_PROXY": "yes please"}, nil, "want true or false"},
		{map[string]string{"PLAZA_MEDIA_MAX_SIZE": "big"}, nil, "want a size like"},
		{map[string]string{"PLAZA_SMS": "pigeon"}, nil, "sms"},
		{map[string]string{"PLAZA_SMS": "webhook"}, nil, "sms-webhook-url"},
		{map[string]string{"PLAZA_SMS": "aliyun"}, nil, "sms-aliyun-access-key-id"},
		{map[string]string{"PLAZA_SMS": "tencent", "PLAZA_SMS_TENCENT_SECRET_ID": "id", "PLAZA_SMS_TENCENT_SECRET_KEY": "key", "PLAZA_SMS_SIGN_NAME": "s", "PLAZA_SMS_TEMPLATE": "1"}, nil, "sms-tencent-app-id"},
		{map[string]string{"PLAZA_DATABASE_URL": "mysql://x"}, nil, "database-url"},
		{map[string]string{"PLAZA_SMS_TEST_OTP": "123=ab"}, nil, "sms-test-otp"},
		{map[string]string{"PLAZA_TZ": "Mars/Olympus"}, nil, "tz"},
		{map[string]string{"PLAZA_ADMIN_EMAIL": "a@b.c"}, nil, "admin-password"},
		{map[string]string{"PLAZA_CODE_MAX_TRIES": "0"}, nil, "code-max-tries"},
		{nil, []string{"-addr", "nonsense"}, "addr"},
		{nil, []string{"-no-such-flag"}, "no-such-flag"},
	}
	for _, c := range cases {
		vars := map[string]string{"PLAZA_DATA": t.TempDir()}
		for k, v := range c.vars {
			vars[k] = v
		}
		stderr := &syncBuffer{}
		err := run(context.Background(), append([]string{"plaza", "serve"}, c.args...), envOf(vars), io.Discard, stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), c.want) {
			t.Errorf("%v %v: err %v, want a message naming %q", c.vars, c.args, err, c.want)
		}
	}
}

// A PLAZA_* variable that is no setting is named at start, with the setting
// it most likely meant; the test suite's own PLAZA_TEST_* pass in silence.
func TestUnknownVariablesWarn(t *testing.T) {
	vars := map[string]string{
		"PLAZA_DATA":              t.TempDir(),
		"PLAZA_ACESS_TTL":         "1h",
		"PLAZA_NONSENSE":          "1",
		"PLAZA_TEST_DATABASE_URL": "postgres://x",
	}
	var stderr syncBuffer
	if err := run(context.Background(), []string{"plaza", "migrate"}, envOf(vars), io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	got := stderr.String()
	for _, want := range []string{
		"PLAZA_ACESS_TTL is not a setting of plaza; it is ignored (did you mean PLAZA_ACCESS_TTL?)",
		"PLAZA_NONSENSE is not a setting of plaza; it is ignored\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "PLAZA_TEST_") || strings.Contains(got, "PLAZA_DATA ") {
		t.Errorf("a known or test variable was warned about:\n%s", got)
	}
}

func TestMigrateAndAdminCreate(t *testing.T) {
	data := t.TempDir()
	vars := map[string]string{"PLAZA_DATA": data}
	var out syncBuffer
	if err := run(context.Background(), []string{"plaza", "migrate"}, envOf(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "migrations applied") {
		t.Fatalf("migrate said %q", out.String())
	}
	if _, err := filepath.Glob(filepath.Join(data, "plaza.db")); err != nil {
		t.Fatal(err)
	}
	args := []string{"plaza", "admin", "create", "-email", "boss@example.com", "-password", "boss-password"}
	if err := run(context.Background(), args, envOf(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), args, envOf(vars), &out, io.Discard); err == nil {
		t.Fatal("creating the same admin twice succeeded")
	}
	if err := run(context.Background(), []string{"plaza", "admin", "create", "-email", "x@example.com"}, envOf(vars), &out, io.Discard); err == nil {
		t.Fatal("admin create without a password succeeded")
	}
	base, _ := start(t, vars)
	res, err := http.Post(base+"/admin/v1/login", "application/json", strings.NewReader(`{"email":"boss@example.com","password":"boss-password"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("login of the created admin: %v %v", err, res)
	}
	res.Body.Close()
	if err := run(context.Background(), []string{"plaza", "nope"}, envOf(vars), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command succeeded")
	}
}

// plaza serve -h lists every setting with its default, and panics on none
// (flag's help builds zero values of the wrapped settings).
func TestServeHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"plaza", "serve", "-h"}, nil, io.Discard, &out); err != nil {
		t.Fatalf("-h: %v", err)
	}
	help := out.String()
	if strings.Contains(help, "panic") || !strings.Contains(help, "[PLAZA_ACCESS_TTL] (default 168h0m0s)") || !strings.Contains(help, "-live-echo-code") {
		t.Fatalf("serve -h:\n%s", help)
	}
}
