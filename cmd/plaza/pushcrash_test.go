package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"plaza/internal/provider/push/pushtest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// TestPushSurvivesKill sends an admin push to 10,000 devices, kills the
// server (SIGKILL) while its worker delivers them, starts it again, and
// checks that every device is sent to, and that a device is sent to twice
// only when the crash fell between the vendor's answer and the delivery's
// record, under the same collapse id, so that its phone shows it once.
//
// The iPhones' vendor is the outbox (its record survives the kill): a
// device in it twice must have been sent to before the kill and still be
// "sending" after it. The Android phones' is, in turn, the outbox too, and
// a JPush fake in this process, which kills the server when it has taken
// its fifth call and before it answers it (so the crash falls between the
// vendor's taking it and its record): JPush takes a call made again under
// the cid of one it took as that call, so there every phone must be pushed
// to once, and the call the kill cut short must have been made again under
// its cid.
func TestPushSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, android := range []string{"outbox", "jpush"} {
		for _, eng := range storetest.Engines() {
			t.Run(android+"/"+eng.Name, func(t *testing.T) { pushSurvivesKill(t, eng, android) })
		}
	}
}

func pushSurvivesKill(t *testing.T, eng storetest.Engine, android string) {
	const devices = 10_000
	data := t.TempDir()
	vars := map[string]string{
		"PLAZA_DATA": data, "PLAZA_LOG_LEVEL": "error",
		"PLAZA_ADMIN_EMAIL": "ops@example.com", "PLAZA_ADMIN_PASSWORD": "ops-password",
		"PLAZA_PUSH_LEASE": "3s",
	}
	opts := store.Options{Path: filepath.Join(data, "plaza.db")}
	if eng.Name == "postgres" {
		db, o := eng.Open(t)
		db.Close()
		vars["PLAZA_DATABASE_URL"] = o.URL
		opts = o
	}
	var jpush *pushtest.JPush
	killed := make(chan struct{})
	var pid atomic.Int64
	if android == "jpush" {
		jpush = pushtest.NewJPush(t)
		c := jpush.Config()
		vars["PLAZA_PUSH_ANDROID"], vars["PLAZA_PUSH_JPUSH_APP_KEY"] = "jpush", c.AppKey
		vars["PLAZA_PUSH_JPUSH_MASTER_SECRET"], vars["PLAZA_PUSH_JPUSH_ENDPOINT"] = c.MasterSecret, c.Endpoint
		jpush.Pushed = func(n int) {
			if n == 5 {
				syscall.Kill(int(pid.Load()), syscall.SIGKILL)
				close(killed)
			}
		}
	}
	srv := startChild(t, vars)
	pid.Store(int64(srv.cmd.Process.Pid))
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedDevices(t, db, devices)

	client := &http.Client{Timeout: 10 * time.Second}
	_, login := call(client, "POST", srv.base+"/admin/v1/login", "", map[string]any{"email": "ops@example.com", "password": "ops-password"})
	admin := fmt.Sprint("Bearer ", login["token"])
	st, p := call(client, "POST", srv.base+"/admin/v1/pushes", admin, map[string]any{"push_title": "全体通知", "push_body": "大推送"})
	if st != http.StatusCreated {
		t.Fatalf("push: %d %v", st, p)
	}
	id := jsonNumber(p["id"])

	// Killed while it delivers.
	outbox := filepath.Join(data, "outbox", "push.jsonl")
	if jpush != nil {
		select {
		case <-killed:
			srv.cmd.Wait()
		case <-time.After(3 * time.Minute):
			t.Fatal("the worker did not get going")
		}
	} else {
		for deadline := time.Now().Add(3 * time.Minute); len(readPushOutbox(t, outbox)) < devices/5; {
			if time.Now().After(deadline) {
				t.Fatal("the worker did not get going")
			}
			time.Sleep(10 * time.Millisecond)
		}
		srv.kill(t)
	}
	before := readPushOutbox(t, outbox)
	var jpushBefore int
	if jpush != nil {
		jpushBefore = len(jpush.Deliveries())
	}
	sending, keys, err := claimed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(before)+jpushBefore >= devices {
		t.Fatalf("the push was done before the kill (%d sent): no crash tested", len(before)+jpushBefore)
	}

	// Restarted: it finishes the push.
	srv = startChild(t, vars)
	for deadline := time.Now().Add(2 * time.Minute); ; {
		_, got := call(client, "GET", srv.base+"/admin/v1/pushes/"+id, admin, nil)
		if got["status"] == 1.0 {
			d := got["deliveries"].(map[string]any)
			if d["delivered"] != float64(devices) {
				t.Fatalf("deliveries after the restart: %v", d)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the push did not finish after the restart: %v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.kill(t)

	sentBefore := map[string]bool{}
	for _, m := range before {
		sentBefore[m.Token] = true
	}
	times := map[string]int{}
	collapse := "plaza-push-" + id
	for _, m := range readPushOutbox(t, outbox) {
		times[m.Token]++
		if m.CollapseID != collapse {
			t.Fatalf("%s sent under collapse id %q, want %q", m.Token, m.CollapseID, collapse)
		}
	}
	pushed := map[string]int{} // by the JPush fake
	if jpush != nil {
		for _, d := range jpush.Deliveries() {
			pushed[d.Token]++
			times[d.Token]++
		}
		for _, p := range jpush.Problems() {
			t.Errorf("the JPush fake found: %s", p)
		}
		repeated := jpush.Repeated()
		if len(keys) == 0 {
			t.Error("no keyed delivery was left sending by the kill")
		}
		for k := range keys {
			if repeated[k] == 0 {
				t.Errorf("cid %s of the claim cut short was not sent again", k)
			}
		}
		t.Logf("JPush: %d pushed before the kill; %d cids in the claim cut short; %d calls made again (%v)",
			jpushBefore, len(keys), jpush.Repeats(), repeated)
	}
	twice := 0
	for i := range devices {
		tok := deviceToken(i)
		switch n := times[tok]; {
		case n == 0:
			t.Errorf("%s never sent to", tok)
		case pushed[tok] > 1:
			t.Errorf("%s pushed to %d times by JPush", tok, pushed[tok])
		case n == 2 && sentBefore[tok] && sending[tok]:
			twice++ // sent, and killed before its record
		case n > 1:
			t.Errorf("%s sent to %d times (sent before the kill: %v, its record still sending: %v)", tok, n, sentBefore[tok], sending[tok])
		}
	}
	t.Logf("%d of %d sent before the kill, %d claimed and not recorded then, %d sent twice", len(before)+jpushBefore, devices, len(sending), twice)
}

// pushLine is a line of the push outbox.
type pushLine struct {
	Token      string `json:"token"`
	CollapseID string `json:"collapse_id"`
}

func readPushOutbox(t *testing.T, path string) []pushLine {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []pushLine
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		var l pushLine
		if json.Unmarshal(lines.Bytes(), &l) == nil { // a line cut by the kill is not a send
			out = append(out, l)
		}
	}
	return out
}

func deviceToken(i int) string { return fmt.Sprintf("device-%05d", i) }

// seedDevices writes n devices of n/20 users straight into the store.
func seedDevices(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var users []int64
		for i := range n / 20 {
			var id int64
			if err := tx.QueryRow(ctx, "INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id",
				fmt.Sprint("push-openid-", i), fmt.Sprintf("%032x", 1_000_000+i)).Scan(&id); err != nil {
				return err
			}
			users = append(users, id)
		}
		for i := range n {
			typ := "ios"
			if i%2 == 1 {
				typ = "android"
			}
			if _, err := tx.Exec(ctx, "INSERT INTO push_devices (client_id, client_type, user_id, switch, created_at, updated_at) VALUES (?, ?, ?, TRUE, 0, 0)",
				deviceToken(i), typ, users[i%len(users)]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// claimed are the devices whose delivery is still "sending", and the send
// keys of those.
func claimed(ctx context.Context, db *store.DB) (tokens, keys map[string]bool, err error) {
	rows, err := db.Query(ctx, "SELECT client_id, send_key FROM push_deliveries WHERE state = 1")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	tokens, keys = map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var tok, key string
		if err := rows.Scan(&tok, &key); err != nil {
			return nil, nil, err
		}
		tokens[tok] = true
		if key != "" {
			keys[key] = true
		}
	}
	return tokens, keys, rows.Err()
}
