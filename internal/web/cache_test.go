package web_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/web"
)

// TestCachedPages: a board window and a message page, as a reader who is
// not signed in gets them, carry validators; a request with the ETag is
// answered 304 while the board stays as it was, and the page changes —
// never served stale from the cache — once a message is posted or removed.
func TestCachedPages(t *testing.T) {
	for _, path := range []string{"/b/talk?from=1", "/b/talk?before=26", "/b/talk/1"} {
		t.Run(path, func(t *testing.T) {
			st := &countingStore{Store: sqlitetest.Open(t)}
			f := newTestForumOn(t, st, forum.Config{}, web.Options{})
			ann := f.MustUser(t, "ann")
			f.MustBoard(t, ann, "talk", "Talk")
			for i := range 30 {
				f.MustPost(t, ann, "talk", "message", int64(i%2))
			}
			b := f.browser(t)
			first := b.get(path).wantStatus(t, http.StatusOK)
			etag, modified := first.header.Get("ETag"), first.header.Get("Last-Modified")
			if etag == "" || modified == "" || first.header.Get("Cache-Control") != "no-cache" {
				t.Fatalf("validators: ETag %q, Last-Modified %q, Cache-Control %q", etag, modified, first.header.Get("Cache-Control"))
			}
			first.wantText(t, "1 of 30")
			first.noText(t, "Deleted by its author.")
			reads := st.reads.Load()
			if again := b.get(path).wantStatus(t, http.StatusOK); again.body != first.body || again.header.Get("ETag") != etag {
				t.Error("the page read again differs while the board did not change")
			}
			if n := st.reads.Load() - reads; n != 0 {
				t.Errorf("the page read again read %d times from the messages; want none: it is kept", n)
			}
			if p := b.getIf(path, "If-None-Match", etag); p.status != http.StatusNotModified || p.body != "" {
				t.Errorf("If-None-Match with the page's ETag: %d, %d bytes; want 304, none", p.status, len(p.body))
			}
			// Whole seconds cannot tell a board's changes apart: only the
			// ETag is taken.
			if p := b.getIf(path, "If-Modified-Since", modified); p.status != http.StatusOK {
				t.Errorf("If-Modified-Since its Last-Modified: %d; want 200", p.status)
			}
			if p := b.getIf(path, "If-None-Match", "*"); p.status != http.StatusOK {
				t.Errorf("If-None-Match *: %d; want 200", p.status)
			}

			f.MustPost(t, ann, "talk", "one more", 1)
			posted := b.getIf(path, "If-None-Match", etag).wantStatus(t, http.StatusOK)
			posted.wantText(t, "1 of 31")
			etag = posted.header.Get("ETag")

			if err := f.svc.Remove(t.Context(), ann, "talk", 1); err != nil {
				t.Fatal(err)
			}
			removed := b.getIf(path, "If-None-Match", etag).wantStatus(t, http.StatusOK)
			if removed.header.Get("ETag") == etag {
				t.Error("the ETag stayed the same after a removal")
			}
			removed.wantText(t, "Deleted by its author.") // never the page kept from before
		})
	}
}

// TestSignedInPagesNotCached: a signed-in reader's page holds their name
// and forms: it has no validators and is never answered 304.
func TestSignedInPagesNotCached(t *testing.T) {
	f := newTestForum(t, web.Options{})
	ann := f.MustUser(t, "ann")
	f.MustBoard(t, ann, "talk", "Talk")
	f.MustPost(t, ann, "talk", "message", 0)
	anon := f.browser(t).get("/b/talk?from=1")
	b := f.browser(t)
	b.signIn("ann")
	p := b.getIf("/b/talk?from=1", "If-None-Match", anon.header.Get("ETag")).wantStatus(t, http.StatusOK)
	if p.header.Get("ETag") != "" {
		t.Errorf("a signed-in reader's page has ETag %q", p.header.Get("ETag"))
	}
	p.wantText(t, "New message")
	if p.body == anon.body {
		t.Error("the signed-in reader got the page of a reader who is not signed in")
	}
}

// countingStore counts the reads of messages, to tell a page kept from one
// made again.
type countingStore struct {
	forum.Store
	reads atomic.Int64
}

func (s *countingStore) Message(ctx context.Context, boardID, number int64) (*forum.Message, error) {
	s.reads.Add(1)
	return s.Store.Message(ctx, boardID, number)
}

func (s *countingStore) Messages(ctx context.Context, boardID int64, w forum.Window) ([]forum.Message, error) {
	s.reads.Add(1)
	return s.Store.Messages(ctx, boardID, w)
}

// TestCanonicalAddresses: a page has one address. Another spelling of it —
// numbers with leading zeros, an escaped slug, parameters in another
// order — is redirected there (301), so that made-up spellings cannot fill
// the page cache with copies of one page and push out the pages readers
// read; what is not a page's parameter is left alone.
func TestCanonicalAddresses(t *testing.T) {
	st := &countingStore{Store: sqlitetest.Open(t)}
	f := newTestForumOn(t, st, forum.Config{}, web.Options{})
	ann := f.MustUser(t, "ann")
	f.MustBoard(t, ann, "ab", "AB")
	for i := range 30 {
		f.MustPost(t, ann, "ab", "message", int64(i%2))
	}
	b := f.browser(t)
	for _, tc := range []struct{ path, to string }{
		{"/b/a%62", "/b/ab"},
		{"/b/ab?from=001", "/b/ab?from=1"},
		{"/b/a%62?from=01&limit=010", "/b/ab?from=1&limit=10"},
		{"/b/ab?limit=10&from=1", "/b/ab?from=1&limit=10"},
		{"/b/ab?before=0026", "/b/ab?before=26"},
		{"/b/ab/0001", "/b/ab/1"},
		{"/b/a%62/0001?from=001", "/b/ab/1?from=001"},
		{"/b/ab/01/replies?from=002", "/b/ab/1/replies?from=2"},
		{"/b/ab/01/thread", "/b/ab/1/thread"},
		{"/b/ab?utm_source=x&from=01", ""}, // not the page's own: shown, not kept
		{"/b/ab?from=1&limit=10", ""},
		{"/b/ab/1", ""},
		{"/b/ab/1/replies", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p := b.get(tc.path)
			if tc.to == "" {
				p.wantStatus(t, http.StatusOK)
				return
			}
			if p.status != http.StatusMovedPermanently || p.header.Get("Location") != tc.to {
				t.Fatalf("got %d to %q, want 301 to %q", p.status, p.header.Get("Location"), tc.to)
			}
		})
	}
	// Variants of a kept page neither read the board's messages nor take
	// a place in the cache.
	b.get("/b/ab/1").wantStatus(t, http.StatusOK)
	reads := st.reads.Load()
	for i := range 100 {
		b.get(fmt.Sprintf("/b/ab/%0*d", i+2, 1))
	}
	if n := st.reads.Load() - reads; n != 0 {
		t.Errorf("100 spellings of /b/ab/1 read the messages %d times; want none", n)
	}
}

// TestETagAcrossInstances: two servers of one build over one database
// answer each other's conditional requests, as instances behind a load
// balancer must.
func TestETagAcrossInstances(t *testing.T) {
	st := sqlitetest.Open(t)
	one := newTestForumOn(t, st, forum.Config{}, web.Options{})
	two := newTestForumOn(t, st, forum.Config{}, web.Options{})
	ann := one.MustUser(t, "ann")
	one.MustBoard(t, ann, "talk", "Talk")
	one.MustPost(t, ann, "talk", "message", 0)
	etag := one.browser(t).get("/b/talk/1").wantStatus(t, http.StatusOK).header.Get("ETag")
	if p := two.browser(t).getIf("/b/talk/1", "If-None-Match", etag); p.status != http.StatusNotModified {
		t.Errorf("the other instance answers the ETag %s with %d, want 304", etag, p.status)
	}
}
