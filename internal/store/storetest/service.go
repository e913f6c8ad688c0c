package storetest

import (
	"slices"
	"testing"

	"parley/internal/forum"
	"parley/internal/password"
)

// testService drives the store through the Service, as the transports do:
// the rules above a store must hold on every store, not only the one the
// Service's own tests use.
func testService(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	svc, err := forum.NewService(st, forum.Config{Render: Render, Now: Tick, Password: password.Fast})
	if err != nil {
		t.Fatal(err)
	}
	add := func(name string, role forum.Role) *forum.User {
		t.Helper()
		u, err := svc.AddUser(ctx, name, "password-of-"+name, role)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	alice := add("alice", forum.RoleMember)
	bob := add("bob", forum.RoleMember)
	mod := add("mod", forum.RoleModerator)
	if _, err := svc.CreateBoard(ctx, alice, forum.NewBoard{Slug: "intc", Title: "Intel"}); err != nil {
		t.Fatal(err)
	}
	body := func(n int64) string { return "message <" + string(rune('a'+n-1)) + ">" }
	for n := int64(1); n <= 12; n++ {
		author, replyTo := alice, int64(0)
		if n == 5 {
			author, replyTo = bob, 2
		}
		m, err := svc.Post(ctx, author, "intc", forum.NewMessage{Body: body(n), ReplyTo: replyTo})
		if err != nil {
			t.Fatal(err)
		}
		if m.Number != n {
			t.Fatalf("post %d got number %d", n, m.Number)
		}
	}

	t.Run("Tokens", func(t *testing.T) {
		secret, tok, err := svc.CreateToken(ctx, forum.Credentials{Name: "ALICE", Password: "password-of-alice"})
		if err != nil {
			t.Fatal(err)
		}
		if u, err := svc.Authenticate(ctx, secret); err != nil || u.ID != alice.ID {
			t.Fatalf("Authenticate = %+v, %v; want alice", u, err)
		}
		if err := svc.RevokeToken(ctx, alice, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Authenticate(ctx, secret)
		WantCode(t, err, forum.CodeUnauthorized)
	})

	t.Run("Reply", func(t *testing.T) {
		m, err := svc.Message(ctx, nil, "intc", 5)
		if err != nil {
			t.Fatal(err)
		}
		if m.Author != "bob" || m.ReplyTo != 2 || m.ReplyToAuthor != "alice" || m.Body != "message <e>" || m.HTML != "<p>message &lt;e&gt;</p>" {
			t.Fatalf("Message(5) = %+v; want bob's reply to alice's 2", m)
		}
		parent, err := svc.Message(ctx, nil, "intc", 2)
		if err != nil || parent.ReplyCount != 1 {
			t.Fatalf("Message(2) = %+v, %v; want ReplyCount 1", parent, err)
		}
		_, err = svc.Post(ctx, bob, "intc", forum.NewMessage{Body: "x", ReplyTo: 13})
		WantCode(t, err, forum.CodeInvalid)
	})

	t.Run("Paging", func(t *testing.T) {
		type page struct {
			first, last, next, prev int64
		}
		walk := func(w forum.Window, step func(p *forum.Listing) forum.Window) []page {
			var pages []page
			for range 10 {
				p, err := svc.Messages(ctx, nil, "intc", w)
				if err != nil {
					t.Fatal(err)
				}
				if p.Board.LastNumber != 12 {
					t.Fatalf("page of a board of 12 says %d", p.Board.LastNumber)
				}
				ns := numbers(p.Messages)
				if len(ns) == 0 || !slices.Equal(ns, span(ns[0], ns[len(ns)-1])) {
					t.Fatalf("Messages(%+v) = %s", w, fmtNumbers(ns))
				}
				pages = append(pages, page{ns[0], ns[len(ns)-1], p.Next, p.Prev})
				if w = step(p); w == (forum.Window{}) {
					return pages
				}
			}
			t.Fatal("paging does not end")
			return nil
		}
		forward := walk(forum.Window{From: 1, Limit: 5}, func(p *forum.Listing) forum.Window {
			if p.Next == 0 {
				return forum.Window{}
			}
			return forum.Window{From: p.Next, Limit: 5}
		})
		if want := []page{{1, 5, 6, 0}, {6, 10, 11, 6}, {11, 12, 0, 11}}; !slices.Equal(forward, want) {
			t.Errorf("paging forward by Next: %v, want %v", forward, want)
		}
		backward := walk(forum.Window{Limit: 5}, func(p *forum.Listing) forum.Window {
			if p.Prev == 0 {
				return forum.Window{}
			}
			return forum.Window{Before: p.Prev, Limit: 5}
		})
		if want := []page{{8, 12, 0, 8}, {3, 7, 8, 3}, {1, 2, 3, 0}}; !slices.Equal(backward, want) {
			t.Errorf("paging backward by Prev: %v, want %v", backward, want)
		}
	})

	t.Run("Removed", func(t *testing.T) {
		WantCode(t, svc.Remove(ctx, bob, "intc", 2), forum.CodeForbidden)
		if err := svc.Remove(ctx, alice, "intc", 2); err != nil {
			t.Fatal(err)
		}
		if err := svc.Remove(ctx, mod, "intc", 5); err != nil {
			t.Fatal(err)
		}
		WantCode(t, svc.Remove(ctx, mod, "intc", 5), forum.CodeConflict)
		for _, tc := range []struct {
			n   int64
			how forum.Removal
		}{{2, forum.RemovedByAuthor}, {5, forum.RemovedByModerator}} {
			m, err := svc.Message(ctx, nil, "intc", tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if m.Number != tc.n || m.Removed != tc.how || m.RemovedAt.IsZero() || m.Body != "" || m.HTML != "" {
				t.Errorf("Service.Message(%d) = %+v; want a tombstone removed by %s", tc.n, m, tc.how)
			}
			// The store keeps the text; only readers lose it.
			if kept, err := st.Message(ctx, m.BoardID, tc.n); err != nil || kept.Body != body(tc.n) || kept.HTML != Render(body(tc.n)) {
				t.Errorf("store's message %d after removal = %+v, %v; want its text kept", tc.n, kept, err)
			}
		}
		p, err := svc.Messages(ctx, nil, "intc", forum.Window{From: 1, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if ns := numbers(p.Messages); !slices.Equal(ns, span(1, 12)) {
			t.Fatalf("window after removals = %s, want 1..12", fmtNumbers(ns))
		}
		for _, m := range p.Messages {
			if removed := m.Number == 2 || m.Number == 5; removed != (m.Body == "" && m.HTML == "" && m.Removed != forum.NotRemoved) {
				t.Errorf("window: message %d: removed %q, body %q", m.Number, m.Removed, m.Body)
			}
		}
		replies, next, err := svc.Replies(ctx, nil, "intc", 2, 0, 10)
		if err != nil || len(replies) != 1 || next != 0 || replies[0].Number != 5 || replies[0].Body != "" || replies[0].Removed != forum.RemovedByModerator {
			t.Fatalf("Replies(2) = %+v, next %d, %v; want the tombstone of 5 and nothing after", replies, next, err)
		}
	})
}
