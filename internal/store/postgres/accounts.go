package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/forum"
)

func (s *Store) CreateUser(ctx context.Context, u *forum.User) error {
	return insertUser(ctx, s.pool, u)
}

func insertUser(ctx context.Context, q querier, u *forum.User) error {
	err := q.QueryRow(ctx,
		`INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		u.Name, u.Role, u.PasswordHash, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		return translate(fmt.Errorf("create user %q: %w", u.Name, err), fmt.Sprintf("the name %s is taken", u.Name))
	}
	return nil
}

const userColumns = `users.id, users.name, users.role, users.password_hash, users.created_at, users.message_count`

func scanUser(row pgx.Row) (*forum.User, error) {
	var u forum.User
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.CreatedAt, &u.MessageCount); err != nil {
		return nil, err
	}
	u.CreatedAt = utc(u.CreatedAt)
	return &u, nil
}

func (s *Store) UserByName(ctx context.Context, name string) (*forum.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(name) = lower($1)`, name))
	if err != nil {
		return nil, notFound(err, "no member %q", name)
	}
	return u, nil
}

func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	var has bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&has); err != nil {
		return false, translate(fmt.Errorf("has users: %w", err), "")
	}
	return has, nil
}

func (s *Store) OldestUser(ctx context.Context, role forum.Role) (*forum.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE role = $1 ORDER BY created_at, id LIMIT 1`, role))
	if err != nil {
		return nil, notFound(err, "no %s", role)
	}
	return u, nil
}

func (s *Store) CreateToken(ctx context.Context, t *forum.Token) error {
	err := s.pool.QueryRow(ctx,
		`INSERT INTO tokens (user_id, hash, hint, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.UserID, t.Hash, t.Hint, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return translate(fmt.Errorf("create token: %w", err), "the token exists")
	}
	return nil
}

func (s *Store) UserByToken(ctx context.Context, hash []byte) (*forum.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx,
		`SELECT `+userColumns+` FROM tokens JOIN users ON users.id = tokens.user_id WHERE tokens.hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "no such token")
	}
	return u, nil
}

func (s *Store) Tokens(ctx context.Context, userID int64) ([]forum.Token, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT id, user_id, hash, hint, created_at FROM tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, translate(fmt.Errorf("tokens of user %d: %w", userID, err), "")
	}
	tokens, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (forum.Token, error) {
		var t forum.Token
		err := row.Scan(&t.ID, &t.UserID, &t.Hash, &t.Hint, &t.CreatedAt)
		t.CreatedAt = utc(t.CreatedAt)
		return t, err
	})
	if err != nil {
		return nil, translate(fmt.Errorf("tokens of user %d: %w", userID, err), "")
	}
	return tokens, nil
}

func (s *Store) DeleteToken(ctx context.Context, userID, tokenID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE id = $1 AND user_id = $2`, tokenID, userID)
	if err != nil {
		return translate(fmt.Errorf("delete token %d: %w", tokenID, err), "")
	}
	if tag.RowsAffected() == 0 {
		return forum.Errorf(forum.CodeNotFound, "no token %d", tokenID)
	}
	return nil
}

// CreateSession deletes the expired sessions in the transaction that adds
// the new one: sign-ins fill the table, so they empty it too, through the
// expiry index.
func (s *Store) CreateSession(ctx context.Context, sess *forum.Session) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, sess.CreatedAt); err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		return tx.QueryRow(ctx,
			`INSERT INTO sessions (user_id, hash, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			sess.UserID, sess.Hash, sess.CreatedAt, sess.ExpiresAt).Scan(&sess.ID)
	})
	return translate(err, "the session exists")
}

func (s *Store) UserBySession(ctx context.Context, hash []byte, now time.Time) (*forum.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM sessions JOIN users ON users.id = sessions.user_id
		WHERE sessions.hash = $1 AND sessions.expires_at > $2`, hash, now))
	if err != nil {
		return nil, notFound(err, "no such session")
	}
	return u, nil
}

func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return translate(fmt.Errorf("delete session: %w", err), "")
	}
	return nil
}

func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return translate(pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, hash)
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", userID, err)
		}
		if tag.RowsAffected() == 0 {
			return forum.Errorf(forum.CodeNotFound, "no user %d", userID)
		}
		for _, q := range []string{`DELETE FROM sessions WHERE user_id = $1`, `DELETE FROM tokens WHERE user_id = $1`} {
			if _, err := tx.Exec(ctx, q, userID); err != nil {
				return fmt.Errorf("set password of user %d: %w", userID, err)
			}
		}
		return nil
	}), "")
}

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
