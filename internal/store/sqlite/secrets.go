package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

func (s *Store) Secret(ctx context.Context, name string, value []byte) ([]byte, error) {
	var stored []byte
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
			return fmt.Errorf("store secret %s: %w", name, err)
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&stored)
	})
	return stored, err
}
