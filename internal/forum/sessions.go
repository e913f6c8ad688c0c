package forum

import (
	"context"
	"encoding/base64"
	"time"
)

// SessionLifetime is how long a browser stays signed in.
const SessionLifetime = 30 * 24 * time.Hour

// maxSessionSecret bounds what SessionUser hashes: a secret is 43
// characters, so anything much longer is not one of ours.
const maxSessionSecret = 100

// errSessionEnded is the one answer to a session that is unknown, expired
// or ended: the browser should sign in again, whichever it was.
var errSessionEnded = Errorf(CodeUnauthorized, "your session has ended; sign in again")

// StartSession signs a browser in as u, who has proved who they are (by
// SignIn). It returns the secret for the cookie, returned once and stored
// only hashed, and when the session expires.
func (s *Service) StartSession(ctx context.Context, u *User) (secret string, expires time.Time, err error) {
	if err := Can(u, StartSession, Target{}); err != nil {
		return "", time.Time{}, err
	}
	secret = base64.RawURLEncoding.EncodeToString(randomBytes(32))
	now := s.now()
	sess := &Session{UserID: u.ID, Hash: hashToken(secret), CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", time.Time{}, err
	}
	return secret, sess.ExpiresAt, nil
}

// SessionUser returns the member a browser's session secret signs in.
// CodeUnauthorized when the session is unknown, expired or ended.
func (s *Service) SessionUser(ctx context.Context, secret string) (*User, error) {
	if secret == "" || len(secret) > maxSessionSecret {
		return nil, errSessionEnded
	}
	u, err := s.store.UserBySession(ctx, hashToken(secret), s.now())
	if ErrorCode(err) == CodeNotFound {
		return nil, errSessionEnded
	}
	return u, err
}

// EndSession signs a browser out. Ending a session that has ended already
// is no error.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > maxSessionSecret {
		return nil
	}
	return s.store.DeleteSession(ctx, hashToken(secret))
}
