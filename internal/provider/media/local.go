package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"plaza/internal/errs"
)

// Local keeps objects as files under a directory, in subdirectories named
// by the first two characters of the key ("ab/abcdef....png"), so that no
// directory grows past a few thousand entries per million objects.
type Local struct{ root string }

// NewLocal returns storage under root (created when needed).
func NewLocal(root string) *Local { return &Local{root: root} }

func (l *Local) path(key string) string {
	return filepath.Join(l.root, key[:min(2, len(key))], key)
}

// Put writes a temporary file next to the target, syncs it and renames it
// into place, so that a reader never sees a partial object.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
	if !ValidKey(key) {
		return badKey(key)
	}
	dst := l.path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return errs.Wrap(err, "media: make directory")
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		return errs.Wrap(err, "media: create")
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	n, err := io.Copy(f, io.LimitReader(r, size+1))
	if err != nil {
		return errs.Wrap(err, "media: write")
	}
	if n != size {
		return errs.Wrap(fmt.Errorf("got %d bytes, want %d", n, size), "media: write")
	}
	if err := f.Sync(); err != nil {
		return errs.Wrap(err, "media: sync")
	}
	if err := f.Close(); err != nil {
		return errs.Wrap(err, "media: close")
	}
	if err := os.Chmod(f.Name(), 0o600); err != nil {
		return errs.Wrap(err, "media: chmod")
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return errs.Wrap(err, "media: rename")
	}
	return nil
}

// Open opens the file of key.
func (l *Local) Open(ctx context.Context, key string) (*Object, error) {
	if !ValidKey(key) {
		return nil, errNoObject
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoObject
	}
	if err != nil {
		return nil, errs.Wrap(err, "media: open")
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, errs.Wrap(err, "media: stat")
	}
	return &Object{ReadSeekCloser: f, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes the file of key.
func (l *Local) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return badKey(key)
	}
	err := os.Remove(l.path(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return errs.Wrap(err, "media: delete")
	}
	return nil
}

// Ping checks that the directory exists or can be made, and is writable.
func (l *Local) Ping(ctx context.Context) error {
	if err := os.MkdirAll(l.root, 0o700); err != nil {
		return errs.Wrap(err, "media: directory")
	}
	f, err := os.CreateTemp(l.root, ".ping-*")
	if err != nil {
		return errs.Wrap(err, "media: directory not writable")
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
