package api

import (
	"net/http"
	"strings"

	"parley/internal/forum"
)

// authed wraps a handler that needs a member: it answers 401 unless the
// request carries a valid bearer token. The API never reads cookies, so a
// cross-site request cannot act in a member's name (DESIGN.md, CSRF).
func (s *server) authed(h func(w http.ResponseWriter, r *http.Request, actor *forum.User) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		actor, err := s.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, actor)
	}
}

// viewer is who reads: the owner of the request's bearer token, nil for
// none. A token that is not valid reads as none, since reading needs no
// token.
func (s *server) viewer(r *http.Request) *forum.User {
	if len(r.Header.Values("Authorization")) == 0 {
		return nil
	}
	u, _ := s.authenticate(r)
	return u
}

// authenticate returns the owner of the request's bearer token.
func (s *server) authenticate(r *http.Request) (*forum.User, error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return nil, forum.Errorf(forum.CodeUnauthorized,
			"this request needs an API token: send Authorization: Bearer <token> (POST /api/v1/tokens issues one)")
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	token = strings.TrimLeft(token, " ")
	if len(values) > 1 || !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, forum.Errorf(forum.CodeUnauthorized, "the Authorization header must be Bearer <token>")
	}
	return s.svc.Authenticate(r.Context(), token)
}
