// Package bulk is what the stores' Loaders share: it holds back the newest
// messages of a load until the replies that follow them have been counted,
// and sums the counters a load changes, so that each row is written once,
// with its reply count, and the counters cost one update per member and
// board rather than one per message.
//
// Replies mostly answer recent messages, so a few thousand held back catch
// nearly all of them; a reply to an older message is counted in Counts and
// applied by the store at Commit.
package bulk

import (
	"time"

	"parley/internal/forum"
)

// held is how many messages a Buffer holds back at most; when full it
// writes the older half.
const held = 4096

// Key names a message.
type Key struct{ Board, Number int64 }

// Tail is the end of a board after a load: its last number and the time of
// its newest message.
type Tail struct {
	Last   int64
	Posted time.Time
}

// Counts are the changes to counters a load makes beyond the rows it
// writes.
type Counts struct {
	// Replies counts the replies to messages already written.
	Replies map[Key]int64
	// Authors counts the messages of each author.
	Authors map[int64]int64
	Boards  map[int64]Tail
}

// Buffer holds back messages for a Loader. The zero value is not ready:
// use New.
type Buffer struct {
	write   func([]*forum.Message) error
	pending []*forum.Message
	byKey   map[Key]*forum.Message
	counts  Counts
	written int64
	// created holds the boards created in this unit; stored is set once
	// a message goes to another.
	created map[int64]bool
	stored  bool
}

// New returns a Buffer that hands the messages, in the order added and
// with their reply counts final, to write.
func New(write func([]*forum.Message) error) *Buffer {
	b := &Buffer{write: write, byKey: make(map[Key]*forum.Message, held)}
	b.reset()
	return b
}

func (b *Buffer) reset() {
	b.counts = Counts{Replies: map[Key]int64{}, Authors: map[int64]int64{}, Boards: map[int64]Tail{}}
	b.created, b.stored, b.written = map[int64]bool{}, false, 0
}

// Created notes a board created in this unit.
func (b *Buffer) Created(board int64) { b.created[board] = true }

// Add counts m into the counters and the message it answers, and holds it
// back; it writes the older half of what it holds when full.
func (b *Buffer) Add(m *forum.Message) error {
	if !b.created[m.BoardID] {
		b.stored = true
	}
	if m.ReplyTo != 0 {
		k := Key{m.BoardID, m.ReplyTo}
		if target, ok := b.byKey[k]; ok {
			target.ReplyCount++
		} else {
			b.counts.Replies[k]++
		}
	}
	b.counts.Authors[m.AuthorID]++
	t := b.counts.Boards[m.BoardID]
	t.Last = max(t.Last, m.Number)
	if m.CreatedAt.After(t.Posted) {
		t.Posted = m.CreatedAt
	}
	b.counts.Boards[m.BoardID] = t
	b.pending = append(b.pending, m)
	b.byKey[Key{m.BoardID, m.Number}] = m
	if len(b.pending) >= held {
		return b.writeOldest(held / 2)
	}
	return nil
}

// Take writes every message held and returns the counters summed since the
// last Take.
func (b *Buffer) Take() (Counts, error) {
	if err := b.writeOldest(len(b.pending)); err != nil {
		return Counts{}, err
	}
	c := b.counts
	b.reset()
	return c, nil
}

func (b *Buffer) writeOldest(n int) error {
	if n == 0 {
		return nil
	}
	out := b.pending[:n]
	if err := b.write(out); err != nil {
		return err
	}
	for _, m := range out {
		delete(b.byKey, Key{m.BoardID, m.Number})
	}
	b.written += int64(n)
	b.pending = append(b.pending[:0], b.pending[n:]...)
	return nil
}

// DeferIndexes reports whether the load should drop the table's secondary
// indexes before writing n more rows, and build them afresh at its end:
// once this unit outgrows what the table held, sorting everything once
// costs less than inserting the rest into the indexes one by one. Only
// for a unit whose messages all go to boards it created: on PostgreSQL the
// dropped indexes lock the table against readers until the commit, and
// an import reads the messages a board it continues has already.
func (b *Buffer) DeferIndexes(existing int64, n int) bool {
	return !b.stored && b.written+int64(n) > max(existing, 50_000)
}
