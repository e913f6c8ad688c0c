package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"parley/internal/forum"
)

// maxRequestBody bounds what a request may send. The largest thing a member
// writes is a message body of forum.MaxBody (64 KiB) of Markdown, which
// JSON escaping can at most sextuple; anything beyond is not a request.
const maxRequestBody = 1 << 20

// writeJSON writes v as the JSON answer with status.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the API's own types are encoded: a failure is a bug, or a
		// time the store returned outside years 0–9999.
		s.log.ErrorContext(r.Context(), "api: encode answer", "method", r.Method, "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) //nolint:errcheck // the client has gone; nothing to tell it
}

// decode reads the request body into dst, a pointer to a struct with json
// tags. The body must be one JSON object, in valid UTF-8, of at most
// maxRequestBody bytes, naming only fields of dst, each of the right type.
// Any Content-Type is accepted.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return forum.Errorf(forum.CodeTooLarge, "the request body must be at most 1 MiB")
		}
		return forum.WrapError(forum.CodeInvalid, err, "could not read the request body")
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD: refuse it
	// rather than store what the client did not send.
	if !utf8.Valid(data) {
		return forum.Errorf(forum.CodeInvalid, "the request body is not valid UTF-8")
	}
	switch trimmed := bytes.TrimLeft(data, " \t\r\n"); {
	case len(trimmed) == 0:
		return forum.Errorf(forum.CodeInvalid, "the request body is empty; it must be a JSON object")
	case trimmed[0] != '{':
		return forum.Errorf(forum.CodeInvalid, "the request body must be a JSON object")
	}
	// A first pass checks the syntax (trailing data included) and the
	// names: exactly, where encoding/json would ignore case.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return forum.Errorf(forum.CodeInvalid, "the request body is not valid JSON: %s", describeJSONError(err))
	}
	known := jsonNames(dst)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(known, name) {
			return forum.Errorf(forum.CodeInvalid, "unknown field %q; the fields are %s", name, strings.Join(known, ", "))
		}
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return forum.Errorf(forum.CodeInvalid, "%s", describeJSONError(err))
	}
	return nil
}

// describeJSONError says what is wrong with a request body in terms of the
// API, not of Go.
func describeJSONError(err error) string {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		want := "of another type"
		switch e.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			want = "an integer"
		case reflect.Bool:
			want = "a boolean"
		}
		if e.Field == "" {
			return fmt.Sprintf("the request body must be a JSON object, not %s", e.Value)
		}
		return fmt.Sprintf("field %s must be %s, not %s", e.Field, want, e.Value)
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("%s (at byte %d)", e.Error(), e.Offset)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonNames lists the JSON names of the fields of *dst, a struct.
func jsonNames(dst any) []string {
	t := reflect.TypeOf(dst).Elem()
	names := make([]string, 0, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
