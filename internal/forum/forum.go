// Package forum is Parley's domain: boards of numbered messages, the members
// who write them, the rules for both, and the Store interface that adapters
// implement. It imports no adapter; adapters import it.
package forum

import (
	"time"
)

// Role is what a user may do beyond writing messages.
type Role string

// The roles, from least to most trusted.
const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleMember || r == RoleModerator || r == RoleAdmin
}

// User is a member of the forum.
type User struct {
	ID   int64
	Name string
	Role Role
	// PasswordHash is a PHC string (algorithm and parameters inside); empty
	// means the user cannot sign in, as for authors created by an import.
	PasswordHash string
	CreatedAt    time.Time
	// MessageCount is how many messages the user has written; removal
	// does not lower it. Stores keep it as a counter, changed with each
	// message, never counted on reading.
	MessageCount int64
}

// Token is a bearer token for the API. Only a hash of the secret is kept.
type Token struct {
	ID     int64
	UserID int64
	Hash   []byte
	// Hint is the start of the secret, enough for its owner to tell tokens
	// apart in a listing and useless to anyone else.
	Hint      string
	CreatedAt time.Time
}

// Session is a signed-in browser. Only a hash of its secret is kept.
type Session struct {
	ID        int64
	UserID    int64
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Board is a named subject holding messages numbered 1, 2, 3 … in posting
// order.
type Board struct {
	ID          int64
	Slug        string
	Title       string
	Description string
	CreatedAt   time.Time
	CreatorID   int64
	Creator     string // the creator's name, filled in by reads
	// LastNumber is the number of the newest message, and so the board's
	// message count: numbers have no gaps and removal never renumbers.
	LastNumber   int64
	LastPostedAt time.Time // zero while the board is empty
	// Revision counts the changes to the board's messages other than new
	// messages (removals); ChangedAt is the time of the latest. With
	// LastNumber they tell a cache whether a page of the board changed.
	Revision  int64
	ChangedAt time.Time // zero until a message changes
}

// Removal says who took a message down. A removed message keeps its number.
type Removal string

// The ways a message can be removed.
const (
	NotRemoved         Removal = ""
	RemovedByAuthor    Removal = "author"
	RemovedByModerator Removal = "moderator"
)

// Message is one message of a board.
type Message struct {
	// ID is unique across all boards and grows as messages are stored:
	// within a board in number order, across boards and server processes
	// only roughly in time. The store assigns it; it is a paging key (a
	// member's messages), not shown to readers.
	ID        int64
	BoardID   int64
	Board     string // the board's slug, filled in by reads
	Number    int64
	AuthorID  int64
	Author    string // the author's name, filled in by reads
	CreatedAt time.Time
	Body      string // Markdown source
	HTML      string // Body rendered to safe HTML when written
	// ReplyTo is the number of the message this one answers in the same
	// board, 0 when it answers none; ReplyToAuthor is that message's
	// author. ReplyToAuthorID is their ID, given to Loader.AddMessage;
	// reads and posting leave it 0.
	ReplyTo         int64
	ReplyToAuthor   string
	ReplyToAuthorID int64
	ReplyCount      int64
	// Terms are Body's words as search indexes them, computed with HTML
	// by Derive, outside the store's one writer, and given to
	// Tx.CreateMessage and Loader.AddMessage; reads leave it empty.
	Terms     string
	Removed   Removal
	RemovedAt time.Time // zero unless removed
	EditedAt  time.Time // zero unless edited
}

// Window selects messages of one board by number, never by offset, so that
// reading any part of a board of millions costs the same.
type Window struct {
	// From, when positive, selects the Limit messages numbered From and up.
	From int64
	// Before, when positive, selects the Limit messages numbered below it.
	Before int64
	// Limit is the largest number of messages wanted; stores trust it.
	Limit int
	// Bytes, when positive, ends the window early: the store reads no
	// message after the first whose text (Body and HTML) takes what it
	// has read past Bytes, so that a caller can cut the window at the
	// bound knowing whether more followed (see Service.window).
	Bytes int
}
