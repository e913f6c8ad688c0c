package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"parley/internal/forum"
)

func (s *Store) CreateUser(ctx context.Context, u *forum.User) error {
	return insertUser(ctx, s.writer, u)
}

func insertUser(ctx context.Context, q querier, u *forum.User) error {
	err := q.QueryRowContext(ctx,
		`INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		u.Name, u.Role, u.PasswordHash, micro(u.CreatedAt)).Scan(&u.ID)
	if err != nil {
		return translate(fmt.Errorf("create user %q: %w", u.Name, err), fmt.Sprintf("the name %s is taken", u.Name))
	}
	return nil
}

const userColumns = `users.id, users.name, users.role, users.password_hash, users.created_at, users.message_count`

func scanUser(row interface{ Scan(...any) error }) (*forum.User, error) {
	var u forum.User
	var created int64
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &created, &u.MessageCount); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicro(created)
	return &u, nil
}

func (s *Store) UserByName(ctx context.Context, name string) (*forum.User, error) {
	u, err := scanUser(s.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if err != nil {
		return nil, notFound(err, "no member %q", name)
	}
	return u, nil
}

func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	var has bool
	if err := s.reader.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&has); err != nil {
		return false, fmt.Errorf("has users: %w", err)
	}
	return has, nil
}

func (s *Store) OldestUser(ctx context.Context, role forum.Role) (*forum.User, error) {
	u, err := scanUser(s.reader.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE role = ? ORDER BY created_at, id LIMIT 1`, role))
	if err != nil {
		return nil, notFound(err, "no %s", role)
	}
	return u, nil
}

func (s *Store) CreateToken(ctx context.Context, t *forum.Token) error {
	err := s.writer.QueryRowContext(ctx,
		`INSERT INTO tokens (user_id, hash, hint, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Hash, t.Hint, micro(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return translate(fmt.Errorf("create token: %w", err), "the token exists")
	}
	return nil
}

func (s *Store) UserByToken(ctx context.Context, hash []byte) (*forum.User, error) {
	u, err := scanUser(s.stmt.userByToken.QueryRowContext(ctx, hash))
	if err != nil {
		return nil, notFound(err, "no such token")
	}
	return u, nil
}

func (s *Store) Tokens(ctx context.Context, userID int64) ([]forum.Token, error) {
	rows, err := s.reader.QueryContext(ctx,
		`SELECT id, user_id, hash, hint, created_at FROM tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	var tokens []forum.Token
	for rows.Next() {
		var t forum.Token
		var created int64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Hash, &t.Hint, &created); err != nil {
			return nil, err
		}
		t.CreatedAt = fromMicro(created)
		tokens = append(tokens, t)
	}
	return tokens, rows.Err()
}

func (s *Store) DeleteToken(ctx context.Context, userID, tokenID int64) error {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM tokens WHERE id = ? AND user_id = ?`, tokenID, userID)
	if err != nil {
		return translate(fmt.Errorf("delete token %d: %w", tokenID, err), "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete token %d: %w", tokenID, err)
	}
	if n == 0 {
		return forum.Errorf(forum.CodeNotFound, "no token %d", tokenID)
	}
	return nil
}

func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", userID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", userID, err)
		}
		if n == 0 {
			return forum.Errorf(forum.CodeNotFound, "no user %d", userID)
		}
		for _, q := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM tokens WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return fmt.Errorf("set password of user %d: %w", userID, err)
			}
		}
		return nil
	})
}

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
