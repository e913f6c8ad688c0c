package web

import (
	"net/http"

	"parley/internal/web/view"
)

// search is GET /search. Search arrives with its own release; until then
// the page offers the form and says so. It answers 200: the page itself
// works, and a reader following a link to it has done nothing wrong.
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, view.Search(s.page(r, "Search", nil), r.URL.Query().Get("q")))
}
