package account

import (
	"testing"
	"time"
)

func TestAuthCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newAuthCache(time.Minute, 3)
	alice, bob := User{ID: 1, Nickname: "alice"}, User{ID: 2}
	exp := now.Add(time.Hour).UnixMilli()

	c.put("a", alice, exp, c.stamp(), now)
	if u, ok := c.get("a", now); !ok || u.Nickname != "alice" {
		t.Fatal("miss after put")
	}
	// The entry's own lifetime, and the token's expiry, both end it.
	if _, ok := c.get("a", now.Add(61*time.Second)); ok {
		t.Fatal("hit after the entry's ttl")
	}
	c.put("a", alice, now.Add(time.Second).UnixMilli(), c.stamp(), now)
	if _, ok := c.get("a", now.Add(time.Second)); ok {
		t.Fatal("hit after the token's expiry")
	}

	// An invalidation drops the user's entries, not others'.
	c.put("a", alice, exp, c.stamp(), now)
	c.put("b", bob, exp, c.stamp(), now)
	c.invalidate(alice.ID)
	if _, ok := c.get("a", now); ok {
		t.Fatal("hit after invalidate")
	}
	if _, ok := c.get("b", now); !ok {
		t.Fatal("another user's entry was dropped")
	}

	// A fill whose store read began before an invalidation is refused.
	stamp := c.stamp()
	c.invalidate(alice.ID)
	c.put("a", alice, exp, stamp, now)
	if _, ok := c.get("a", now); ok {
		t.Fatal("a stale fill was kept")
	}
	c.put("a", alice, exp, c.stamp(), now)
	if _, ok := c.get("a", now); !ok {
		t.Fatal("a fresh fill was refused")
	}

	// Size bound.
	for i, h := range []string{"x", "y", "z", "w"} {
		c.put(h, User{ID: int64(10 + i)}, exp, c.stamp(), now)
	}
	if len(c.entries) > 3 {
		t.Fatalf("%d entries, max 3", len(c.entries))
	}
	var off *authCache = newAuthCache(0, 10)
	if off != nil {
		t.Fatal("ttl 0 must turn the cache off")
	}
	off.invalidate(1) // a nil cache ignores invalidations
}
