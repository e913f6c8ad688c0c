package api

import (
	"net/http"
	"time"

	"parley/internal/forum"
)

// credentials are what a member signs up and signs in with.
type credentials struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type userJSON struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

func toUserJSON(u *forum.User) userJSON {
	return userJSON{Name: u.Name, Role: string(u.Role), CreatedAt: u.CreatedAt.UTC()}
}

// register is POST /api/v1/users: self-registration, refused with 403 when
// the forum has closed it.
func (s *server) register(w http.ResponseWriter, r *http.Request) error {
	var in credentials
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.svc.Register(r.Context(), in.Name, in.Password)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusCreated, toUserJSON(u))
	return nil
}
