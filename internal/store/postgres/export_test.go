package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BulkFill appends n messages of about bodyBytes each to a board with one
// INSERT … SELECT, as the SQLite store's BulkFill does, for benchmarks that
// need a board of millions in seconds: seven in ten are replies to one of
// the five messages before them; reply counts and authors' message counts
// are not kept, which no window read looks at.
func BulkFill(ctx context.Context, s *Store, boardID, authorID int64, n, bodyBytes int) error {
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", bodyBytes/57+1)[:bodyBytes]
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO messages (board_id, number, author_id, created_at, body, html, reply_to, reply_to_author_id)
			SELECT $1, b.last_number + i, $2, to_timestamp(1700000000 + i), $3 || i, '<p>' || $3 || i || '</p>',
				CASE WHEN i % 10 < 7 AND b.last_number + i > 5 THEN b.last_number + i - 1 - (i % 5) END,
				CASE WHEN i % 10 < 7 AND b.last_number + i > 5 THEN $2::bigint END
			FROM generate_series(1, $4::bigint) AS i, boards b WHERE b.id = $1`,
			boardID, authorID, body, n); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE boards SET last_number = last_number + $2, last_posted_at = to_timestamp(1700000000) WHERE id = $1`,
			boardID, n)
		return err
	})
}

// Indexes lists the definitions of the indexes on a table, by name.
func Indexes(ctx context.Context, s *Store, table string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 ORDER BY indexname`, table)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Pool is the store's connection pool, for tests that look beneath the
// forum.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
