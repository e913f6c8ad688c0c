package forum_test

import (
	"context"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/sqlite/sqlitetest"
)

// sharedStore is a store that another process shares: the test announces
// its commits through posted, as the store's Follow would.
type sharedStore struct {
	forum.Store
	posted chan func(boardID, number int64)
}

func (s *sharedStore) Follow(ctx context.Context, posted func(boardID, number int64), lost func()) error {
	lost() // connected
	s.posted <- posted
	<-ctx.Done()
	return ctx.Err()
}

// TestFollowUnreadMessage: a message announced but not read (here, one
// that is not there) ends the watches of its board, whose readers then read
// the board, and only those: the watchers of other boards lost nothing.
func TestFollowUnreadMessage(t *testing.T) {
	st := &sharedStore{Store: sqlitetest.Open(t), posted: make(chan func(int64, int64), 1)}
	svc := newServiceOn(t, st, forum.Config{})
	ctx := t.Context()
	if err := svc.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	posted := <-st.posted
	admin, err := svc.AddUser(ctx, "admin", "password", forum.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	watches := map[string]*forum.Watch{}
	for _, slug := range []string{"a", "b"} {
		if _, err := svc.CreateBoard(ctx, admin, forum.NewBoard{Slug: slug, Title: slug}); err != nil {
			t.Fatal(err)
		}
		b, w, err := svc.Watch(ctx, nil, slug)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Close)
		watches[slug] = w
		if slug == "a" {
			posted(b.ID, 1) // announced, but no message 1 can be read
		}
	}
	if _, open := <-watches["a"].C; open {
		t.Error("board a's watch is still open after a message it could not be sent")
	}
	m, err := svc.Post(ctx, admin, "b", forum.NewMessage{Body: "still heard"})
	if err != nil {
		t.Fatal(err)
	}
	posted(m.BoardID, m.Number)
	if got, open := <-watches["b"].C; !open || got.Body != "still heard" {
		t.Errorf("board b's watch: %q, open %v; want the message posted, open", got.Body, open)
	}
}
