package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"parley/internal/forum"
)

// defaultLimit is the size of a window when the request names none.
const defaultLimit = 50

// pathNumber returns the path wildcard name, which must be a positive
// integer: a message number or a token ID.
func pathNumber(r *http.Request, name string) (int64, error) {
	return positive(name, r.PathValue(name))
}

// positive parses s, the value of parameter name, as an integer from 1 to
// the largest int64. Only decimal digits are accepted: no sign, no space.
func positive(name, s string) (int64, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, forum.Errorf(forum.CodeInvalid, "%s must be a positive integer", name)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil { // only digits, so the range is all that can be wrong
		return 0, forum.Errorf(forum.CodeInvalid, "%s must be at most %d", name, int64(1<<63-1))
	}
	if n < 1 {
		return 0, forum.Errorf(forum.CodeInvalid, "%s must be a positive integer", name)
	}
	return n, nil
}

// query returns the request's query parameters. Unlike URL.Query it
// refuses a malformed query rather than drop what it cannot read.
func query(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, forum.Errorf(forum.CodeInvalid, "malformed query string")
	}
	return q, nil
}

// queryNumber returns the positive integer parameter name, or 0 when the
// query does not have it.
func queryNumber(q url.Values, name string) (int64, error) {
	values, ok := q[name]
	switch {
	case !ok:
		return 0, nil
	case len(values) > 1:
		return 0, forum.Errorf(forum.CodeInvalid, "%s is given more than once", name)
	}
	return positive(name, values[0])
}

// queryWindow returns the from and limit parameters every listing takes.
func queryWindow(q url.Values) (from int64, limit int, err error) {
	if from, err = queryNumber(q, "from"); err != nil {
		return 0, 0, err
	}
	limit, err = queryLimit(q)
	return from, limit, err
}

// queryLimit returns the limit parameter, 1 to forum.MaxWindow, or
// defaultLimit when the query does not have it.
func queryLimit(q url.Values) (int, error) {
	if _, ok := q["limit"]; !ok {
		return defaultLimit, nil
	}
	n, err := queryNumber(q, "limit")
	if err != nil || n > forum.MaxWindow {
		return 0, forum.Errorf(forum.CodeInvalid, "limit must be an integer from 1 to %d", forum.MaxWindow)
	}
	return int(n), nil
}

// nullable is n for JSON, or null when n is 0 (none).
func nullable(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}
