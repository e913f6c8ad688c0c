package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"parley/internal/forum"
)

func (s *Store) CreateBoard(ctx context.Context, b *forum.Board) error {
	return insertBoard(ctx, s.writer, b)
}

// querier is the writer or a transaction of it.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func insertBoard(ctx context.Context, q querier, b *forum.Board) error {
	err := q.QueryRowContext(ctx,
		`INSERT INTO boards (slug, title, description, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		b.Slug, b.Title, b.Description, micro(b.CreatedAt), b.CreatorID).Scan(&b.ID)
	if err != nil {
		return translate(fmt.Errorf("create board %q: %w", b.Slug, err), fmt.Sprintf("a board named %s exists", b.Slug))
	}
	return nil
}

const boardQuery = `SELECT boards.id, slug, title, description, boards.created_at, created_by, users.name,
	last_number, last_posted_at, revision, changed_at FROM boards JOIN users ON users.id = boards.created_by`

func scanBoard(row interface{ Scan(...any) error }) (*forum.Board, error) {
	var b forum.Board
	var created int64
	var lastPosted, changed sql.NullInt64
	if err := row.Scan(&b.ID, &b.Slug, &b.Title, &b.Description, &created, &b.CreatorID, &b.Creator,
		&b.LastNumber, &lastPosted, &b.Revision, &changed); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMicro(created)
	b.LastPostedAt = fromNullMicro(lastPosted)
	b.ChangedAt = fromNullMicro(changed)
	return &b, nil
}

func (s *Store) BoardBySlug(ctx context.Context, slug string) (*forum.Board, error) {
	b, err := scanBoard(s.stmt.boardBySlug.QueryRowContext(ctx, slug))
	if err != nil {
		return nil, notFound(err, "no board %q", slug)
	}
	return b, nil
}

func (s *Store) Boards(ctx context.Context) ([]forum.Board, error) {
	rows, err := s.reader.QueryContext(ctx, boardQuery+` ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("boards: %w", err)
	}
	defer rows.Close()
	var boards []forum.Board
	for rows.Next() {
		b, err := scanBoard(rows)
		if err != nil {
			return nil, err
		}
		boards = append(boards, *b)
	}
	return boards, rows.Err()
}
