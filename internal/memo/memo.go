// Package memo keeps values read from the store in memory, by key, exact
// on one node: every write that changes what a key's value was read from
// invalidates the key once it has committed (store.Tx.AfterCommit), and a
// fill that such an invalidation may have overtaken is refused, so that no
// reader puts back a value from before the change. (Several nodes sharing
// one PostgreSQL do not hear each other's invalidations: the server turns
// these tables on for the embedded SQLite store by default.)
package memo

import "sync"

// Table is the values of one kind by key. A nil *Table is off: Load always
// reads, Invalidate does nothing.
type Table[K comparable, V any] struct {
	max int

	usable func() bool // nil: always

	mu      sync.Mutex
	gen     uint64       // bumped by every invalidation
	keyGen  map[K]uint64 // gen at the key's last invalidation
	floor   uint64       // fills stamped before it are refused (DropAll, a forgotten history)
	entries map[K]entry[V]
}

type entry[V any] struct {
	v   V
	gen uint64 // gen when the store was read
}

// New returns a table of at most max keys (beyond, it starts afresh).
func New[K comparable, V any](max int) *Table[K, V] {
	return &Table[K, V]{max: max, keyGen: map[K]uint64{}, entries: map[K]entry[V]{}}
}

// Gated makes the table used only while usable says so (the caches of
// several nodes: cachesync.Sync.Usable); otherwise Load reads through and
// keeps nothing. Call it before the table is used.
func (t *Table[K, V]) Gated(usable func() bool) *Table[K, V] {
	if t != nil {
		t.usable = usable
	}
	return t
}

// Load returns the value of k: the kept one, else read's, kept unless an
// invalidation of k came while read ran. Values are shared: callers must
// not change them.
func (t *Table[K, V]) Load(k K, read func() (V, error)) (V, error) {
	if t == nil || t.usable != nil && !t.usable() {
		return read()
	}
	t.mu.Lock()
	if e, ok := t.entries[k]; ok {
		t.mu.Unlock()
		return e.v, nil
	}
	stamp := t.gen
	t.mu.Unlock()
	v, err := read()
	if err != nil {
		return v, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if stamp >= t.keyGen[k] && stamp >= t.floor && (t.usable == nil || t.usable()) {
		if len(t.entries) >= t.max {
			clear(t.entries)
		}
		t.entries[k] = entry[V]{v: v, gen: stamp}
	}
	return v, nil
}

// Invalidate drops the values of keys, and refuses the fills under way.
func (t *Table[K, V]) Invalidate(keys ...K) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	for _, k := range keys {
		t.keyGen[k] = t.gen
		delete(t.entries, k)
	}
	if len(t.keyGen) > t.max {
		// Forget the history, and with it every value it guarded and
		// every fill under way.
		clear(t.keyGen)
		clear(t.entries)
		t.floor = t.gen
	}
}

// DropAll drops every value, and refuses every fill under way.
func (t *Table[K, V]) DropAll() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	t.floor = t.gen
	clear(t.keyGen)
	clear(t.entries)
}
