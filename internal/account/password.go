package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost parameters of the password hash.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 is OWASP's first recommended row for argon2id (Password
// Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane. A hash of other
// parameters is re-hashed with the hasher's at the next good sign-in.
// Cost on the 2-core reference machine: docs/performance.md
// (go test -run '^$' -bench Argon2 ./internal/account/).
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// String is the parameters as a PHC string writes them: "m=19456,t=2,p=1".
func (p Argon2Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}

// ParseArgon2Params reads "m=<KiB>,t=<passes>,p=<lanes>" (the parameter
// part of a PHC string) and checks that argon2id can run with them.
func ParseArgon2Params(s string) (Argon2Params, error) {
	var m, t, p uint64
	if _, err := fmt.Sscanf(s, "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != s {
		return Argon2Params{}, errors.New("want m=<KiB>,t=<passes>,p=<lanes>, e.g. m=19456,t=2,p=1")
	}
	switch {
	case p < 1 || p > 255:
		return Argon2Params{}, errors.New("p: 1 to 255 lanes")
	case t < 1 || t > 100:
		return Argon2Params{}, errors.New("t: 1 to 100 passes")
	case m < 8*p || m > 1<<20:
		return Argon2Params{}, errors.New("m: 8 KiB per lane to 1 GiB (1048576)")
	}
	return Argon2Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p)}, nil
}

// Hasher hashes and checks passwords with argon2id, at most NumCPU at once so
// a burst of logins queues instead of exhausting memory.
type Hasher struct {
	p   Argon2Params
	sem chan struct{}
}

// NewHasher returns a hasher with parameters p.
func NewHasher(p Argon2Params) *Hasher {
	return &Hasher{p: p, sem: make(chan struct{}, runtime.NumCPU())}
}

// Params are the parameters new hashes get.
func (h *Hasher) Params() Argon2Params { return h.p }

const (
	saltLen = 16
	keyLen  = 32
)

var b64 = base64.RawStdEncoding

// Hash returns a PHC string: $argon2id$v=19$m=...,t=...,p=...$salt$key.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h.sem <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, h.p.Time, h.p.Memory, h.p.Threads, keyLen)
	<-h.sem
	return fmt.Sprintf("$argon2id$v=%d$%s$%s$%s", argon2.Version, h.p, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// phc is a parsed PHC string of argon2id.
type phc struct {
	p    Argon2Params
	salt []byte
	key  []byte
}

func parsePHC(encoded string) (phc, error) {
	var out phc
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return out, errors.New("password hash: unknown format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return out, errors.New("password hash: unknown version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &out.p.Memory, &out.p.Time, &out.p.Threads); err != nil {
		return out, fmt.Errorf("password hash: %w", err)
	}
	var err error
	if out.salt, err = b64.DecodeString(parts[4]); err != nil {
		return out, fmt.Errorf("password hash: %w", err)
	}
	if out.key, err = b64.DecodeString(parts[5]); err != nil {
		return out, fmt.Errorf("password hash: %w", err)
	}
	return out, nil
}

// NeedsRehash tells whether encoded was made with other parameters than
// the hasher's (costs, salt or key length), so that a sign-in that just
// checked it should store a new hash of the password.
func (h *Hasher) NeedsRehash(encoded string) bool {
	c, err := parsePHC(encoded)
	return err != nil || c.p != h.p || len(c.salt) != saltLen || len(c.key) != keyLen
}

// Verify reports whether password matches the PHC string encoded.
func (h *Hasher) Verify(encoded, password string) (bool, error) {
	c, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	h.sem <- struct{}{}
	got := argon2.IDKey([]byte(password), c.salt, c.p.Time, c.p.Memory, c.p.Threads, uint32(len(c.key)))
	<-h.sem
	return subtle.ConstantTimeCompare(got, c.key) == 1, nil
}
