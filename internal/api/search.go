package api

import "net/http"

// search is GET /api/v1/search, which the contract names but a later
// release builds. Until then it answers 501, so that a client can tell a
// missing feature from a wrong path (404).
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	s.writeError(w, r, http.StatusNotImplemented, codeNotImplemented, "search is not available in this version of Parley")
	return nil
}
