package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
)

// The end-to-end test of self-hosted streaming: a real nginx with the rtmp
// module calling back a real plaza, and ffmpeg publishing. It is skipped
// when nginx, its rtmp module or ffmpeg are missing (.ci/run installs them
// where it can: apt-get install nginx libnginx-mod-rtmp ffmpeg).

// rtmpModules are where Debian and others put the rtmp module.
var rtmpModules = []string{
	"/usr/lib/nginx/modules/ngx_rtmp_module.so",
	"/usr/lib64/nginx/modules/ngx_rtmp_module.so",
	"/usr/local/nginx/modules/ngx_rtmp_module.so",
	"/etc/nginx/modules/ngx_rtmp_module.so",
}

// eventually polls cond every 100ms until it holds or wait passes (the
// waits are generous: they bound a hang, they time nothing).
func eventually(t *testing.T, wait time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// roomState is the one "is the room live?" look of the test: the anchor's
// liveStatus in the viewer's friend list, and whether the room's stream is
// on (the rooms core: nginx told plaza).
func roomState(t *testing.T, e *plazatest.Env, viewer, anchor user) (on, publishing bool) {
	t.Helper()
	list := call(t, e, "/list", url.Values{"token": {viewer.token}, "friendlist": {"1"}}, "0000")["message"].(map[string]any)
	for _, f := range list["friends"].([]any) {
		if fr := f.(map[string]any); fr["userId"] == anchor.phone {
			on = fr["liveStatus"] == "on"
		}
	}
	rm, err := e.App.Rooms.Get(context.Background(), anchor.id)
	if err != nil {
		t.Fatalf("room of %d: %v", anchor.id, err)
	}
	if rm.Open != on {
		t.Fatalf("the friend list says %v, the room open %v", on, rm.Open)
	}
	return on, rm.Publishing
}

// goLive opens the anchor's room through the face: the stream's publish
// URL and public name.
func goLive(t *testing.T, e *plazatest.Env, anchor user) (publishURL, name string) {
	t.Helper()
	var s struct {
		PublishURL string `json:"publishUrl"`
		Title      string `json:"title"`
	}
	msg := call(t, e, "/room", url.Values{"token": {anchor.token}, "live": {"1"}, "title": {"rtmp test"}}, "0000")["message"].(string)
	if err := json.Unmarshal([]byte(msg), &s); err != nil || s.PublishURL == "" || s.Title == "" {
		t.Fatalf("stream %q: %v", msg, err)
	}
	return s.PublishURL, s.Title
}

// startNginx runs nginx with the rtmp module on a free port, its live
// application calling plaza back; it is killed when the test ends.
func startNginx(t *testing.T, nginx, module, plazaURL, secret string) (rtmpPort int, errorLog string) {
	t.Helper()
	dir := t.TempDir()
	rtmpPort = plazatest.FreePort(t)
	errorLog = filepath.Join(dir, "error.log")
	cb := func(path string) string { return plazaURL + path + "?secret=" + secret }
	conf := fmt.Sprintf(`load_module %s;
daemon off;
master_process off;
pid %s/nginx.pid;
error_log %s info;
events { worker_connections 64; }
rtmp {
    server {
        listen 127.0.0.1:%d;
        application live {
            live on;
            record off;
            on_publish %s;
            on_publish_done %s;
            on_update %s;
            notify_update_timeout 2s;
        }
    }
}
`, module, dir, errorLog, rtmpPort, cb("/live/rtmp/on_publish"), cb("/live/rtmp/on_publish_done"), cb("/live/rtmp/on_update"))
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", confPath, "-e", errorLog)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	eventually(t, 20*time.Second, "nginx listens", func() bool {
		select {
		case <-exited:
			log, _ := os.ReadFile(errorLog)
			t.Fatalf("nginx exited: %s\n%s", out.String(), log)
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", rtmpPort), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return rtmpPort, errorLog
}

// publish runs ffmpeg publishing a test picture and tone for seconds to
// url; it is killed when the test ends.
func publish(t *testing.T, ffmpeg, url string, seconds int) (done <-chan error, output *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
		"-t", fmt.Sprint(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "flv", url)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ffmpeg: %v", err)
	}
	ch := make(chan error, 1)
	exited := make(chan struct{})
	go func() { err := cmd.Wait(); ch <- err; close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	return ch, &out
}

func waitExit(t *testing.T, done <-chan error, wait time.Duration, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		t.Fatalf("%s: ffmpeg still running after %s", what, wait)
		return nil
	}
}

func TestRoomsRTMP(t *testing.T) {
	if testing.Short() {
		t.Skip("short: no nginx")
	}
	nginx, ffmpeg := plazatest.LookTool("nginx"), plazatest.LookTool("ffmpeg")
	module := ""
	for _, m := range rtmpModules {
		if plazatest.FileExists(m) {
			module = m
			break
		}
	}
	if nginx == "" || ffmpeg == "" || module == "" {
		t.Skipf("needs nginx (%q), its rtmp module (%q) and ffmpeg (%q): apt-get install nginx libnginx-mod-rtmp ffmpeg", nginx, module, ffmpeg)
	}
	const secret = "rtmp-test-secret-0123456789"
	vars := env()
	vars["PLAZA_LIVE_CALLBACK_SECRET"] = secret
	e := plazatest.New(t, storetest.Engines()[0], vars)
	port, errorLog := startNginx(t, nginx, module, e.URL, secret)
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(errorLog)
			t.Logf("nginx error log:\n%s", log)
		}
	})
	rtmp := fmt.Sprintf("rtmp://127.0.0.1:%d/live/", port)
	anchor, viewer := signUp(t, e, testPhones[0], "主播"), signUp(t, e, testPhones[1], "观众")
	call(t, e, "/friend", url.Values{"token": {viewer.token}, "add": {"1"}, "userId": {anchor.phone}}, "0000")
	call(t, e, "/friend", url.Values{"token": {anchor.token}, "dealMessage": {"1"}, "behaviour": {"accept"}, "userId": {viewer.phone}}, "0000")

	// A wrong key: nginx asks plaza, plaza refuses, ffmpeg fails.
	publishURL, name := goLive(t, e, anchor)
	key := publishURL[strings.LastIndex(publishURL, "/")+1:]
	for _, bad := range []string{"wrong", name, key[:len(key)-1] + "A"} {
		if bad == key {
			continue
		}
		done, out := publish(t, ffmpeg, rtmp+bad, 2)
		if err := waitExit(t, done, 60*time.Second, "wrong key"); err == nil {
			t.Fatalf("ffmpeg published with the wrong key %q: %s", bad, out)
		}
	}
	// live=1 turns liveStatus "on" at once, as in the original app.
	if on, publishing := roomState(t, e, viewer, anchor); !on || publishing {
		t.Fatalf("after wrong keys: on %v publishing %v", on, publishing)
	}

	// The right key: live while the stream goes, viewers play the public
	// name, and the room goes "off" when the stream ends.
	done, out := publish(t, ffmpeg, rtmp+key, 8)
	eventually(t, 30*time.Second, "the room is live", func() bool {
		on, publishing := roomState(t, e, viewer, anchor)
		return on && publishing
	})
	ctx := context.Background()
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	play := exec.CommandContext(pctx, ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-i", rtmp+name, "-frames:v", "1", "-f", "null", "-")
	if b, err := play.CombinedOutput(); err != nil {
		t.Errorf("playing the public name %s: %v %s", name, err, b)
	}
	if err := waitExit(t, done, 60*time.Second, "the stream"); err != nil {
		t.Fatalf("ffmpeg with the room's key: %v %s", err, out)
	}
	eventually(t, 30*time.Second, "the room goes off after the stream", func() bool {
		on, publishing := roomState(t, e, viewer, anchor)
		return !on && !publishing
	})
	// The closed room's key stops working.
	done, out = publish(t, ffmpeg, rtmp+key, 2)
	if err := waitExit(t, done, 60*time.Second, "a closed room's key"); err == nil {
		t.Fatalf("published with a closed room's key: %s", out)
	}

	// Leaving while the stream goes: nginx's next on_update drops it.
	publishURL, _ = goLive(t, e, anchor)
	done, out = publish(t, ffmpeg, rtmp+publishURL[strings.LastIndex(publishURL, "/")+1:], 300)
	eventually(t, 30*time.Second, "the reopened room is live", func() bool {
		_, publishing := roomState(t, e, viewer, anchor)
		return publishing
	})
	call(t, e, "/room", url.Values{"token": {anchor.token}, "leave": {"1"}}, "0000")
	if err := waitExit(t, done, 90*time.Second, "the stream of a room left"); err == nil {
		t.Logf("ffmpeg ended without error after the drop: %s", out)
	}
	if on, _ := roomState(t, e, viewer, anchor); on {
		t.Fatal("on after leave")
	}
}
