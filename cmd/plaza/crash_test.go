package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// childEnv marks the test binary started by startChild as a plaza server:
// TestMain then runs "plaza serve" instead of the tests, so a test can
// SIGKILL a real server process and start it again on the same data.
const childEnv = "PLAZA_TEST_CRASH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		err := run(context.Background(), []string{"plaza", "serve", "-addr", "127.0.0.1:0"}, os.Environ(), os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a plaza server process.
type child struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
}

// startChild starts the test binary as "plaza serve" with vars and waits
// for the line that names its address.
func startChild(t *testing.T, vars map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Env = append(cmd.Env, envOf(vars)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		cmd.Wait()
		t.Fatalf("plaza did not start:\n%s", c.stderr.String())
	}
	_, rest, ok := strings.Cut(lines.Text(), "http://")
	if !ok {
		t.Fatalf("unexpected first line %q", lines.Text())
	}
	c.base = "http://" + strings.Fields(rest)[0]
	go io.Copy(io.Discard, out)
	return c
}

// kill ends the process with SIGKILL: no shutdown, no flush.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
}

// call sends one request and decodes the JSON answer. A transport error
// (the server is gone) answers status 0.
func call(client *http.Client, method, url, auth string, body any) (int, map[string]any) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return 0, nil // cut off mid-answer: not acknowledged
	}
	return res.StatusCode, m
}

// TestCrashUnderLoad kills the server (SIGKILL) in the middle of a mixed
// write load (writeLoad: grants, market purchases, ticket orders paid from
// the wallet or cancelled), starts it again on the same data and checks
// that every acknowledged write is there, that nothing is half-written,
// and that "plaza ledger verify" passes.
func TestCrashUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			vars := map[string]string{
				"PLAZA_DATA":           t.TempDir(),
				"PLAZA_SMS_TEST_OTP":   strings.Join(loadOTP("139", loadUsers), ","),
				"PLAZA_ADMIN_EMAIL":    "ops@example.com",
				"PLAZA_ADMIN_PASSWORD": "ops-password",
				"PLAZA_LOG_LEVEL":      "error",
				// The load calls the yuanyi face unsigned.
				"PLAZA_YUANYI_CHECK_SIG": "false",
			}
			opts := store.Options{Path: vars["PLAZA_DATA"] + "/plaza.db"}
			if eng.Name == "postgres" {
				db, o := eng.Open(t)
				db.Close()
				vars["PLAZA_DATABASE_URL"] = o.URL
				opts = o
			}
			srv := startChild(t, vars)
			load := newWriteLoad(t, &http.Client{Timeout: 10 * time.Second}, srv.base, "139")
			load.start(8)
			load.waitAcks(t, 200, time.Minute)
			srv.kill(t)
			load.end(t)

			// The server starts again on what the crash left.
			srv = startChild(t, vars)
			if st, _ := call(http.DefaultClient, "GET", srv.base+"/readyz", "", nil); st != http.StatusOK {
				t.Fatalf("readyz after restart: %d", st)
			}
			srv.kill(t)

			db, err := store.OpenNoMigrate(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			load.check(t, db, envOf(vars))
		})
	}
}
