package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"parley/internal/forum"
)

// testAllOrNone checks InTx's promise: a call's writes are kept all or
// none, and one call's failure never undoes another's, however many
// share a commit.
func testAllOrNone(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	u := MustCreateUser(t, st, "alice")
	b := MustCreateBoard(t, st, u, "tx")
	first := MustPost(t, st, b, u, "first", 0)

	t.Run("a refused write undoes the call's others", func(t *testing.T) {
		kept := newMessage(b, u, "never kept", 0)
		err := st.InTx(ctx, func(tx forum.Tx) error {
			tx.CreateMessage(kept)
			tx.RemoveMessage(b.ID, first.Number, forum.RemovedByAuthor, Tick())
			tx.CreateMessage(newMessage(b, u, "a reply to nothing", 99))
			return nil
		})
		WantCode(t, err, forum.CodeInvalid)
		if got := mustBoard(t, st, b.Slug); got.LastNumber != 1 {
			t.Errorf("board's last number = %d after a refused call, want 1", got.LastNumber)
		}
		if m := mustMessage(t, st, b, 1); m.Removed != forum.NotRemoved {
			t.Errorf("message 1 removed by a refused call")
		}
	})

	t.Run("fn's error keeps nothing", func(t *testing.T) {
		mine := errors.New("the caller changed its mind")
		err := st.InTx(ctx, func(tx forum.Tx) error {
			tx.CreateMessage(newMessage(b, u, "never kept", 0))
			return mine
		})
		if !errors.Is(err, mine) {
			t.Fatalf("InTx = %v, want fn's error", err)
		}
		if got := mustBoard(t, st, b.Slug); got.LastNumber != 1 {
			t.Errorf("board's last number = %d after fn failed, want 1", got.LastNumber)
		}
	})

	t.Run("several writes of one call land together", func(t *testing.T) {
		a, c := newMessage(b, u, "two", 1), newMessage(b, u, "three", 1)
		if err := st.InTx(ctx, func(tx forum.Tx) error {
			tx.CreateMessage(a)
			tx.CreateMessage(c)
			tx.RemoveMessage(b.ID, first.Number, forum.RemovedByAuthor, Tick())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if a.Number != 2 || c.Number != 3 {
			t.Errorf("numbers %d, %d; want 2, 3", a.Number, c.Number)
		}
		if m := mustMessage(t, st, b, 1); m.Removed != forum.RemovedByAuthor || m.ReplyCount != 2 {
			t.Errorf("message 1: removed %q, %d replies; want removed by its author, 2 replies", m.Removed, m.ReplyCount)
		}
	})

	t.Run("calls sharing a commit fail alone", func(t *testing.T) {
		const calls = 40
		var wg sync.WaitGroup
		errs := make([]error, calls)
		msgs := make([]*forum.Message, calls)
		for i := range calls {
			replyTo := int64(1)
			if i%2 == 1 {
				replyTo = 1 << 40 // refused
			}
			msgs[i] = newMessage(b, u, "concurrent", replyTo)
			wg.Go(func() {
				errs[i] = st.InTx(ctx, func(tx forum.Tx) error {
					tx.CreateMessage(msgs[i])
					return nil
				})
			})
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i, err := range errs {
			if i%2 == 1 {
				WantCode(t, err, forum.CodeInvalid)
				continue
			}
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
			seen[msgs[i].Number] = true
		}
		if got := mustBoard(t, st, b.Slug); got.LastNumber != 3+calls/2 || len(seen) != calls/2 {
			t.Errorf("board's last number %d, %d numbers given; want %d and %d", got.LastNumber, len(seen), 3+calls/2, calls/2)
		}
	})
}

// testRelay checks the outbox's delivery: each committed write's event,
// in commit order, and none of a refused call.
func testRelay(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	events, listening := make(chan forum.Event, 16), make(chan struct{}, 1)
	go st.Relay(ctx, func(e forum.Event) { events <- e }, func() { listening <- struct{}{} }) //nolint:errcheck
	select {
	case <-listening:
	case <-time.After(30 * time.Second):
		t.Fatal("Relay does not listen")
	}
	u := MustCreateUser(t, st, "alice")
	b := MustCreateBoard(t, st, u, "relay")
	MustPost(t, st, b, u, "one", 0)
	WantCode(t, CreateMessage(ctx, st, newMessage(b, u, "refused", 99)), forum.CodeInvalid)
	MustPost(t, st, b, u, "two", 1)
	if err := removeMessage(ctx, st, b.ID, 1, forum.RemovedByAuthor, Tick()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []forum.Event{
		{Kind: forum.Posted, BoardID: b.ID, Number: 1},
		{Kind: forum.Posted, BoardID: b.ID, Number: 2},
		{Kind: forum.Removed, BoardID: b.ID, Number: 1},
	} {
		select {
		case got := <-events:
			if got.Message != nil && (got.Message.Number != got.Number || got.Message.BoardID != got.BoardID) {
				t.Errorf("event %+v carries message %d of board %d", got, got.Message.Number, got.Message.BoardID)
			}
			got.Message, got.At = nil, time.Time{} // as a store has them at hand
			if got != want {
				t.Errorf("event %+v, want %+v", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no event; want %+v", want)
		}
	}
}
