package web_test

import (
	"context"
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
