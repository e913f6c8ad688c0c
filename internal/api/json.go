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
	"strconv"
	"strings"
	"unicode/utf8"

	"parley/internal/forum"
)

// maxRequestBody bounds what a request may send. The largest thing a member
// writes is a message body of forum.MaxBody (64 KiB) of Markdown, which
// JSON escaping can at most sextuple; anything beyond is not a request.
const maxRequestBody = 1 << 20

// writeJSON writes v as the JSON answer with status. HTML is not escaped:
// the html fields are safe HTML already, and escaping them again (& as
// \u0026amp;) made 64 KiB of "&" a megabyte of answer. An answer is
// encoded whole before anything is sent, so that a failure is a clean 500;
// what it may hold is bounded (forum.MaxTextBytes).
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only the API's own types are encoded: a failure is a bug, or a
		// time the store returned outside years 0–9999.
		s.log.ErrorContext(r.Context(), "api: encode answer", "method", r.Method, "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client has gone; nothing to tell it
}

// decode reads the request body into dst, a pointer to a struct with json
// tags. The body must be one JSON object, in valid UTF-8, of at most
// maxRequestBody bytes, naming only fields of dst, each of the right type,
// each once, and escaping no half of a UTF-16 surrogate pair. ServeHTTP has
// checked its Content-Type.
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
	if err := checkNames(data); err != nil {
		return err
	}
	if i := loneSurrogate(data); i >= 0 {
		// encoding/json would quietly make it U+FFFD.
		return forum.Errorf(forum.CodeInvalid, "the request body escapes half a UTF-16 surrogate pair (at byte %d): that is no character", i)
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

// checkNames refuses an object that names a member twice, at any depth:
// encoding/json would keep the last, and which one a client meant is a
// guess (as it is for a query parameter given twice). data is valid JSON.
func checkNames(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	// One frame per open object or array: the names seen, and whether the
	// next string is a name.
	type frame struct {
		names  map[string]bool
		isName bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return forum.Errorf(forum.CodeInvalid, "the request body is not valid JSON: %s", describeJSONError(err))
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if name, ok := tok.(string); ok && top != nil && top.names != nil && top.isName {
			if top.names[name] {
				return forum.Errorf(forum.CodeInvalid, "field %q is given more than once", name)
			}
			top.names[name] = true
			top.isName = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{names: map[string]bool{}, isName: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			} else {
				top = nil
			}
		}
		// A value ended: in an object, a name comes next.
		if top != nil && top.names != nil {
			top.isName = true
		}
	}
}

// loneSurrogate returns where data, valid JSON, escapes a UTF-16 surrogate
// that is not half of a pair (\ud800 alone), or -1. Backslashes occur only
// inside strings, so no string needs to be found first.
func loneSurrogate(data []byte) int {
	// unit reads the four hexadecimal digits of a \u escape at i, which
	// valid JSON has.
	unit := func(i int) uint64 {
		u, _ := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		return u
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++ // an escape of one character, such as \\ or \"
			continue
		}
		switch u := unit(i); {
		case u >= 0xDC00 && u <= 0xDFFF:
			return i
		case u >= 0xD800 && u <= 0xDBFF:
			if i+12 > len(data) || data[i+6] != '\\' || data[i+7] != 'u' {
				return i
			}
			if low := unit(i + 6); low < 0xDC00 || low > 0xDFFF {
				return i
			}
			i += 6
		}
		i += 5
	}
	return -1
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
