package memo_test

import (
	"errors"
	"testing"

	"plaza/internal/memo"
)

func TestLoadKeepsAndInvalidateDrops(t *testing.T) {
	tb := memo.New[int, string](10)
	reads := 0
	read := func(v string) func() (string, error) {
		return func() (string, error) { reads++; return v, nil }
	}
	if v, _ := tb.Load(1, read("a")); v != "a" {
		t.Fatal(v)
	}
	if v, _ := tb.Load(1, read("b")); v != "a" || reads != 1 {
		t.Fatalf("kept %q after %d reads", v, reads)
	}
	tb.Invalidate(1)
	if v, _ := tb.Load(1, read("b")); v != "b" || reads != 2 {
		t.Fatalf("after invalidate %q, %d reads", v, reads)
	}
	if _, err := tb.Load(2, func() (string, error) { return "", errors.New("x") }); err == nil {
		t.Fatal("error lost")
	}
	if v, _ := tb.Load(2, read("c")); v != "c" {
		t.Fatal("an error was kept")
	}
}

// A read that an invalidation overtook is answered but not kept.
func TestOvertakenFillIsRefused(t *testing.T) {
	tb := memo.New[int, string](10)
	v, _ := tb.Load(1, func() (string, error) {
		tb.Invalidate(1) // the write commits while the read runs
		return "old", nil
	})
	if v != "old" {
		t.Fatal(v)
	}
	if v, _ := tb.Load(1, func() (string, error) { return "new", nil }); v != "new" {
		t.Fatalf("the overtaken fill was kept: %q", v)
	}
	// Another key's invalidation does not refuse this key's fill.
	tb.Load(2, func() (string, error) { tb.Invalidate(3); return "two", nil })
	if v, _ := tb.Load(2, func() (string, error) { return "x", nil }); v != "two" {
		t.Fatalf("got %q", v)
	}
}

func TestNilIsOffAndBounded(t *testing.T) {
	var off *memo.Table[int, int]
	n := 0
	for range 3 {
		off.Load(1, func() (int, error) { n++; return n, nil })
	}
	off.Invalidate(1)
	if n != 3 {
		t.Fatalf("a nil table kept something: %d reads", n)
	}
	tb := memo.New[int, int](2)
	for k := range 10 {
		tb.Load(k, func() (int, error) { return k, nil })
		tb.Invalidate(k + 100)
	}
	if v, _ := tb.Load(9, func() (int, error) { return -1, nil }); v != 9 {
		t.Fatalf("got %d", v)
	}
}

// DropAll empties the table and refuses every fill under way; so does a
// history forgotten past the bound.
func TestDropAllRefusesFillsUnderWay(t *testing.T) {
	tb := memo.New[int, string](3)
	tb.Load(1, func() (string, error) { return "one", nil })
	tb.Load(2, func() (string, error) {
		tb.DropAll()
		return "stale", nil
	})
	for k, want := range map[int]string{1: "new1", 2: "new2"} {
		if v, _ := tb.Load(k, func() (string, error) { return want, nil }); v != want {
			t.Fatalf("key %d after DropAll: %q", k, v)
		}
	}
	// A fill of key 9 while 4 other keys' invalidations overflow the history.
	tb.Load(9, func() (string, error) {
		tb.Invalidate(9)
		tb.Invalidate(5, 6, 7, 8)
		return "stale", nil
	})
	if v, _ := tb.Load(9, func() (string, error) { return "fresh", nil }); v != "fresh" {
		t.Fatalf("a fill overtaken before the history was forgotten was kept: %q", v)
	}
}

// A gated table is used only while its gate is open: closed, it reads
// through and keeps nothing, also a fill that began while it was open.
func TestGated(t *testing.T) {
	open := true
	tb := memo.New[int, string](10).Gated(func() bool { return open })
	tb.Load(1, func() (string, error) { return "kept", nil })
	open = false
	if v, _ := tb.Load(1, func() (string, error) { return "read", nil }); v != "read" {
		t.Fatalf("closed gate served %q", v)
	}
	open = true
	tb.DropAll()
	tb.Load(1, func() (string, error) { open = false; return "during", nil })
	open = true
	if v, _ := tb.Load(1, func() (string, error) { return "after", nil }); v != "after" {
		t.Fatalf("a fill kept although the gate closed during it: %q", v)
	}
}
