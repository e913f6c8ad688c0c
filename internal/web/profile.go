package web

import (
	"net/http"

	"parley/internal/params"
	"parley/internal/web/view"
)

// profile is GET /u/{name}: a member and their latest messages, older ones
// by ?before=ID.
func (s *server) profile(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Query(r.URL.RawQuery)
	if err != nil {
		return err
	}
	before, err := params.Number(q, "before")
	if err != nil {
		return err
	}
	pr, err := s.svc.Profile(r.Context(), readerOf(r.Context()), r.PathValue("name"), before, view.DefaultWindow)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, view.Profile(s.page(r, pr.User.Name, nil), pr))
}
