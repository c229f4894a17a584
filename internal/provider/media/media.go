// Package media keeps the bytes of uploaded media: on local disk under
// $PLAZA_DATA/media (the default) or in an S3-compatible bucket. Objects are
// stored under their final media id ("<uuid>.<ext>") and never change.
package media

import (
	"context"
	"io"
	"time"

	"plaza/internal/errs"
)

// Storage keeps objects under keys.
type Storage interface {
	// Put stores size bytes read from r under key, with its content type.
	// Readers see the whole object or none of it.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open returns the object of key; errs.NotFound when there is none.
	// The caller closes it.
	Open(ctx context.Context, key string) (*Object, error)
	// Delete removes the object of key; a missing one is no error.
	Delete(ctx context.Context, key string) error
	// Ping tells whether the storage answers.
	Ping(ctx context.Context) error
}

// Object is a stored object being read.
type Object struct {
	io.ReadSeekCloser
	Size        int64
	ContentType string // may be empty: the caller knows it
	ModTime     time.Time
}

// MaxKey is the longest key.
const MaxKey = 128

// ValidKey tells whether key can name an object: 1 to MaxKey of a-z, 0-9,
// '.', '-' and '_', starting with a letter or a digit. Keys never hold a
// path separator or "..".
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '-' || c == '_') && i > 0:
			if c == '.' && key[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func badKey(key string) error {
	return errs.Ef(errs.Invalid, "bad media key %q", key)
}

var errNoObject = errs.E(errs.NotFound, "no such media")
