package content

import (
	"strings"
	"testing"
)

func TestCacheBounds(t *testing.T) {
	c := newCache(10)
	for id := int64(1); id <= 50; id++ {
		c.put([]Article{{ID: id, Content: "x"}}, c.stamp())
	}
	if len(c.rows) != 10 {
		t.Fatalf("%d rows kept, want 10", len(c.rows))
	}
	big := strings.Repeat("字", 5000)
	c = newCache(1_000_000)
	for id := int64(1); id <= 10_000; id++ {
		c.put([]Article{{ID: id, Content: big}}, c.stamp())
	}
	if c.size > maxRowBytes || len(c.rows) < maxRowBytes/(rowSize(Article{Content: big}))-1 {
		t.Fatalf("%d rows, %d bytes", len(c.rows), c.size)
	}
	sum := 0
	for _, r := range c.rows {
		sum += r.size
	}
	if sum != c.size {
		t.Fatalf("size %d, rows hold %d", c.size, sum)
	}
}

func TestCacheRefusesStaleFills(t *testing.T) {
	c := newCache(100)
	stamp := c.stamp()                                      // a reader starts
	c.changed(false, 7)                                     // a writer commits a change to article 7
	c.put([]Article{{ID: 7, LikeCount: 1}, {ID: 8}}, stamp) // the reader's old row of 7
	out := make([]ArticleView, 2)
	if missing := c.fill([]int64{7, 8}, out); len(missing) != 1 || missing[0] != 7 {
		t.Fatalf("missing %v: the stale row of 7 was kept", missing)
	}
	c.putNewest([]int64{8, 7}, true, stamp)
	if _, ok := c.newestPage(0, 2); !ok {
		t.Fatal("newest refused though nothing was published")
	}
	stamp = c.stamp()
	c.changed(true)                         // a publish
	c.putNewest([]int64{8, 7}, true, stamp) // read before the publish
	if _, ok := c.newestPage(0, 2); ok {
		t.Fatal("newest ids survived a publish")
	}
	// Marks: a viewer's like drops what was known of them.
	stamp = c.stamp()
	c.marked(3, 8)
	c.putMarks(3, []int64{8}, map[int64]uint8{}, stamp)
	views := []ArticleView{{Article: Article{ID: 8}}}
	if missing := c.fillMarks(3, views); len(missing) != 1 {
		t.Fatal("stale marks kept")
	}
	// Forgetting the history refuses every fill that started before.
	stamp = c.stamp()
	for id := int64(1000); id < 1200; id++ {
		c.changed(false, id)
	}
	c.put([]Article{{ID: 9}}, stamp)
	if missing := c.fill([]int64{9}, out[:1]); len(missing) != 1 {
		t.Fatal("a fill older than the forgotten history was kept")
	}
}
