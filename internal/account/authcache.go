package account

import (
	"sync"
	"time"

	"plaza/internal/cachesync"
)

// authCache keeps recent answers of Authenticate in memory, so the hot path
// of every signed-in request does not query the store. It is exact on one
// node: every change that can end a session or alter the user (revoke,
// refresh, ban, password reset, profile update) goes through this package
// and invalidates the user's entries before it returns. With several
// nodes on one PostgreSQL the invalidations travel to every node
// (Service.WithSync, cachesync), and the cache is not used while a node
// may have missed one.
type authCache struct {
	ttl    time.Duration
	max    int
	usable func() bool // nil: always (cachesync.Sync.Usable)

	mu      sync.Mutex
	gen     uint64            // bumped by every invalidation
	userGen map[int64]uint64  // gen at the user's last invalidation
	floor   uint64            // fills stamped before it are refused (DropAll)
	entries map[string]cached // access-token hash -> answer
	authors map[int64]cachedAuthor
}

type cachedAuthor struct {
	author Author
	until  time.Time
	gen    uint64
}

type cached struct {
	user      User
	expiresAt int64     // the token's expiry, ms
	until     time.Time // the entry's own expiry
	gen       uint64    // gen when the store was read
}

func newAuthCache(ttl time.Duration, max int) *authCache {
	if ttl <= 0 {
		return nil
	}
	return &authCache{ttl: ttl, max: max, userGen: map[int64]uint64{}, entries: map[string]cached{}, authors: map[int64]cachedAuthor{}}
}

// stamp is read before the store is: an entry filled from a read that an
// invalidation may have overtaken carries an older stamp and is refused.
func (c *authCache) stamp() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// open tells whether the cache may be read and filled now.
func (c *authCache) open() bool { return c.usable == nil || c.usable() }

func (c *authCache) get(hash string, now time.Time) (User, bool) {
	if !c.open() {
		return User{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok {
		return User{}, false
	}
	if now.After(e.until) || now.UnixMilli() >= e.expiresAt || e.gen < c.userGen[e.user.ID] {
		delete(c.entries, hash)
		return User{}, false
	}
	return e.user, true
}

func (c *authCache) put(hash string, u User, expiresAt int64, stamp uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stamp < c.userGen[u.ID] || stamp < c.floor || !c.open() {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[hash] = cached{user: u, expiresAt: expiresAt, until: now.Add(c.ttl), gen: stamp}
}

// getAuthor returns the cached author of a user.
func (c *authCache) getAuthor(id int64, now time.Time) (Author, bool) {
	if !c.open() {
		return Author{}, false
	}
	e, ok := c.authors[id]
	if !ok {
		return Author{}, false
	}
	if now.After(e.until) || e.gen < c.userGen[id] {
		delete(c.authors, id)
		return Author{}, false
	}
	return e.author, true
}

// putAuthor keeps an author read from the store after stamp.
func (c *authCache) putAuthor(a Author, stamp uint64, now time.Time) {
	if stamp < c.userGen[a.ID] || stamp < c.floor || !c.open() {
		return
	}
	if len(c.authors) >= c.max {
		clear(c.authors)
	}
	c.authors[a.ID] = cachedAuthor{author: a, until: now.Add(c.ttl), gen: stamp}
}

// invalidate drops every entry of the user, including fills under way.
func (c *authCache) invalidate(userID int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.userGen[userID] = c.gen
	delete(c.authors, userID)
	if len(c.userGen) > c.max {
		// Forget the history, and with it every entry it guarded.
		clear(c.userGen)
		clear(c.entries)
		clear(c.authors)
		c.floor = c.gen
	}
}

// Apply invalidates the users of a change (cachesync.IDs) that a node
// published.
func (c *authCache) Apply(data string) {
	for _, id := range cachesync.ParseIDs(data) {
		c.invalidate(id)
	}
}

// DropAll drops every entry and refuses the fills under way.
func (c *authCache) DropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.floor = c.gen
	clear(c.userGen)
	clear(c.entries)
	clear(c.authors)
}
