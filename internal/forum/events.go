package forum

import (
	"context"
	"sync"
	"time"
)

// watchBuffer is how many new messages a watcher may fall behind before it
// is dropped. A dropped watcher's channel closes; it resumes by reading
// the board from the last number it saw, so nothing is lost, only delayed.
const watchBuffer = 64

// feed fans new messages out to the readers watching each board, within
// this process.
type feed struct {
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
	feed   *feed
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
	w.feed.mu.Lock()
	defer w.feed.mu.Unlock()
	w.end()
}

// end removes the watch and closes its channel; the feed's lock is held.
func (w *Watch) end() {
	w.once.Do(func() {
		delete(w.feed.watchers[w.board], w)
		if len(w.feed.watchers[w.board]) == 0 {
			delete(w.feed.watchers, w.board)
		}
		close(w.c)
	})
}

func (f *feed) watch(board int64, viewer *User) *Watch {
	// Pointers: a buffer of messages themselves was most of a stream's
	// memory (64 × 300 bytes).
	c := make(chan *Message, watchBuffer)
	w := &Watch{C: c, c: c, board: board, viewer: viewer, feed: f}
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
func (f *feed) watched(board int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.watchers[board]) > 0
}

// endAll ends every watch. Their readers resume from the last message they
// saw, reading what they missed from the board.
func (f *feed) endAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for board := range f.watchers {
		f.endLocked(board)
	}
}

// endBoard ends the watches of one board, as endAll does every board's.
func (f *feed) endBoard(board int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.endLocked(board)
}

func (f *feed) endLocked(board int64) {
	for w := range f.watchers[board] {
		w.end()
	}
}

// publish hands m to the board's watchers without ever waiting for one;
// they share it, and the caller changes it no more.
func (f *feed) publish(m *Message) {
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
	w := s.feed.watch(b.ID, viewer)
	// Read the board again, now that the watch is on: a message committed
	// in between is counted here, or sent on the watch, or both.
	if b, err = s.Board(ctx, slug); err != nil {
		w.Close()
		return nil, nil, err
	}
	return b, w, nil
}

// Follow starts telling this process's watchers of the messages committed
// through every process sharing the store, until ctx ends, and returns
// once it listens (at once when the store is not shared: Post tells the
// watchers then). Whenever the store's announcements may have missed some
// messages (a lost connection to the database), every watch ends, and its
// reader catches up from the board: delayed, never lost.
func (s *Service) Follow(ctx context.Context) error {
	if s.broadcaster == nil {
		return nil
	}
	listening := make(chan struct{})
	var once sync.Once
	posted := func(boardID, number int64) {
		if !s.feed.watched(boardID) {
			return
		}
		m, err := s.store.Message(ctx, boardID, number)
		if err != nil {
			// Unread, the message cannot be sent: the board's readers must
			// read it from the board instead. Other boards lost nothing.
			s.feed.endBoard(boardID)
			return
		}
		s.feed.publish(m)
	}
	lost := func() {
		s.feed.endAll()
		once.Do(func() { close(listening) })
	}
	ctx, stop := context.WithCancel(ctx)
	go func() {
		defer stop()
		// The store logs what goes wrong while following; it returns
		// only when ctx ends.
		s.broadcaster.Follow(ctx, posted, lost) //nolint:errcheck
	}()
	select {
	case <-listening:
		return nil
	case <-time.After(followTimeout):
		stop()
		return Errorf(CodeUnavailable, "could not listen for new messages within %v; see the log", followTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// followTimeout bounds how long Follow waits to listen: a process that
// cannot hear of other processes' posts should say so, not wait unseen.
const followTimeout = 30 * time.Second
