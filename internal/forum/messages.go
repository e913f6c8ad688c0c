package forum

import (
	"context"
	"fmt"
	"time"

	"parley/internal/ratelimit"
)

// NewMessage is what a member writes.
type NewMessage struct {
	Body    string
	ReplyTo int64 // 0: not a reply
}

// Post adds a message to a board and returns it numbered. It returns once
// the message is durable.
func (s *Service) Post(ctx context.Context, actor *User, slug string, in NewMessage) (*Message, error) {
	if err := Can(actor, PostMessage, Target{}); err != nil {
		return nil, err
	}
	body, err := ValidateBody(in.Body)
	if err != nil {
		return nil, err
	}
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, err
	}
	// The store checks reply_to inside the posting transaction; this only
	// answers impossible numbers without taking the writer.
	if in.ReplyTo < 0 || in.ReplyTo > b.LastNumber {
		return nil, Errorf(CodeInvalid, "reply_to: board %s has no message %d", b.Slug, in.ReplyTo)
	}
	m := &Message{
		BoardID:   b.ID,
		Board:     b.Slug,
		AuthorID:  actor.ID,
		Author:    actor.Name,
		CreatedAt: s.now(),
		Body:      body,
		ReplyTo:   in.ReplyTo,
	}
	Derive(s.cfg.Render, m)
	if err := s.store.InTx(ctx, func(tx Tx) error { tx.CreateMessage(m); return nil }); err != nil {
		return nil, err
	}
	return m, nil
}

// previewLimit bounds a member's previews: the page asks for one when the
// writer pauses, so a writer's pace is one every few seconds; twenty at
// once and one every half second more lets any writer through and keeps
// one member's tabs from rendering on every processor. Rendering is the
// cost of this process, so each process counts its own.
var previewLimit = ratelimit.Limit{Every: 500 * time.Millisecond, Burst: 20}

// Preview renders a draft as it would be shown, without posting it. Only
// members may, at previewLimit: rendering costs time, and only writers
// need it.
func (s *Service) Preview(actor *User, body string) (string, error) {
	if err := Can(actor, PreviewMessage, Target{}); err != nil {
		return "", err
	}
	body, err := ValidateBody(body)
	if err != nil {
		return "", err
	}
	if wait := s.previews.Take(actor.ID, s.now()); wait > 0 {
		wait = wait.Round(time.Second) + time.Second
		return "", &Error{Code: CodeRateLimited, RetryAfter: wait,
			Message: fmt.Sprintf("too many previews at once; the next in %v", wait)}
	}
	return s.cfg.Render(body), nil
}

// Message returns message n of a board as viewer (nil for nobody signed
// in) may see it: a removed message comes without its text.
func (s *Service) Message(ctx context.Context, viewer *User, slug string, n int64) (*Message, error) {
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.MessageOn(ctx, viewer, b, n)
}

// MessageOn is Message for a caller that has read the board already, so
// that a page showing a board's message reads the board once.
func (s *Service) MessageOn(ctx context.Context, viewer *User, b *Board, n int64) (*Message, error) {
	if err := holds(b, n); err != nil {
		return nil, err
	}
	m, err := s.store.Message(ctx, b.ID, n)
	if err != nil {
		return nil, err
	}
	seenBy(viewer, m)
	return m, nil
}

// holds reports whether board b has a message numbered n: numbers have no
// gaps, so the board's counter answers without reading messages.
func holds(b *Board, n int64) error {
	if n < 1 || n > b.LastNumber {
		return Errorf(CodeNotFound, "board %s has no message %d", b.Slug, n)
	}
	return nil
}

// Listing is a window of a board with what a reader needs to move on.
type Listing struct {
	Board    *Board
	Messages []Message // ascending by number
	// Next is the From of the following window, 0 when nothing follows;
	// Prev is the Before of the preceding window, 0 when nothing precedes.
	Next, Prev int64
}

// Messages returns a window of a board as viewer may see it. A Window with
// neither From nor Before is the newest messages.
func (s *Service) Messages(ctx context.Context, viewer *User, slug string, w Window) (*Listing, error) {
	if err := CheckWindow(w); err != nil {
		return nil, err
	}
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.window(ctx, viewer, b, w)
}

// MessagesOn is Messages on a board the caller has read.
func (s *Service) MessagesOn(ctx context.Context, viewer *User, b *Board, w Window) (*Listing, error) {
	if err := CheckWindow(w); err != nil {
		return nil, err
	}
	return s.window(ctx, viewer, b, w)
}

// CheckWindow refuses a window no board has; a page checks the window it
// is asked for before it redirects to the address it writes for it.
func CheckWindow(w Window) error {
	switch {
	case w.From < 0 || w.Before < 0:
		return Errorf(CodeInvalid, "from and before must be positive message numbers")
	case w.From > 0 && w.Before > 0:
		return Errorf(CodeInvalid, "give from or before, not both")
	case w.Limit < 1 || w.Limit > MaxWindow:
		return Errorf(CodeInvalid, "limit must be between 1 and %d", MaxWindow)
	}
	return nil
}

// MaxTextBytes bounds the text that one window, list of replies or thread
// carries: it ends before the message that would take the Markdown and
// HTML of those it holds past it, and says where the rest continues; it
// always holds one message. A body is at most 64 KiB and its HTML at most
// 384 KiB, so ordinary messages never meet it, but 200 bodies of 64 KiB of
// "&" (320 KiB of HTML each) made a window of 77 MB, and 210 MB of JSON
// when HTML was escaped again. With JSON's escaping (at most doubling) an
// answer stays within 4 MiB.
const MaxTextBytes = 2 << 20

// shown returns how many of msgs, read with MaxTextBytes as the store's
// bound on their text (it reads at most one message past it), a page
// shows: no more than limit, and not the one past the bound unless it is
// the only one. What is not shown is where the page continues.
func shown(msgs []Message, limit int) int {
	n, text := min(len(msgs), limit), 0
	for i := range msgs {
		text += len(msgs[i].Body) + len(msgs[i].HTML)
	}
	if n > 1 && n == len(msgs) && text > MaxTextBytes {
		n--
	}
	return n
}

// window reads a checked window of board b.
func (s *Service) window(ctx context.Context, viewer *User, b *Board, w Window) (*Listing, error) {
	w.Bytes = MaxTextBytes
	msgs, err := s.store.Messages(ctx, b.ID, w)
	if err != nil {
		return nil, err
	}
	// A window from a number is read upward, the others down from their
	// end: what is not shown is its highest message, or their lowest.
	if n := shown(msgs, w.Limit); w.From > 0 {
		msgs = msgs[:n]
	} else {
		msgs = msgs[len(msgs)-n:]
	}
	p := &Listing{Board: b, Messages: msgs}
	if len(msgs) > 0 {
		first, last := msgs[0].Number, msgs[len(msgs)-1].Number
		// A message committed after the board was read is shown; count it.
		b.LastNumber = max(b.LastNumber, last)
		if last < b.LastNumber {
			p.Next = last + 1
		}
		if first > 1 {
			p.Prev = first
		}
	}
	for i := range msgs {
		seenBy(viewer, &msgs[i])
	}
	return p, nil
}

// Replies returns up to limit direct replies to message n, numbered from
// and up, as viewer may see them, and the from of the following window (0
// when none follows).
func (s *Service) Replies(ctx context.Context, viewer *User, slug string, n, from int64, limit int) ([]Message, int64, error) {
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, 0, err
	}
	return s.RepliesOn(ctx, viewer, b, n, from, limit)
}

// RepliesOn is Replies for a caller that has read the board already.
func (s *Service) RepliesOn(ctx context.Context, viewer *User, b *Board, n, from int64, limit int) ([]Message, int64, error) {
	if limit < 1 || limit > MaxWindow {
		return nil, 0, Errorf(CodeInvalid, "limit must be between 1 and %d", MaxWindow)
	}
	if from < 0 {
		return nil, 0, Errorf(CodeInvalid, "from must be a positive message number")
	}
	if err := holds(b, n); err != nil {
		return nil, 0, err
	}
	// One more than asked tells whether another window follows; so does
	// the one the store read past the bound on their text.
	msgs, err := s.store.Replies(ctx, b.ID, n, from, limit+1, MaxTextBytes)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if n := shown(msgs, limit); n < len(msgs) {
		next = msgs[n].Number
		msgs = msgs[:n]
	}
	for i := range msgs {
		seenBy(viewer, &msgs[i])
	}
	return msgs, next, nil
}

// Remove takes a message down. The message keeps its number; readers see
// a tombstone.
func (s *Service) Remove(ctx context.Context, actor *User, slug string, n int64) error {
	if err := Can(actor, RemoveMessage, Target{}); ErrorCode(err) == CodeUnauthorized {
		return err
	}
	m, err := s.Message(ctx, actor, slug, n)
	if err != nil {
		return err
	}
	if err := Can(actor, RemoveMessage, Target{Message: m}); err != nil {
		return err
	}
	how := RemovedByAuthor
	if m.AuthorID != actor.ID {
		how = RemovedByModerator
	}
	at := s.now()
	return s.store.InTx(ctx, func(tx Tx) error { tx.RemoveMessage(m.BoardID, n, how, at); return nil })
}
