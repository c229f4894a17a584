package outbox_test

import (
	"os"
	"path/filepath"
	"testing"

	"plaza/internal/provider/outbox"
)

// Outboxes hold codes: their directory and files are the owner's only.
func TestOutboxIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	f := outbox.New(filepath.Join(dir, "sms.jsonl"))
	if err := f.Append(map[string]string{"code": "1234"}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, f.Path(): 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
}
