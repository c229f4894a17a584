package account

import "testing"

func TestHasherRoundTrip(t *testing.T) {
	h := NewHasher(Argon2Params{Memory: 64, Time: 1, Threads: 1})
	enc, err := h.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(enc, "correct horse"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := h.Verify(enc, "correct horsE"); ok {
		t.Fatal("wrong password accepted")
	}
	// Parameters travel in the hash: a hasher with other costs still checks it.
	if ok, _ := NewHasher(DefaultArgon2).Verify(enc, "correct horse"); !ok {
		t.Fatal("hash of other parameters refused")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5"} {
		if _, err := h.Verify(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

// BenchmarkArgon2 is the cost of one sign-in's password check with the
// default parameters (the target is about 5-10 ms on 2 cores).
func BenchmarkArgon2(b *testing.B) {
	h := NewHasher(DefaultArgon2)
	enc, _ := h.Hash("correct horse")
	for b.Loop() {
		h.Verify(enc, "correct horse")
	}
}

// The default is OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane).
func TestDefaultArgon2IsOWASP(t *testing.T) {
	if p := DefaultArgon2; p.Memory < 19*1024 || p.Time < 2 || p.Threads != 1 {
		t.Fatalf("default %v is below OWASP's m=19456,t=2,p=1", p)
	}
}

func TestNeedsRehash(t *testing.T) {
	cur := NewHasher(Argon2Params{Memory: 64, Time: 2, Threads: 1})
	enc, _ := cur.Hash("pw-123456")
	if cur.NeedsRehash(enc) {
		t.Fatal("a hash of the current parameters needs no rehash")
	}
	for _, p := range []Argon2Params{{32, 2, 1}, {64, 1, 1}, {64, 2, 2}} {
		old, _ := NewHasher(p).Hash("pw-123456")
		if !cur.NeedsRehash(old) {
			t.Errorf("hash of %v: no rehash", p)
		}
	}
	if !cur.NeedsRehash("garbage") {
		t.Error("unreadable hash: no rehash")
	}
}
