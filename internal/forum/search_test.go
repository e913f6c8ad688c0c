package forum_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/store/sqlite/sqlitetest"
)

// slowSearchStore holds each search until its context ends, as an engine
// on a query too costly for its timeout would, and then until release is
// closed; it tells when one began.
type slowSearchStore struct {
	forum.Store
	began   chan struct{}
	release chan struct{}
}

func (s *slowSearchStore) Search(ctx context.Context, f forum.SearchFilter) (forum.SearchHits, error) {
	s.began <- struct{}{}
	<-ctx.Done()
	<-s.release
	return forum.SearchHits{}, ctx.Err()
}

// TestSearchBounds: a search is stopped at the search timeout and says so
// (503, and how to narrow it), and searches take turns: with one allowed
// at a time, the next waits, and is told the server is busy when its
// timeout passes first, with a time to come back. Neither is the store's
// fault: nothing is logged as a failure (no cause).
func TestSearchBounds(t *testing.T) {
	st := &slowSearchStore{Store: sqlitetest.Open(t), began: make(chan struct{}, 2), release: make(chan struct{})}
	svc := newServiceOn(t, st, forum.Config{SearchTimeout: 200 * time.Millisecond, Searches: 1})
	first := make(chan error, 1)
	go func() {
		_, err := svc.Search(t.Context(), nil, forum.SearchRequest{Query: "costly"})
		first <- err
	}()
	<-st.began
	_, err := svc.Search(t.Context(), nil, forum.SearchRequest{Query: "waiting"})
	if forum.ErrorCode(err) != forum.CodeUnavailable || !strings.Contains(forum.ErrorMessage(err), "busy with other searches") ||
		forum.RetryAfter(err) <= 0 || forum.ErrorCause(err) != nil {
		t.Errorf("a search waiting its turn past the timeout: %v (retry after %v), want unavailable, busy, a time to retry", err, forum.RetryAfter(err))
	}
	select {
	case <-st.began:
		t.Error("the second search ran beside the first, though one may run at a time")
	default:
	}
	close(st.release)
	err = <-first
	if forum.ErrorCode(err) != forum.CodeUnavailable || !strings.Contains(forum.ErrorMessage(err), "took longer than 200ms and was stopped: narrow it") ||
		forum.ErrorCause(err) != nil {
		t.Errorf("a search past the timeout: %v, want unavailable, stopped, narrow it", err)
	}
	// Its turn given back, the next search runs.
	if _, err := svc.Search(t.Context(), nil, forum.SearchRequest{Query: "next"}); forum.ErrorCode(err) != forum.CodeUnavailable {
		t.Errorf("the next search: %v", err)
	}
	select {
	case <-st.began:
	default:
		t.Error("the next search did not reach the store")
	}

	// A reader who leaves is no timeout.
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-st.began; cancel() }()
	if _, err := svc.Search(ctx, nil, forum.SearchRequest{Query: "left"}); forum.ErrorCode(err) != forum.CodeInternal {
		t.Errorf("a search whose reader left: %v, want the context's own error", err)
	}
}

// TestPreviewLimited: a member's previews are limited, as a burst and a
// rate, each member on their own: rendering costs the server's processors.
func TestPreviewLimited(t *testing.T) {
	clock := newTestClock()
	svc := newService(t, forum.Config{Now: clock.Now})
	ann, err := svc.AddUser(t.Context(), "ann", "password of ann", forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := svc.AddUser(t.Context(), "bob", "password of bob", forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := svc.Preview(ann, "draft"); err != nil {
			t.Fatalf("preview %d: %v", i+1, err)
		}
	}
	_, err = svc.Preview(ann, "draft")
	if forum.ErrorCode(err) != forum.CodeRateLimited || forum.RetryAfter(err) <= 0 {
		t.Fatalf("the 21st preview at once: %v, want rate limited with a time to retry", err)
	}
	if _, err := svc.Preview(bob, "draft"); err != nil {
		t.Errorf("another member's preview: %v", err)
	}
	clock.Add(time.Second)
	if _, err := svc.Preview(ann, "draft"); err != nil {
		t.Errorf("a preview a second later: %v", err)
	}
}
