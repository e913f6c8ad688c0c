package web

import (
	"net/http"

	"parley/internal/web/view"
)

// search is GET /search. Search arrives with its own release; until then
// the page says so, with 501 like the API's search.
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusNotImplemented, view.Search(s.page(r, "Search", nil), r.URL.Query().Get("q")))
}
