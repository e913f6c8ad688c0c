package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"parley/internal/forum"
)

func TestTokens(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		if _, err := s.svc.AddUser(t.Context(), "alice", "alice's password", forum.RoleMember); err != nil {
			t.Fatal(err)
		}
		signIn := func(t *testing.T) (string, float64) {
			t.Helper()
			a := mustCall(t, s, http.StatusCreated, "POST", "/api/v1/tokens", "",
				map[string]string{"name": "alice", "password": "alice's password"}, nil)
			tok := mustObject(t, a.body, "token", "id", "created_at")
			secret, _ := tok["token"].(string)
			id, _ := tok["id"].(float64)
			if !strings.HasPrefix(secret, "parley_") || id < 1 || tok["created_at"] != nowJSON {
				t.Fatalf("token %s", a.body)
			}
			if a.header.Get("Cache-Control") != "no-store" {
				t.Errorf("a token was answered with Cache-Control %q, want no-store", a.header.Get("Cache-Control"))
			}
			return secret, id
		}
		first, firstID := signIn(t)
		second, secondID := signIn(t)

		t.Run("List", func(t *testing.T) {
			var list struct {
				Tokens []map[string]any `json:"tokens"`
			}
			a := mustCall(t, s, http.StatusOK, "GET", "/api/v1/tokens", first, nil, &list)
			mustObject(t, a.body, "tokens")
			if len(list.Tokens) != 2 {
				t.Fatalf("tokens %s, want 2", a.body)
			}
			for i, want := range []struct {
				secret string
				id     float64
			}{{first, firstID}, {second, secondID}} {
				tok := list.Tokens[i]
				hint, _ := tok["hint"].(string)
				if tok["id"] != want.id || len(hint) < len("parley_") || !strings.HasPrefix(want.secret, hint) || tok["created_at"] != nowJSON {
					t.Errorf("token %d: %v; want id %v and a hint that starts its secret", i, tok, want.id)
				}
				if len(tok) != 3 {
					t.Errorf("token %d has fields %v, want id, hint, created_at", i, tok)
				}
			}
		})
		t.Run("ErrNotFoundOtherMembersToken", func(t *testing.T) {
			_, bob := mustMember(t, s, "bob", forum.RoleMember)
			mustError(t, call(t, s, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", int64(firstID)), bob, nil), http.StatusNotFound, "not_found")
		})
		t.Run("Revoke", func(t *testing.T) {
			mustCall(t, s, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", int64(firstID)), second, nil, nil)
			a := call(t, s, "GET", "/api/v1/tokens", first, nil)
			mustError(t, a, http.StatusUnauthorized, "unauthorized")
			if a.header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate %q, want Bearer", a.header.Get("WWW-Authenticate"))
			}
			var list struct {
				Tokens []struct {
					ID float64 `json:"id"`
				} `json:"tokens"`
			}
			mustCall(t, s, http.StatusOK, "GET", "/api/v1/tokens", second, nil, &list)
			if len(list.Tokens) != 1 || list.Tokens[0].ID != secondID {
				t.Errorf("after revoking %v: tokens %+v", firstID, list.Tokens)
			}
			mustError(t, call(t, s, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", int64(firstID)), second, nil), http.StatusNotFound, "not_found")
		})
		t.Run("RevokeOwnToken", func(t *testing.T) {
			mustCall(t, s, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", int64(secondID)), second, nil, nil)
			mustError(t, call(t, s, "GET", "/api/v1/tokens", second, nil), http.StatusUnauthorized, "unauthorized")
		})
	})
}
