package sqlite

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
)

// BulkFill appends n messages of about bodyBytes each to a board with one
// INSERT … SELECT, for benchmarks that need a board of millions in seconds
// rather than the minutes that posting one by one would take. Seven in ten
// are replies to one of the five messages before them, as on a busy board;
// reply counts and authors' message counts are not kept, which no window
// read looks at.
func BulkFill(ctx context.Context, s *Store, boardID, authorID int64, n, bodyBytes int) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", bodyBytes/57+1)[:bodyBytes]
	if _, err := tx.ExecContext(ctx, `
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO messages (board_id, number, author_id, created_at, body, html, reply_to, reply_to_author_id)
		SELECT ?, b.last_number + i, ?, 1700000000000000 + i * 1000000, ? || i, '<p>' || ? || i || '</p>',
			CASE WHEN i % 10 < 7 AND b.last_number + i > 5 THEN b.last_number + i - 1 - (i % 5) END,
			CASE WHEN i % 10 < 7 AND b.last_number + i > 5 THEN ? END
		FROM seq, boards b WHERE b.id = ?`,
		n, boardID, authorID, body, body, authorID, boardID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE boards SET last_number = (SELECT max(number) FROM messages WHERE board_id = ?),
		last_posted_at = 1700000000000000 WHERE id = ?`, boardID, boardID); err != nil {
		return err
	}
	return tx.Commit()
}

// MigrateTo creates or opens the database at path and applies the
// migrations numbered up to last, and no later one.
func MigrateTo(ctx context.Context, path string, last int) error {
	db, err := sql.Open("sqlite", dsn(path, url.Values{"_txlock": {"immediate"}, "_foreign_keys": {"1"}}))
	if err != nil {
		return err
	}
	defer db.Close()
	return migrateTo(ctx, db, last)
}

// DeleteUser deletes a user as no Store method does yet, to check what
// goes with them.
func DeleteUser(ctx context.Context, s *Store, id int64) error {
	_, err := s.writer.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	return err
}

// Pragmas reads pragmas on the writer connection and on a reader, as
// name → value, for tests of how the store opens its connections.
func Pragmas(ctx context.Context, s *Store, names ...string) (writer, reader map[string]string, err error) {
	read := func(db *sql.DB) (map[string]string, error) {
		values := make(map[string]string, len(names))
		for _, name := range names {
			var v string
			if err := db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
				return nil, err
			}
			values[name] = v
		}
		return values, nil
	}
	if writer, err = read(s.writer); err != nil {
		return nil, nil, err
	}
	reader, err = read(s.reader)
	return writer, reader, err
}

// Indexes lists the CREATE statements of the indexes on a table, by name.
func Indexes(ctx context.Context, s *Store, table string) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx,
		`SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		got = append(got, s)
	}
	return got, rows.Err()
}
