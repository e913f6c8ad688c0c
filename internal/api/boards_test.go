package api_test

import (
	"net/http"
	"testing"

	"parley/internal/forum"
)

var boardKeys = []string{"slug", "title", "description", "message_count", "last_posted_at", "created_at", "created_by"}

func TestBoards(t *testing.T) {
	s := newTestServer(t, forum.Config{})
	_, token := mustMember(t, s, "alice", forum.RoleMember)

	var list struct {
		Boards []map[string]any `json:"boards"`
	}
	a := mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards", "", nil, &list)
	mustObject(t, a.body, "boards")
	if list.Boards == nil || len(list.Boards) != 0 {
		t.Fatalf("boards of an empty forum: %s, want []", a.body)
	}
	if cc := a.header.Get("Cache-Control"); cc != "" {
		t.Errorf("a public read has Cache-Control %q", cc)
	}

	a = mustCall(t, s, http.StatusCreated, "POST", "/api/v1/boards", token,
		map[string]string{"slug": "intc", "title": " Intel ", "description": "Chips\r\nand fabs"}, nil)
	b := mustObject(t, a.body, boardKeys...)
	if b["slug"] != "intc" || b["title"] != "Intel" || b["description"] != "Chips\nand fabs" ||
		b["message_count"] != 0.0 || b["last_posted_at"] != nil || b["created_at"] != nowJSON || b["created_by"] != "alice" {
		t.Errorf("created board %s", a.body)
	}
	if loc := a.header.Get("Location"); loc != "/api/v1/boards/intc" {
		t.Errorf("Location %q", loc)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", a.header.Get("Cache-Control"))
	}
	// A description may be left out.
	mustCall(t, s, http.StatusCreated, "POST", "/api/v1/boards", token, map[string]string{"slug": "amd", "title": "AMD"}, nil)

	mustPost(t, s, token, "intc", "first", 0)
	mustPost(t, s, token, "intc", "second", 0)

	a = mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/intc", "", nil, nil)
	b = mustObject(t, a.body, boardKeys...)
	if b["message_count"] != 2.0 || b["last_posted_at"] != nowJSON || b["title"] != "Intel" {
		t.Errorf("board after two posts: %s", a.body)
	}

	a = mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards", "", nil, &list)
	if len(list.Boards) != 2 || list.Boards[0]["slug"] != "amd" || list.Boards[1]["slug"] != "intc" ||
		list.Boards[1]["message_count"] != 2.0 || list.Boards[0]["last_posted_at"] != nil {
		t.Errorf("boards %s, want amd then intc with 2 messages", a.body)
	}
	for _, b := range list.Boards {
		if len(b) != len(boardKeys) {
			t.Errorf("board %v, want fields %v", b, boardKeys)
		}
	}
}
