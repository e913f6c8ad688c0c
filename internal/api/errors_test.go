package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"parley/internal/forum"
	"parley/internal/site"
)

// TestBadInput: whatever a client sends, the answer is a 4xx JSON error
// with the fitting code, never a 5xx.
func TestBadInput(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, alice := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, alice, "b")
		mustPost(t, s, alice, "b", "one", 0)
		mustPost(t, s, alice, "b", "two", 1)
		mustPost(t, s, alice, "b", "three", 0)

		const (
			tooBigInt = "9223372036854775808"
			maxInt    = "9223372036854775807"
		)
		bearer := "Bearer " + alice
		big := `{"body":"` + strings.Repeat("x", 1<<20) + `"}`
		body64k := `{"body":"` + strings.Repeat("x", forum.MaxBody+1) + `"}`

		type testCase struct {
			name         string
			method, path string
			auth         string // the whole Authorization header
			body         any
			status       int
			code         string
			message      string // a part of the message, when it matters
		}
		cases := []testCase{
			// Bodies.
			{"MalformedJSON", "POST", "/api/v1/boards/b/messages", bearer, `{"body":`, 400, "invalid", "not valid JSON"},
			{"MalformedJSONUnquotedKey", "POST", "/api/v1/users", "", `{name:"x"}`, 400, "invalid", ""},
			{"EmptyBody", "POST", "/api/v1/boards/b/messages", bearer, ``, 400, "invalid", "empty"},
			{"NoBody", "POST", "/api/v1/tokens", "", nil, 400, "invalid", ""},
			{"NotAnObjectArray", "POST", "/api/v1/boards/b/messages", bearer, `["body"]`, 400, "invalid", "object"},
			{"NotAnObjectNull", "POST", "/api/v1/boards/b/messages", bearer, `null`, 400, "invalid", "object"},
			{"NotAnObjectString", "POST", "/api/v1/users", "", `"alice"`, 400, "invalid", "object"},
			{"TrailingObject", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x"} {"body":"y"}`, 400, "invalid", ""},
			{"TrailingGarbage", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x"}x`, 400, "invalid", ""},
			{"InvalidUTF8", "POST", "/api/v1/boards/b/messages", bearer, "{\"body\":\"caf\xe9\"}", 400, "invalid", "UTF-8"},
			{"InvalidUTF8InName", "POST", "/api/v1/users", "", "{\"name\":\"\xff\",\"password\":\"long enough\"}", 400, "invalid", "UTF-8"},
			{"InvalidUTF8OutsideStrings", "POST", "/api/v1/boards", bearer, "{\"slug\":\"x\",\"title\":\"x\"}\xff", 400, "invalid", "UTF-8"},
			{"DuplicateField", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"harmless","body":"what was meant?"}`, 400, "invalid", `"body" is given more than once`},
			{"DuplicateFieldEscaped", "POST", "/api/v1/users", "", `{"name":"x","n\u0061me":"y","password":"long enough"}`, 400, "invalid", `"name" is given more than once`},
			{"LoneHighSurrogate", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"a\ud800b"}`, 400, "invalid", "surrogate"},
			{"LoneLowSurrogate", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"\udc00"}`, 400, "invalid", "surrogate"},
			{"HighSurrogateThenLetter", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"\ud83d\u0041"}`, 400, "invalid", "surrogate"},
			{"HighSurrogateAtEnd", "POST", "/api/v1/users", "", `{"name":"x","password":"long enough\ud83d"}`, 400, "invalid", "surrogate"},
			{"UnknownField", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","subject":"y"}`, 400, "invalid", `"subject"`},
			{"UnknownFieldCase", "POST", "/api/v1/boards/b/messages", bearer, `{"Body":"x"}`, 400, "invalid", `"Body"`},
			{"WrongTypeBody", "POST", "/api/v1/boards/b/messages", bearer, `{"body":5}`, 400, "invalid", "body"},
			{"WrongTypeName", "POST", "/api/v1/users", "", `{"name":["a"],"password":"long enough"}`, 400, "invalid", "name"},
			{"WrongTypeReplyToString", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":"x"}`, 400, "invalid", "reply_to"},
			{"WrongTypeReplyToNumericString", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":"1"}`, 400, "invalid", "reply_to"},
			{"WrongTypeReplyToFraction", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":1.5}`, 400, "invalid", "reply_to"},
			{"WrongTypeReplyToBool", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":true}`, 400, "invalid", "reply_to"},
			{"ReplyToZero", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":0}`, 400, "invalid", "reply_to"},
			{"ReplyToNegative", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":-1}`, 400, "invalid", "reply_to"},
			{"ReplyToBeyondInt64", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":` + tooBigInt + `}`, 400, "invalid", "reply_to"},
			{"ReplyToMissing", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":4}`, 400, "invalid", "reply_to"},
			{"ReplyToMaxInt", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"x","reply_to":` + maxInt + `}`, 400, "invalid", "reply_to"},
			{"BodyMissing", "POST", "/api/v1/boards/b/messages", bearer, `{}`, 400, "invalid", "body"},
			{"BodyBlank", "POST", "/api/v1/boards/b/messages", bearer, `{"body":" \n "}`, 400, "invalid", "body"},
			{"BodyZeroWidthOnly", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"\u200b\u200b"}`, 400, "invalid", "visible"},
			{"BodyFillersOnly", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"\u3164 \u2800\n\u115f"}`, 400, "invalid", "visible"},
			{"TitleOverride", "POST", "/api/v1/boards", bearer, `{"slug":"new","title":"Intel\u202eletnI"}`, 400, "invalid", "bidirectional"},
			{"TitleInvisible", "POST", "/api/v1/boards", bearer, `{"slug":"new","title":"\u200b"}`, 400, "invalid", "visible"},
			{"BodyControl", "POST", "/api/v1/boards/b/messages", bearer, `{"body":"a\u001bb"}`, 400, "invalid", "body"},
			{"BodyOver64KiB", "POST", "/api/v1/boards/b/messages", bearer, body64k, 413, "too_large", ""},
			{"RequestOver1MiB", "POST", "/api/v1/boards/b/messages", bearer, big, 413, "too_large", ""},
			{"RequestOver1MiBUsers", "POST", "/api/v1/users", "", big, 413, "too_large", ""},

			// Users and tokens.
			{"DuplicateUser", "POST", "/api/v1/users", "", `{"name":"ALICE","password":"long enough"}`, 409, "conflict", ""},
			{"BadUserName", "POST", "/api/v1/users", "", `{"name":"Road Walker","password":"long enough"}`, 400, "invalid", "name"},
			{"ShortPassword", "POST", "/api/v1/users", "", `{"name":"carol","password":"short"}`, 400, "invalid", "password"},
			{"WrongPassword", "POST", "/api/v1/tokens", "", `{"name":"alice","password":"not her password"}`, 401, "unauthorized", ""},
			{"UnknownUserSignIn", "POST", "/api/v1/tokens", "", `{"name":"nobody","password":"not her password"}`, 401, "unauthorized", ""},

			// Boards.
			{"DuplicateSlug", "POST", "/api/v1/boards", bearer, `{"slug":"b","title":"Again"}`, 409, "conflict", ""},
			{"BadSlug", "POST", "/api/v1/boards", bearer, `{"slug":"Not A Slug","title":"x"}`, 400, "invalid", "slug"},
			{"MissingSlug", "POST", "/api/v1/boards", bearer, `{"title":"x"}`, 400, "invalid", "slug"},
			{"MissingTitle", "POST", "/api/v1/boards", bearer, `{"slug":"new"}`, 400, "invalid", "title"},
			{"UnknownBoard", "GET", "/api/v1/boards/nope", "", nil, 404, "not_found", ""},
			{"UnknownBoardBadSlug", "GET", "/api/v1/boards/NOPE%2F..", "", nil, 404, "not_found", ""},
			{"UnknownBoardMessages", "GET", "/api/v1/boards/nope/messages", "", nil, 404, "not_found", ""},
			{"UnknownBoardMessage", "GET", "/api/v1/boards/nope/messages/1", "", nil, 404, "not_found", ""},
			{"UnknownBoardReplies", "GET", "/api/v1/boards/nope/messages/1/replies", "", nil, 404, "not_found", ""},
			{"UnknownBoardPost", "POST", "/api/v1/boards/nope/messages", bearer, `{"body":"x"}`, 404, "not_found", ""},
			{"UnknownBoardRemove", "DELETE", "/api/v1/boards/nope/messages/1", bearer, nil, 404, "not_found", ""},

			// Message numbers beyond the board.
			{"MessageBeyondLast", "GET", "/api/v1/boards/b/messages/4", "", nil, 404, "not_found", ""},
			{"MessageMaxInt", "GET", "/api/v1/boards/b/messages/" + maxInt, "", nil, 404, "not_found", ""},
			{"RepliesBeyondLast", "GET", "/api/v1/boards/b/messages/4/replies", "", nil, 404, "not_found", ""},
			{"RemoveBeyondLast", "DELETE", "/api/v1/boards/b/messages/4", bearer, nil, 404, "not_found", ""},

			// Queries.
			{"LimitTooLarge", "GET", "/api/v1/boards/b/messages?limit=201", "", nil, 400, "invalid", "limit"},
			{"FromAndBefore", "GET", "/api/v1/boards/b/messages?from=1&before=3", "", nil, 400, "invalid", "not both"},
			{"FromTwice", "GET", "/api/v1/boards/b/messages?from=1&from=2", "", nil, 400, "invalid", "from"},
			{"MalformedQuery", "GET", "/api/v1/boards/b/messages?from=%zz", "", nil, 400, "invalid", "query"},
			{"RepliesLimitTooLarge", "GET", "/api/v1/boards/b/messages/1/replies?limit=201", "", nil, 400, "invalid", "limit"},

			// Authentication.
			{"NoTokenCreateBoard", "POST", "/api/v1/boards", "", `{"slug":"new","title":"x"}`, 401, "unauthorized", ""},
			{"NoTokenPost", "POST", "/api/v1/boards/b/messages", "", `{"body":"x"}`, 401, "unauthorized", ""},
			{"NoTokenRemove", "DELETE", "/api/v1/boards/b/messages/1", "", nil, 401, "unauthorized", ""},
			{"NoTokenListTokens", "GET", "/api/v1/tokens", "", nil, 401, "unauthorized", ""},
			{"NoTokenRevoke", "DELETE", "/api/v1/tokens/1", "", nil, 401, "unauthorized", ""},
			{"WrongToken", "POST", "/api/v1/boards/b/messages", "Bearer parley_" + strings.Repeat("A", 43), `{"body":"x"}`, 401, "unauthorized", ""},
			{"WrongTokenNoPrefix", "POST", "/api/v1/boards/b/messages", "Bearer nonsense", `{"body":"x"}`, 401, "unauthorized", ""},
			{"WrongTokenLong", "GET", "/api/v1/tokens", "Bearer parley_" + strings.Repeat("A", 4000), nil, 401, "unauthorized", ""},
			{"MalformedAuthBasic", "GET", "/api/v1/tokens", "Basic YWxpY2U6cHc=", nil, 401, "unauthorized", "Bearer"},
			{"MalformedAuthNoToken", "GET", "/api/v1/tokens", "Bearer", nil, 401, "unauthorized", "Bearer"},
			{"MalformedAuthBareToken", "GET", "/api/v1/tokens", alice, nil, 401, "unauthorized", "Bearer"},

			// Routing.
			{"WrongMethodBoards", "PUT", "/api/v1/boards", bearer, `{}`, 405, "method_not_allowed", ""},
			{"WrongMethodBoard", "DELETE", "/api/v1/boards/b", bearer, nil, 405, "method_not_allowed", ""},
			{"WrongMethodMessage", "PATCH", "/api/v1/boards/b/messages/1", bearer, `{"body":"x"}`, 405, "method_not_allowed", ""},
			{"WrongMethodUsers", "GET", "/api/v1/users", "", nil, 405, "method_not_allowed", ""},
			{"UnknownPath", "GET", "/api/v1/nope", "", nil, 404, "not_found", ""},
			{"UnknownPathRoot", "GET", "/api/v1/", "", nil, 404, "not_found", ""},
			{"UnknownPathTrailingSlash", "GET", "/api/v1/boards/", "", nil, 404, "not_found", ""},
			{"UnknownPathUnderMessage", "GET", "/api/v1/boards/b/messages/1/thread", "", nil, 404, "not_found", ""},
			{"UnknownPathPost", "POST", "/api/v1/nope", bearer, `{}`, 404, "not_found", ""},
		}
		// Every number in a path or query, in every bad form.
		for _, bad := range []struct{ name, value string }{
			{"Zero", "0"}, {"Negative", "-1"}, {"NonNumeric", "x"}, {"BeyondInt64", tooBigInt},
			{"Fraction", "1.5"}, {"Plus", "+1"}, {"Hex", "0x1"}, {"Empty", ""},
		} {
			n := bad.value
			if n == "" {
				n = "%20" // a path segment cannot be empty; a space is no number either
			}
			cases = append(cases,
				testCase{"MessageNumber" + bad.name, "GET", "/api/v1/boards/b/messages/" + n, "", nil, 400, "invalid", "n "},
				testCase{"RepliesNumber" + bad.name, "GET", "/api/v1/boards/b/messages/" + n + "/replies", "", nil, 400, "invalid", "n "},
				testCase{"RemoveNumber" + bad.name, "DELETE", "/api/v1/boards/b/messages/" + n, bearer, nil, 400, "invalid", "n "},
				testCase{"TokenID" + bad.name, "DELETE", "/api/v1/tokens/" + n, bearer, nil, 400, "invalid", "id "},
			)
			for _, param := range []string{"from", "before", "limit"} {
				cases = append(cases, testCase{"Query" + strings.ToUpper(param[:1]) + param[1:] + bad.name,
					"GET", "/api/v1/boards/b/messages?" + param + "=" + bad.value, "", nil, 400, "invalid", param})
			}
			for _, param := range []string{"from", "limit"} {
				cases = append(cases, testCase{"RepliesQuery" + strings.ToUpper(param[:1]) + param[1:] + bad.name,
					"GET", "/api/v1/boards/b/messages/1/replies?" + param + "=" + bad.value, "", nil, 400, "invalid", param})
			}
		}

		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a := callAuth(t, s, tc.method, tc.path, tc.auth, tc.body)
				msg := mustError(t, a, tc.status, tc.code)
				if !strings.Contains(msg, tc.message) {
					t.Errorf("message %q does not say %q", msg, tc.message)
				}
				if tc.status == http.StatusUnauthorized && a.header.Get("WWW-Authenticate") != "Bearer" {
					t.Errorf("401 with WWW-Authenticate %q, want Bearer", a.header.Get("WWW-Authenticate"))
				}
				if tc.status == http.StatusMethodNotAllowed && a.header.Get("Allow") == "" {
					t.Error("405 without Allow")
				}
			})
		}

		// Nothing refused took a number.
		var b struct {
			MessageCount int64 `json:"message_count"`
		}
		mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/b", "", nil, &b)
		if b.MessageCount != 3 {
			t.Errorf("message_count %d after refused posts, want 3", b.MessageCount)
		}
	})
}

func TestRegistrationClosed(t *testing.T) {
	eachServer(t, forum.Config{RegistrationClosed: true}, func(t *testing.T, s *testServer) {
		a := call(t, s, "POST", "/api/v1/users", "", map[string]string{"name": "carol", "password": "long enough"})
		mustError(t, a, http.StatusForbidden, "forbidden")
		// Members the operator added still sign in.
		mustMember(t, s, "alice", forum.RoleMember)
	})
}

// TestInternalError: a failure of the store is a 500 that says nothing of
// its cause, which goes to the log instead.
func TestInternalError(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		if err := s.store.Close(); err != nil {
			t.Fatal(err)
		}
		a := call(t, s, "GET", "/api/v1/boards", "", nil)
		if msg := mustError(t, a, http.StatusInternalServerError, "internal"); msg != "internal error" {
			t.Errorf("message %q, want internal error", msg)
		}
		if log := s.log.String(); !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "closed") {
			t.Errorf("the cause is not in the log:\n%s", log)
		}
	})
}

// TestPanic: a handler that panics costs its request a JSON 500, not the
// connection. A Service that was never made panics on first use.
func TestPanic(t *testing.T) {
	var logs strings.Builder
	srv := httptest.NewServer(site.New(nil, slog.New(slog.NewTextHandler(&logs, nil)), site.Options{}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/api/v1/boards")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	mustError(t, answer{status: resp.StatusCode, header: resp.Header, body: b}, http.StatusInternalServerError, "internal")
	srv.Close() // the handler has logged before answering; Close waits for it
	if !strings.Contains(logs.String(), "panic") {
		t.Errorf("the panic is not logged:\n%s", logs.String())
	}
}
