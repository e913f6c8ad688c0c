package forum

import (
	"context"
	"time"
)

// The store is drawn by aggregate: each interface below holds what one
// kind of record needs, and a store package implements each in a file of
// the same name (accounts.go, boards.go, messages.go, search.go, tx.go).
// Reads take a context and run on their own; writes that must land
// together run inside one InTx, through the Tx it hands out.
//
// Stores enforce uniqueness with constraints, translate driver errors to
// *Error codes and apply no rules: validation and permissions belong to
// the Service.

// Store persists the forum.
type Store interface {
	AccountStore
	BoardStore
	MessageStore
	SearchStore
	ModerationStore
	ReadingStore
	ReactionStore
	EventRelay

	// InTx runs fn, which says through tx what to write, and commits
	// those writes durably before it returns. The store applies a call's
	// writes in the order given, all of them or none: InTx returns fn's
	// error, or else the first refusal among its writes, and then nothing
	// of the call is kept. What writes set (a message's ID and number) is
	// set when InTx returns without error.
	//
	// Calls made at the same moment may share one commit (group commit),
	// one call's failure never undoing another's. fn runs on the
	// committing goroutine and must not keep tx: it should only write,
	// having rendered, hashed and checked before.
	InTx(ctx context.Context, fn func(tx Tx) error) error

	// Load starts a bulk load, an import, through a Loader that one caller
	// uses at a time. CodeUnavailable when the database cannot be reached.
	Load(ctx context.Context) (Loader, error)
}

// Tx is what one call of InTx may write. A store may apply each write at
// once or when it commits (PostgreSQL sends a batch's posts in one call),
// so a write answers nothing itself: its refusal is InTx's error, and what
// it sets is set when InTx returns.
type Tx interface {
	// CreateMessage numbers m as the board's next message and stores it,
	// with the board's counters and the replied-to message's reply count;
	// it sets m.ID, m.Number and m.ReplyToAuthor. CodeNotFound when the
	// board does not exist (checked first); CodeInvalid when m.ReplyTo
	// names no message of the board or the author does not exist. A
	// refused message takes no number. It writes a Posted event to the
	// outbox.
	CreateMessage(m *Message)
	// RemoveMessage marks a message removed, keeping its number and
	// source, and takes it out of the search index, and writes a Removed
	// event to the outbox. CodeNotFound; CodeConflict when it is removed
	// already.
	RemoveMessage(boardID, number int64, how Removal, at time.Time)
	// Throttle runs decide on the times stored for keys — the zero time
	// for a key without one — where no other transaction can change them,
	// and stores the times decide leaves in the slice when it returns
	// true. A time not after now means the same as none, and the store
	// may forget it. Rate limits keep their buckets here, so that every
	// process serving the forum counts the same attempts.
	Throttle(now time.Time, keys []string, decide func(times []time.Time) bool)
}

// AccountStore keeps members, their API tokens, their browser sessions and
// the forum's own secrets.
type AccountStore interface {
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

	// Secret returns the secret kept under name, storing value under it
	// first when none is kept: every process sharing the store gets the
	// one that was stored first.
	Secret(ctx context.Context, name string, value []byte) ([]byte, error)
}

// BoardStore keeps the boards.
type BoardStore interface {
	// CreateBoard stores b and sets its ID. CodeConflict when the slug is
	// taken.
	CreateBoard(ctx context.Context, b *Board) error
	// BoardBySlug finds a board. CodeNotFound.
	BoardBySlug(ctx context.Context, slug string) (*Board, error)
	// Boards lists every board by slug.
	Boards(ctx context.Context) ([]Board, error)
}

// MessageStore reads the boards' messages; they are written through Tx.
type MessageStore interface {
	// Message finds message number n of a board. CodeNotFound.
	Message(ctx context.Context, boardID, number int64) (*Message, error)
	// Messages returns a window of a board's messages in ascending number
	// order.
	Messages(ctx context.Context, boardID int64, w Window) ([]Message, error)
	// Replies returns up to limit direct replies to message n, numbered from
	// and up, in ascending order; bytes bounds their text as Window.Bytes
	// does.
	Replies(ctx context.Context, boardID, number, from int64, limit, bytes int) ([]Message, error)
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
}

// SearchStore finds messages by their words.
type SearchStore interface {
	// Search returns up to f.Limit messages that match f, in its order,
	// each with its Body; removed messages never match. For relevance it
	// ranks the newest f.Candidates that match (with IDs up to f.Through
	// when that is positive) and says whether more matched. When ctx's
	// deadline passes, the engine stops, and the error wraps
	// context.DeadlineExceeded.
	Search(ctx context.Context, f SearchFilter) (SearchHits, error)
	// Reindex rebuilds the search index of a board's messages from their
	// bodies, indexing each under terms(body), and takes the board off
	// the backlog. CodeNotFound when the board does not exist.
	Reindex(ctx context.Context, boardID int64, terms func(body string) string) error
	// Backlog lists the boards whose messages are not yet in the index
	// (written by a version without it), by ID: each waits for a Reindex.
	Backlog(ctx context.Context) ([]int64, error)
}

// ModerationStore will keep what moderators decide and members flag:
// revisions, flags, bans, locks and the moderation log. It is empty until
// moderation is built; it is named now so that those records have their
// place beside the others.
type ModerationStore interface{}

// ReadingStore will keep what each member has read and follows: read
// positions, followed boards, notifications and saved searches.
type ReadingStore interface{}

// ReactionStore will keep what members say of messages and of each other:
// recommendations, kept messages, ignore lists.
type ReactionStore interface{}

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

// EventRelay delivers the events of the outbox as they commit: a store
// that one process holds, from its commits; one that several share, from
// every process's, so that the readers watching a board through one
// process hear of what was written through another. The Service hears of
// every event, its own writes' too, only through Relay.
type EventRelay interface {
	// Relay calls deliver with each event that commits, in commit order,
	// until ctx ends; deliver must not wait. It calls lost once it
	// listens, and whenever it has listened again (a store shared through
	// a connection that was lost), since events committed while it did
	// not listen were not delivered.
	Relay(ctx context.Context, deliver func(Event), lost func()) error
}
