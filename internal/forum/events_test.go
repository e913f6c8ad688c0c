package forum_test

import (
	"context"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/sqlite/sqlitetest"
)

// sharedStore is a store that another process shares: the test announces
// its commits through deliver, as the store's Relay would.
type sharedStore struct {
	forum.Store
	deliver chan func(forum.Event)
}

func (s *sharedStore) Relay(ctx context.Context, deliver func(forum.Event), lost func()) error {
	lost() // connected
	s.deliver <- deliver
	<-ctx.Done()
	return ctx.Err()
}

// TestRelayUnreadMessage: a message announced but not read (here, one
// that is not there) ends the watches of its board, whose readers then read
// the board, and only those: the watchers of other boards lost nothing.
func TestRelayUnreadMessage(t *testing.T) {
	st := &sharedStore{Store: sqlitetest.Open(t), deliver: make(chan func(forum.Event), 1)}
	svc := newServiceOn(t, st, forum.Config{})
	ctx := t.Context()
	if err := svc.Relay(ctx); err != nil {
		t.Fatal(err)
	}
	deliver := <-st.deliver
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
			deliver(forum.Event{Kind: forum.Posted, BoardID: b.ID, Number: 1}) // announced, but no message 1 can be read
		}
	}
	if _, open := <-watches["a"].C; open {
		t.Error("board a's watch is still open after a message it could not be sent")
	}
	m, err := svc.Post(ctx, admin, "b", forum.NewMessage{Body: "still heard"})
	if err != nil {
		t.Fatal(err)
	}
	deliver(forum.Event{Kind: forum.Posted, BoardID: m.BoardID, Number: m.Number})
	if got, open := <-watches["b"].C; !open || got.Body != "still heard" {
		t.Errorf("board b's watch: %q, open %v; want the message posted, open", got.Body, open)
	}
}
