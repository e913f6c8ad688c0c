package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/forum"
)

// Users reads through the primary key, or for one board through
// messages_by_author: each user's check stops at their first message there.
func (s *Store) Users(ctx context.Context, board, after int64, limit int) ([]forum.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE id > $1 AND ($2 = 0 OR id = (SELECT created_by FROM boards WHERE id = $2)
			OR EXISTS (SELECT 1 FROM messages WHERE author_id = users.id AND board_id = $2))
		ORDER BY id LIMIT $3`, after, board, limit)
	if err != nil {
		return nil, translate(fmt.Errorf("users: %w", err), "")
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (forum.User, error) {
		u, err := scanUser(row)
		if err != nil {
			return forum.User{}, err
		}
		return *u, nil
	})
	return users, translate(err, "")
}

// loadBatch is how many rows each COPY into the staging table carries.
const loadBatch = 10_000

// loadColumns are the staged columns, in the order of the rows AddMessage
// buffers.
var loadColumns = []string{"board_id", "number", "author_id", "created_at", "body", "html",
	"reply_to", "reply_to_author_id", "removed", "removed_at", "edited_at"}

// Load stages each unit's messages with COPY in a temporary table (no WAL,
// no index upkeep), and moves them into messages at Commit in one INSERT
// that also counts their replies: rows written once into the table, never
// updated afterwards, which on PostgreSQL would write each again.
func (s *Store) Load(ctx context.Context) (forum.Loader, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("load: %w", err), "")
	}
	l := &loader{conn: conn}
	if err := l.begin(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

type loader struct {
	conn *pgxpool.Conn
	tx   pgx.Tx
	rows [][]any
	// first is the first number staged for each board since the last
	// Commit: messages below it were there before, and may gain replies.
	first  map[int64]int64
	staged int64
}

func (l *loader) begin(ctx context.Context) error {
	tx, err := l.conn.Begin(ctx)
	if err != nil {
		return translate(fmt.Errorf("load: begin: %w", err), "")
	}
	l.tx, l.first, l.staged = tx, map[int64]int64{}, 0
	for _, q := range []string{
		// Sorting for the indexes built at Commit, and for its joins.
		`SET LOCAL maintenance_work_mem = '256MB'`,
		`SET LOCAL work_mem = '64MB'`,
		`CREATE TEMPORARY TABLE load_messages (
			board_id bigint, number bigint, author_id bigint, created_at timestamptz, body text, html text,
			reply_to bigint, reply_to_author_id bigint, removed text, removed_at timestamptz, edited_at timestamptz
		) ON COMMIT DROP`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return translate(fmt.Errorf("load: %w", err), "")
		}
	}
	return nil
}

func (l *loader) CreateUser(ctx context.Context, u *forum.User) error {
	err := l.tx.QueryRow(ctx,
		`INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		u.Name, u.Role, u.PasswordHash, u.CreatedAt).Scan(&u.ID)
	return translate(err, fmt.Sprintf("the name %s is taken", u.Name))
}

func (l *loader) CreateBoard(ctx context.Context, b *forum.Board) error {
	err := l.tx.QueryRow(ctx,
		`INSERT INTO boards (slug, title, description, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		b.Slug, b.Title, b.Description, b.CreatedAt, b.CreatorID).Scan(&b.ID)
	return translate(err, fmt.Sprintf("a board named %s exists", b.Slug))
}

func (l *loader) AddMessage(ctx context.Context, m *forum.Message) error {
	if _, ok := l.first[m.BoardID]; !ok {
		l.first[m.BoardID] = m.Number
	}
	l.rows = append(l.rows, []any{m.BoardID, m.Number, m.AuthorID, m.CreatedAt, m.Body, m.HTML,
		nullID(m.ReplyTo), nullID(m.ReplyToAuthorID), string(m.Removed), nullTimeArg(m.RemovedAt), nullTimeArg(m.EditedAt)})
	if len(l.rows) >= loadBatch {
		return l.flush(ctx)
	}
	return nil
}

func (l *loader) flush(ctx context.Context) error {
	n, err := l.tx.CopyFrom(ctx, pgx.Identifier{"load_messages"}, loadColumns, pgx.CopyFromRows(l.rows))
	if err != nil {
		return translate(fmt.Errorf("load: copy: %w", err), "")
	}
	l.staged += n
	clear(l.rows)
	l.rows = l.rows[:0]
	return nil
}

func (l *loader) Commit(ctx context.Context) error {
	if err := l.flush(ctx); err != nil {
		return err
	}
	if l.staged > 0 {
		if err := l.move(ctx); err != nil {
			return err
		}
	}
	tx := l.tx
	l.tx = nil
	if err := tx.Commit(ctx); err != nil {
		return translate(fmt.Errorf("load: commit: %w", err), "")
	}
	return l.begin(ctx)
}

// move inserts the staged rows into messages in number order, so that ids
// follow numbers as they do for posts, and rebuilds the counters they
// change.
func (l *loader) move(ctx context.Context) error {
	var existing int64
	if err := l.tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM messages`).Scan(&existing); err != nil {
		return translate(fmt.Errorf("load: %w", err), "")
	}
	// Building the secondary indexes afresh from sorted rows beats
	// inserting more rows than the table holds into them one by one. DDL
	// is transactional: a failed load leaves them as they were. Readers of
	// messages wait for the commit meanwhile, so this is for loading a
	// forum, not for adding to a busy one.
	var indexes []string
	if l.staged > max(existing, 50_000) {
		var err error
		if indexes, err = l.dropIndexes(ctx); err != nil {
			return err
		}
	}
	steps := []string{
		`CREATE INDEX ON load_messages (board_id, number)`,
		`CREATE INDEX ON load_messages (board_id, reply_to) WHERE reply_to IS NOT NULL`,
		`ANALYZE load_messages`,
		`INSERT INTO messages (board_id, number, author_id, created_at, body, html,
			reply_to, reply_to_author_id, removed, removed_at, edited_at, reply_count)
		SELECT s.board_id, s.number, s.author_id, s.created_at, s.body, s.html,
			s.reply_to, s.reply_to_author_id, s.removed, s.removed_at, s.edited_at,
			(SELECT count(*) FROM load_messages r WHERE r.board_id = s.board_id AND r.reply_to = s.number)
		FROM load_messages s ORDER BY s.board_id, s.number`,
		// Messages stored before this unit that it answers.
		`UPDATE messages m SET reply_count = m.reply_count + c.n
		FROM (SELECT board_id, reply_to, count(*) AS n FROM load_messages WHERE reply_to IS NOT NULL GROUP BY board_id, reply_to) c
		WHERE m.board_id = c.board_id AND m.number = c.reply_to
			AND NOT EXISTS (SELECT 1 FROM load_messages s WHERE s.board_id = c.board_id AND s.number = c.reply_to)`,
		`UPDATE users SET message_count = message_count + c.n
		FROM (SELECT author_id, count(*) AS n FROM load_messages GROUP BY author_id) c
		WHERE users.id = c.author_id`,
		`UPDATE boards b SET last_number = greatest(b.last_number, c.last), last_posted_at = greatest(b.last_posted_at, c.latest)
		FROM (SELECT board_id, max(number) AS last, max(created_at) AS latest FROM load_messages GROUP BY board_id) c
		WHERE b.id = c.board_id`,
	}
	steps = append(steps, indexes...)
	if indexes != nil {
		// The planner's figures for messages are those of a table a
		// fraction of its new size until autovacuum comes by.
		steps = append(steps, `ANALYZE messages`)
	}
	for _, q := range steps {
		if _, err := l.tx.Exec(ctx, q); err != nil {
			return translate(fmt.Errorf("load: %w", err), "")
		}
	}
	return nil
}

// dropIndexes drops the indexes on messages that back no constraint and
// returns the statements that build them again.
func (l *loader) dropIndexes(ctx context.Context) ([]string, error) {
	rows, err := l.tx.Query(ctx, `SELECT c.relname, pg_get_indexdef(c.oid)
		FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
		WHERE x.indrelid = 'messages'::regclass
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
		ORDER BY c.relname`)
	if err != nil {
		return nil, translate(fmt.Errorf("load: indexes: %w", err), "")
	}
	var name, create string
	var names, creates []string
	if _, err := pgx.ForEachRow(rows, []any{&name, &create}, func() error {
		names, creates = append(names, name), append(creates, create)
		return nil
	}); err != nil {
		return nil, translate(fmt.Errorf("load: indexes: %w", err), "")
	}
	for _, name := range names {
		if _, err := l.tx.Exec(ctx, `DROP INDEX `+pgx.Identifier{name}.Sanitize()); err != nil {
			return nil, translate(fmt.Errorf("load: drop index %s: %w", name, err), "")
		}
	}
	return creates, nil
}

func (l *loader) Close() error {
	defer l.conn.Release()
	if l.tx == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.tx.Rollback(ctx); err != nil && err != pgx.ErrTxClosed {
		return translate(fmt.Errorf("load: rollback: %w", err), "")
	}
	return nil
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func nullTimeArg(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
