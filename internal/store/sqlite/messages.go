package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"

	"parley/internal/forum"
)

// messageColumns, from messages m and messageJoins, are what scanMessage
// reads.
const (
	messageColumns = `m.id, m.board_id, b.slug, m.number, m.author_id, a.name, m.created_at, m.body, m.html,
	coalesce(m.reply_to, 0), coalesce(ra.name, ''), m.reply_count, m.removed, m.removed_at, m.edited_at`
	messageJoins = `
JOIN boards b ON b.id = m.board_id
JOIN users a ON a.id = m.author_id
LEFT JOIN users ra ON ra.id = m.reply_to_author_id`
	messageQuery = `SELECT ` + messageColumns + ` FROM messages m` + messageJoins
)

// scanMessage reads messageColumns into m, and the columns after them
// into extra.
func scanMessage(row interface{ Scan(...any) error }, m *forum.Message, extra ...any) error {
	var created int64
	var removedAt, editedAt sql.NullInt64
	if err := row.Scan(append([]any{&m.ID, &m.BoardID, &m.Board, &m.Number, &m.AuthorID, &m.Author, &created, &m.Body, &m.HTML,
		&m.ReplyTo, &m.ReplyToAuthor, &m.ReplyCount, &m.Removed, &removedAt, &editedAt}, extra...)...); err != nil {
		return err
	}
	m.CreatedAt = fromMicro(created)
	m.RemovedAt = fromNullMicro(removedAt)
	m.EditedAt = fromNullMicro(editedAt)
	return nil
}

func (s *Store) Message(ctx context.Context, boardID, number int64) (*forum.Message, error) {
	var m forum.Message
	err := scanMessage(s.stmt.message.QueryRowContext(ctx, boardID, number), &m)
	if err != nil {
		return nil, notFound(err, "no message %d", number)
	}
	return &m, nil
}

// Messages reads a window through the (board_id, number) index: a range
// seek, so its cost does not grow with the board.
func (s *Store) Messages(ctx context.Context, boardID int64, w forum.Window) ([]forum.Message, error) {
	var (
		msgs []forum.Message
		err  error
	)
	switch {
	case w.From > 0:
		msgs, err = queryMessages(ctx, s.stmt.windowFrom, w.Bytes, boardID, w.From, w.Limit)
	case w.Before > 0:
		msgs, err = queryMessages(ctx, s.stmt.windowBefore, w.Bytes, boardID, w.Before, w.Limit)
		slices.Reverse(msgs)
	default:
		msgs, err = queryMessages(ctx, s.stmt.windowNewest, w.Bytes, boardID, w.Limit)
		slices.Reverse(msgs)
	}
	return msgs, err
}

func (s *Store) Replies(ctx context.Context, boardID, number, from int64, limit, bytes int) ([]forum.Message, error) {
	return queryMessages(ctx, s.stmt.replies, bytes, boardID, number, from, limit)
}

// MessagesByAuthor reads through the (author_id, id) index: a range seek
// from before downward, whatever the author has written.
func (s *Store) MessagesByAuthor(ctx context.Context, authorID, before int64, limit int) ([]forum.Message, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	return queryMessages(ctx, s.stmt.byAuthor, 0, authorID, before, limit)
}

func (s *Store) ThreadRoot(ctx context.Context, boardID, number int64, maxSteps int) (int64, error) {
	var root int64
	if err := s.stmt.threadRoot.QueryRowContext(ctx, boardID, number, maxSteps).Scan(&root); err != nil {
		return 0, notFound(err, "no message %d", number)
	}
	return root, nil
}

func (s *Store) Thread(ctx context.Context, boardID, root int64, limit, bytes int) ([]forum.Message, error) {
	return queryMessages(ctx, s.stmt.thread, bytes, boardID, root, limit)
}

// queryMessages reads the messages stmt finds, stopping after the first
// whose text takes what was read past bytes, when bytes is positive.
func queryMessages(ctx context.Context, stmt *sql.Stmt, bytes int, args ...any) ([]forum.Message, error) {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("query messages: %w", err)
	}
	defer rows.Close()
	var msgs []forum.Message
	read := 0
	for rows.Next() {
		msgs = append(msgs, forum.Message{})
		m := &msgs[len(msgs)-1]
		if err := scanMessage(rows, m); err != nil {
			return nil, err
		}
		if read += len(m.Body) + len(m.HTML); bytes > 0 && read > bytes {
			break
		}
	}
	return msgs, rows.Err()
}
