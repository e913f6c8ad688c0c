package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"parley/internal/forum"
	"parley/internal/password"
)

// readUser reads a user record: a member to create, unless one of the
// name exists.
func (im *importer) readUser(_ context.Context, line []byte) error {
	im.endBoard()
	var u User
	if err := decode(line, &u); err != nil {
		return err
	}
	return im.user(&u)
}

// readBoard reads a board record, which the board's messages follow.
func (im *importer) readBoard(_ context.Context, line []byte) error {
	im.endBoard()
	var b Board
	if err := decode(line, &b); err != nil {
		// Its messages are still this board's, checked without blame.
		json.Unmarshal(line, &b)
		im.cur = &boardState{b: &forum.Board{Slug: b.Slug}, line: im.line}
		return err
	}
	return im.board(&b)
}

// readMessage reads a message record, of the board read last.
func (im *importer) readMessage(ctx context.Context, line []byte) error {
	var m Message
	if err := decode(line, &m); err != nil {
		return err
	}
	return im.message(ctx, &m)
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
	if err := bs.follows(n); err != nil {
		return err
	}
	where := fmt.Sprintf("message %d of board %s", n, bs.b.Slug)
	m, err := messageOf(rec, where)
	if err != nil {
		return err
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

// follows checks that message n may come next on the board.
func (bs *boardState) follows(n int64) error {
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
	return nil
}

// messageOf checks a message record's own fields and makes the message
// they say, without its board, author or reply.
func messageOf(rec *Message, where string) (*forum.Message, error) {
	if rec.CreatedAt.IsZero() {
		return nil, fmt.Errorf("%s: created_at is required", where)
	}
	body, err := forum.ValidateImportedBody(rec.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	m := &forum.Message{Number: rec.Number, CreatedAt: canonical(rec.CreatedAt), Body: body}
	if r := rec.Removed; r != nil {
		how := forum.Removal(r.By)
		if how != forum.RemovedByAuthor && how != forum.RemovedByModerator {
			return nil, fmt.Errorf("%s: removed.by %q is not author or moderator", where, r.By)
		}
		if r.At.IsZero() {
			return nil, fmt.Errorf("%s: removed.at is required", where)
		}
		m.Removed, m.RemovedAt = how, canonical(r.At)
	}
	if rec.EditedAt != nil {
		if rec.EditedAt.IsZero() {
			return nil, fmt.Errorf("%s: edited_at must be a time or null", where)
		}
		m.EditedAt = canonical(*rec.EditedAt)
	}
	return m, nil
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
