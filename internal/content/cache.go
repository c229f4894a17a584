package content

import (
	"strings"
	"sync"

	"plaza/internal/cachesync"
)

// cache keeps article rows, the ids of the newest articles and viewers'
// recent likes and collects in memory, so that the hot lists need not
// read the store at all. It is exact on one node: every change this Service makes drops
// what it touched once its transaction has committed, and a fill read from
// the store before such a drop carries an older stamp and is refused. With
// several nodes on one database a node would not hear of the others'
// changes by themselves: the changes travel to every node through
// cachesync (Service.WithSync), and the cache is not used while a node
// may have missed one.
type cache struct {
	usable func() bool // nil: always (cachesync.Sync.Usable)

	mu     sync.Mutex
	max    int                 // rows kept at most
	size   int                 // bytes the rows hold, roughly
	gen    uint64              // bumped by every change
	rows   map[int64]cachedRow // article id -> row
	rowGen map[int64]uint64    // gen at the article's last change
	floor  uint64              // fills stamped before this are refused

	viewers   map[int64]map[int64]uint8 // viewer -> article id -> markLike|markCollect
	viewerGen map[int64]uint64          // gen at the viewer's last like or collect change

	newest    []int64 // ids of the newest articles, newest first
	complete  bool    // newest holds every article
	newestOK  bool    // newest is filled
	newestGen uint64  // gen at the last publish or delete
}

// Bits of a viewer's marks on an article.
const (
	markLike    = 1
	markCollect = 2
)

// Bounds besides the rows: the bytes of the rows (articles can be long),
// the articles whose marks are kept for one viewer, and the viewers.
const (
	maxRowBytes = 64 << 20
	marksKept   = 256
	maxViewers  = 5000
)

type cachedRow struct {
	a    Article
	gen  uint64
	size int
}

func rowSize(a Article) int {
	n := 160 + len(a.Content)
	for _, im := range a.Images {
		n += 16 + len(im)
	}
	return n
}

// drop removes a row.
func (c *cache) drop(id int64) {
	if r, ok := c.rows[id]; ok {
		c.size -= r.size
		delete(c.rows, id)
	}
}

// newestKept is how many of the newest ids the cache keeps: the first
// pages of the home list.
const newestKept = 1000

func newCache(max int) *cache {
	if max <= 0 {
		return nil
	}
	return &cache{max: max, rows: map[int64]cachedRow{}, rowGen: map[int64]uint64{},
		viewers: map[int64]map[int64]uint8{}, viewerGen: map[int64]uint64{}}
}

// on tells whether the cache is there and may be used now.
func (c *cache) on() bool { return c != nil && c.open() }

// open tells whether the cache may be read and filled now.
func (c *cache) open() bool { return c.usable == nil || c.usable() }

// Apply makes a change a node published (Service.changed, Service.marked):
// "r <ids>" rows changed, "n <ids>" rows and the newest list, "m
// <user>,<article>" a like or collect.
func (c *cache) Apply(data string) {
	kind, ids, _ := strings.Cut(data, " ")
	list := cachesync.ParseIDs(ids)
	switch kind {
	case "m":
		if len(list) == 2 {
			c.marked(list[0], list[1])
			return
		}
	case "r", "n":
		c.changed(kind == "n", list...)
		return
	}
	c.DropAll() // not a change this version makes: be safe
}

// DropAll drops everything and refuses the fills under way.
func (c *cache) DropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.floor, c.newestGen = c.gen, c.gen
	clear(c.rows)
	clear(c.rowGen)
	c.size = 0
	clear(c.viewers)
	clear(c.viewerGen)
	c.newest, c.newestOK, c.complete = nil, false, false
}

// stamp is read before the store is.
func (c *cache) stamp() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// fill sets out[i] to the cached row of ids[i] and returns the ids it
// lacks.
func (c *cache) fill(ids []int64, out []ArticleView) (missing []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, id := range ids {
		if r, ok := c.rows[id]; ok {
			out[i].Article = r.a
		} else {
			missing = append(missing, id)
		}
	}
	return missing
}

// put keeps rows read from the store after stamp.
func (c *cache) put(rows []Article, stamp uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.open() {
		return
	}
	for _, a := range rows {
		if stamp < c.floor || stamp < c.rowGen[a.ID] {
			continue
		}
		c.drop(a.ID)
		r := cachedRow{a: a, gen: stamp, size: rowSize(a)}
		for id := range c.rows { // drop rows at random to make room
			if len(c.rows) < c.max && c.size+r.size <= maxRowBytes {
				break
			}
			c.drop(id)
		}
		c.rows[a.ID] = r
		c.size += r.size
	}
}

// fillMarks sets the viewer's known marks on views and returns the ids of
// those it does not know.
func (c *cache) fillMarks(viewer int64, views []ArticleView) (missing []int64) {
	if c == nil {
		missing = make([]int64, len(views))
		for i, v := range views {
			missing[i] = v.ID
		}
		return missing
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	known := c.viewers[viewer]
	for i := range views {
		if m, ok := known[views[i].ID]; ok {
			views[i].Liked, views[i].Collected = m&markLike != 0, m&markCollect != 0
		} else {
			missing = append(missing, views[i].ID)
		}
	}
	return missing
}

// putMarks keeps the viewer's marks on ids read from the store after stamp
// (an id absent from marks has none).
func (c *cache) putMarks(viewer int64, ids []int64, marks map[int64]uint8, stamp uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if stamp < c.floor || stamp < c.viewerGen[viewer] || !c.open() {
		return
	}
	known := c.viewers[viewer]
	if known == nil || len(known)+len(ids) > marksKept {
		if len(c.viewers) >= maxViewers {
			clear(c.viewers)
		}
		known = make(map[int64]uint8, len(ids))
		c.viewers[viewer] = known
	}
	for _, id := range ids {
		known[id] = marks[id]
	}
}

// newestPage returns ids [offset, offset+limit) of the newest articles, if
// the cache can tell.
func (c *cache) newestPage(offset, limit int) ([]int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.newestOK {
		return nil, false
	}
	if offset+limit > len(c.newest) && !c.complete {
		return nil, false
	}
	lo, hi := min(offset, len(c.newest)), min(offset+limit, len(c.newest))
	return append([]int64(nil), c.newest[lo:hi]...), true
}

// putNewest keeps the newest ids read after stamp; complete: they are all.
func (c *cache) putNewest(ids []int64, complete bool, stamp uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stamp < c.newestGen || !c.open() {
		return
	}
	c.newest, c.complete, c.newestOK = ids, complete, true
}

// marked drops what a like or collect of user on article changed: the
// article's row (its counters) and the user's known marks.
func (c *cache) marked(user, article int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	c.viewerGen[user] = c.gen
	delete(c.viewers, user)
	c.mu.Unlock()
	c.changed(false, article)
}

// changed drops the rows of ids (their counters or existence changed);
// with listed, the newest ids too (an article came or went).
func (c *cache) changed(listed bool, ids ...int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		c.drop(id)
		c.rowGen[id] = c.gen
	}
	if listed {
		c.newestGen = c.gen
		c.newest, c.newestOK = nil, false
	}
	if len(c.rowGen) > c.max || len(c.viewerGen) > c.max {
		// Forget the history, and with it everything it guarded; fills
		// under way may predate a forgotten change.
		clear(c.rowGen)
		clear(c.rows)
		c.size = 0
		clear(c.viewerGen)
		clear(c.viewers)
		c.floor = c.gen
	}
}
