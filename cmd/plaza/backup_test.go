package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// loadedServer is a serving plaza with users and a write load running on
// it: admin grants (with idempotency keys) and sign-ups through the real
// server, each noted once acknowledged.
type loadedServer struct {
	vars  map[string]string
	base  string
	stop  func() error
	mu    sync.Mutex
	acked []ackedWrite
	quit  chan struct{}
	wg    sync.WaitGroup
	ready chan struct{}
}

// ackedWrite is a grant (key, user) or a sign-up (phone).
type ackedWrite struct {
	key   string
	user  int64
	phone string
}

func startLoaded(t *testing.T, vars map[string]string) *loadedServer {
	t.Helper()
	const users, signups = 4, 60
	var otp []string
	for i := range users + signups {
		otp = append(otp, fmt.Sprintf("86137%08d=246810", i))
	}
	vars["PLAZA_SMS_TEST_OTP"] = strings.Join(otp, ",")
	vars["PLAZA_ADMIN_EMAIL"] = "ops@example.com"
	vars["PLAZA_ADMIN_PASSWORD"] = "ops-password"
	vars["PLAZA_LOG_LEVEL"] = "error"
	s := &loadedServer{vars: vars, quit: make(chan struct{}), ready: make(chan struct{})}
	s.base, s.stop = start(t, vars)
	client := &http.Client{Timeout: 20 * time.Second}
	_, login := call(client, "POST", s.base+"/admin/v1/login", "", map[string]any{"email": "ops@example.com", "password": "ops-password"})
	admin := fmt.Sprint("Bearer ", login["token"])
	register := func(i int) bool {
		phone := fmt.Sprintf("137%08d", i)
		st, m := call(client, "POST", s.base+"/api/auth/register", "", map[string]any{"account": phone, "code": "246810", "password": "secret123"})
		if st != http.StatusOK || m["code"] != 0.0 {
			t.Errorf("register %s: %d %v", phone, st, m)
			return false
		}
		return true
	}
	for i := range users {
		if !register(i) {
			t.FailNow()
		}
	}
	_, list := call(client, "GET", s.base+"/admin/v1/users?page_size=100", admin, nil)
	var ids []int64
	for _, it := range list["items"].([]any) {
		ids = append(ids, int64(it.(map[string]any)["id"].(float64)))
	}
	if len(ids) != users {
		t.Fatalf("users: %v", list)
	}
	var once sync.Once
	note := func(w ackedWrite) {
		s.mu.Lock()
		s.acked = append(s.acked, w)
		n := len(s.acked)
		s.mu.Unlock()
		if n >= 40 {
			once.Do(func() { close(s.ready) })
		}
	}
	stopped := func() bool {
		select {
		case <-s.quit:
			return true
		default:
			return false
		}
	}
	for g := range 3 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for n := 0; !stopped(); n++ {
				u := ids[(g+n)%len(ids)]
				key := fmt.Sprintf("g%d-%d", g, n)
				st, m := call(client, "POST", fmt.Sprintf("%s/admin/v1/users/%d/wallet", s.base, u), admin,
					map[string]any{"currency": "diamond", "amount": 1 + n%9, "reason": "backup test", "idempotency_key": key})
				if st != http.StatusCreated {
					t.Errorf("grant: %d %v", st, m)
					return
				}
				note(ackedWrite{key: key, user: u})
			}
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for i := users; i < users+signups && !stopped(); i++ {
			if !register(i) {
				return
			}
			note(ackedWrite{phone: fmt.Sprintf("137%08d", i)})
		}
	}()
	t.Cleanup(s.end)
	return s
}

// end stops the load (the server stops with the test).
func (s *loadedServer) end() {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	s.wg.Wait()
}

// snapshot is the writes acknowledged so far.
func (s *loadedServer) snapshot() []ackedWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ackedWrite(nil), s.acked...)
}

// checkRestored opens a restored store and checks it: plaza ledger verify
// (wallet.Verify) passes, the users counter (row_counts, migration 00025)
// equals COUNT(*) users, and every write in before is there.
func checkRestored(t *testing.T, o store.Options, before []ackedWrite) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := wallet.Verify(ctx, db)
	if err != nil || !rep.OK() {
		var b strings.Builder
		rep.Write(&b)
		t.Fatalf("ledger verify of the restored store: %v\n%s", err, b.String())
	}
	var counter, users int64
	if err := db.QueryRow(ctx, "SELECT COALESCE(SUM(n), 0) FROM row_counts WHERE name = 'users'").Scan(&counter); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&users); err != nil {
		t.Fatal(err)
	}
	if counter != users {
		t.Fatalf("users counter %d, COUNT(*) users %d", counter, users)
	}
	grants, signups := 0, 0
	for _, w := range before {
		var n int
		if w.phone != "" {
			signups++
			err = db.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE phone = ?", w.phone).Scan(&n)
		} else {
			grants++
			err = db.QueryRow(ctx, "SELECT COUNT(*) FROM wallet_transactions WHERE idempotency_key = ? AND user_id = ?", w.key, w.user).Scan(&n)
		}
		if err != nil || n != 1 {
			t.Errorf("acknowledged before the backup: %+v: %d rows %v", w, n, err)
		}
	}
	t.Logf("restored store: %d users, ledger %s; %d grants and %d sign-ups acknowledged before the backup, all there",
		users, fmt.Sprint(rep.Transactions, " transactions"), grants, signups)
}

// plaza backup under a write load through the real server, then plaza
// restore into a new data folder: the restored store passes plaza ledger
// verify and the counter check, has every write acknowledged before the
// backup began, and serves. Restore refuses a folder that holds a store
// (unless -force) and a folder a server holds.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	ctx := context.Background()
	s := startLoaded(t, map[string]string{"PLAZA_DATA": t.TempDir()})
	<-s.ready
	before := s.snapshot()
	file := filepath.Join(t.TempDir(), "plaza-backup.db")
	var out, progress syncBuffer
	if err := run(ctx, []string{"plaza", "backup", file}, envOf(s.vars), &out, &progress); err != nil {
		t.Fatalf("backup: %v\n%s", err, progress.String())
	}
	// The load goes on during the backup; stop it only now.
	s.end()
	after := len(s.snapshot())
	if !strings.Contains(out.String(), "backup: "+file+" written (") || !strings.Contains(progress.String(), "backup: 100% (") {
		t.Fatalf("backup said:\n%s%s", out.String(), progress.String())
	}
	if err := run(ctx, []string{"plaza", "backup", file}, envOf(s.vars), &out, &progress); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a backup over an existing file: %v", err)
	}
	// -force replaces it, once the new copy is whole.
	again := filepath.Join(t.TempDir(), "again.db")
	os.WriteFile(again, []byte("an old file"), 0o600)
	if err := run(ctx, []string{"plaza", "backup", "-force", again}, envOf(s.vars), &out, &progress); err != nil {
		t.Fatalf("backup -force: %v", err)
	}
	if b, err := os.ReadFile(again); err != nil || !strings.HasPrefix(string(b), "SQLite format 3\x00") {
		t.Fatalf("backup -force left %.20q %v", b, err)
	}

	// Restore into the folder the server holds: refused.
	err := run(ctx, []string{"plaza", "restore", "-force", file}, envOf(s.vars), &out, &progress)
	if err == nil || !strings.Contains(err.Error(), "in use by another plaza process") {
		t.Fatalf("restore into a served folder: %v", err)
	}

	data := filepath.Join(t.TempDir(), "restored")
	vars := map[string]string{"PLAZA_DATA": data, "PLAZA_LOG_LEVEL": "error", "PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password"}
	out = syncBuffer{}
	progress = syncBuffer{}
	if err := run(ctx, []string{"plaza", "restore", file}, envOf(vars), &out, &progress); err != nil {
		t.Fatalf("restore: %v\n%s", err, progress.String())
	}
	if !strings.Contains(out.String(), "restored into "+filepath.Join(data, "plaza.db")) || !strings.Contains(progress.String(), "restore: 100% (") {
		t.Fatalf("restore said:\n%s%s", out.String(), progress.String())
	}
	err = run(ctx, []string{"plaza", "restore", file}, envOf(vars), &out, &progress)
	if err == nil || !strings.Contains(err.Error(), "already holds a store") || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("restore over a store: %v", err)
	}
	if err := run(ctx, []string{"plaza", "restore", file, "-force"}, envOf(vars), &out, &progress); err != nil {
		t.Fatalf("restore -force: %v", err)
	}
	checkRestored(t, store.Options{Path: filepath.Join(data, "plaza.db")}, before)
	t.Logf("%d writes acknowledged before the backup, %d by the end of the load", len(before), after)

	// The restored folder serves (migrations on start, as always); the
	// admin of the backup signs in.
	base, stop := start(t, vars)
	client := &http.Client{Timeout: 10 * time.Second}
	if st, m := call(client, "POST", base+"/admin/v1/login", "", map[string]any{"email": "ops@example.com", "password": "ops-password"}); st != http.StatusOK || m["token"] == nil {
		t.Fatalf("admin login on the restored store: %d %v", st, m)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"plaza", "ledger", "verify"}, envOf(vars), &out, &progress); err != nil {
		t.Fatalf("plaza ledger verify: %v", err)
	}
}

// Bad calls of backup and restore say what is wrong.
func TestBackupRestoreUsage(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	vars := map[string]string{"PLAZA_DATA": data}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"backup"}, "needs one FILE"},
		{[]string{"backup", "a", "b"}, "needs one FILE"},
		{[]string{"restore"}, "needs one FILE"},
		{[]string{"backup", filepath.Join(data, "x.db")}, "no database at"},
		{[]string{"restore", filepath.Join(data, "missing.db")}, "no such file"},
		{[]string{"backup", "-no-such-flag", "x"}, "no-such-flag"},
	}
	for _, c := range cases {
		var stderr syncBuffer
		err := run(ctx, append([]string{"plaza"}, c.args...), envOf(vars), &stderr, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	junk := filepath.Join(data, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("x", 5000)), 0o600)
	if err := run(ctx, []string{"plaza", "restore", junk}, envOf(map[string]string{"PLAZA_DATA": filepath.Join(data, "new")}), &syncBuffer{}, &syncBuffer{}); err == nil || !strings.Contains(err.Error(), "no usable backup") {
		t.Errorf("restore of junk: %v", err)
	}
	// PostgreSQL without pg_dump on PATH: says what to run instead.
	pg := map[string]string{"PLAZA_DATA": data, "PLAZA_DATABASE_URL": "postgres://u@127.0.0.1:1/x", "PATH": t.TempDir()}
	err := run(ctx, []string{"plaza", "backup", filepath.Join(data, "pg.dump")}, envOf(pg), &syncBuffer{}, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "not on PATH") || !strings.Contains(err.Error(), "--format=custom") {
		t.Errorf("backup on PostgreSQL without pg_dump: %v", err)
	}
}

// On PostgreSQL plaza backup runs pg_dump (custom format) and plaza
// restore pg_restore, when they are on PATH: a dump under a write load,
// restored with -force over the store, passes the same checks.
func TestBackupRestorePostgres(t *testing.T) {
	if findOnPath("pg_dump", os.Getenv("PATH")) == "" || findOnPath("pg_restore", os.Getenv("PATH")) == "" {
		t.Skip("pg_dump or pg_restore is not on PATH")
	}
	db, o := storetest.OpenPostgres(t)
	db.Close()
	ctx := context.Background()
	s := startLoaded(t, map[string]string{"PLAZA_DATA": t.TempDir(), "PLAZA_DATABASE_URL": o.URL, "PATH": os.Getenv("PATH")})
	<-s.ready
	before := s.snapshot()
	file := filepath.Join(t.TempDir(), "plaza.dump")
	var out, progress syncBuffer
	if err := run(ctx, []string{"plaza", "backup", file}, envOf(s.vars), &out, &progress); err != nil {
		t.Fatalf("backup: %v\n%s", err, progress.String())
	}
	s.end()
	if !strings.Contains(out.String(), "written by pg_dump") || strings.Contains(progress.String(), "PGPASSWORD") {
		t.Fatalf("backup said:\n%s%s", out.String(), progress.String())
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"plaza", "restore", file}, envOf(s.vars), &out, &progress)
	if err == nil || !strings.Contains(err.Error(), "already holds a plaza store") {
		t.Fatalf("restore over a store without -force: %v", err)
	}
	if err := run(ctx, []string{"plaza", "restore", "-force", file}, envOf(s.vars), &out, &progress); err != nil {
		t.Fatalf("restore -force: %v\n%s", err, progress.String())
	}
	checkRestored(t, o, before)
	// It serves again (migrations on start find nothing to do).
	_, stop := start(t, s.vars)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
