package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Secret inserts and then reads: an insert that meets another process's,
// not yet committed, waits for it, and the read then sees that one.
func (s *Store) Secret(ctx context.Context, name string, value []byte) ([]byte, error) {
	var stored []byte
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&stored)
	})
	if err != nil {
		return nil, translate(fmt.Errorf("secret %s: %w", name, err), "")
	}
	return stored, nil
}
