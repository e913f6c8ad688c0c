package forum

import (
	"context"
	"sync"
	"time"
)

// EventKind is what happened.
type EventKind string

// The kinds of event. Their names are the outbox's, and are kept: an
// event of a kind a process does not know is passed over.
const (
	Posted  EventKind = "posted"  // a message was posted
	Removed EventKind = "removed" // a message was removed
)

// Event is something that happened to a board's message, written to the
// store's outbox in the transaction that made it happen and delivered from
// there: to the readers watching the board, and to the other processes
// sharing the store (EventRelay).
type Event struct {
	Kind    EventKind
	BoardID int64
	Number  int64
	// At is when it happened; relayed events leave it zero.
	At time.Time
	// Message is the message posted, as it was stored, when the store
	// has it at hand (the process that wrote it, on a store that process
	// alone holds); nil otherwise, and then read.
	Message *Message
}

// OutboxKeep is how many of the newest events a store keeps in its
// outbox; each batch of writes forgets older ones.
const OutboxKeep = 100_000

// watchBuffer is how many new messages a watcher may fall behind before it
// is dropped. A dropped watcher's channel closes; it resumes by reading
// the board from the last number it saw, so nothing is lost, only delayed.
const watchBuffer = 64

// hub fans new messages out to the readers watching each board, within
// this process.
type hub struct {
	mu       sync.Mutex
	watchers map[int64]map[*Watch]struct{} // by board ID
}

// Watch is a reader's subscription to a board's new messages.
type Watch struct {
	// C receives each message posted to the board after the watch began,
	// shared with the board's other watchers: read it, never change it.
	// Concurrent posts may arrive out of number order, so a reader that
	// sees a number beyond the next it expects reads the gap from the
	// board. C is closed when the watch ends: by Close, or when the reader
	// fell too far behind.
	C <-chan *Message

	c      chan *Message
	board  int64
	viewer *User
	hub    *hub
	once   sync.Once
}

// Shown returns a message received on C as the watch's viewer may see it:
// a copy, since the message is shared.
func (w *Watch) Shown(m *Message) *Message {
	c := *m
	seenBy(w.viewer, &c)
	return &c
}

// Close ends the watch.
func (w *Watch) Close() {
	w.hub.mu.Lock()
	defer w.hub.mu.Unlock()
	w.end()
}

// end removes the watch and closes its channel; the hub's lock is held.
func (w *Watch) end() {
	w.once.Do(func() {
		delete(w.hub.watchers[w.board], w)
		if len(w.hub.watchers[w.board]) == 0 {
			delete(w.hub.watchers, w.board)
		}
		close(w.c)
	})
}

func (f *hub) watch(board int64, viewer *User) *Watch {
	// Pointers: a buffer of messages themselves was most of a stream's
	// memory (64 × 300 bytes).
	c := make(chan *Message, watchBuffer)
	w := &Watch{C: c, c: c, board: board, viewer: viewer, hub: f}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watchers == nil {
		f.watchers = make(map[int64]map[*Watch]struct{})
	}
	if f.watchers[board] == nil {
		f.watchers[board] = make(map[*Watch]struct{})
	}
	f.watchers[board][w] = struct{}{}
	return w
}

// watched reports whether anyone watches the board.
func (f *hub) watched(board int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.watchers[board]) > 0
}

// endAll ends every watch. Their readers resume from the last message they
// saw, reading what they missed from the board.
func (f *hub) endAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for board := range f.watchers {
		f.endLocked(board)
	}
}

// endBoard ends the watches of one board, as endAll does every board's.
func (f *hub) endBoard(board int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.endLocked(board)
}

func (f *hub) endLocked(board int64) {
	for w := range f.watchers[board] {
		w.end()
	}
}

// publish hands m to the board's watchers without ever waiting for one;
// they share it, and the caller changes it no more.
func (f *hub) publish(m *Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for w := range f.watchers[m.BoardID] {
		select {
		case w.c <- m:
		default:
			w.end()
		}
	}
}

// Watch subscribes viewer (nil for nobody signed in) to the messages
// posted to a board from now on, each to be seen through Watch.Shown. The
// caller must Close the watch. Every message after the board's LastNumber
// as returned is sent on the watch (or the watch ends); some at or before
// it may be sent too.
func (s *Service) Watch(ctx context.Context, viewer *User, slug string) (*Board, *Watch, error) {
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	w := s.hub.watch(b.ID, viewer)
	// Read the board again, now that the watch is on: a message committed
	// in between is counted here, or sent on the watch, or both.
	if b, err = s.Board(ctx, slug); err != nil {
		w.Close()
		return nil, nil, err
	}
	return b, w, nil
}

// Relay starts delivering to this process's watchers the events
// committed, through this process or any other sharing the store, until
// ctx ends, and returns once it listens: watchers hear of nothing before.
// Whenever the store's announcements may have missed some (a lost
// connection to the database), every watch ends, and its reader catches up
// from the board: delayed, never lost.
func (s *Service) Relay(ctx context.Context) error {
	listening := make(chan struct{})
	var once sync.Once
	deliver := func(e Event) {
		if e.Kind != Posted || !s.hub.watched(e.BoardID) {
			return // watchers hear of new messages only
		}
		if e.Message != nil {
			m := *e.Message // the watchers' own: the writer may change its copy
			s.hub.publish(&m)
			return
		}
		m, err := s.store.Message(ctx, e.BoardID, e.Number)
		if err != nil {
			// Unread, the message cannot be sent: the board's readers must
			// read it from the board instead. Other boards lost nothing.
			s.hub.endBoard(e.BoardID)
			return
		}
		s.hub.publish(m)
	}
	lost := func() {
		s.hub.endAll()
		once.Do(func() { close(listening) })
	}
	ctx, stop := context.WithCancel(ctx)
	go func() {
		defer stop()
		// The store logs what goes wrong while relaying; it returns only
		// when ctx ends.
		s.store.Relay(ctx, deliver, lost) //nolint:errcheck
	}()
	select {
	case <-listening:
		return nil
	case <-time.After(relayTimeout):
		stop()
		return Errorf(CodeUnavailable, "could not listen for new messages within %v; see the log", relayTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// relayTimeout bounds how long Relay waits to listen: a process that
// cannot hear of other processes' posts should say so, not wait unseen.
const relayTimeout = 30 * time.Second
