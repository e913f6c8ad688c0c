package forum

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"parley/internal/password"
	"parley/internal/ratelimit"
	"parley/internal/search"
)

// Config holds what the Service needs from its surroundings.
type Config struct {
	// Render turns Markdown into safe HTML; it runs once per message, when
	// the message is written.
	Render func(markdown string) string
	// Now is the clock; tests set it. Defaults to time.Now.
	Now func() time.Time
	// RegistrationClosed refuses self-registration; admins still add users.
	RegistrationClosed bool
	// Password sets the cost of password hashing; defaults to
	// password.Default.
	Password password.Params
	// SearchTimeout bounds the time one search may take, waiting for its
	// turn included; DefaultSearchTimeout when 0.
	SearchTimeout time.Duration
	// Searches is how many searches may run at once; the rest wait their
	// turn. Default: half the processors, at least one, so that however
	// many search, pages are served by the rest.
	Searches int
}

// Service holds every rule of the forum: validation, permissions, limits.
// Transports call it; it calls the Store.
type Service struct {
	store Store
	cfg   Config
	// hashing bounds concurrent password hashing: each costs ~19 MiB and
	// ~150 ms of a core, so a burst of sign-ins must queue, not swap.
	hashing chan struct{}
	// dummyHash is verified against when a name is unknown, so that a
	// failed sign-in takes as long whether or not the name exists.
	dummyHash string
	// feed tells watchers of a board about its new messages.
	feed feed
	// broadcaster, when the store is shared with other processes, is
	// where new messages are heard of: Follow feeds them to the watchers.
	broadcaster Broadcaster
	// searching holds a place for each search running.
	searching chan struct{}
	// previews limits each member's previews, by user ID.
	previews *ratelimit.Local[int64]
	// deviceKeyBytes signs device tokens; read from the store when first
	// needed, under deviceMu.
	deviceMu       sync.Mutex
	deviceKeyBytes []byte
}

// NewService returns a Service over store.
func NewService(store Store, cfg Config) (*Service, error) {
	if cfg.Render == nil {
		return nil, fmt.Errorf("forum: Config.Render is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Password == (password.Params{}) {
		cfg.Password = password.Default
	}
	if cfg.SearchTimeout <= 0 {
		cfg.SearchTimeout = DefaultSearchTimeout
	}
	if cfg.Searches <= 0 {
		cfg.Searches = max(1, runtime.GOMAXPROCS(0)/2)
	}
	dummy, err := password.Hash(rand.Text(), cfg.Password)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:     store,
		cfg:       cfg,
		hashing:   make(chan struct{}, runtime.GOMAXPROCS(0)),
		dummyHash: dummy,
		searching: make(chan struct{}, cfg.Searches),
		previews:  ratelimit.NewLocal[int64](previewLimit),
	}
	s.broadcaster, _ = store.(Broadcaster)
	return s, nil
}

// now returns the current time at the precision every store keeps.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if err := s.acquireHashing(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return password.Hash(pw, s.cfg.Password)
}

func (s *Service) acquireHashing(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return WrapError(CodeUnavailable, ctx.Err(), "the server is busy; try again")
	}
}

// Register creates a member account through self-registration.
func (s *Service) Register(ctx context.Context, name, pw string) (*User, error) {
	if s.cfg.RegistrationClosed {
		return nil, Errorf(CodeForbidden, "registration is closed")
	}
	return s.AddUser(ctx, name, pw, RoleMember)
}

// RegistrationOpen reports whether anyone may sign up.
func (s *Service) RegistrationOpen() bool { return !s.cfg.RegistrationClosed }

// AddUser creates an account with any role; it is the operator's path (the
// CLI), so it is not subject to registration being closed.
func (s *Service) AddUser(ctx context.Context, name, pw string, role Role) (*User, error) {
	if err := ValidateUserName(name); err != nil {
		return nil, err
	}
	if err := ValidatePassword(pw); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, Errorf(CodeInvalid, "role must be member, moderator or admin")
	}
	h, err := s.hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	u := &User{Name: name, Role: role, PasswordHash: h, CreatedAt: s.now()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if ErrorCode(err) == CodeConflict {
			return nil, onField(err, "name")
		}
		return nil, err
	}
	return u, nil
}

// SetPassword gives a member a new password, signing them out everywhere:
// the operator's way to let in an author an import created, or to take an
// account back from whoever learned its password.
func (s *Service) SetPassword(ctx context.Context, name, pw string) (*User, error) {
	if err := ValidatePassword(pw); err != nil {
		return nil, err
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	h, err := s.hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetPassword(ctx, u.ID, h); err != nil {
		return nil, err
	}
	u.PasswordHash = h
	return u, nil
}

// User finds a member by name, ignoring case.
func (s *Service) User(ctx context.Context, name string) (*User, error) {
	if ValidateUserName(name) != nil {
		return nil, Errorf(CodeNotFound, "no member %q", name)
	}
	return s.store.UserByName(ctx, name)
}

// FirstAdmin finds the admin who has been one longest: the operator's
// stand-in when a tool acts without naming a member.
func (s *Service) FirstAdmin(ctx context.Context) (*User, error) {
	u, err := s.store.OldestUser(ctx, RoleAdmin)
	if ErrorCode(err) == CodeNotFound {
		return nil, Errorf(CodeNotFound, "the forum has no admin yet; add one with 'parley user add NAME --role admin'")
	}
	return u, err
}

// FirstAdminName is the account created on a database without users.
const FirstAdminName = "admin"

// EnsureAdmin creates the first admin, with a random password, when the
// forum has no users at all, so that a fresh `parley serve` can be signed
// into at once. It returns the password only when it created the account.
func (s *Service) EnsureAdmin(ctx context.Context) (pw string, created bool, err error) {
	has, err := s.store.HasUsers(ctx)
	if err != nil || has {
		return "", false, err
	}
	pw = rand.Text()
	if _, err := s.AddUser(ctx, FirstAdminName, pw, RoleAdmin); err != nil {
		if ErrorCode(err) == CodeConflict { // another process won the race
			return "", false, nil
		}
		return "", false, err
	}
	return pw, true, nil
}

// tokenPrefix marks Parley's secrets so that scanners can find leaked ones.
const tokenPrefix = "parley_"

// CreateToken signs in and issues a new API token. The secret is returned
// once and never stored.
func (s *Service) CreateToken(ctx context.Context, c Credentials) (string, *Token, error) {
	u, err := s.SignIn(ctx, c)
	if err != nil {
		return "", nil, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	t := &Token{UserID: u.ID, Hash: hashToken(secret), Hint: secret[:len(tokenPrefix)+4], CreatedAt: s.now()}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Authenticate returns the owner of an API token.
func (s *Service) Authenticate(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 128 {
		return nil, Errorf(CodeUnauthorized, "invalid token")
	}
	u, err := s.store.UserByToken(ctx, hashToken(secret))
	if ErrorCode(err) == CodeNotFound {
		return nil, Errorf(CodeUnauthorized, "invalid token")
	}
	return u, err
}

// Tokens lists the actor's own tokens.
func (s *Service) Tokens(ctx context.Context, actor *User) ([]Token, error) {
	if actor == nil {
		return nil, Errorf(CodeUnauthorized, "sign in to list tokens")
	}
	return s.store.Tokens(ctx, actor.ID)
}

// RevokeToken deletes one of the actor's own tokens.
func (s *Service) RevokeToken(ctx context.Context, actor *User, id int64) error {
	if actor == nil {
		return Errorf(CodeUnauthorized, "sign in to revoke tokens")
	}
	return s.store.DeleteToken(ctx, actor.ID, id)
}

// hashToken is a plain SHA-256: tokens carry 256 random bits, so unlike
// passwords they need no slow hash to resist guessing.
func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return b
}

// NewBoard is what a member gives to open a board.
type NewBoard struct {
	Slug, Title, Description string
}

// CreateBoard opens a board. Any signed-in member may.
func (s *Service) CreateBoard(ctx context.Context, actor *User, in NewBoard) (*Board, error) {
	if actor == nil {
		return nil, Errorf(CodeUnauthorized, "sign in to open a board")
	}
	if err := ValidateSlug(in.Slug); err != nil {
		return nil, err
	}
	title, err := ValidateTitle(in.Title)
	if err != nil {
		return nil, err
	}
	desc, err := ValidateDescription(in.Description)
	if err != nil {
		return nil, err
	}
	b := &Board{Slug: in.Slug, Title: title, Description: desc, CreatedAt: s.now(), CreatorID: actor.ID, Creator: actor.Name}
	if err := s.store.CreateBoard(ctx, b); err != nil {
		if ErrorCode(err) == CodeConflict {
			return nil, onField(err, "slug")
		}
		return nil, err
	}
	return b, nil
}

// Board finds a board by slug.
func (s *Service) Board(ctx context.Context, slug string) (*Board, error) {
	if ValidateSlug(slug) != nil {
		return nil, Errorf(CodeNotFound, "no board %q", slug)
	}
	return s.store.BoardBySlug(ctx, slug)
}

// Boards lists every board.
func (s *Service) Boards(ctx context.Context) ([]Board, error) {
	return s.store.Boards(ctx)
}

// NewMessage is what a member writes.
type NewMessage struct {
	Body    string
	ReplyTo int64 // 0: not a reply
}

// Post adds a message to a board and returns it numbered. It returns once
// the message is durable.
func (s *Service) Post(ctx context.Context, actor *User, slug string, in NewMessage) (*Message, error) {
	if actor == nil {
		return nil, Errorf(CodeUnauthorized, "sign in to post")
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
		HTML:      s.cfg.Render(body),
		Terms:     search.Text(body),
		ReplyTo:   in.ReplyTo,
	}
	if err := s.store.InTx(ctx, func(tx Tx) error { tx.CreateMessage(m); return nil }); err != nil {
		return nil, err
	}
	if s.broadcaster == nil {
		watched := *m // the watchers' own: the caller may change m
		s.feed.publish(&watched)
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
	if actor == nil {
		return "", Errorf(CodeUnauthorized, "sign in to preview")
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

// Message returns message n of a board; a removed message comes without
// its text.
func (s *Service) Message(ctx context.Context, slug string, n int64) (*Message, error) {
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.MessageOn(ctx, b, n)
}

// MessageOn is Message for a caller that has read the board already, so
// that a page showing a board's message reads the board once.
func (s *Service) MessageOn(ctx context.Context, b *Board, n int64) (*Message, error) {
	if err := holds(b, n); err != nil {
		return nil, err
	}
	m, err := s.store.Message(ctx, b.ID, n)
	if err != nil {
		return nil, err
	}
	redact(m)
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

// Page is a window of a board with what a reader needs to move on.
type Page struct {
	Board    *Board
	Messages []Message // ascending by number
	// Next is the From of the following window, 0 when nothing follows;
	// Prev is the Before of the preceding window, 0 when nothing precedes.
	Next, Prev int64
}

// Messages returns a window of a board. A Window with neither From nor
// Before is the newest messages.
func (s *Service) Messages(ctx context.Context, slug string, w Window) (*Page, error) {
	if err := CheckWindow(w); err != nil {
		return nil, err
	}
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.window(ctx, b, w)
}

// MessagesOn is Messages on a board the caller has read.
func (s *Service) MessagesOn(ctx context.Context, b *Board, w Window) (*Page, error) {
	if err := CheckWindow(w); err != nil {
		return nil, err
	}
	return s.window(ctx, b, w)
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

// MaxPageBytes bounds the text that one window, list of replies or thread
// carries: it ends before the message that would take the Markdown and
// HTML of those it holds past it, and says where the rest continues; it
// always holds one message. A body is at most 64 KiB and its HTML at most
// 384 KiB, so ordinary messages never meet it, but 200 bodies of 64 KiB of
// "&" (320 KiB of HTML each) made a window of 77 MB, and 210 MB of JSON
// when HTML was escaped again. With JSON's escaping (at most doubling) an
// answer stays within 4 MiB.
const MaxPageBytes = 2 << 20

// shown returns how many of msgs, read with MaxPageBytes as the store's
// bound on their text (it reads at most one message past it), a page
// shows: no more than limit, and not the one past the bound unless it is
// the only one. What is not shown is where the page continues.
func shown(msgs []Message, limit int) int {
	n, text := min(len(msgs), limit), 0
	for i := range msgs {
		text += len(msgs[i].Body) + len(msgs[i].HTML)
	}
	if n > 1 && n == len(msgs) && text > MaxPageBytes {
		n--
	}
	return n
}

// window reads a checked window of board b.
func (s *Service) window(ctx context.Context, b *Board, w Window) (*Page, error) {
	w.Bytes = MaxPageBytes
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
	p := &Page{Board: b, Messages: msgs}
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
		redact(&msgs[i])
	}
	return p, nil
}

// Replies returns up to limit direct replies to message n, numbered from
// and up, and the from of the following window (0 when none follows).
func (s *Service) Replies(ctx context.Context, slug string, n, from int64, limit int) ([]Message, int64, error) {
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, 0, err
	}
	return s.RepliesOn(ctx, b, n, from, limit)
}

// RepliesOn is Replies for a caller that has read the board already.
func (s *Service) RepliesOn(ctx context.Context, b *Board, n, from int64, limit int) ([]Message, int64, error) {
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
	msgs, err := s.store.Replies(ctx, b.ID, n, from, limit+1, MaxPageBytes)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if n := shown(msgs, limit); n < len(msgs) {
		next = msgs[n].Number
		msgs = msgs[:n]
	}
	for i := range msgs {
		redact(&msgs[i])
	}
	return msgs, next, nil
}

// Remove takes a message down: its author may, and so may moderators. The
// message keeps its number; readers see a tombstone.
func (s *Service) Remove(ctx context.Context, actor *User, slug string, n int64) error {
	if actor == nil {
		return Errorf(CodeUnauthorized, "sign in to remove messages")
	}
	m, err := s.Message(ctx, slug, n)
	if err != nil {
		return err
	}
	how := RemovedByAuthor
	if m.AuthorID != actor.ID {
		if !actor.Role.CanModerate() {
			return Errorf(CodeForbidden, "only its author or a moderator may remove a message")
		}
		how = RemovedByModerator
	}
	at := s.now()
	return s.store.InTx(ctx, func(tx Tx) error { tx.RemoveMessage(m.BoardID, n, how, at); return nil })
}

// redact drops the text of a removed message: the store keeps it (for
// moderators' records and lossless export) but readers see a tombstone.
func redact(m *Message) {
	if m.Removed != NotRemoved {
		m.Body, m.HTML = "", ""
	}
}
