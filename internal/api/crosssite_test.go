package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"parley/internal/forum"
)

// TestCrossSite: what another site's page can make a visitor's browser
// send — a form posted as text/plain or urlencoded, a fetch that says where
// it comes from — changes nothing; clients that are not browsers, which
// send no Origin or Sec-Fetch-Site, are served as before.
func TestCrossSite(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, alice := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, alice, "b")
		send := func(t *testing.T, method, path string, header map[string]string, body string) answer {
			t.Helper()
			req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range header {
				req.Header.Set(k, v)
			}
			return send(t, req)
		}
		// What <form enctype="text/plain"> on another site sends: the
		// field name and value joined by '=' make a JSON object.
		register := `{"name":"mallory","password":"x=xxxxxxxxxxxxx"}`
		signIn := `{"name":"alice","password":"a guess"}`
		host := strings.TrimPrefix(s.URL, "http://")
		for _, tc := range []struct {
			name   string
			header map[string]string
			status int
			code   string
		}{
			{"TextPlain", map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type"},
			{"TextPlainCrossSite", map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, 403, "forbidden"},
			{"Urlencoded", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
			{"Multipart", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, 415, "unsupported_media_type"},
			{"NoContentType", nil, 415, "unsupported_media_type"},
			{"JSONLookalike", map[string]string{"Content-Type": "application/jsonp"}, 415, "unsupported_media_type"},
			{"JSONFromForeignOrigin", map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, 403, "forbidden"},
			{"JSONCrossSite", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403, "forbidden"},
			{"JSONSameSiteOtherOrigin", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, 403, "forbidden"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				mustError(t, send(t, "POST", "/api/v1/users", tc.header, register), tc.status, tc.code)
				mustError(t, send(t, "POST", "/api/v1/tokens", tc.header, signIn), tc.status, tc.code)
				post := map[string]string{"Authorization": "Bearer " + alice}
				for k, v := range tc.header {
					post[k] = v
				}
				mustError(t, send(t, "POST", "/api/v1/boards/b/messages", post, `{"body":"planted"}`), tc.status, tc.code)
			})
		}
		// Nothing was posted, and nobody registered.
		mustError(t, call(t, s, "GET", "/api/v1/boards/b/messages/1", "", nil), http.StatusNotFound, "not_found")
		if _, err := s.svc.User(t.Context(), "mallory"); forum.ErrorCode(err) != forum.CodeNotFound {
			t.Fatalf("mallory was registered from another site (err %v)", err)
		}

		// Clients that are not browsers, and pages of the forum itself.
		for _, tc := range []struct {
			name   string
			header map[string]string
		}{
			{"NoOrigin", map[string]string{"Content-Type": "application/json"}},
			{"Charset", map[string]string{"Content-Type": "application/json; charset=utf-8"}},
			{"SameOrigin", map[string]string{"Content-Type": "application/json", "Origin": s.URL, "Sec-Fetch-Site": "same-origin"}},
			{"SameHostNoFetchMetadata", map[string]string{"Content-Type": "application/json", "Origin": "http://" + host}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				post := map[string]string{"Authorization": "Bearer " + alice}
				for k, v := range tc.header {
					post[k] = v
				}
				if a := send(t, "POST", "/api/v1/boards/b/messages", post, `{"body":"from `+tc.name+`"}`); a.status != http.StatusCreated {
					t.Fatalf("status %d: %s", a.status, a.body)
				}
			})
		}

		// Reading is for everyone, from anywhere; a DELETE without a body
		// needs no Content-Type.
		if a := send(t, "GET", "/api/v1/boards/b/messages", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, ""); a.status != http.StatusOK {
			t.Fatalf("cross-site read: status %d: %s", a.status, a.body)
		}
		if a := send(t, "DELETE", "/api/v1/boards/b/messages/1", map[string]string{"Authorization": "Bearer " + alice}, ""); a.status != http.StatusNoContent {
			t.Fatalf("DELETE: status %d: %s", a.status, a.body)
		}

		// An event stream is not opened for another site's page.
		for _, h := range []map[string]string{{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}} {
			mustError(t, send(t, "GET", "/b/b/events", h, ""), http.StatusForbidden, "forbidden")
		}
	})
}

// TestJSONUnescaped: answers carry HTML as HTML, and a character outside
// the Basic Multilingual Plane, escaped as a surrogate pair, is taken.
func TestJSONUnescaped(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, alice := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, alice, "b")
		a := mustCall(t, s, http.StatusCreated, "POST", "/api/v1/boards/b/messages", alice, `{"body":"a < b & c \ud83d\ude00"}`, nil)
		for _, want := range []string{`"body":"a < b & c 😀"`, `"html":"<p>a &lt; b &amp; c 😀</p>\n"`} {
			if !bytes.Contains(a.body, []byte(want)) {
				t.Errorf("answer %s does not hold %s", a.body, want)
			}
		}
		var m message
		if err := json.Unmarshal(a.body, &m); err != nil || m.Body != "a < b & c 😀" {
			t.Errorf("answer %s decodes to %+v, %v", a.body, m, err)
		}
	})
}
