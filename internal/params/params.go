// Package params reads the numbers that requests carry in their paths and
// queries, strictly: a malformed number is refused with a message, never
// read as zero or truncated.
package params

import (
	"net/url"
	"strconv"
	"strings"

	"parley/internal/forum"
)

// Positive parses s, the value of parameter name, as an integer from 1 to
// the largest int64. Only decimal digits are accepted: no sign, no space.
func Positive(name, s string) (int64, error) {
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

// Natural parses s, the value of parameter name, as an integer from 0 to
// the largest int64, digits only.
func Natural(name, s string) (int64, error) {
	if s == "0" {
		return 0, nil
	}
	n, err := Positive(name, s)
	if err != nil {
		return 0, forum.Errorf(forum.CodeInvalid, "%s must be a message number (0 or more)", name)
	}
	return n, nil
}

// Query parses a raw query string. Unlike URL.Query it refuses a malformed
// query rather than drop what it cannot read.
func Query(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, forum.Errorf(forum.CodeInvalid, "malformed query string")
	}
	return q, nil
}

// Number returns the positive integer parameter name, or 0 when q does not
// have it.
func Number(q url.Values, name string) (int64, error) {
	v, ok, err := Single(q, name)
	if !ok || err != nil {
		return 0, err
	}
	return Positive(name, v)
}

// Single returns the value of parameter name; ok is false when q does not
// have it. A parameter given more than once is refused: which to believe
// would be a guess.
func Single(q url.Values, name string) (v string, ok bool, err error) {
	values, ok := q[name]
	switch {
	case !ok:
		return "", false, nil
	case len(values) > 1:
		return "", true, forum.Errorf(forum.CodeInvalid, "%s is given more than once", name)
	}
	return values[0], true, nil
}

// Window returns the from and limit parameters of a listing: from 0 when
// absent, limit def when absent and at most max.
func Window(q url.Values, def, max int) (from int64, limit int, err error) {
	if from, err = Number(q, "from"); err != nil {
		return 0, 0, err
	}
	limit, err = Limit(q, def, max)
	return from, limit, err
}

// Limit returns the limit parameter, 1 to max, or def when q does not
// have it.
func Limit(q url.Values, def, max int) (int, error) {
	if _, ok := q["limit"]; !ok {
		return def, nil
	}
	n, err := Number(q, "limit")
	if err != nil || n > int64(max) {
		return 0, forum.Errorf(forum.CodeInvalid, "limit must be an integer from 1 to %d", max)
	}
	return int(n), nil
}
