package api

import (
	"net/http"
	"net/url"

	"parley/internal/forum"
	"parley/internal/params"
)

// defaultLimit is the size of a window when the request names none.
const defaultLimit = 50

// pathNumber returns the path wildcard name, which must be a positive
// integer: a message number or a token ID.
func pathNumber(r *http.Request, name string) (int64, error) {
	return params.Positive(name, r.PathValue(name))
}

// query returns the request's query parameters, refusing a malformed query.
func query(r *http.Request) (url.Values, error) {
	return params.Query(r.URL.RawQuery)
}

// queryWindow returns the from and limit parameters every listing takes.
func queryWindow(q url.Values) (from int64, limit int, err error) {
	return params.Window(q, defaultLimit, forum.MaxWindow)
}

// nullable is n for JSON, or null when n is 0 (none).
func nullable(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}
