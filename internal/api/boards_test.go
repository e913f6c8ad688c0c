package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/store/storetest"
)

var boardKeys = []string{"slug", "title", "description", "message_count", "last_posted_at", "created_at", "created_by"}

func TestBoards(t *testing.T) {
	// A clock that moves, so that the board's own time and its last post's
	// cannot be told apart only by luck.
	eachServer(t, forum.Config{Now: storetest.Tick}, func(t *testing.T, s *testServer) {
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
			b["message_count"] != 0.0 || b["last_posted_at"] != nil || b["created_by"] != "alice" {
			t.Errorf("created board %s", a.body)
		}
		created, err := time.Parse(time.RFC3339Nano, fmt.Sprint(b["created_at"]))
		if err != nil || created.Location() != time.UTC {
			t.Errorf("created_at %v: want an RFC 3339 UTC time", b["created_at"])
		}
		if loc := a.header.Get("Location"); loc != "/api/v1/boards/intc" {
			t.Errorf("Location %q", loc)
		}
		if a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", a.header.Get("Cache-Control"))
		}
		// A description may be left out.
		mustCall(t, s, http.StatusCreated, "POST", "/api/v1/boards", token, map[string]string{"slug": "amd", "title": "AMD"}, nil)

		first := mustPost(t, s, token, "intc", "first", 0)
		second := mustPost(t, s, token, "intc", "second", 0)
		if !created.Before(first.CreatedAt) || !first.CreatedAt.Before(second.CreatedAt) {
			t.Fatalf("times %v, %v, %v do not increase", created, first.CreatedAt, second.CreatedAt)
		}

		a = mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/intc", "", nil, nil)
		b = mustObject(t, a.body, boardKeys...)
		if b["message_count"] != 2.0 || b["last_posted_at"] != second.CreatedAt.Format(time.RFC3339Nano) || b["title"] != "Intel" {
			t.Errorf("board after two posts: %s; want last_posted_at %s, the second post's", a.body, second.CreatedAt.Format(time.RFC3339Nano))
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
	})
}
