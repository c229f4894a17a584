package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// TestPushSurvivesKill sends an admin push to 10,000 devices, kills the
// server (SIGKILL) while its worker delivers them (through the outbox, a
// vendor whose record survives the kill), starts it again, and checks
// that every device is sent to, and that a device is sent to twice only
// when the crash fell between the vendor's answer and the delivery's
// record (its row still "sending" after the crash, and the vendor had it
// before), under the same collapse id.
func TestPushSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	const devices = 10_000
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
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
			srv := startChild(t, vars)
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
			for deadline := time.Now().Add(3 * time.Minute); len(readPushOutbox(t, outbox)) < devices/5; {
				if time.Now().After(deadline) {
					t.Fatal("the worker did not get going")
				}
				time.Sleep(10 * time.Millisecond)
			}
			srv.kill(t)
			before := readPushOutbox(t, outbox)
			var sending map[string]bool
			sending, err = claimed(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if len(before) >= devices {
				t.Fatalf("the push was done before the kill (%d sent): no crash tested", len(before))
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
			twice := 0
			for i := range devices {
				tok := deviceToken(i)
				switch n := times[tok]; {
				case n == 0:
					t.Errorf("%s never sent to", tok)
				case n == 2 && sentBefore[tok] && sending[tok]:
					twice++ // sent, and killed before its record
				case n > 1:
					t.Errorf("%s sent to %d times (sent before the kill: %v, its record still sending: %v)", tok, n, sentBefore[tok], sending[tok])
				}
			}
			t.Logf("%d of %d sent before the kill, %d claimed and not recorded then, %d sent twice", len(before), devices, len(sending), twice)
		})
	}
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

// claimed are the devices whose delivery is still "sending".
func claimed(ctx context.Context, db *store.DB) (map[string]bool, error) {
	rows, err := db.Query(ctx, "SELECT client_id FROM push_deliveries WHERE state = 1")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var tok string
		if err := rows.Scan(&tok); err != nil {
			return nil, err
		}
		out[tok] = true
	}
	return out, rows.Err()
}
