package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/site"
	"parley/internal/store/sqlite/sqlitetest"
)

// FuzzAPI sends arbitrary requests, signed in and not, and checks the
// promise that nothing a client sends makes the server fail: every answer
// is below 500 and, but for 204
// and the redirects ServeMux sends to clean paths such as
// /api/v1/boards/../x, a JSON document.
func FuzzAPI(f *testing.F) {
	for _, seed := range []struct {
		method, target, body string
		signedIn             bool
	}{
		{"POST", "boards/b/messages", `{"body":"hello","reply_to":1}`, true},
		{"POST", "boards/b/messages", `{"body":"x","reply_to":-9223372036854775808}`, true},
		{"POST", "boards/b/messages", "{\"body\":\"\xff\"}", true},
		{"POST", "boards", `{"slug":"a","title":"T","description":null}`, true},
		{"POST", "boards", `[1,2,3]`, true},
		{"POST", "users", `{"name":"x","password":12345678}`, false},
		{"POST", "tokens", `{"name":"alice","password":"password of alice"}`, false},
		{"GET", "boards/b/messages?from=1&limit=200", "", false},
		{"GET", "boards/b/messages?before=99999999999999999999", "", false},
		{"GET", "boards/b/messages/1/replies?from=0&limit=0", "", false},
		{"GET", "boards/%ff/messages/1", "", false},
		{"DELETE", "boards/b/messages/1", "", true},
		{"DELETE", "tokens/1", "", true},
		{"PATCH", "boards", "{}", true},
		{"GET", "search?q=x", "", false},
		{"GET", "search?q=%22a+b%22+-c+OR+d+author:alice+board:b+replyto:1+number:1..9&sort=relevance&limit=3", "", false},
		{"GET", "search?q=NEAR(a+b)+*+^x+col:y&cursor=1~0.5", "", false},
	} {
		f.Add(seed.method, seed.target, []byte(seed.body), seed.signedIn)
	}

	ctx := context.Background()
	st := sqlitetest.Open(f)
	svc, err := forum.NewService(st, forum.Config{Render: markup.Render, Password: password.Fast})
	if err != nil {
		f.Fatal(err)
	}
	alice, err := svc.AddUser(ctx, "alice", "password of alice", forum.RoleMember)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateBoard(ctx, alice, forum.NewBoard{Slug: "b", Title: "B"}); err != nil {
		f.Fatal(err)
	}
	if _, err := svc.Post(ctx, alice, "b", forum.NewMessage{Body: "first"}); err != nil {
		f.Fatal(err)
	}
	token, _, err := svc.CreateToken(ctx, forum.Credentials{Name: "alice", Password: "password of alice"})
	if err != nil {
		f.Fatal(err)
	}
	h := site.New(svc, slog.New(slog.DiscardHandler), site.Options{})

	f.Fuzz(func(t *testing.T, method, target string, body []byte, signedIn bool) {
		r, err := http.NewRequest(method, "http://parley.test/api/v1/"+target, bytes.NewReader(body))
		if err != nil {
			t.Skip("not a request a client could send")
		}
		r.RemoteAddr = "192.0.2.1:1234"
		if len(body) > 0 {
			r.Header.Set("Content-Type", "application/json")
		}
		if signedIn {
			// An input may have revoked the token (DELETE tokens/1): sign in
			// again so that later inputs still reach the signed-in paths.
			if _, err := svc.Authenticate(ctx, token); err != nil {
				if token, _, err = svc.CreateToken(ctx, forum.Credentials{Name: "alice", Password: "password of alice"}); err != nil {
					t.Fatal(err)
				}
			}
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, target, body, w.Code, w.Body)
		}
		redirect := w.Code >= 300 && w.Code < 400
		if ct := w.Header().Get("Content-Type"); w.Code != http.StatusNoContent && !redirect && ct != "application/json" {
			t.Fatalf("%s %s: %d with Content-Type %q", method, target, w.Code, ct)
		}
	})
}
