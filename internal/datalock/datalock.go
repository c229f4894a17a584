// Package datalock keeps one plaza process on one SQLite data folder.
//
// plaza's caches (token checks, users, articles) are exact only while one
// process writes the store; a second process on the same SQLite file would
// serve answers the first one has changed. A process that serves or writes
// the store takes an exclusive OS file lock (flock) on plaza.lock in the data
// folder and holds it until it exits; the OS drops the lock when the process
// ends, even by SIGKILL, so a crash never leaves a stale lock behind. The
// lock file holds the pid of its last holder, for the message that refuses
// a second process.
package datalock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// FileName is the lock file in the data folder.
const FileName = "plaza.lock"

// Lock is a held data-folder lock.
type Lock struct {
	f    *flock.Flock
	path string
}

// HeldError says that another process holds the lock of Dir.
type HeldError struct {
	Dir string
	PID int // 0 when unknown
}

func (e *HeldError) Error() string {
	who := "another plaza process"
	if e.PID > 0 {
		who = fmt.Sprintf("another plaza process (pid %d)", e.PID)
	}
	return fmt.Sprintf("the SQLite data folder %s is in use by %s: one SQLite data folder serves one process "+
		"(a second would serve stale caches); stop that process first, give this one another -data folder, "+
		"or run several nodes on PostgreSQL (PLAZA_DATABASE_URL)", e.Dir, who)
}

// Acquire takes the lock of the data folder dir (made if missing) without
// waiting: when another process holds it, the error is a *HeldError.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	path := filepath.Join(abs, FileName)
	f := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := f.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock the data folder %s: %w", abs, err)
	}
	if !ok {
		return nil, &HeldError{Dir: abs, PID: Holder(abs)}
	}
	// The pid, for the message that refuses the next one. flock(2) is on
	// the open file, not its content or this second descriptor: rewriting
	// keeps the lock. Best effort (where locks are mandatory, as on
	// Windows, the write fails and the message names no pid).
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return &Lock{f: f, path: path}, nil
}

// Holder is the pid written in the lock file of dir, 0 when there is none.
// It names the holder only while the lock is held.
func Holder(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// Release lets the lock go. The file stays (removing it would let a third
// process lock a new file while a second still waits on the old one).
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	return l.f.Unlock()
}

// IsHeld tells whether err says that another process holds a data folder.
func IsHeld(err error) bool {
	var h *HeldError
	return errors.As(err, &h)
}
