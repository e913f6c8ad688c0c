package transfer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"parley/internal/forum"
)

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
		users, err := st.Users(ctx, 0, after, readBatch)
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
	if kind.Type == "" {
		return errors.New(`the record has no "type"`)
	}
	for _, k := range recordKinds {
		if k.name == kind.Type {
			return k.read(im, ctx, line)
		}
	}
	known := make([]string, len(recordKinds))
	for i, k := range recordKinds {
		known[i] = k.name
	}
	return fmt.Errorf("unknown record type %q (known: %s)", kind.Type, strings.Join(known, ", "))
}

// recordKinds are the kinds of record the format holds, each with the
// handler that reads one (import_records.go): a kind added to the format
// is one more here.
var recordKinds = []struct {
	name string
	read func(im *importer, ctx context.Context, line []byte) error
}{
	{TypeUser, (*importer).readUser},
	{TypeBoard, (*importer).readBoard},
	{TypeMessage, (*importer).readMessage},
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
