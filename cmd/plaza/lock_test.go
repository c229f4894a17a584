package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// One SQLite data folder, one process: while a server runs on a folder, a
// second serve (or migrate, or admin create) on it is refused with a
// message naming the folder and the holder's pid; once the first stops,
// the second starts.
func TestOneProcessPerSQLiteFolder(t *testing.T) {
	data := t.TempDir()
	vars := map[string]string{"PLAZA_DATA": data, "PLAZA_LOG_LEVEL": "error"}
	_, stop := start(t, vars)
	refused := func(args ...string) {
		t.Helper()
		err := run(context.Background(), append([]string{"plaza"}, args...), envOf(vars), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), data) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) ||
			!strings.Contains(err.Error(), "one SQLite data folder serves one process") {
			t.Fatalf("%v while a server runs: %v", args, err)
		}
	}
	refused("serve", "-addr", "127.0.0.1:0")
	refused("migrate")
	refused("admin", "create", "-email", "x@example.com", "-password", "x-password")
	// Reading is allowed: plaza ledger verify runs beside the server.
	if err := run(context.Background(), []string{"plaza", "ledger", "verify"}, envOf(vars), io.Discard, io.Discard); err != nil {
		t.Fatalf("ledger verify beside the server: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	_, stop = start(t, vars)
	stop()
}

// A server process killed with SIGKILL leaves no lock behind: the OS drops
// it with the process. While it runs, the refusal names its pid.
func TestLockGoesWithAKilledProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	data := t.TempDir()
	vars := map[string]string{"PLAZA_DATA": data, "PLAZA_LOG_LEVEL": "error"}
	c := startChild(t, vars)
	err := run(context.Background(), []string{"plaza", "serve", "-addr", "127.0.0.1:0"}, envOf(vars), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", c.cmd.Process.Pid)) {
		t.Fatalf("serve beside a server process: %v", err)
	}
	c.kill(t)
	_, stop := start(t, vars)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
