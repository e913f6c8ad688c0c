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
// from the board's version, a conditional request that still holds is
// answered 304 before anything else is read, and the bytes are kept and
// served again while the board stays as it was. A signed-in reader's page
// holds their name and forms, and is rendered each time.
func (s *server) boardPage(w http.ResponseWriter, r *http.Request, b *forum.Board, build func() (templ.Component, error)) error {
	if readerOf(r.Context()) != nil {
		c, err := build()
		if err != nil {
			return err
		}
		return s.render(w, r, http.StatusOK, c)
	}
	etag := fmt.Sprintf(`"%d.%d.%d.%s"`, b.ID, b.LastNumber, b.Revision, s.release)
	modified := b.CreatedAt
	for _, t := range []time.Time{b.LastPostedAt, b.ChangedAt} {
		if t.After(modified) {
			modified = t
		}
	}
	validators := func(h http.Header) {
		h.Set("ETag", etag)
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
		h.Set("Cache-Control", "no-cache")
	}
	if notModified(r, etag, modified) {
		validators(w.Header())
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	uri := r.URL.RequestURI()
	body := s.cache.get(uri, etag)
	if body == nil {
		c, err := build()
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := c.Render(r.Context(), &buf); err != nil {
			return fmt.Errorf("render %s: %w", r.URL.Path, err)
		}
		body = buf.Bytes()
		s.cache.put(uri, etag, body)
	}
	h := w.Header()
	validators(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return nil
}

// notModified reports whether a conditional GET's validators still hold:
// If-None-Match when sent (weak comparison, RFC 9110 13.1.2), otherwise
// If-Modified-Since. HTTP dates have whole seconds, so a client that sends
// only the latter may miss a change made in the second it last read.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == etag || tag == "*" {
				return true
			}
		}
		return false
	}
	since, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.Truncate(time.Second).After(since)
}
