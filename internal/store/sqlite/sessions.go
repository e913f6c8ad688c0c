package sqlite

import (
	"context"
	"fmt"
	"time"

	"parley/internal/forum"
)

// CreateSession deletes the expired sessions in the transaction that adds
// the new one: sign-ins are what fill the table, so they empty it too, and
// the expiry index makes that a range delete of the few just ended.
func (s *Store) CreateSession(ctx context.Context, sess *forum.Session) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("begin: %w", err), "")
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, micro(sess.CreatedAt)); err != nil {
		return translate(fmt.Errorf("delete expired sessions: %w", err), "")
	}
	err = tx.QueryRowContext(ctx,
		`INSERT INTO sessions (user_id, hash, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id`,
		sess.UserID, sess.Hash, micro(sess.CreatedAt), micro(sess.ExpiresAt)).Scan(&sess.ID)
	if err != nil {
		return translate(fmt.Errorf("create session: %w", err), "the session exists")
	}
	return translate(tx.Commit(), "")
}

func (s *Store) UserBySession(ctx context.Context, hash []byte, now time.Time) (*forum.User, error) {
	u, err := scanUser(s.stmt.userBySession.QueryRowContext(ctx, hash, micro(now)))
	if err != nil {
		return nil, notFound(err, "no such session")
	}
	return u, nil
}

func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return translate(fmt.Errorf("delete session: %w", err), "")
	}
	return nil
}
