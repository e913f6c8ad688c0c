package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Throttle runs on the writer, whose one connection makes the transaction
// exclusive: no other attempt reads the buckets until this one is stored.
func (s *Store) Throttle(ctx context.Context, now time.Time, keys []string, decide func([]time.Time) bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE full_at <= ?`, micro(now)); err != nil {
			return fmt.Errorf("forget full buckets: %w", err)
		}
		times := make([]time.Time, len(keys))
		for i, key := range keys {
			var full int64
			err := tx.QueryRowContext(ctx, `SELECT full_at FROM throttles WHERE key = ?`, key).Scan(&full)
			switch {
			case err == nil:
				times[i] = fromMicro(full)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("read bucket %q: %w", key, err)
			}
		}
		if !decide(times) {
			return nil
		}
		for i, key := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO throttles (key, full_at) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET full_at = excluded.full_at`, key, micro(times[i])); err != nil {
				return fmt.Errorf("store bucket %q: %w", key, err)
			}
		}
		return nil
	})
}
