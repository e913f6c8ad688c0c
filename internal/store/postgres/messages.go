package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

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
func scanMessage(row pgx.Row, m *forum.Message, extra ...any) error {
	var removedAt, editedAt *time.Time
	if err := row.Scan(append([]any{&m.ID, &m.BoardID, &m.Board, &m.Number, &m.AuthorID, &m.Author, &m.CreatedAt, &m.Body, &m.HTML,
		&m.ReplyTo, &m.ReplyToAuthor, &m.ReplyCount, &m.Removed, &removedAt, &editedAt}, extra...)...); err != nil {
		return err
	}
	m.CreatedAt = utc(m.CreatedAt)
	m.RemovedAt = nullTime(removedAt)
	m.EditedAt = nullTime(editedAt)
	return nil
}

func (s *Store) Message(ctx context.Context, boardID, number int64) (*forum.Message, error) {
	var m forum.Message
	err := scanMessage(s.pool.QueryRow(ctx, messageQuery+` WHERE m.board_id = $1 AND m.number = $2`, boardID, number), &m)
	if err != nil {
		return nil, notFound(err, "no message %d", number)
	}
	return &m, nil
}

// Messages reads a window through the (board_id, number) index: a range
// scan, so its cost does not grow with the board.
func (s *Store) Messages(ctx context.Context, boardID int64, w forum.Window) ([]forum.Message, error) {
	switch {
	case w.From > 0:
		return s.queryMessages(ctx, w.Bytes, messageQuery+` WHERE m.board_id = $1 AND m.number >= $2 ORDER BY m.number LIMIT $3`,
			boardID, w.From, w.Limit)
	case w.Before > 0:
		msgs, err := s.queryMessages(ctx, w.Bytes, messageQuery+` WHERE m.board_id = $1 AND m.number < $2 ORDER BY m.number DESC LIMIT $3`,
			boardID, w.Before, w.Limit)
		slices.Reverse(msgs)
		return msgs, err
	default:
		msgs, err := s.queryMessages(ctx, w.Bytes, messageQuery+` WHERE m.board_id = $1 ORDER BY m.number DESC LIMIT $2`,
			boardID, w.Limit)
		slices.Reverse(msgs)
		return msgs, err
	}
}

func (s *Store) Replies(ctx context.Context, boardID, number, from int64, limit, bytes int) ([]forum.Message, error) {
	return s.queryMessages(ctx, bytes, messageQuery+` WHERE m.board_id = $1 AND m.reply_to = $2 AND m.number >= $3 ORDER BY m.number LIMIT $4`,
		boardID, number, from, limit)
}

// MessagesByAuthor reads through the (author_id, id) index from before
// downward, whatever the author has written.
func (s *Store) MessagesByAuthor(ctx context.Context, authorID, before int64, limit int) ([]forum.Message, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	return s.queryMessages(ctx, 0, messageQuery+` WHERE m.author_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3`,
		authorID, before, limit)
}

// A reply always answers an earlier message, so the walk up ends without a
// cycle check; maxSteps bounds it on a pathological chain.
const threadRootQuery = `WITH RECURSIVE up (number, reply_to, steps) AS (
	SELECT number, reply_to, 0 FROM messages WHERE board_id = $1 AND number = $2
	UNION ALL
	SELECT m.number, m.reply_to, up.steps + 1 FROM up JOIN messages m ON m.board_id = $1 AND m.number = up.reply_to
	WHERE up.steps < $3
)
SELECT number FROM up ORDER BY steps DESC LIMIT 1`

func (s *Store) ThreadRoot(ctx context.Context, boardID, number int64, maxSteps int) (int64, error) {
	var root int64
	if err := s.pool.QueryRow(ctx, threadRootQuery, boardID, number, maxSteps).Scan(&root); err != nil {
		return 0, notFound(err, "no message %d", number)
	}
	return root, nil
}

// threadQuery walks the thread a level at a time, each level one row
// holding its message numbers: the first $3 in number order of the replies
// to the level above, each parent's read through messages_replies and cut
// at what is still wanted. It stops once $3 messages are found, so a
// thread costs what is shown, not its size; a recursive term may not sort
// or limit its own rows, which is why levels are arrays.
const threadQuery = `WITH RECURSIVE level (depth, numbers, total) AS (
	SELECT 0, ARRAY[number], 1 FROM messages WHERE board_id = $1 AND number = $2
	UNION ALL
	SELECT level.depth + 1, next.numbers, level.total + cardinality(next.numbers)
	FROM level CROSS JOIN LATERAL (SELECT ARRAY(
		SELECT c.number FROM unnest(level.numbers) AS p (number) CROSS JOIN LATERAL (
			SELECT r.number FROM messages r WHERE r.board_id = $1 AND r.reply_to = p.number
			ORDER BY r.number LIMIT $3 - level.total
		) AS c
		ORDER BY c.number LIMIT $3 - level.total
	) AS numbers) AS next
	WHERE level.total < $3 AND cardinality(level.numbers) > 0
)
SELECT ` + messageColumns + ` FROM level CROSS JOIN unnest(level.numbers) AS t (number)
JOIN messages m ON m.board_id = $1 AND m.number = t.number` + messageJoins + `
ORDER BY level.depth, m.number
LIMIT $3`

func (s *Store) Thread(ctx context.Context, boardID, root int64, limit, bytes int) ([]forum.Message, error) {
	return s.queryMessages(ctx, bytes, threadQuery, boardID, root, limit)
}

// queryMessages reads the messages query finds, stopping after the first
// whose text takes what was read past bytes, when bytes is positive.
func (s *Store) queryMessages(ctx context.Context, bytes int, query string, args ...any) ([]forum.Message, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, translate(fmt.Errorf("query messages: %w", err), "")
	}
	defer rows.Close()
	var msgs []forum.Message
	read := 0
	for rows.Next() {
		msgs = append(msgs, forum.Message{})
		m := &msgs[len(msgs)-1]
		if err := scanMessage(rows, m); err != nil {
			return nil, translate(fmt.Errorf("read messages: %w", err), "")
		}
		if read += len(m.Body) + len(m.HTML); bytes > 0 && read > bytes {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(fmt.Errorf("read messages: %w", err), "")
	}
	return msgs, nil
}
