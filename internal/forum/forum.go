// Package forum is Parley's domain: boards of numbered messages, the members
// who write them, the rules for both, and the Store interface that adapters
// implement. It imports no adapter; adapters import it.
package forum

import (
	"context"
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

// CanModerate reports whether r may remove other members' messages.
func (r Role) CanModerate() bool { return r == RoleModerator || r == RoleAdmin }

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
	// Terms are Body's words as search indexes them (search.Text),
	// computed by whoever renders HTML, outside the store's one writer,
	// and given to CreateMessage and Loader.AddMessage; reads leave it
	// empty.
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

// Store persists the forum. Implementations enforce uniqueness with
// constraints, translate driver errors to *Error codes and apply no rules:
// validation and permissions belong to the Service.
type Store interface {
	// CreateUser stores u and sets its ID. CodeConflict when the name is
	// taken, ignoring case.
	CreateUser(ctx context.Context, u *User) error
	// UserByName finds a user by name, ignoring case. CodeNotFound.
	UserByName(ctx context.Context, name string) (*User, error)
	// HasUsers reports whether any user exists.
	HasUsers(ctx context.Context) (bool, error)
	// OldestUser finds the user with this role who registered first.
	// CodeNotFound when nobody has the role.
	OldestUser(ctx context.Context, role Role) (*User, error)
	// SetPassword replaces a user's password hash and deletes their
	// sessions and tokens, in one transaction: whoever held the old
	// password is signed out everywhere. CodeNotFound.
	SetPassword(ctx context.Context, userID int64, hash string) error
	// Users lists up to limit users with an ID above after, by ID. With a
	// board ID, only the board's creator and those who wrote in it.
	Users(ctx context.Context, board, after int64, limit int) ([]User, error)

	// CreateToken stores t and sets its ID.
	CreateToken(ctx context.Context, t *Token) error
	// UserByToken finds the owner of the token with this hash.
	// CodeNotFound.
	UserByToken(ctx context.Context, hash []byte) (*User, error)
	// Tokens lists a user's tokens in the order they were created.
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	// DeleteToken revokes one of a user's tokens. CodeNotFound when that user
	// has no token with this ID.
	DeleteToken(ctx context.Context, userID, tokenID int64) error

	// CreateSession stores s and sets its ID. It also deletes the sessions
	// that expired at or before s.CreatedAt, so that the table holds only
	// live sessions and a few just ended. CodeInvalid when the user does
	// not exist.
	CreateSession(ctx context.Context, s *Session) error
	// UserBySession finds the owner of the session with this hash when it
	// expires after now. CodeNotFound when no such session exists or it has
	// expired.
	UserBySession(ctx context.Context, hash []byte, now time.Time) (*User, error)
	// DeleteSession deletes the session with this hash. Deleting one that
	// does not exist is no error: signing out twice is signing out.
	DeleteSession(ctx context.Context, hash []byte) error

	// Throttle runs decide on the times stored for keys — the zero time
	// for a key without one — in a transaction that no other process can
	// change them in, and stores the times decide leaves in the slice when
	// it returns true. A time not after now means the same as none, and the
	// store may forget it. Rate limits keep their buckets here, so that
	// every process serving the forum counts the same attempts.
	Throttle(ctx context.Context, now time.Time, keys []string, decide func(times []time.Time) bool) error

	// Secret returns the secret kept under name, storing value under it
	// first when none is kept: every process sharing the store gets the
	// one that was stored first.
	Secret(ctx context.Context, name string, value []byte) ([]byte, error)

	// CreateBoard stores b and sets its ID. CodeConflict when the slug is
	// taken.
	CreateBoard(ctx context.Context, b *Board) error
	// BoardBySlug finds a board. CodeNotFound.
	BoardBySlug(ctx context.Context, slug string) (*Board, error)
	// Boards lists every board by slug.
	Boards(ctx context.Context) ([]Board, error)

	// CreateMessage numbers m as the board's next message and stores it,
	// with the board's counters and the replied-to message's reply count,
	// in one durable transaction; it sets m.Number and m.ReplyToAuthor.
	// It returns only once the message would survive a crash. CodeNotFound
	// when the board does not exist (checked first); CodeInvalid when
	// m.ReplyTo names no message of the board or the author does not exist.
	// A refused message writes nothing and takes no number, and never makes
	// another message fail.
	CreateMessage(ctx context.Context, m *Message) error
	// Message finds message number n of a board. CodeNotFound.
	Message(ctx context.Context, boardID, number int64) (*Message, error)
	// Messages returns a window of a board's messages in ascending number
	// order.
	Messages(ctx context.Context, boardID int64, w Window) ([]Message, error)
	// Replies returns up to limit direct replies to message n, numbered from
	// and up, in ascending order; bytes bounds their text as Window.Bytes
	// does.
	Replies(ctx context.Context, boardID, number, from int64, limit, bytes int) ([]Message, error)
	// RemoveMessage marks a message removed, keeping its number and source.
	// CodeNotFound; CodeConflict when it is removed already.
	RemoveMessage(ctx context.Context, boardID, number int64, how Removal, at time.Time) error
	// MessagesByAuthor returns up to limit of an author's messages across
	// every board, newest first (descending ID), only those with an ID
	// below before when before is positive. An unknown author has none.
	MessagesByAuthor(ctx context.Context, authorID, before int64, limit int) ([]Message, error)

	// ThreadRoot follows reply_to upward from message number of a board,
	// at most maxSteps steps, and returns the number of the topmost message
	// reached: number itself when it answers no message. CodeNotFound when
	// the board has no message number.
	ThreadRoot(ctx context.Context, boardID, number int64, maxSteps int) (int64, error)
	// Thread returns message root of a board and the messages that answer
	// it, directly or through others, breadth-first: by depth below root,
	// then by number; at most limit messages, the first in that order, and
	// bytes bounds their text as Window.Bytes does. No messages when root
	// does not exist.
	Thread(ctx context.Context, boardID, root int64, limit, bytes int) ([]Message, error)

	// Search returns up to f.Limit messages that match f, in its order,
	// each with its Body; removed messages never match. For relevance it
	// ranks the newest f.Candidates that match (with IDs up to f.Through
	// when that is positive) and says whether more matched. When ctx's
	// deadline passes, the engine stops, and the error wraps
	// context.DeadlineExceeded.
	Search(ctx context.Context, f SearchFilter) (SearchPage, error)
	// Reindex rebuilds the search index of a board's messages from their
	// bodies. CodeNotFound when the board does not exist.
	Reindex(ctx context.Context, boardID int64) error

	// Load starts a bulk load, an import, through a Loader that one caller
	// uses at a time. CodeUnavailable when the database cannot be reached.
	Load(ctx context.Context) (Loader, error)
}

// Loader writes an import in bulk, bypassing group commit and the checks of
// posting: its caller has validated every value and resolved every name to
// an ID. What is written between two Commits is stored together or not at
// all, and is visible to no reader before its Commit.
//
// Writes are buffered: an error of AddMessage may be reported by a later
// AddMessage or by Commit, and after any error the caller only Closes.
type Loader interface {
	// CreateUser stores u as it is and sets its ID. CodeConflict when the
	// name is taken, ignoring case.
	CreateUser(ctx context.Context, u *User) error
	// CreateBoard stores b with its counters at zero and sets its ID.
	// CodeConflict when the slug is taken.
	CreateBoard(ctx context.Context, b *Board) error
	// AddMessage stores m as it is — number, times, AuthorID, ReplyTo and
	// ReplyToAuthorID, removal, HTML — for its BoardID. Numbers of a board
	// come in ascending order, above those it had; a number stored already
	// is CodeConflict. Reply counts and the counters of boards and authors
	// are set at Commit.
	AddMessage(ctx context.Context, m *Message) error
	// Commit stores what was written since the last Commit, with the
	// counters it changes rebuilt: the replied-to messages' reply counts,
	// each board's last number and time, each author's message count.
	Commit(ctx context.Context) error
	// Close discards what was not committed and ends the load.
	Close() error
}

// Broadcaster is implemented by a Store that several processes share, so
// that the readers watching a board through one process hear of messages
// posted through another. A Service over such a store tells its watchers
// of new messages only through Follow.
type Broadcaster interface {
	// Follow calls posted with the board and number of each message that
	// any process commits, in commit order, until ctx ends. It calls lost
	// whenever it has (re)connected to the database, since messages
	// committed while it was not connected were not announced.
	Follow(ctx context.Context, posted func(boardID, number int64), lost func()) error
}
