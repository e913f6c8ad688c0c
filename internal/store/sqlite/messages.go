package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

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

func (s *Store) RemoveMessage(ctx context.Context, boardID, number int64, how forum.Removal, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var removed forum.Removal
		err := tx.QueryRowContext(ctx, `SELECT removed FROM messages WHERE board_id = ? AND number = ?`, boardID, number).Scan(&removed)
		if err != nil {
			return notFound(err, "no message %d", number)
		}
		if removed != forum.NotRemoved {
			return forum.Errorf(forum.CodeConflict, "message %d is removed already", number)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `UPDATE messages SET removed = ?, removed_at = ? WHERE board_id = ? AND number = ? RETURNING id`,
			how, micro(at), boardID, number).Scan(&id); err != nil {
			return fmt.Errorf("remove message %d: %w", number, err)
		}
		// A removed message is found by no search from now on.
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_search WHERE rowid = ?`, id); err != nil {
			return fmt.Errorf("remove message %d from the search index: %w", number, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE boards SET revision = revision + 1, changed_at = max(coalesce(changed_at, 0), ?) WHERE id = ?`,
			micro(at), boardID); err != nil {
			return fmt.Errorf("remove message %d: %w", number, err)
		}
		return nil
	})
}

// CreateMessage hands the message to the committer and waits for the commit
// that makes it durable. Posts that arrive while a commit is syncing are
// committed together by the next one (group commit): with synchronous=FULL
// each commit costs an fsync, and sharing it is what keeps posting fast.
func (s *Store) CreateMessage(ctx context.Context, m *forum.Message) error {
	return s.posts.Do(ctx, m)
}

// commitBatch inserts each post of the batch and commits once. Each post
// runs under its own savepoint, so one the database refuses (a reply to a
// missing message, an unknown author) fails alone and leaves nothing
// behind; only a failed commit fails them all.
func (s *Store) commitBatch(batch []*forum.Message) []error {
	errs := make([]error, len(batch))
	// Not the callers' contexts: a batch serves many, and one leaving must
	// not roll back the others.
	ctx := context.Background()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, m := range batch {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT post`); err != nil {
				return err
			}
			if errs[i] = s.insertMessage(tx, m); errs[i] != nil {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO post`); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE post`); err != nil {
				return err
			}
		}
		return nil
	})
	for i := range errs {
		if err != nil {
			errs[i] = err
		} else {
			errs[i] = translate(errs[i], "")
		}
	}
	return errs
}

// inTx runs fn in a transaction on the writer and commits it, translating
// what fails.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("begin: %w", err), "")
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err, "")
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err), "")
	}
	return nil
}

// insertMessage numbers and inserts one message, raising the replied-to
// message's reply count and its author's message count; it sets m.Number,
// m.ID and m.ReplyToAuthor. The caller rolls back to a savepoint when it
// fails, which undoes the counters with the message.
func (s *Store) insertMessage(tx *sql.Tx, m *forum.Message) error {
	ctx := context.Background()
	err := tx.StmtContext(ctx, s.stmt.numberMessage).QueryRowContext(ctx, micro(m.CreatedAt), m.BoardID).Scan(&m.Number)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.Errorf(forum.CodeNotFound, "no board %d", m.BoardID)
	}
	if err != nil {
		return fmt.Errorf("number message: %w", err)
	}
	var replyAuthorID sql.NullInt64
	if m.ReplyTo != 0 {
		err := tx.StmtContext(ctx, s.stmt.countReply).QueryRowContext(ctx, m.BoardID, m.ReplyTo).Scan(&replyAuthorID)
		if errors.Is(err, sql.ErrNoRows) {
			return forum.Errorf(forum.CodeInvalid, "reply_to: this board has no message %d", m.ReplyTo)
		}
		if err != nil {
			return fmt.Errorf("count reply to %d: %w", m.ReplyTo, err)
		}
	}
	if err := tx.StmtContext(ctx, s.stmt.insertMessage).QueryRowContext(ctx,
		m.BoardID, m.Number, m.AuthorID, micro(m.CreatedAt), m.Body, m.HTML,
		sql.NullInt64{Int64: m.ReplyTo, Valid: m.ReplyTo != 0}, replyAuthorID).Scan(&m.ID); err != nil {
		return fmt.Errorf("insert message %d: %w", m.Number, err)
	}
	if m.Terms != "" {
		if _, err := tx.StmtContext(ctx, s.stmt.indexMessage).ExecContext(ctx, m.ID, m.Terms, tags(m.BoardID, m.AuthorID, m.ReplyTo)); err != nil {
			return fmt.Errorf("index message %d: %w", m.Number, err)
		}
	}
	// After the insert, whose foreign key refuses an unknown author: the
	// update alone would change nothing and say nothing.
	if _, err := tx.StmtContext(ctx, s.stmt.countAuthor).ExecContext(ctx, m.AuthorID); err != nil {
		return fmt.Errorf("count message of user %d: %w", m.AuthorID, err)
	}
	if replyAuthorID.Valid {
		if err := tx.StmtContext(ctx, s.stmt.userName).QueryRowContext(ctx, replyAuthorID.Int64).Scan(&m.ReplyToAuthor); err != nil {
			return fmt.Errorf("reply author: %w", err)
		}
	}
	return nil
}
