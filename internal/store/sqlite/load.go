package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"parley/internal/forum"
)

// Users reads through the primary key, or for one board through
// messages_by_author: each user's check stops at their first message there.
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
// wait, and other processes' writes wait for each Commit (busy_timeout),
// which is why an import commits board by board.
func (s *Store) Load(ctx context.Context) (forum.Loader, error) {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("load: %w", err), "")
	}
	l := &loader{conn: conn}
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&l.cacheSize); err != nil {
		conn.Close()
		return nil, fmt.Errorf("load: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, loadCacheKiB)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("load: %w", err)
	}
	if err := l.begin(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

type loader struct {
	conn      *sql.Conn
	cacheSize int64
	tx        *sql.Tx
	insert    *sql.Stmt

	// first is the first number added to each board since the last Commit:
	// the rows whose counters Commit rebuilds.
	first map[int64]int64
	// existing is how many rows the messages table held when this unit
	// began, added how many it has added since.
	existing, added int64
	// indexes holds the CREATE statements of the secondary indexes on
	// messages while they are dropped, to be built again at Commit.
	indexes []string
}

func (l *loader) begin(ctx context.Context) error {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("load: begin: %w", err), "")
	}
	l.tx = tx
	l.first = map[int64]int64{}
	l.added = 0
	// max(id) costs one seek, and ids have no large gaps: a fair count.
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM messages`).Scan(&l.existing); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	l.insert, err = tx.PrepareContext(ctx, `INSERT INTO messages (board_id, number, author_id, created_at, body, html,
		reply_to, reply_to_author_id, removed, removed_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

func (l *loader) CreateUser(ctx context.Context, u *forum.User) error {
	err := l.tx.QueryRowContext(ctx,
		`INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		u.Name, u.Role, u.PasswordHash, micro(u.CreatedAt)).Scan(&u.ID)
	return translate(err, fmt.Sprintf("the name %s is taken", u.Name))
}

func (l *loader) CreateBoard(ctx context.Context, b *forum.Board) error {
	err := l.tx.QueryRowContext(ctx,
		`INSERT INTO boards (slug, title, description, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		b.Slug, b.Title, b.Description, micro(b.CreatedAt), b.CreatorID).Scan(&b.ID)
	return translate(err, fmt.Sprintf("a board named %s exists", b.Slug))
}

func (l *loader) AddMessage(ctx context.Context, m *forum.Message) error {
	if _, ok := l.first[m.BoardID]; !ok {
		l.first[m.BoardID] = m.Number
	}
	if _, err := l.insert.ExecContext(ctx, m.BoardID, m.Number, m.AuthorID, micro(m.CreatedAt), m.Body, m.HTML,
		nullID(m.ReplyTo), nullID(m.ReplyToAuthorID), m.Removed, nullMicro(m.RemovedAt), nullMicro(m.EditedAt)); err != nil {
		return translate(fmt.Errorf("load message %d: %w", m.Number, err), fmt.Sprintf("message %d exists", m.Number))
	}
	l.added++
	// Once this unit outgrows what the table held, building the secondary
	// indexes afresh from sorted rows costs less than inserting the rest
	// into them one by one. DDL is transactional here: a failed load
	// leaves them as they were.
	if l.indexes == nil && l.added > max(l.existing, 50_000) {
		return l.dropIndexes(ctx)
	}
	return nil
}

func (l *loader) dropIndexes(ctx context.Context) error {
	rows, err := l.tx.QueryContext(ctx,
		`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return fmt.Errorf("load: indexes: %w", err)
	}
	var names []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return fmt.Errorf("load: indexes: %w", err)
		}
		names, l.indexes = append(names, name), append(l.indexes, create)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load: indexes: %w", err)
	}
	for _, name := range names {
		if _, err := l.tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return fmt.Errorf("load: drop index %s: %w", name, err)
		}
	}
	return nil
}

func (l *loader) Commit(ctx context.Context) error {
	for _, create := range l.indexes {
		if _, err := l.tx.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("load: %s: %w", create, err)
		}
	}
	l.indexes = nil
	for board, first := range l.first {
		for _, q := range []string{
			`UPDATE messages SET reply_count = reply_count + c.n
			FROM (SELECT reply_to, count(*) AS n FROM messages WHERE board_id = ?1 AND number >= ?2 AND reply_to IS NOT NULL
				GROUP BY reply_to) AS c
			WHERE messages.board_id = ?1 AND messages.number = c.reply_to`,
			`UPDATE users SET message_count = message_count + c.n
			FROM (SELECT author_id, count(*) AS n FROM messages WHERE board_id = ?1 AND number >= ?2 GROUP BY author_id) AS c
			WHERE users.id = c.author_id`,
			`UPDATE boards SET last_number = (SELECT max(number) FROM messages WHERE board_id = ?1),
				last_posted_at = max(coalesce(last_posted_at, 0),
					(SELECT max(created_at) FROM messages WHERE board_id = ?1 AND number >= ?2))
			WHERE id = ?1`,
		} {
			if _, err := l.tx.ExecContext(ctx, q, board, first); err != nil {
				return fmt.Errorf("load: counters of board %d: %w", board, err)
			}
		}
	}
	tx := l.tx
	l.tx = nil
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("load: commit: %w", err), "")
	}
	return l.begin(ctx)
}

func (l *loader) Close() error {
	var errs []error
	if l.tx != nil {
		errs = append(errs, l.tx.Rollback())
	}
	// The connection goes back to the store's writer: its cache must not
	// keep the load's size.
	_, err := l.conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA cache_size = %d`, l.cacheSize))
	errs = append(errs, err, l.conn.Close())
	if err := errors.Join(errs...); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("load: close: %w", err)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullMicro(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: micro(t), Valid: !t.IsZero()}
}
