package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// statements are the queries on the paths that serve readers and posters,
// prepared once: parsed afresh, SQL took about a fifth of the time of a
// window read (pprof on BenchmarkWindow).
type statements struct {
	// On the reader pool.
	boardBySlug, message, windowFrom, windowBefore, windowNewest, replies, userByToken *sql.Stmt
	userBySession, byAuthor, threadRoot, thread                                        *sql.Stmt
	// On the writer.
	numberMessage, countReply, insertMessage, indexMessage, countAuthor, userName *sql.Stmt

	all []*sql.Stmt
}

func prepareStatements(ctx context.Context, reader, writer *sql.DB) (*statements, error) {
	st := &statements{}
	var errs []error
	prep := func(db *sql.DB, query string) *sql.Stmt {
		s, err := db.PrepareContext(ctx, query)
		if err != nil {
			errs = append(errs, fmt.Errorf("prepare %q: %w", query, err))
			return nil
		}
		st.all = append(st.all, s)
		return s
	}
	st.boardBySlug = prep(reader, boardQuery+` WHERE slug = ?`)
	st.message = prep(reader, messageQuery+` WHERE m.board_id = ? AND m.number = ?`)
	st.windowFrom = prep(reader, messageQuery+` WHERE m.board_id = ? AND m.number >= ? ORDER BY m.number LIMIT ?`)
	st.windowBefore = prep(reader, messageQuery+` WHERE m.board_id = ? AND m.number < ? ORDER BY m.number DESC LIMIT ?`)
	st.windowNewest = prep(reader, messageQuery+` WHERE m.board_id = ? ORDER BY m.number DESC LIMIT ?`)
	st.replies = prep(reader, messageQuery+` WHERE m.board_id = ? AND m.reply_to = ? AND m.number >= ? ORDER BY m.number LIMIT ?`)
	st.userByToken = prep(reader, `SELECT `+userColumns+` FROM tokens JOIN users ON users.id = tokens.user_id WHERE tokens.hash = ?`)
	// Every page a signed-in reader loads asks this.
	st.userBySession = prep(reader, `SELECT `+userColumns+` FROM sessions JOIN users ON users.id = sessions.user_id
		WHERE sessions.hash = ? AND sessions.expires_at > ?`)
	st.byAuthor = prep(reader, messageQuery+` WHERE m.author_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`)
	// A reply always answers an earlier message, so the walk up ends
	// without a cycle check; maxSteps bounds it on a pathological chain.
	st.threadRoot = prep(reader, `WITH RECURSIVE up (number, reply_to, steps) AS (
			SELECT number, reply_to, 0 FROM messages WHERE board_id = ?1 AND number = ?2
			UNION ALL
			SELECT m.number, m.reply_to, up.steps + 1 FROM up JOIN messages m ON m.board_id = ?1 AND m.number = up.reply_to
			WHERE up.steps < ?3
		)
		SELECT number FROM up ORDER BY steps DESC LIMIT 1`)
	// ORDER BY in a recursive CTE makes its queue a priority queue: rows
	// leave it by (depth, number), each after its parent, so the walk is
	// breadth-first and LIMIT stops it once limit messages are out. Each
	// step takes at most limit replies of the message it expands (through
	// messages_replies), so that a message with a million replies does not
	// queue them all: a thread costs limit rows, not its size. CROSS JOIN
	// keeps the one queued row as the outer loop; left to itself, without
	// statistics, the planner scanned every reply of the board per step,
	// and read the whole board to join the thread's few messages.
	st.thread = prep(reader, `WITH RECURSIVE thread (number, depth) AS (
			SELECT number, 0 FROM messages WHERE board_id = ?1 AND number = ?2
			UNION ALL
			SELECT r.number, thread.depth + 1 FROM thread CROSS JOIN messages r ON r.board_id = ?1 AND r.number IN (
				SELECT c.number FROM messages c WHERE c.board_id = ?1 AND c.reply_to = thread.number ORDER BY c.number LIMIT ?3)
			ORDER BY 2, 1
			LIMIT ?3
		)
		SELECT `+messageColumns+` FROM thread CROSS JOIN messages m ON m.board_id = ?1 AND m.number = thread.number`+messageJoins+`
		ORDER BY thread.depth, thread.number`)

	// Posts are stamped before they queue for the committer, so a batch is
	// not in time order; the board's last post time must not go back.
	st.numberMessage = prep(writer, `UPDATE boards SET last_number = last_number + 1,
		last_posted_at = max(coalesce(last_posted_at, 0), ?) WHERE id = ? RETURNING last_number`)
	st.countReply = prep(writer, `UPDATE messages SET reply_count = reply_count + 1 WHERE board_id = ? AND number = ? RETURNING author_id`)
	st.insertMessage = prep(writer, `INSERT INTO messages (board_id, number, author_id, created_at, body, html, reply_to, reply_to_author_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	st.indexMessage = prep(writer, `INSERT INTO message_search (rowid, terms, tags) VALUES (?, ?, ?)`)
	st.countAuthor = prep(writer, `UPDATE users SET message_count = message_count + 1 WHERE id = ?`)
	st.userName = prep(writer, `SELECT name FROM users WHERE id = ?`)
	if err := errors.Join(errs...); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

func (st *statements) close() error {
	var errs []error
	for _, s := range st.all {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
