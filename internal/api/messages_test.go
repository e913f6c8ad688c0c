package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"parley/internal/forum"
)

var messageKeys = []string{"board", "number", "author", "created_at", "body", "html", "reply_to", "reply_count", "removed"}

func TestPostAndRead(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, alice := mustMember(t, s, "alice", forum.RoleMember)
		_, bob := mustMember(t, s, "bob", forum.RoleMember)
		mustBoard(t, s, alice, "intc")

		a := mustCall(t, s, http.StatusCreated, "POST", "/api/v1/boards/intc/messages", alice,
			map[string]any{"body": "Hello, *board*."}, nil)
		m := mustObject(t, a.body, messageKeys...)
		if m["board"] != "intc" || m["number"] != 1.0 || m["author"] != "alice" || m["created_at"] != nowJSON ||
			m["body"] != "Hello, *board*." || !strings.Contains(m["html"].(string), "<em>board</em>") ||
			m["reply_to"] != nil || m["reply_count"] != 0.0 || m["removed"] != false {
			t.Errorf("first message %s", a.body)
		}
		if loc := a.header.Get("Location"); loc != "/api/v1/boards/intc/messages/1" {
			t.Errorf("Location %q", loc)
		}
		if a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", a.header.Get("Cache-Control"))
		}

		// reply_to null is no reply.
		a = mustCall(t, s, http.StatusCreated, "POST", "/api/v1/boards/intc/messages", bob, `{"body":"unrelated","reply_to":null}`, nil)
		if m := mustObject(t, a.body, messageKeys...); m["number"] != 2.0 || m["reply_to"] != nil {
			t.Errorf("second message %s", a.body)
		}

		a = mustCall(t, s, http.StatusCreated, "POST", "/api/v1/boards/intc/messages", bob,
			map[string]any{"body": "And hello to you.", "reply_to": 1}, nil)
		m = mustObject(t, a.body, messageKeys...)
		if m["number"] != 3.0 || m["author"] != "bob" {
			t.Errorf("reply %s", a.body)
		}
		to := mustObject(t, mustJSON(t, m["reply_to"]), "number", "author")
		if to["number"] != 1.0 || to["author"] != "alice" {
			t.Errorf("reply_to %v, want message 1 by alice", to)
		}

		a = mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/intc/messages/1", "", nil, nil)
		m = mustObject(t, a.body, messageKeys...)
		if m["number"] != 1.0 || m["reply_count"] != 1.0 || m["body"] != "Hello, *board*." {
			t.Errorf("parent after a reply: %s, want reply_count 1", a.body)
		}
		a = mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/intc/messages/3", "", nil, nil)
		m = mustObject(t, a.body, messageKeys...)
		if to := m["reply_to"].(map[string]any); to["number"] != 1.0 || to["author"] != "alice" {
			t.Errorf("read reply %s", a.body)
		}

		var b struct {
			MessageCount int64 `json:"message_count"`
		}
		mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/intc", "", nil, &b)
		if b.MessageCount != 3 {
			t.Errorf("message_count %d, want 3", b.MessageCount)
		}
	})
}

func TestReplies(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, alice := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, alice, "b")
		mustPost(t, s, alice, "b", "root", 0)      // 1
		mustPost(t, s, alice, "b", "reply a", 1)   // 2
		mustPost(t, s, alice, "b", "unrelated", 0) // 3
		mustPost(t, s, alice, "b", "reply b", 1)   // 4
		mustPost(t, s, alice, "b", "reply c", 1)   // 5
		mustPost(t, s, alice, "b", "of a", 2)      // 6

		for _, tc := range []struct {
			name  string
			path  string
			want  []int64
			next  any
			count int
		}{
			{"All", "/api/v1/boards/b/messages/1/replies", []int64{2, 4, 5}, nil, 3},
			{"FirstWindow", "/api/v1/boards/b/messages/1/replies?limit=2", []int64{2, 4}, 5.0, 2},
			{"SecondWindow", "/api/v1/boards/b/messages/1/replies?from=5&limit=2", []int64{5}, nil, 1},
			{"ExactlyFull", "/api/v1/boards/b/messages/1/replies?limit=3", []int64{2, 4, 5}, nil, 3},
			{"FromBetween", "/api/v1/boards/b/messages/1/replies?from=3", []int64{4, 5}, nil, 2},
			{"Nested", "/api/v1/boards/b/messages/2/replies", []int64{6}, nil, 1},
			{"None", "/api/v1/boards/b/messages/6/replies", nil, nil, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := mustCall(t, s, http.StatusOK, "GET", tc.path, "", nil, nil)
				w := mustObject(t, a.body, "messages", "next")
				msgs, ok := w["messages"].([]any)
				if !ok || len(msgs) != tc.count || w["next"] != tc.next {
					t.Fatalf("%s, want %d messages %v and next %v", a.body, tc.count, tc.want, tc.next)
				}
				for i, raw := range msgs {
					m := raw.(map[string]any)
					if m["number"] != float64(tc.want[i]) || len(m) != len(messageKeys) {
						t.Errorf("message %d: %v, want number %d", i, m, tc.want[i])
					}
				}
			})
		}
	})
}

// TestWindows walks a board of 120 messages with windows of 50: at its
// start, middle and end, forward and back.
func TestWindows(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		alice, token := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, token, "big")
		// Concurrent posts share commits; the numbers are 1..120 whatever the
		// order.
		var wg sync.WaitGroup
		errs := make(chan error, 120)
		for i := range 120 {
			wg.Go(func() {
				_, err := s.svc.Post(t.Context(), alice, "big", forum.NewMessage{Body: fmt.Sprintf("message %d", i)})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}

		for _, tc := range []struct {
			name        string
			query       string
			first, last int64 // in the order answered
			next, prev  any   // float64 or nil
		}{
			{"FromStart", "?from=1&limit=50", 1, 50, 51.0, nil},
			{"FromMiddle", "?from=50&limit=50", 50, 99, 100.0, 50.0},
			{"FromEnd", "?from=101&limit=50", 101, 120, nil, 101.0},
			{"FromLast", "?from=120&limit=50", 120, 120, nil, 120.0},
			{"BeforeEnd", "?before=121&limit=50", 120, 71, nil, 71.0},
			{"BeforeStart", "?before=51&limit=50", 50, 1, 51.0, nil},
			{"BeforeMiddle", "?before=100&limit=50", 99, 50, 100.0, 50.0},
			{"BeforeSome", "?before=21&limit=50", 20, 1, 21.0, nil},
			{"Newest", "?limit=50", 71, 120, nil, 71.0},
			{"NewestDefaultLimit", "", 71, 120, nil, 71.0},
			{"FromDefaultLimit", "?from=1", 1, 50, 51.0, nil},
			{"Whole", "?from=1&limit=200", 1, 120, nil, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/big/messages"+tc.query, "", nil, nil)
				w := mustObject(t, a.body, "messages", "next", "prev")
				if w["next"] != tc.next || w["prev"] != tc.prev {
					t.Errorf("next %v prev %v, want %v and %v", w["next"], w["prev"], tc.next, tc.prev)
				}
				msgs := w["messages"].([]any)
				step := int64(1)
				if tc.last < tc.first {
					step = -1
				}
				if want := (tc.last-tc.first)*step + 1; int64(len(msgs)) != want {
					t.Fatalf("%d messages, want %d (%d..%d)", len(msgs), want, tc.first, tc.last)
				}
				for i, raw := range msgs {
					m := raw.(map[string]any)
					if want := tc.first + int64(i)*step; m["number"] != float64(want) {
						t.Fatalf("message %d is number %v, want %d", i, m["number"], want)
					}
					if len(m) != len(messageKeys) || m["board"] != "big" || m["author"] != "alice" {
						t.Fatalf("message %v", m)
					}
				}
			})
		}
		t.Run("PastEnd", func(t *testing.T) {
			a := mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/big/messages?from=121", "", nil, nil)
			if string(a.body) != `{"messages":[],"next":null,"prev":null}`+"\n" {
				t.Errorf("past the end: %s", a.body)
			}
		})
		t.Run("EmptyBoard", func(t *testing.T) {
			mustBoard(t, s, token, "empty")
			a := mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/empty/messages", "", nil, nil)
			if string(a.body) != `{"messages":[],"next":null,"prev":null}`+"\n" {
				t.Errorf("empty board: %s", a.body)
			}
		})
	})
}

func TestRemove(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, alice := mustMember(t, s, "alice", forum.RoleMember)
		_, bob := mustMember(t, s, "bob", forum.RoleMember)
		_, mod := mustMember(t, s, "mod", forum.RoleModerator)
		mustBoard(t, s, alice, "b")
		mustPost(t, s, alice, "b", "one", 0)
		mustPost(t, s, alice, "b", "two", 0)
		mustPost(t, s, alice, "b", "three", 1)

		t.Run("ErrForbiddenOtherMember", func(t *testing.T) {
			a := call(t, s, "DELETE", "/api/v1/boards/b/messages/1", bob, nil)
			mustError(t, a, http.StatusForbidden, "forbidden")
		})
		t.Run("ByAuthor", func(t *testing.T) {
			a := mustCall(t, s, http.StatusNoContent, "DELETE", "/api/v1/boards/b/messages/1", alice, nil, nil)
			if len(a.body) != 0 {
				t.Errorf("204 with a body: %q", a.body)
			}
			a = mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/b/messages/1", "", nil, nil)
			m := mustObject(t, a.body, append(messageKeys, "removed_by")...)
			if m["number"] != 1.0 || m["removed"] != true || m["removed_by"] != "author" || m["body"] != "" || m["html"] != "" || m["author"] != "alice" {
				t.Errorf("removed by its author: %s", a.body)
			}
			mustError(t, call(t, s, "DELETE", "/api/v1/boards/b/messages/1", alice, nil), http.StatusConflict, "conflict")
		})
		t.Run("ByModerator", func(t *testing.T) {
			mustCall(t, s, http.StatusNoContent, "DELETE", "/api/v1/boards/b/messages/2", mod, nil, nil)
			a := mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/b/messages/2", "", nil, nil)
			m := mustObject(t, a.body, append(messageKeys, "removed_by")...)
			if m["number"] != 2.0 || m["removed"] != true || m["removed_by"] != "moderator" || m["body"] != "" || m["html"] != "" {
				t.Errorf("removed by a moderator: %s", a.body)
			}
		})
		t.Run("NumbersKept", func(t *testing.T) {
			var w struct {
				Messages []message `json:"messages"`
			}
			mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/b/messages?from=1", "", nil, &w)
			if len(w.Messages) != 3 {
				t.Fatalf("%d messages after removals, want 3", len(w.Messages))
			}
			for i, m := range w.Messages {
				if m.Number != int64(i+1) || m.Removed != (i < 2) {
					t.Errorf("message %d: %+v", i+1, m)
				}
			}
			if w.Messages[2].Body != "three" || w.Messages[2].RemovedBy != "" || w.Messages[2].ReplyTo == nil || w.Messages[2].ReplyTo.Number != 1 {
				t.Errorf("the message left: %+v", w.Messages[2])
			}
			var b struct {
				MessageCount int64 `json:"message_count"`
			}
			mustCall(t, s, http.StatusOK, "GET", "/api/v1/boards/b", "", nil, &b)
			if b.MessageCount != 3 {
				t.Errorf("message_count %d after removals, want 3", b.MessageCount)
			}
		})
	})
}

// TestAnswerBytes: whatever members write, an answer stays within a few
// MiB — here 20 messages of 64 KiB of "&", each 320 KiB of HTML, which
// were 20 MB in one window when HTML was escaped twice and limit was all
// that bounded it. limit is a maximum: windows and replies end early, and
// next (or prev) continues where they ended, so that a client walking
// them reads every message once.
func TestAnswerBytes(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		alice, token := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, token, "amp")
		amp := strings.Repeat("&", forum.MaxBody)
		for i := range 20 {
			if _, err := s.svc.Post(t.Context(), alice, "amp", forum.NewMessage{Body: amp, ReplyTo: min(int64(i), 1)}); err != nil {
				t.Fatal(err)
			}
		}
		const bound = 4 << 20
		walk := func(t *testing.T, first string, following func(w map[string]any) string, want int) {
			t.Helper()
			seen := map[float64]bool{}
			answers := 0
			for q := first; q != ""; answers++ {
				a := mustCall(t, s, http.StatusOK, "GET", q, "", nil, nil)
				if len(a.body) > bound {
					t.Fatalf("GET %s: %d bytes, more than %d", q, len(a.body), bound)
				}
				var w map[string]any
				if err := json.Unmarshal(a.body, &w); err != nil {
					t.Fatal(err)
				}
				msgs := w["messages"].([]any)
				if len(msgs) == 0 {
					t.Fatalf("GET %s: no messages, yet it was where the last answer continued", q)
				}
				for _, raw := range msgs {
					m := raw.(map[string]any)
					if n := m["number"].(float64); seen[n] {
						t.Fatalf("GET %s: message %v again", q, n)
					} else {
						seen[n] = true
					}
					if m["body"] != amp {
						t.Fatalf("GET %s: message %v is not whole", q, m["number"])
					}
				}
				q = following(w)
			}
			if answers < 2 {
				t.Errorf("%d answers held all 20 messages", answers)
			}
			if len(seen) != want {
				t.Errorf("walking from %s read %d messages, want %d", first, len(seen), want)
			}
		}
		continueAt := func(prefix, key string) func(map[string]any) string {
			return func(w map[string]any) string {
				if n, ok := w[key].(float64); ok {
					return fmt.Sprintf("%s%.0f&limit=200", prefix, n)
				}
				return ""
			}
		}
		t.Run("Forward", func(t *testing.T) {
			walk(t, "/api/v1/boards/amp/messages?from=1&limit=200", continueAt("/api/v1/boards/amp/messages?from=", "next"), 20)
		})
		t.Run("Back", func(t *testing.T) {
			walk(t, "/api/v1/boards/amp/messages?limit=200", continueAt("/api/v1/boards/amp/messages?before=", "prev"), 20)
		})
		t.Run("Replies", func(t *testing.T) {
			walk(t, "/api/v1/boards/amp/messages/1/replies?limit=200", continueAt("/api/v1/boards/amp/messages/1/replies?from=", "next"), 19)
		})
	})
}
