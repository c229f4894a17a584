// Package outbox appends JSON lines to a file: the local, real delivery mode
// of plaza's providers (SMS, mail, push). An operator or a test reads the file.
package outbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// File is an append-only JSON-lines file, safe for concurrent use.
type File struct {
	mu   sync.Mutex
	path string
}

// New returns an outbox at path; the directory is made on first write.
func New(path string) *File { return &File{path: path} }

// Path is where the lines go.
func (f *File) Path() string { return f.path }

// Append writes v as one JSON line.
func (f *File) Append(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	fh, err := os.OpenFile(f.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if _, err := fh.Write(line); err != nil {
		fh.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	return fh.Close()
}
