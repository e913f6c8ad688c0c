// Package groupcommit commits concurrent posts together. Callers queue a
// post and wait; one goroutine takes every post waiting, up to a batch, and
// commits them in one transaction, so that they share its sync. A durable
// commit costs a sync of the disk, and sharing it is what keeps posting fast
// under load; alone, a post is committed at once.
package groupcommit

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"parley/internal/forum"
)

// Committer queues items of type T for its commit function.
type Committer[T any] struct {
	// commit stores a batch in one transaction and returns each item's
	// verdict, in order; it must answer every item.
	commit   func(batch []T) []error
	maxBatch int

	queue   chan *request[T]
	quit    chan struct{} // closed by Close: take no new items
	closing sync.Once
	stopped chan struct{} // closed when the committing goroutine has ended
}

// request is one item waiting for its verdict.
type request[T any] struct {
	item T
	done chan error
}

// ErrClosed answers posts made after Close.
var ErrClosed = forum.Errorf(forum.CodeUnavailable, "the server is shutting down; try again")

// DefaultMaxBatch is the batch bound New takes when given none.
const DefaultMaxBatch = 256

// New starts a Committer that commits up to maxBatch items at a time
// (DefaultMaxBatch when maxBatch is not positive; 1 commits each alone).
func New[T any](maxBatch int, commit func(batch []T) []error) *Committer[T] {
	if maxBatch <= 0 {
		maxBatch = DefaultMaxBatch
	}
	c := &Committer[T]{
		commit:   commit,
		maxBatch: maxBatch,
		queue:    make(chan *request[T], 4*maxBatch),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	go c.run()
	return c
}

// Do queues item and waits for the commit that stores it (or refuses it).
func (c *Committer[T]) Do(ctx context.Context, item T) error {
	req := &request[T]{item: item, done: make(chan error, 1)}
	select {
	case c.queue <- req:
	case <-c.quit:
		return ErrClosed
	case <-ctx.Done():
		return forum.WrapError(forum.CodeUnavailable, ctx.Err(), "the post was abandoned before it was stored")
	}
	// Once queued the item may commit, so wait for the verdict whatever
	// the caller's context says: an answer must never contradict the
	// database.
	select {
	case err := <-req.done:
		return err
	case <-c.stopped:
		// The committer answers before it stops: a verdict may be waiting.
		select {
		case err := <-req.done:
			return err
		default:
			return ErrClosed
		}
	}
}

// Close commits the items already queued, then stops; later Do calls
// return ErrClosed.
func (c *Committer[T]) Close() {
	c.closing.Do(func() { close(c.quit) })
	<-c.stopped
}

func (c *Committer[T]) run() {
	defer close(c.stopped)
	for {
		select {
		case first := <-c.queue:
			c.commitWaiting(first)
		case <-c.quit:
			// Commit what was queued before Close; later senders see quit.
			for c.commitWaiting(nil) {
			}
			return
		}
	}
}

// commitWaiting commits first, when given, with the items waiting behind
// it, up to maxBatch in all. It reports whether there was any to commit.
func (c *Committer[T]) commitWaiting(first *request[T]) bool {
	batch := make([]*request[T], 0, c.maxBatch)
	if first != nil {
		batch = append(batch, first)
	}
fill:
	for len(batch) < c.maxBatch {
		select {
		case req := <-c.queue:
			batch = append(batch, req)
		default:
			break fill
		}
	}
	if len(batch) == 0 {
		return false
	}
	items := make([]T, len(batch))
	for i, req := range batch {
		items[i] = req.item
	}
	errs := c.commit(items)
	for i, req := range batch {
		req.done <- errs[i]
	}
	return true
}

// Guard calls fn(arg), turning a panic into fn's error: a commit function
// runs its callers' code on the committing goroutine, where one caller's
// bug must fail that caller's item, not every caller and the process.
func Guard[A any](fn func(A) error, arg A) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a batched write: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(arg)
}
