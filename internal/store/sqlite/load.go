package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"parley/internal/forum"
	"parley/internal/store/bulk"
)

// Users reads through the primary key; for one board, each user's check
// walks their messages (messages_by_author) until one is in the board.
func (s *Store) Users(ctx context.Context, board, after int64, limit int) ([]forum.User, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id > ?1 AND (?2 = 0 OR id = (SELECT created_by FROM boards WHERE id = ?2)
			OR EXISTS (SELECT 1 FROM messages WHERE author_id = users.id AND board_id = ?2))
		ORDER BY id LIMIT ?3`, after, board, limit)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var users []forum.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		users = append(users, *u)
	}
	return users, rows.Err()
}

// loadCacheKiB is the writer's page cache while it loads: the secondary
// indexes take rows in author and reply order, all over their B-trees, and
// SQLite's default 2 MB makes each such insert a read from disk.
const loadCacheKiB = 256 << 10

// Load holds the writer connection until Close: posts through this store
// wait, and other processes' writes wait for each Commit (busy_timeout,
// 10 s, after which they fail), which is why an import commits board by
// board and is for loading a forum rather than adding to a busy one.
func (s *Store) Load(ctx context.Context) (forum.Loader, error) {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("load: %w", err), "")
	}
	l := &loader{conn: conn}
	l.buf = bulk.New(l.write)
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&l.cacheSize); err != nil {
		conn.Close()
		return nil, fmt.Errorf("load: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, loadCacheKiB)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("load: %w", err)
	}
	return l, nil
}

type loader struct {
	conn      *sql.Conn
	cacheSize int64
	buf       *bulk.Buffer
	// tx and its statements are the current unit's, begun by its first
	// write.
	tx            *sql.Tx
	insert, index *sql.Stmt
	// existing is how many rows the messages table held when the unit
	// began.
	existing int64
	// indexes holds the CREATE statements of the secondary indexes on
	// messages while they are dropped, to be built again at Commit.
	indexes []string
}

// begin starts a unit unless one is started.
func (l *loader) begin(ctx context.Context) error {
	if l.tx != nil {
		return nil
	}
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("load: begin: %w", err), "")
	}
	l.tx = tx
	// max(id) costs one seek, and ids have no large gaps: a fair count.
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM messages`).Scan(&l.existing); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	l.insert, err = tx.PrepareContext(ctx, `INSERT INTO messages (board_id, number, author_id, created_at, body, html,
		reply_to, reply_to_author_id, reply_count, removed, removed_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	l.index, err = tx.PrepareContext(ctx, `INSERT INTO message_search (rowid, terms, tags) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

func (l *loader) CreateUser(ctx context.Context, u *forum.User) error {
	if err := l.begin(ctx); err != nil {
		return err
	}
	return insertUser(ctx, l.tx, u)
}

func (l *loader) CreateBoard(ctx context.Context, b *forum.Board) error {
	if err := l.begin(ctx); err != nil {
		return err
	}
	if err := insertBoard(ctx, l.tx, b); err != nil {
		return err
	}
	l.buf.Created(b.ID)
	return nil
}

func (l *loader) AddMessage(ctx context.Context, m *forum.Message) error {
	if err := l.begin(ctx); err != nil {
		return err
	}
	return l.buf.Add(m)
}

// write inserts messages the Buffer releases. Once the unit outgrows what
// the table held, it drops the secondary indexes for Commit to build again;
// DDL is transactional here, so a failed load leaves them as they were.
func (l *loader) write(msgs []*forum.Message) error {
	ctx := context.Background()
	if l.indexes == nil && l.buf.DeferIndexes(l.existing, len(msgs)) {
		if err := l.dropIndexes(ctx); err != nil {
			return err
		}
	}
	for _, m := range msgs {
		res, err := l.insert.ExecContext(ctx, m.BoardID, m.Number, m.AuthorID, micro(m.CreatedAt), m.Body, m.HTML,
			nullID(m.ReplyTo), nullID(m.ReplyToAuthorID), m.ReplyCount, m.Removed, nullMicro(m.RemovedAt), nullMicro(m.EditedAt))
		if err != nil {
			return translate(fmt.Errorf("load message %d: %w", m.Number, err), fmt.Sprintf("message %d exists", m.Number))
		}
		if m.Removed != forum.NotRemoved || m.Terms == "" {
			continue
		}
		// In the unit's transaction, so that a board is searchable
		// when it is visible. FTS5 gathers the terms in memory, a
		// megabyte at a time, and writes each lot as one segment.
		id, err := res.LastInsertId()
		if err == nil {
			_, err = l.index.ExecContext(ctx, id, m.Terms, tags(m.BoardID, m.AuthorID, m.ReplyTo))
		}
		if err != nil {
			return fmt.Errorf("load: index message %d: %w", m.Number, err)
		}
	}
	return nil
}

func (l *loader) dropIndexes(ctx context.Context) error {
	rows, err := l.tx.QueryContext(ctx,
		`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return fmt.Errorf("load: indexes: %w", err)
	}
	var names, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return fmt.Errorf("load: indexes: %w", err)
		}
		names, creates = append(names, name), append(creates, create)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load: indexes: %w", err)
	}
	for _, name := range names {
		if _, err := l.tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return fmt.Errorf("load: drop index %s: %w", name, err)
		}
	}
	l.indexes = creates
	return nil
}

func (l *loader) Commit(ctx context.Context) error {
	if l.tx == nil {
		return nil // nothing was written
	}
	c, err := l.buf.Take()
	if err != nil {
		return err
	}
	for _, create := range l.indexes {
		if _, err := l.tx.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("load: %s: %w", create, err)
		}
	}
	if l.indexes != nil {
		// A large load leaves the search index in segments of every
		// size, and FTS5's merging of the segments posts add then reaches
		// them: on 1.5 M messages posting fell from ~3,000 to 672 posts/s
		// within 20,000 posts. Merged into one here (15 s at that size),
		// it stayed at 2,744 over 60,000.
		if _, err := l.tx.ExecContext(ctx, `INSERT INTO message_search (message_search) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("load: merge the search index: %w", err)
		}
	}
	l.indexes = nil
	if err := l.count(ctx, c); err != nil {
		return err
	}
	tx := l.tx
	l.tx = nil
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("load: commit: %w", err), "")
	}
	return nil
}

// count applies the counters the unit changed: boards first, then
// messages, then members, the order posting takes.
func (l *loader) count(ctx context.Context, c bulk.Counts) error {
	exec := func(query string, args ...any) error {
		if _, err := l.tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("load: counters: %w", err)
		}
		return nil
	}
	for id, t := range c.Boards {
		if err := exec(`UPDATE boards SET last_number = max(last_number, ?), last_posted_at = max(coalesce(last_posted_at, 0), ?)
			WHERE id = ?`, t.Last, micro(t.Posted), id); err != nil {
			return err
		}
	}
	for k, n := range c.Replies {
		if err := exec(`UPDATE messages SET reply_count = reply_count + ? WHERE board_id = ? AND number = ?`, n, k.Board, k.Number); err != nil {
			return err
		}
	}
	for id, n := range c.Authors {
		if err := exec(`UPDATE users SET message_count = message_count + ? WHERE id = ?`, n, id); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) Close() error {
	var errs []error
	if l.tx != nil {
		if err := l.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			errs = append(errs, err)
		}
	}
	// The connection goes back to the store's writer: its cache must not
	// keep the load's size.
	_, err := l.conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA cache_size = %d`, l.cacheSize))
	errs = append(errs, err, l.conn.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("load: close: %w", err)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullMicro(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: micro(t), Valid: !t.IsZero()}
}
