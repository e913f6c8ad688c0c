package forum

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Register creates a member account through self-registration.
func (s *Service) Register(ctx context.Context, name, pw string) (*User, error) {
	if s.cfg.RegistrationClosed {
		return nil, Errorf(CodeForbidden, "registration is closed")
	}
	return s.AddUser(ctx, name, pw, RoleMember)
}

// RegistrationOpen reports whether anyone may sign up.
func (s *Service) RegistrationOpen() bool { return !s.cfg.RegistrationClosed }

// AddUser creates an account with any role; it is the operator's path (the
// CLI), so it is not subject to registration being closed.
func (s *Service) AddUser(ctx context.Context, name, pw string, role Role) (*User, error) {
	if err := ValidateUserName(name); err != nil {
		return nil, err
	}
	if err := ValidatePassword(pw); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, Errorf(CodeInvalid, "role must be member, moderator or admin")
	}
	h, err := s.hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	u := &User{Name: name, Role: role, PasswordHash: h, CreatedAt: s.now()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if ErrorCode(err) == CodeConflict {
			return nil, onField(err, "name")
		}
		return nil, err
	}
	return u, nil
}

// SetPassword gives a member a new password, signing them out everywhere:
// the operator's way to let in an author an import created, or to take an
// account back from whoever learned its password.
func (s *Service) SetPassword(ctx context.Context, name, pw string) (*User, error) {
	if err := ValidatePassword(pw); err != nil {
		return nil, err
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	h, err := s.hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetPassword(ctx, u.ID, h); err != nil {
		return nil, err
	}
	u.PasswordHash = h
	return u, nil
}

// User finds a member by name, ignoring case.
func (s *Service) User(ctx context.Context, name string) (*User, error) {
	if ValidateUserName(name) != nil {
		return nil, Errorf(CodeNotFound, "no member %q", name)
	}
	return s.store.UserByName(ctx, name)
}

// FirstAdmin finds the admin who has been one longest: the operator's
// stand-in when a tool acts without naming a member.
func (s *Service) FirstAdmin(ctx context.Context) (*User, error) {
	u, err := s.store.OldestUser(ctx, RoleAdmin)
	if ErrorCode(err) == CodeNotFound {
		return nil, Errorf(CodeNotFound, "the forum has no admin yet; add one with 'parley user add NAME --role admin'")
	}
	return u, err
}

// FirstAdminName is the account created on a database without users.
const FirstAdminName = "admin"

// EnsureAdmin creates the first admin, with a random password, when the
// forum has no users at all, so that a fresh `parley serve` can be signed
// into at once. It returns the password only when it created the account.
func (s *Service) EnsureAdmin(ctx context.Context) (pw string, created bool, err error) {
	has, err := s.store.HasUsers(ctx)
	if err != nil || has {
		return "", false, err
	}
	pw = rand.Text()
	if _, err := s.AddUser(ctx, FirstAdminName, pw, RoleAdmin); err != nil {
		if ErrorCode(err) == CodeConflict { // another process won the race
			return "", false, nil
		}
		return "", false, err
	}
	return pw, true, nil
}

// tokenPrefix marks Parley's secrets so that scanners can find leaked ones.
const tokenPrefix = "parley_"

// CreateToken signs in and issues a new API token. The secret is returned
// once and never stored.
func (s *Service) CreateToken(ctx context.Context, c Credentials) (string, *Token, error) {
	u, err := s.SignIn(ctx, c)
	if err != nil {
		return "", nil, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	t := &Token{UserID: u.ID, Hash: hashToken(secret), Hint: secret[:len(tokenPrefix)+4], CreatedAt: s.now()}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Authenticate returns the owner of an API token.
func (s *Service) Authenticate(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 128 {
		return nil, Errorf(CodeUnauthorized, "invalid token")
	}
	u, err := s.store.UserByToken(ctx, hashToken(secret))
	if ErrorCode(err) == CodeNotFound {
		return nil, Errorf(CodeUnauthorized, "invalid token")
	}
	return u, err
}

// Tokens lists the actor's own tokens.
func (s *Service) Tokens(ctx context.Context, actor *User) ([]Token, error) {
	if err := Can(actor, ListTokens, Target{}); err != nil {
		return nil, err
	}
	return s.store.Tokens(ctx, actor.ID)
}

// RevokeToken deletes one of the actor's own tokens.
func (s *Service) RevokeToken(ctx context.Context, actor *User, id int64) error {
	if err := Can(actor, RevokeToken, Target{}); err != nil {
		return err
	}
	return s.store.DeleteToken(ctx, actor.ID, id)
}

// hashToken is a plain SHA-256: tokens carry 256 random bits, so unlike
// passwords they need no slow hash to resist guessing.
func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return b
}
