package api_test

import (
	"net/http"
	"testing"

	"parley/internal/forum"
)

func TestRegister(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		a := mustCall(t, s, http.StatusCreated, "POST", "/api/v1/users", "",
			map[string]string{"name": "Tenchusatsu", "password": "a long password"}, nil)
		u := mustObject(t, a.body, "name", "role", "created_at")
		if u["name"] != "Tenchusatsu" || u["role"] != "member" || u["created_at"] != nowJSON {
			t.Errorf("user %s", a.body)
		}
		if a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", a.header.Get("Cache-Control"))
		}
		// The new member signs in.
		var tok struct {
			Token string `json:"token"`
		}
		mustCall(t, s, http.StatusCreated, "POST", "/api/v1/tokens", "",
			map[string]string{"name": "Tenchusatsu", "password": "a long password"}, &tok)
		mustCall(t, s, http.StatusOK, "GET", "/api/v1/tokens", tok.Token, nil, nil)
		// Content-Type is not required: the body is JSON whatever it says.
		mustCall(t, s, http.StatusCreated, "POST", "/api/v1/users", "", `{"name":"Road_Walker","password":"another long one"}`, nil)
	})
}
