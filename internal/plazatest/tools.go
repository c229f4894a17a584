package plazatest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// LookTool finds a program a test drives (nginx, ffmpeg) on PATH or in the
// sbin folders, where Debian puts nginx; "" when it is not there.
func LookTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"} {
		if p := filepath.Join(dir, name); FileExists(p) {
			return p
		}
	}
	return ""
}

// FileExists tells whether p names a file.
func FileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// FreePort is a TCP port on 127.0.0.1 free a moment ago, for a program
// that takes its port as a setting.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
