package transfer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"parley/internal/forum"
	"parley/internal/password"
)

// Options tune an import.
type Options struct {
	// Render turns a message's Markdown into the HTML stored beside it.
	Render func(markdown string) string
	// SkipExisting leaves the messages a board has already as they are and
	// imports the others, where otherwise the first such message stops the
	// import.
	SkipExisting bool
	// Progress, when set, is called after each batch of messages written,
	// always from the same goroutine.
	Progress func(Progress)
	// MaxErrors is how many bad lines are reported before reading stops.
	// Default 20.
	MaxErrors int
}

// Progress is how far an import has come.
type Progress struct {
	Bytes    int64 // of the file, read
	Messages int64 // written, not yet all committed
}

// Summary is what an import stored, and what it found stored already.
type Summary struct {
	Users, Boards, Messages int64 // created, committed
	UsersKept               int64 // user records naming a member who exists: left as they are
	Skipped                 int64 // messages a board had already (Options.SkipExisting)
}

// LineError is a line of the file that cannot be imported.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// maxLine bounds a line: a body at forum.MaxBody with every byte escaped
// (\u0000 is six) still fits.
const maxLine = 1 << 20

// batchSize is how many records travel together from the reader through
// the renderers to the writer: enough to keep channel traffic small, few
// enough that a batch's bodies stay in the cache.
const batchSize = 256

// Import reads a file in the export format from r and stores it in st.
//
// Numbers, authors, times, replies and removals are kept; members a
// message or board names who do not exist are created without a password;
// HTML is rendered from each body; counters are rebuilt. Each board is
// stored whole or not at all: at the first bad line writing stops, the
// boards before it stay, and reading goes on to report up to
// Options.MaxErrors bad lines, each as a *LineError.
//
// One goroutine reads and checks the lines, the renderers (one per CPU)
// turn bodies into HTML, and one goroutine writes, in the file's order.
func Import(ctx context.Context, st forum.Store, r io.Reader, opt Options) (Summary, error) {
	if opt.Render == nil {
		return Summary{}, errors.New("import: Options.Render is required")
	}
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 20
	}
	im, err := newImporter(ctx, st, opt)
	if err != nil {
		return Summary{}, err
	}
	ld, err := st.Load(ctx)
	if err != nil {
		return Summary{}, err
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs, ordered := make(chan *batch, 8), make(chan *batch, 8)
	var renderers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		renderers.Go(func() {
			for b := range jobs {
				for i := range b.ops {
					if m := b.ops[i].msg; m != nil && ctx.Err() == nil {
						forum.Derive(opt.Render, m)
					}
				}
				close(b.rendered)
			}
		})
	}
	// The writer owns the Loader: once the reader has sent its last batch
	// — at the end, or at the first bad line — the writer makes what was
	// sent and closes the Loader, which discards the unit not committed
	// and lets go of the database while the reader checks the rest.
	w := &writer{ld: ld, progress: opt.Progress, read: &im.read}
	written := make(chan error, 1)
	go func() {
		err := w.run(ctx, ordered)
		ld.Close()
		if err != nil {
			cancel(err)
		}
		written <- err
	}()
	// A send gives up when the writer has failed: readAll then stops.
	im.send = func(b *batch) {
		for _, ch := range []chan *batch{jobs, ordered} {
			select {
			case ch <- b:
			case <-ctx.Done():
				return
			}
		}
	}
	im.done = sync.OnceFunc(func() {
		close(jobs)
		close(ordered)
	})
	readErr := im.readAll(ctx, r)
	im.done()
	writeErr := <-written
	renderers.Wait()

	sum := w.sum
	sum.UsersKept, sum.Skipped = im.kept, im.skipped
	if writeErr != nil {
		return sum, writeErr
	}
	if readErr != nil {
		return sum, readErr
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	return sum, errors.Join(im.errs...)
}

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

// importer reads and checks the file, and turns its records into ops.
type importer struct {
	st   forum.Store
	opt  Options
	send func(*batch)
	// done tells the writer that nothing more will be sent.
	done func()

	// users holds every member, stored or created, by lower-case name;
	// created the line of the record that created one.
	users   map[string]*forum.User
	created map[string]int
	// boards holds every board stored or read, by slug; cur is the one
	// whose messages are being read.
	boards map[string]*boardState
	cur    *boardState

	line    int
	read    atomic.Int64
	pending *batch
	// errs are the bad lines found; once there is one, nothing more is
	// written.
	errs          []error
	kept, skipped int64
}

type boardState struct {
	b    *forum.Board
	line int // of its record; 0 when only stored
	// stored is the last number the board had before this import; last is
	// the last number read.
	stored, last int64
	// authors[n] wrote message n, when known: read from the file, or
	// looked up when a reply names a stored message.
	authors []*forum.User
	// broken is set by a bad line among the board's records: numbers are
	// then only checked to ascend, and a stored one is reported once, so
	// that one bad line does not make every later one look bad.
	broken bool
}

func newImporter(ctx context.Context, st forum.Store, opt Options) (*importer, error) {
	im := &importer{st: st, opt: opt, users: map[string]*forum.User{}, created: map[string]int{},
		boards: map[string]*boardState{}}
	// Boards first: whoever wrote their messages up to the last numbers
	// read exists when the users are read, even while members join.
	boards, err := st.Boards(ctx)
	if err != nil {
		return nil, err
	}
	for i := range boards {
		b := &boards[i]
		im.boards[b.Slug] = &boardState{b: b, stored: b.LastNumber} // authors: when its record is read
	}
	for after := int64(0); ; {
		users, err := st.Users(ctx, 0, after, page)
		if err != nil {
			return nil, err
		}
		if len(users) == 0 {
			return im, nil
		}
		for i := range users {
			im.users[strings.ToLower(users[i].Name)] = &users[i]
		}
		after = users[len(users)-1].ID
	}
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (im *importer) readAll(ctx context.Context, r io.Reader) error {
	sc := bufio.NewScanner(countingReader{r, &im.read})
	sc.Buffer(make([]byte, 64<<10), maxLine)
	// An export ends every line with a newline: a last line without one
	// is a file cut short, maybe in a pipe whose writer failed.
	cut := false
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		n, line, err := bufio.ScanLines(data, atEOF)
		if atEOF && n == len(data) && n > 0 && data[n-1] != '\n' {
			cut = true
		}
		return n, line, err
	})
	for sc.Scan() {
		im.line++
		if err := ctx.Err(); err != nil {
			return nil // the writer failed, or the caller gave up: Import says which
		}
		if err := im.readLine(ctx, sc.Bytes()); err != nil {
			if !im.fail(err) {
				return nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			im.fail(&LineError{Line: im.line + 1, Err: fmt.Errorf("the line is longer than %d bytes", maxLine)})
			return nil
		}
		return fmt.Errorf("read line %d: %w", im.line+1, err)
	}
	if im.line == 0 {
		im.fail(&LineError{Line: 1, Err: errors.New("the file is empty: not a Parley export")})
		return nil
	}
	if cut {
		im.fail(errors.New("the last line does not end with a newline: the file is cut short"))
		return nil
	}
	if im.cur != nil {
		im.endBoard()
	} else {
		im.emit(op{line: im.line, commit: true})
	}
	im.flush()
	return nil
}

// fail records a bad line and reports whether reading should go on.
func (im *importer) fail(err error) bool {
	var le *LineError
	if !errors.As(err, &le) {
		err = &LineError{Line: im.line, Err: err}
	}
	im.errs = append(im.errs, err)
	im.pending = nil
	im.done()
	if im.cur != nil {
		im.cur.broken = true
	}
	return len(im.errs) < im.opt.MaxErrors
}

func (im *importer) emit(o op) {
	if len(im.errs) > 0 {
		return
	}
	if im.pending == nil {
		im.pending = &batch{ops: make([]op, 0, batchSize), rendered: make(chan struct{})}
	}
	im.pending.ops = append(im.pending.ops, o)
	if len(im.pending.ops) == batchSize || o.commit {
		im.flush()
	}
}

func (im *importer) flush() {
	if im.pending != nil && len(im.errs) == 0 {
		im.send(im.pending)
	}
	im.pending = nil
}

func (im *importer) readLine(ctx context.Context, line []byte) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return errors.New("the line is empty; each line holds one record")
	}
	// encoding/json would put U+FFFD in place of bad bytes: say so rather.
	if !utf8.Valid(line) {
		return errors.New("the line is not valid UTF-8")
	}
	var kind struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(line, &kind); err != nil {
		return fmt.Errorf("not a JSON record: %w", err)
	}
	if im.line == 1 {
		var h Header
		if err := decode(line, &h); err != nil || h.Format != Format {
			return fmt.Errorf(`not a Parley export: the first line must be {"format":"parley","version":%d}`, Version)
		}
		if h.Version != Version {
			return fmt.Errorf("export format version %d is not supported: this Parley reads version %d", h.Version, Version)
		}
		return nil
	}
	switch kind.Type {
	case TypeUser:
		im.endBoard()
		var u User
		if err := decode(line, &u); err != nil {
			return err
		}
		return im.user(&u)
	case TypeBoard:
		im.endBoard()
		var b Board
		if err := decode(line, &b); err != nil {
			// Its messages are still this board's, checked without blame.
			json.Unmarshal(line, &b)
			im.cur = &boardState{b: &forum.Board{Slug: b.Slug}, line: im.line}
			return err
		}
		return im.board(&b)
	case TypeMessage:
		var m Message
		if err := decode(line, &m); err != nil {
			return err
		}
		return im.message(ctx, &m)
	case "":
		return errors.New(`the record has no "type"`)
	default:
		return fmt.Errorf("unknown record type %q (known: user, board, message)", kind.Type)
	}
}

// decode reads one record, known to be one JSON value, strictly: a field
// its type does not have is an error, so that nothing in the file is
// silently dropped.
func decode(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a JSON record: %w", err)
	}
	return nil
}

func (im *importer) user(rec *User) error {
	if err := forum.ValidateUserName(rec.Name); err != nil {
		return fmt.Errorf("user: %w", err)
	}
	role := forum.Role(rec.Role)
	if !role.Valid() {
		return fmt.Errorf("user %s: role %q is not member, moderator or admin", rec.Name, rec.Role)
	}
	if rec.CreatedAt.IsZero() {
		return fmt.Errorf("user %s: created_at is required", rec.Name)
	}
	if rec.PasswordHash != "" && password.Check(rec.PasswordHash) != nil {
		return fmt.Errorf("user %s: password_hash is not an argon2id PHC string", rec.Name)
	}
	key := strings.ToLower(rec.Name)
	if line, ok := im.created[key]; ok {
		return fmt.Errorf("user %s was created on line %d already: a user's record comes once, before what names them", rec.Name, line)
	}
	if _, ok := im.users[key]; ok {
		im.kept++
		return nil
	}
	u := &forum.User{Name: rec.Name, Role: role, PasswordHash: rec.PasswordHash, CreatedAt: canonical(rec.CreatedAt)}
	im.users[key], im.created[key] = u, im.line
	im.emit(op{line: im.line, user: u})
	return nil
}

// member finds the member named by a board or message, creating one
// without a password if none exists.
func (im *importer) member(name, field string, at time.Time) (*forum.User, error) {
	if err := forum.ValidateUserName(name); err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	key := strings.ToLower(name)
	if u, ok := im.users[key]; ok {
		return u, nil
	}
	u := &forum.User{Name: name, Role: forum.RoleMember, CreatedAt: canonical(at)}
	im.users[key], im.created[key] = u, im.line
	im.emit(op{line: im.line, user: u})
	return u, nil
}

// endBoard ends the board whose messages were being read: it is complete,
// and stored now with the members created since the board before it,
// whatever the record that ends it holds. The first board takes the users
// before it along, so that a file refused in its first board stores
// nothing.
func (im *importer) endBoard() {
	if im.cur != nil {
		im.emit(op{line: im.cur.line, commit: true, on: im.cur.b})
	}
	im.cur = nil
}

func (im *importer) board(rec *Board) error {
	if err := forum.ValidateSlug(rec.Slug); err != nil {
		im.cur = &boardState{b: &forum.Board{Slug: rec.Slug}, line: im.line} // its messages, checked without blame
		return fmt.Errorf("board: %w", err)
	}
	bs, known := im.boards[rec.Slug]
	if known && bs.line != 0 {
		first := bs.line
		bs.last, im.cur = 0, bs // its messages again are checked quietly
		return fmt.Errorf("board %s appears twice (first on line %d)", rec.Slug, first)
	}
	if !known {
		bs = &boardState{b: &forum.Board{Slug: rec.Slug}, authors: make([]*forum.User, 1, 1024)}
		im.boards[rec.Slug] = bs
	} else {
		bs.authors = make([]*forum.User, bs.stored+1)
	}
	// From here the board's messages are read as its own, even when its
	// record is bad: they are checked, and not blamed for that.
	bs.line, bs.last, im.cur = im.line, 0, bs
	title, err := forum.ValidateImportedTitle(rec.Title)
	if err != nil {
		return fmt.Errorf("board %s: %w", rec.Slug, err)
	}
	desc, err := forum.ValidateImportedDescription(rec.Description)
	if err != nil {
		return fmt.Errorf("board %s: %w", rec.Slug, err)
	}
	if rec.CreatedAt.IsZero() {
		return fmt.Errorf("board %s: created_at is required", rec.Slug)
	}
	if known {
		return nil // a stored board keeps its title, description and creator
	}
	creator, err := im.member(rec.CreatedBy, "created_by", rec.CreatedAt)
	if err != nil {
		return fmt.Errorf("board %s: %w", rec.Slug, err)
	}
	bs.b.Title, bs.b.Description, bs.b.CreatedAt = title, desc, canonical(rec.CreatedAt)
	im.emit(op{line: im.line, board: bs.b, author: creator})
	return nil
}

func (im *importer) message(ctx context.Context, rec *Message) error {
	bs := im.cur
	switch {
	case rec.Board == "":
		return errors.New(`message: "board" is required`)
	case bs == nil || bs.b.Slug != rec.Board:
		if other, ok := im.boards[rec.Board]; ok && other.line != 0 {
			return fmt.Errorf("message %d of board %s: a board's messages must follow its record (line %d) with no other board between",
				rec.Number, rec.Board, other.line)
		}
		return fmt.Errorf("message %d: board %s has no board record before it", rec.Number, rec.Board)
	}
	n := rec.Number
	switch {
	case n < 1:
		return fmt.Errorf("message of board %s: number %d is not a message number", bs.b.Slug, n)
	case n == bs.last:
		return fmt.Errorf("board %s has message %d twice", bs.b.Slug, n)
	case bs.broken && n < bs.last:
		return fmt.Errorf("board %s: message %d follows message %d: numbers go up by one", bs.b.Slug, n, bs.last)
	case bs.broken:
		// Lines may be missing before this one: it is checked as it is.
	case bs.last == 0 && n > bs.stored+1:
		return fmt.Errorf("board %s: its first message is %d, where %d was expected: numbers go up by one", bs.b.Slug, n, bs.stored+1)
	case bs.last != 0 && n != bs.last+1:
		return fmt.Errorf("board %s: message %d follows message %d: numbers go up by one", bs.b.Slug, n, bs.last)
	}
	where := fmt.Sprintf("message %d of board %s", n, bs.b.Slug)
	if rec.CreatedAt.IsZero() {
		return fmt.Errorf("%s: created_at is required", where)
	}
	body, err := forum.ValidateImportedBody(rec.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	m := &forum.Message{Number: n, CreatedAt: canonical(rec.CreatedAt), Body: body}
	if r := rec.Removed; r != nil {
		how := forum.Removal(r.By)
		if how != forum.RemovedByAuthor && how != forum.RemovedByModerator {
			return fmt.Errorf("%s: removed.by %q is not author or moderator", where, r.By)
		}
		if r.At.IsZero() {
			return fmt.Errorf("%s: removed.at is required", where)
		}
		m.Removed, m.RemovedAt = how, canonical(r.At)
	}
	if rec.EditedAt != nil {
		if rec.EditedAt.IsZero() {
			return fmt.Errorf("%s: edited_at must be a time or null", where)
		}
		m.EditedAt = canonical(*rec.EditedAt)
	}
	var replyAuthor *forum.User
	if rec.ReplyTo != nil {
		r := *rec.ReplyTo
		if r < 1 || r >= n {
			return fmt.Errorf("%s: reply_to %d is not an earlier message", where, r)
		}
		// After a bad line, the message answered may be the one it held.
		if replyAuthor, err = im.authorOf(ctx, bs, r); err != nil && !bs.broken {
			return fmt.Errorf("%s: reply_to: %w", where, err)
		}
		m.ReplyTo = r
	}
	if err := forum.ValidateUserName(rec.Author); err != nil {
		return fmt.Errorf("%s: author: %w", where, err)
	}
	bs.last = n
	if n <= bs.stored && bs.broken {
		return nil
	}
	if n <= bs.stored {
		if !im.opt.SkipExisting {
			return fmt.Errorf("board %s has a message %d already; it is not overwritten (--skip-existing leaves stored messages as they are and imports the rest)",
				bs.b.Slug, n)
		}
		im.skipped++
		return nil
	}
	author, err := im.member(rec.Author, "author", rec.CreatedAt)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if bs.broken {
		if n == int64(len(bs.authors)) { // numbers may have gaps now: no room is made for them
			bs.authors = append(bs.authors, author)
		}
		return nil // nothing more of this board is written
	}
	bs.authors = append(bs.authors[:n], author)
	im.emit(op{line: im.line, msg: m, on: bs.b, author: author, replyAuthor: replyAuthor})
	return nil
}

// authorOf finds who wrote message n of a board: read earlier in the file,
// or stored before the import.
func (im *importer) authorOf(ctx context.Context, bs *boardState, n int64) (*forum.User, error) {
	if n < int64(len(bs.authors)) && bs.authors[n] != nil {
		return bs.authors[n], nil
	}
	if n > bs.stored {
		return nil, fmt.Errorf("board %s has no message %d", bs.b.Slug, n)
	}
	if len(im.errs) > 0 {
		// Nothing more is written, so its author does not matter; and the
		// read could wait for the locks of a load rolling back.
		return nil, nil
	}
	m, err := im.st.Message(ctx, bs.b.ID, n)
	if err != nil {
		return nil, fmt.Errorf("message %d of board %s: %w", n, bs.b.Slug, err)
	}
	a := im.users[strings.ToLower(m.Author)]
	bs.authors[n] = a
	return a, nil
}
