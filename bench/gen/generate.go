package main

import (
	"io"
	"math"
	"math/rand/v2"
	"time"

	"parley/internal/forum"
	"parley/internal/transfer"
)

// stream is PCG's second seed word, fixed so that -seed alone chooses the
// output.
const stream = 0x5e9a7d0c1b2f4863

// Message shape.
const (
	replyShare = 0.7
	// Replies mostly answer the last few messages (geometric distance
	// with this mean); the rest pick up an older message anywhere.
	replyMeanDistance = 12
	replyToAnyShare   = 0.07

	removedShare = 0.005
	// Authors take down their own posts more often than moderators do.
	removedByAuthorShare = 0.6
	editedShare          = 0.02
)

// generate writes the whole forum: users, then each board followed by
// its messages. Only the users and the board plans are held in memory;
// messages are written as they are drawn.
func generate(w io.Writer, c config) error {
	r := rand.New(rand.NewPCG(c.seed, stream))
	users := makeUsers(r, c.authorCount(), c.start)
	who := newAuthors(r, users)
	plans := planBoards(r, c, who.staff())

	tw, err := transfer.NewWriter(w)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := tw.User(u); err != nil {
			return err
		}
	}

	// Drawing messages and encoding them cost about the same, so they run
	// side by side. One goroutine draws everything, in file order, so the
	// output does not depend on scheduling.
	out := make(chan chunk, 8)
	stop := make(chan struct{})
	d := &drawer{r: r, who: who, text: newText(r), rhythm: newRhythm(), out: out, stop: stop}
	go func() {
		defer close(out)
		for _, p := range plans {
			if !d.board(p) {
				return
			}
		}
	}()
	for ch := range out {
		if err := ch.write(tw); err != nil {
			close(stop)
			for range out {
			}
			return err
		}
	}
	return tw.Flush()
}

// chunk is a piece of the file: a board record or a run of its messages.
type chunk struct {
	board    *transfer.Board
	messages []transfer.Message
}

func (ch chunk) write(tw *transfer.Writer) error {
	if ch.board != nil {
		return tw.Board(*ch.board)
	}
	for _, m := range ch.messages {
		if err := tw.Message(m); err != nil {
			return err
		}
	}
	return nil
}

// chunkSize is the number of messages handed over at once: enough to make
// the channel's cost negligible.
const chunkSize = 256

// drawer draws boards and their messages and sends them out in chunks
// until stopped.
type drawer struct {
	r      *rand.Rand
	who    *authors
	text   *text
	rhythm *rhythm
	out    chan<- chunk
	stop   <-chan struct{}
}

// send reports whether the chunk went out, false once the writer stopped.
func (d *drawer) send(ch chunk) bool {
	select {
	case d.out <- ch:
		return true
	case <-d.stop:
		return false
	}
}

// board draws a board and its messages, reporting false if stopped.
func (d *drawer) board(p boardPlan) bool {
	clk := newClock(d.r, d.rhythm, p.messages, p.from, p.to)
	at := clk.next()
	// The board opens shortly before its first message, and less than the
	// hour that separates the last sign-up from the first message.
	opened := at.Add(-time.Minute - d.seconds(10*time.Minute, 58*time.Minute))
	if !d.send(chunk{board: &transfer.Board{
		Slug:        p.slug,
		Title:       p.title,
		Description: p.description,
		CreatedAt:   opened,
		CreatedBy:   p.createdBy,
	}}) {
		return false
	}
	batch := make([]transfer.Message, 0, chunkSize)
	for n := int64(1); n <= p.messages; n++ {
		if n > 1 {
			at = clk.next()
		}
		batch = append(batch, d.message(p.slug, n, at))
		if len(batch) == chunkSize || n == p.messages {
			if !d.send(chunk{messages: batch}) {
				return false
			}
			batch = make([]transfer.Message, 0, chunkSize)
		}
	}
	return true
}

// message draws message n of a board, posted at t.
func (d *drawer) message(board string, n int64, at time.Time) transfer.Message {
	m := transfer.Message{
		Board:     board,
		Number:    n,
		Author:    d.who.pick(),
		CreatedAt: at,
	}
	if n > 1 && d.r.Float64() < replyShare {
		to := d.replyTo(n)
		m.ReplyTo = &to
	}
	m.Body = d.text.body(m.ReplyTo != nil)
	if d.r.Float64() < editedShare {
		t := at.Add(time.Second + d.seconds(30*time.Minute, 30*24*time.Hour))
		m.EditedAt = &t
	}
	if d.r.Float64() < removedShare {
		last := at
		if m.EditedAt != nil {
			last = *m.EditedAt
		}
		m.Removed = d.removal(last)
	}
	return m
}

// replyTo picks the message that message n answers.
func (d *drawer) replyTo(n int64) int64 {
	if d.r.Float64() >= replyToAnyShare {
		d := 1 + int64(d.r.ExpFloat64()*(replyMeanDistance-1))
		if d < n {
			return n - d
		}
	}
	return 1 + d.r.Int64N(n-1)
}

// removal takes down a message last written at t: authors soon after,
// moderators after a report, later.
func (d *drawer) removal(t time.Time) *transfer.Removal {
	if d.r.Float64() < removedByAuthorShare {
		return &transfer.Removal{By: string(forum.RemovedByAuthor), At: t.Add(time.Second + d.seconds(3*time.Hour, 7*24*time.Hour))}
	}
	return &transfer.Removal{By: string(forum.RemovedByModerator), At: t.Add(time.Second + d.seconds(18*time.Hour, 30*24*time.Hour))}
}

// seconds draws an exponential delay with the given mean, capped, in whole
// seconds.
func (d *drawer) seconds(mean, most time.Duration) time.Duration {
	return time.Duration(math.Min(d.r.ExpFloat64()*float64(mean), float64(most))).Truncate(time.Second)
}
