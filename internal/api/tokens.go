package api

import (
	"net/http"
	"time"

	"parley/internal/forum"
)

type newTokenJSON struct {
	Token     string    `json:"token"` // the secret, shown this once
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

type tokenJSON struct {
	ID        int64     `json:"id"`
	Hint      string    `json:"hint"`
	CreatedAt time.Time `json:"created_at"`
}

type tokensJSON struct {
	Tokens []tokenJSON `json:"tokens"`
}

// createToken is POST /api/v1/tokens: sign in with name and password, get
// a bearer token.
func (s *server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in credentials
	if err := decode(w, r, &in); err != nil {
		return err
	}
	secret, t, err := s.svc.CreateToken(r.Context(), forum.Credentials{Name: in.Name, Password: in.Password, From: r.RemoteAddr})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusCreated, newTokenJSON{Token: secret, ID: t.ID, CreatedAt: t.CreatedAt.UTC()})
	return nil
}

// listTokens is GET /api/v1/tokens: the bearer's own tokens, by hint.
func (s *server) listTokens(w http.ResponseWriter, r *http.Request, actor *forum.User) error {
	list, err := s.svc.Tokens(r.Context(), actor)
	if err != nil {
		return err
	}
	out := tokensJSON{Tokens: make([]tokenJSON, len(list))}
	for i, t := range list {
		out.Tokens[i] = tokenJSON{ID: t.ID, Hint: t.Hint, CreatedAt: t.CreatedAt.UTC()}
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// revokeToken is DELETE /api/v1/tokens/{id}: revoke one of the bearer's
// own tokens, the one in use included.
func (s *server) revokeToken(w http.ResponseWriter, r *http.Request, actor *forum.User) error {
	id, err := pathNumber(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeToken(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
