package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/forum"
)

func (s *Store) CreateBoard(ctx context.Context, b *forum.Board) error {
	return insertBoard(ctx, s.pool, b)
}

// querier is the pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func insertBoard(ctx context.Context, q querier, b *forum.Board) error {
	err := q.QueryRow(ctx,
		`INSERT INTO boards (slug, title, description, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		b.Slug, b.Title, b.Description, b.CreatedAt, b.CreatorID).Scan(&b.ID)
	if err != nil {
		return translate(fmt.Errorf("create board %q: %w", b.Slug, err), fmt.Sprintf("a board named %s exists", b.Slug))
	}
	return nil
}

const boardQuery = `SELECT boards.id, slug, title, description, boards.created_at, created_by, users.name,
	last_number, last_posted_at, revision, changed_at FROM boards JOIN users ON users.id = boards.created_by`

func scanBoard(row pgx.Row) (*forum.Board, error) {
	var b forum.Board
	var lastPosted, changed *time.Time
	if err := row.Scan(&b.ID, &b.Slug, &b.Title, &b.Description, &b.CreatedAt, &b.CreatorID, &b.Creator,
		&b.LastNumber, &lastPosted, &b.Revision, &changed); err != nil {
		return nil, err
	}
	b.CreatedAt = utc(b.CreatedAt)
	b.LastPostedAt = nullTime(lastPosted)
	b.ChangedAt = nullTime(changed)
	return &b, nil
}

func (s *Store) BoardBySlug(ctx context.Context, slug string) (*forum.Board, error) {
	b, err := scanBoard(s.pool.QueryRow(ctx, boardQuery+` WHERE slug = $1`, slug))
	if err != nil {
		return nil, notFound(err, "no board %q", slug)
	}
	return b, nil
}

func (s *Store) Boards(ctx context.Context) ([]forum.Board, error) {
	rows, err := s.pool.Query(ctx, boardQuery+` ORDER BY slug COLLATE "C"`)
	if err != nil {
		return nil, translate(fmt.Errorf("boards: %w", err), "")
	}
	boards, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (forum.Board, error) {
		b, err := scanBoard(row)
		if err != nil {
			return forum.Board{}, err
		}
		return *b, nil
	})
	if err != nil {
		return nil, translate(fmt.Errorf("boards: %w", err), "")
	}
	return boards, nil
}
