package web

import (
	"bytes"
	"container/list"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"parley/internal/forum"
)

// cacheBytes bounds the pages kept: a window page of 25 messages is about
// 40 KB, so some 600 of them. The heap holds them twice over between
// collections, and a server should stay well within 150 MB.
const cacheBytes = 24 << 20

// pageCache keeps the bytes of board pages rendered for readers who are
// not signed in, each under the board's version it showed. A board page
// changes only when its board does — a new message changes the last number
// ("of N", reply counts), a removal the revision — so one read of the
// board's row says whether the bytes kept are still the page, wherever
// the change was made, by this process or another sharing the database.
type pageCache struct {
	mu    sync.Mutex
	size  int
	max   int
	order *list.List // of *cachedPage, most recently used first
	pages map[string]*list.Element
}

type cachedPage struct {
	uri, version string
	body         []byte
}

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, order: list.New(), pages: map[string]*list.Element{}}
}

// get returns the page kept for uri if it is of version.
func (c *pageCache) get(uri, version string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.pages[uri]
	if !ok {
		return nil
	}
	p := e.Value.(*cachedPage)
	if p.version != version {
		return nil
	}
	c.order.MoveToFront(e)
	return p.body
}

// put keeps body as the page at uri of version, forgetting the least
// recently used pages beyond the bound.
func (c *pageCache) put(uri, version string, body []byte) {
	if len(body) > c.max/16 {
		return // one page must not push out many
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.pages[uri]; ok {
		c.size -= len(e.Value.(*cachedPage).body)
		c.order.Remove(e)
	}
	c.pages[uri] = c.order.PushFront(&cachedPage{uri: uri, version: version, body: body})
	c.size += len(body)
	for c.size > c.max {
		e := c.order.Back()
		p := e.Value.(*cachedPage)
		c.order.Remove(e)
		delete(c.pages, p.uri)
		c.size -= len(p.body)
	}
}

// boardPage answers a GET of a page of board b that build makes. For a
// reader who is not signed in, the page carries an ETag and Last-Modified
// from the board's version, a request whose If-None-Match holds the ETag
// is answered 304 before anything else is read, and the bytes are kept and
// served again while the board stays as it was. A signed-in reader's page
// holds their name and forms, and is rendered each time.
//
// If-Modified-Since is not answered: HTTP dates have whole seconds, and a
// board changes within one; browsers send the ETag.
//
// The bytes are kept only when keep is set, for an address whose query
// holds nothing but the page's own parameters: the page quotes its address
// (the sign-in link), so other parameters would make other pages, and
// anyone could push the pages readers use out of the cache with made-up
// ones.
func (s *server) boardPage(w http.ResponseWriter, r *http.Request, b *forum.Board, keep bool, build func() (templ.Component, error)) error {
	if readerOf(r.Context()) != nil {
		c, err := build()
		if err != nil {
			return err
		}
		return s.render(w, r, http.StatusOK, c)
	}
	etag := fmt.Sprintf(`"%d.%d.%d.%s"`, b.ID, b.LastNumber, b.Revision, s.release)
	h := w.Header()
	if matches(r.Header.Get("If-None-Match"), etag) {
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	uri := r.URL.RequestURI()
	var page []byte
	if keep {
		page = s.cache.get(uri, etag)
	}
	if page == nil {
		c, err := build()
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := c.Render(r.Context(), &buf); err != nil {
			return fmt.Errorf("render %s: %w", r.URL.Path, err)
		}
		page = buf.Bytes()
		if keep {
			s.cache.put(uri, etag, page)
		}
	}
	modified := s.started
	for _, t := range []time.Time{b.LastPostedAt, b.ChangedAt} {
		if t.After(modified) {
			modified = t
		}
	}
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	s.send(w, r, http.StatusOK, page)
	return nil
}

// matches reports whether an If-None-Match header names etag (weak
// comparison, RFC 9110 13.1.2). "*" is not taken: it would answer 304 for
// a page that does not exist.
func matches(ifNoneMatch, etag string) bool {
	for tag := range strings.SplitSeq(ifNoneMatch, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == etag {
			return true
		}
	}
	return false
}
