package datalock

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// A second lock on the same folder is refused, naming the folder and the
// holder's pid; after Release it is granted.
func TestAcquireRelease(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	if !IsHeld(err) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second Acquire: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	l2.Release()
	// Another folder is another lock.
	l3, err := Acquire(dir + "/sub")
	if err != nil {
		t.Fatal(err)
	}
	l3.Release()
}
