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
	// On the writer.
	numberMessage, countReply, insertMessage, userName *sql.Stmt

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

	// Posts are stamped before they queue for the committer, so a batch is
	// not in time order; the board's last post time must not go back.
	st.numberMessage = prep(writer, `UPDATE boards SET last_number = last_number + 1,
		last_posted_at = max(coalesce(last_posted_at, 0), ?) WHERE id = ? RETURNING last_number`)
	st.countReply = prep(writer, `UPDATE messages SET reply_count = reply_count + 1 WHERE board_id = ? AND number = ? RETURNING author_id`)
	st.insertMessage = prep(writer, `INSERT INTO messages (board_id, number, author_id, created_at, body, html, reply_to, reply_to_author_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
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
