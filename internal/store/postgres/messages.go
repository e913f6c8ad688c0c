package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

func (s *Store) RemoveMessage(ctx context.Context, boardID, number int64, how forum.Removal, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The board's row first, as posting takes it (post_messages) before
		// the row of the message it answers: a reply to this message made
		// at the same moment waits, rather than deadlocks. Two removals
		// take turns; the second finds the message removed.
		if _, err := tx.Exec(ctx, `SELECT FROM boards WHERE id = $1 FOR UPDATE`, boardID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE messages SET removed = $3, removed_at = $4
			WHERE board_id = $1 AND number = $2 AND removed = ''`, boardID, number, how, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			// A removed message is found by no search from now on.
			if _, err := tx.Exec(ctx, `DELETE FROM message_search
				WHERE message_id = (SELECT id FROM messages WHERE board_id = $1 AND number = $2)`, boardID, number); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE boards SET revision = revision + 1, changed_at = greatest(changed_at, $2) WHERE id = $1`,
				boardID, at)
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE board_id = $1 AND number = $2)`,
			boardID, number).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return forum.Errorf(forum.CodeNotFound, "no message %d", number)
		}
		return forum.Errorf(forum.CodeConflict, "message %d is removed already", number)
	})
	if forum.ErrorCode(err) != forum.CodeInternal {
		return err
	}
	return translate(fmt.Errorf("remove message %d: %w", number, err), "")
}

// CreateMessage hands the message to the committer and waits for the commit
// that makes it durable. Posts that arrive while a batch commits are
// committed together by the next one.
func (s *Store) CreateMessage(ctx context.Context, m *forum.Message) error {
	return s.posts.Do(ctx, m)
}

// commitBatch stores a batch with one call of post_messages
// (migrations/004_search.sql), its own transaction: one round trip
// and one commit for them all. The batch goes in board order, the order in
// which every process locks boards. The answer comes only after the commit
// (pgx reads up to PostgreSQL's ReadyForQuery), so an acknowledged post is
// durable.
func (s *Store) commitBatch(batch []*forum.Message) []error {
	// Not a caller's context, and no deadline: a batch serves many, and
	// once sent it may commit whatever the client does, so its answer is
	// awaited. The function bounds its own waits (lock_timeout) and rolls
	// back when one ends.
	ctx := context.Background()
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(batch[a].BoardID, batch[b].BoardID) })
	var (
		boards, authors = make([]int64, len(batch)), make([]int64, len(batch))
		times           = make([]time.Time, len(batch))
		bodies, htmls   = make([]string, len(batch)), make([]string, len(batch))
		terms           = make([]string, len(batch))
		replyTo         = make([]*int64, len(batch))
	)
	for k, i := range order {
		m := batch[i]
		boards[k], authors[k], times[k], bodies[k], htmls[k] = m.BoardID, m.AuthorID, m.CreatedAt, m.Body, m.HTML
		if v := tsvector(m.Terms); v.Valid {
			terms[k] = v.String()
		}
		if m.ReplyTo != 0 {
			replyTo[k] = &m.ReplyTo
		}
	}
	errs := make([]error, len(batch))
	rows, err := s.pool.Query(ctx, `SELECT message_id, message_number, reply_author, refused
		FROM post_messages($1, $2, $3, $4, $5, $6, $7, $8)`, boards, authors, times, bodies, htmls, replyTo, terms, s.channel)
	if err == nil {
		k := 0
		var id, number *int64
		var replyAuthor, refused *string
		_, err = pgx.ForEachRow(rows, []any{&id, &number, &replyAuthor, &refused}, func() error {
			if k >= len(order) {
				return fmt.Errorf("post_messages answered more rows than the %d posts", len(order))
			}
			m := batch[order[k]]
			switch {
			case refused != nil:
				errs[order[k]] = refusal(*refused, m)
			default:
				m.ID, m.Number = *id, *number
				if replyAuthor != nil {
					m.ReplyToAuthor = *replyAuthor
				}
			}
			k++
			return nil
		})
		if err == nil && k != len(order) {
			err = fmt.Errorf("post_messages answered %d rows for %d posts", k, len(order))
		}
	}
	if err != nil {
		err = postFailure(len(batch), err)
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// postFailure is the error of a batch that failed as a whole. When the
// connection failed after the request was sent, the batch may have
// committed: the answer says so rather than claim it did not.
func postFailure(n int, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) || pgconn.SafeToRetry(err) {
		return translate(fmt.Errorf("post %d messages: %w", n, err), "")
	}
	return forum.WrapError(forum.CodeUnavailable, fmt.Errorf("post %d messages: %w", n, err),
		"the database stopped answering; the message may have been stored: look at the board before posting it again")
}

// refusal is the error of a post that post_messages refused.
func refusal(why string, m *forum.Message) error {
	switch why {
	case "board":
		return forum.Errorf(forum.CodeNotFound, "no board %d", m.BoardID)
	case "author":
		return forum.Errorf(forum.CodeInvalid, "no member %d", m.AuthorID)
	case "reply_to":
		return forum.Errorf(forum.CodeInvalid, "reply_to: this board has no message %d", m.ReplyTo)
	}
	return fmt.Errorf("post_messages refused message for an unknown reason %q", why)
}
