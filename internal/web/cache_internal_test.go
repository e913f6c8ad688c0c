package web

import (
	"bytes"
	"testing"
)

// TestPageCache: pages are found under their address and version only,
// the least recently used go first when the bound is passed, and a page
// too large to be worth many others is not kept.
func TestPageCache(t *testing.T) {
	c := newPageCache(1600)
	page := func(b byte) []byte { return bytes.Repeat([]byte{b}, 100) }
	for _, uri := range []string{"/a", "/b", "/c"} {
		c.put(uri, "v1", page(uri[1]))
	}
	for _, tc := range []struct {
		uri, version string
		want         []byte
	}{
		{"/a", "v1", page('a')},
		{"/a", "v2", nil},
		{"/d", "v1", nil},
	} {
		if got := c.get(tc.uri, tc.version); !bytes.Equal(got, tc.want) {
			t.Errorf("get(%s, %s) = %.10q, want %.10q", tc.uri, tc.version, got, tc.want)
		}
	}
	// 16 pages fit: the 17th pushes out the least recently used, /b, not
	// /a, which was read meanwhile.
	for i := range 14 {
		c.put(string(rune('e'+i)), "v1", page('x'))
		c.get("/a", "v1")
	}
	if c.get("/b", "v1") != nil || c.get("/a", "v1") == nil || c.size > c.max {
		t.Errorf("after eviction: /b kept %v, /a kept %v, %d of %d bytes", c.get("/b", "v1") != nil, c.get("/a", "v1") != nil, c.size, c.max)
	}
	c.put("/big", "v1", make([]byte, 101))
	if c.get("/big", "v1") != nil {
		t.Error("a page over a sixteenth of the cache was kept")
	}
	c.put("/a", "v2", page('A'))
	if got := c.get("/a", "v2"); !bytes.Equal(got, page('A')) || c.get("/a", "v1") != nil {
		t.Error("a new version of a page did not replace the old")
	}
}
