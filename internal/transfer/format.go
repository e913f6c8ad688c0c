// Package transfer moves a forum in and out of Parley's export format v1:
// JSON Lines, one record per line, documented in docs/export-format.md.
//
// The format is canonical: Writer produces exactly one byte sequence for a
// given forum, so that export → import → export is byte-identical and two
// exports can be compared with cmp.
package transfer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Format and Version are the header line's values.
const (
	Format  = "parley"
	Version = 1
)

// The record types.
const (
	TypeUser    = "user"
	TypeBoard   = "board"
	TypeMessage = "message"
)

// Header is the first line of every file.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// User is a member. PasswordHash is a PHC string; absent when the member
// cannot sign in.
type User struct {
	Type         string    `json:"type"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	CreatedAt    time.Time `json:"created_at"`
	PasswordHash string    `json:"password_hash,omitempty"`
}

// Board is a board; its messages follow it in the file. CreatedBy is a
// member's name.
type Board struct {
	Type        string    `json:"type"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// Message is one message of the board named by Board. Body is the Markdown
// source; the HTML is rendered again on import, so that it always comes from
// this version's renderer and never from the file.
type Message struct {
	Type      string     `json:"type"`
	Board     string     `json:"board"`
	Number    int64      `json:"number"`
	Author    string     `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
	ReplyTo   *int64     `json:"reply_to"`
	Removed   *Removal   `json:"removed"`
	EditedAt  *time.Time `json:"edited_at"`
	Body      string     `json:"body"`
}

// Removal says who took a message down ("author" or "moderator") and when.
type Removal struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Writer writes records in the canonical form: keys in the order of the
// record types' fields, times in UTC to the microsecond, no HTML escaping
// of <, > and & (which would make bodies unreadable for nothing), one record
// per line.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter writes the header line and returns a Writer for the records.
func NewWriter(w io.Writer) (*Writer, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	wr := &Writer{w: bw, enc: enc}
	if err := wr.write(Header{Format: Format, Version: Version}); err != nil {
		return nil, err
	}
	return wr, nil
}

// User writes a user record.
func (w *Writer) User(u User) error {
	u.Type = TypeUser
	u.CreatedAt = canonical(u.CreatedAt)
	return w.write(u)
}

// Board writes a board record.
func (w *Writer) Board(b Board) error {
	b.Type = TypeBoard
	b.CreatedAt = canonical(b.CreatedAt)
	return w.write(b)
}

// Message writes a message record.
func (w *Writer) Message(m Message) error {
	m.Type = TypeMessage
	m.CreatedAt = canonical(m.CreatedAt)
	if m.Removed != nil {
		r := *m.Removed
		r.At = canonical(r.At)
		m.Removed = &r
	}
	if m.EditedAt != nil {
		t := canonical(*m.EditedAt)
		m.EditedAt = &t
	}
	return w.write(m)
}

// Flush writes what is buffered.
func (w *Writer) Flush() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func (w *Writer) write(v any) error {
	if err := w.enc.Encode(v); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// canonical is t as both stores keep it: UTC, to the microsecond.
func canonical(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
