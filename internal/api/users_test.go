package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"parley/internal/forum"
)

func TestRegister(t *testing.T) {
	s := newTestServer(t, forum.Config{})
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
	// Content-Type is not required: the body is JSON whatever it says.
	mustCall(t, s, http.StatusCreated, "POST", "/api/v1/users", "", `{"name":"Road_Walker","password":"another long one"}`, nil)
}

// TestRateLimited: past a burst of failed sign-ins from one address the API
// answers 429 with a JSON error and Retry-After, whatever the names, while
// successful sign-ins never count.
func TestRateLimited(t *testing.T) {
	s := newTestServer(t, forum.Config{})
	mustMember(t, s, "alice", forum.RoleMember)
	for range 30 {
		mustCall(t, s, http.StatusCreated, "POST", "/api/v1/tokens", "",
			map[string]string{"name": "alice", "password": "password of alice"}, nil)
	}
	var last answer
	for i := range 25 {
		last = call(t, s, "POST", "/api/v1/tokens", "",
			map[string]string{"name": fmt.Sprintf("guess%d", i), "password": "a long password"})
		if last.status == http.StatusTooManyRequests {
			if i < 20 {
				t.Fatalf("limited after %d failures, want a burst of 20", i)
			}
			break
		}
		mustError(t, last, http.StatusUnauthorized, "unauthorized")
	}
	mustError(t, last, http.StatusTooManyRequests, "rate_limited")
	if last.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}
