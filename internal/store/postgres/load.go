package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/forum"
	"parley/internal/store/bulk"
)

// Users reads through the primary key; for one board, each user's check
// walks their messages (messages_by_author) until one is in the board.
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

// loadColumns are the columns Load writes with COPY.
var loadColumns = []string{"id", "board_id", "number", "author_id", "created_at", "body", "html",
	"reply_to", "reply_to_author_id", "reply_count", "removed", "removed_at", "edited_at"}

// Load writes messages with COPY straight into messages, each row once and
// with its reply count (bulk.Buffer holds them back until it is known):
// an UPDATE after would write every answered row again.
func (s *Store) Load(ctx context.Context) (forum.Loader, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("load: %w", err), "")
	}
	l := &loader{conn: conn}
	l.buf = bulk.New(l.write)
	return l, nil
}

type loader struct {
	conn *pgxpool.Conn
	buf  *bulk.Buffer
	// tx is the current unit's, begun by its first write.
	tx pgx.Tx
	// existing is how many rows messages held when the unit began.
	existing int64
	// indexes holds the statements that build the secondary indexes on
	// messages again while they are dropped.
	indexes []string
}

// begin starts a unit unless one is started.
func (l *loader) begin(ctx context.Context) error {
	if l.tx != nil {
		return nil
	}
	tx, err := l.conn.Begin(ctx)
	if err != nil {
		return translate(fmt.Errorf("load: begin: %w", err), "")
	}
	l.tx = tx
	// For the indexes built at Commit.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return translate(fmt.Errorf("load: %w", err), "")
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM messages`).Scan(&l.existing); err != nil {
		return translate(fmt.Errorf("load: %w", err), "")
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

// write copies the messages the Buffer releases. Once the unit outgrows
// what the table held, it drops the secondary indexes for Commit to build
// again. DDL is transactional: a failed load leaves them as they were.
// Readers of messages wait for the commit meanwhile, so this is for loading
// a forum, not for adding to a busy one.
func (l *loader) write(msgs []*forum.Message) error {
	ctx := context.Background()
	if l.indexes == nil && l.buf.DeferIndexes(l.existing, len(msgs)) {
		var err error
		if l.indexes, err = l.dropIndexes(ctx); err != nil {
			return err
		}
	}
	// COPY returns no IDs, and the search index needs them: the IDs are
	// taken from the table's sequence first, in order.
	rows, err := l.tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, $1)`, len(msgs))
	if err != nil {
		return translate(fmt.Errorf("load: message IDs: %w", err), "")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return translate(fmt.Errorf("load: message IDs: %w", err), "")
	}
	slices.Sort(ids)
	var index [][]any
	_, err = l.tx.CopyFrom(ctx, pgx.Identifier{"messages"}, loadColumns, pgx.CopyFromSlice(len(msgs), func(i int) ([]any, error) {
		m := msgs[i]
		if m.Removed == forum.NotRemoved && m.Terms != "" {
			index = append(index, []any{ids[i], tsvector(m.Terms)})
		}
		return []any{ids[i], m.BoardID, m.Number, m.AuthorID, m.CreatedAt, m.Body, m.HTML,
			nullID(m.ReplyTo), nullID(m.ReplyToAuthorID), m.ReplyCount, string(m.Removed), nullTimeArg(m.RemovedAt), nullTimeArg(m.EditedAt)}, nil
	}))
	if err != nil {
		return translate(fmt.Errorf("load: copy messages %d to %d of board %d: %w", msgs[0].Number, msgs[len(msgs)-1].Number, msgs[0].BoardID, err),
			"a message being loaded exists")
	}
	if _, err := l.tx.CopyFrom(ctx, pgx.Identifier{"message_search"}, []string{"message_id", "terms"}, pgx.CopyFromRows(index)); err != nil {
		return translate(fmt.Errorf("load: index messages %d to %d of board %d: %w", msgs[0].Number, msgs[len(msgs)-1].Number, msgs[0].BoardID, err), "")
	}
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
	batch := &pgx.Batch{}
	for _, create := range l.indexes {
		batch.Queue(create)
	}
	// The counters in the order posting locks their rows (post_messages):
	// boards, then messages, then members, each by key, so that a post at
	// the same time waits rather than deadlocks.
	for _, id := range slices.Sorted(maps.Keys(c.Boards)) {
		t := c.Boards[id]
		batch.Queue(`UPDATE boards SET last_number = greatest(last_number, $1), last_posted_at = greatest(last_posted_at, $2)
			WHERE id = $3`, t.Last, t.Posted, id)
	}
	for _, k := range slices.SortedFunc(maps.Keys(c.Replies), func(a, b bulk.Key) int {
		return cmp.Or(cmp.Compare(a.Board, b.Board), cmp.Compare(a.Number, b.Number))
	}) {
		batch.Queue(`UPDATE messages SET reply_count = reply_count + $1 WHERE board_id = $2 AND number = $3`, c.Replies[k], k.Board, k.Number)
	}
	for _, id := range slices.Sorted(maps.Keys(c.Authors)) {
		batch.Queue(`UPDATE users SET message_count = message_count + $1 WHERE id = $2`, c.Authors[id], id)
	}
	if l.indexes != nil {
		// The planner's figures for messages are those of a table a
		// fraction of its new size until autovacuum comes by.
		batch.Queue(`ANALYZE messages`)
		// And the search index's, by which it plans each search: how many
		// messages hold a word decides how to read them.
		batch.Queue(`ANALYZE message_search`)
	}
	l.indexes = nil
	if err := l.tx.SendBatch(ctx, batch).Close(); err != nil {
		return translate(fmt.Errorf("load: counters: %w", err), "")
	}
	tx := l.tx
	l.tx = nil
	if err := tx.Commit(ctx); err != nil {
		return translate(fmt.Errorf("load: commit: %w", err), "")
	}
	return nil
}

// dropIndexes drops the indexes on messages and on the search index that
// back no constraint, and returns the statements that build them again:
// the search index's GIN is built from all its rows at once.
func (l *loader) dropIndexes(ctx context.Context) ([]string, error) {
	rows, err := l.tx.Query(ctx, `SELECT c.relname, pg_get_indexdef(c.oid)
		FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
		WHERE x.indrelid IN ('messages'::regclass, 'message_search'::regclass)
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
	if err := l.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
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
