package transfer

import (
	"context"
	"fmt"
	"sync/atomic"

	"parley/internal/forum"
)

// An op is one write, in the file's order. Its references to users and
// boards are pointers because the writer gives them their IDs: a message
// may name an author created a few lines before, not yet written.
type op struct {
	line   int
	user   *forum.User    // create this user
	board  *forum.Board   // create this board (creator: author)
	msg    *forum.Message // add this message, to board, by author
	commit bool

	on                  *forum.Board
	author, replyAuthor *forum.User
}

type batch struct {
	ops      []op
	rendered chan struct{}
}

// writer makes the ops' writes through a Loader.
type writer struct {
	ld       forum.Loader
	progress func(Progress)
	read     *atomic.Int64
	sum      Summary
	// unit counts what the current unit has written, not yet committed.
	unit Summary
}

func (w *writer) run(ctx context.Context, batches <-chan *batch) error {
	for b := range batches {
		select {
		case <-b.rendered:
		case <-ctx.Done():
		}
		if ctx.Err() != nil { // the renderers stop too: nothing half made is written
			return context.Cause(ctx)
		}
		for i := range b.ops {
			if err := w.do(ctx, &b.ops[i]); err != nil {
				return w.failed(&b.ops[i], err)
			}
		}
		if w.progress != nil {
			w.progress(Progress{Bytes: w.read.Load(), Messages: w.sum.Messages + w.unit.Messages})
		}
	}
	return nil
}

// failed says what the store refused. The Loader writes messages some way
// behind the ops that add them, so an error is the board's, not a line's.
func (w *writer) failed(o *op, err error) error {
	switch {
	case o.user != nil:
		return fmt.Errorf("store member %s (line %d): %w", o.user.Name, o.line, err)
	case o.board != nil:
		return fmt.Errorf("store board %s (line %d): %w", o.board.Slug, o.line, err)
	case o.on != nil:
		return fmt.Errorf("store board %s: %w", o.on.Slug, err)
	}
	return fmt.Errorf("store the members: %w", err)
}

func (w *writer) do(ctx context.Context, o *op) error {
	switch {
	case o.user != nil:
		w.unit.Users++
		return w.ld.CreateUser(ctx, o.user)
	case o.board != nil:
		w.unit.Boards++
		o.board.CreatorID = o.author.ID
		return w.ld.CreateBoard(ctx, o.board)
	case o.msg != nil:
		w.unit.Messages++
		o.msg.BoardID, o.msg.AuthorID = o.on.ID, o.author.ID
		if o.replyAuthor != nil {
			o.msg.ReplyToAuthorID = o.replyAuthor.ID
		}
		return w.ld.AddMessage(ctx, o.msg)
	case o.commit:
		if err := w.ld.Commit(ctx); err != nil {
			return err
		}
		w.sum.Users += w.unit.Users
		w.sum.Boards += w.unit.Boards
		w.sum.Messages += w.unit.Messages
		w.unit = Summary{}
	}
	return nil
}
