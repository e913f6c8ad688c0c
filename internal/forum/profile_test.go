package forum_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/storetest"
)

// mustOpenBoard opens a board as u.
func mustOpenBoard(tb testing.TB, svc *forum.Service, u *forum.User, slug string) *forum.Board {
	tb.Helper()
	b, err := svc.CreateBoard(tb.Context(), u, forum.NewBoard{Slug: slug, Title: "Board " + slug})
	if err != nil {
		tb.Fatalf("CreateBoard(%s): %v", slug, err)
	}
	return b
}

// place names a message by board and number, as a reader sees it.
func place(m forum.Message) string { return fmt.Sprintf("%s/%d", m.Board, m.Number) }

func TestProfile(t *testing.T) {
	ctx := t.Context()
	svc, spy := newSpiedService(t, newTestClock())
	alice := mustAddUser(t, svc, "Alice", forum.RoleMember)
	bob := mustAddUser(t, svc, "bob", forum.RoleMember)
	mustAddUser(t, svc, "carol", forum.RoleMember)
	mustOpenBoard(t, svc, alice, "a")
	mustOpenBoard(t, svc, bob, "b")
	// Alice writes seven messages on two boards, Bob three between them.
	var hers []string // newest first
	for i, p := range []struct {
		author *forum.User
		board  string
	}{{alice, "a"}, {bob, "a"}, {alice, "b"}, {alice, "a"}, {bob, "b"}, {alice, "b"}, {alice, "b"}, {bob, "a"}, {alice, "a"}, {alice, "b"}} {
		m := mustPost(t, svc, p.author, p.board, fmt.Sprintf("post %d", i), 0)
		if p.author == alice {
			hers = slices.Insert(hers, 0, place(*m))
		}
	}
	// Her removed message stays on her page as a tombstone, and counts.
	if err := svc.Remove(ctx, alice, "b", 4); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		p, err := svc.Profile(ctx, nil, "alice", 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		u := p.User
		if u.ID != alice.ID || u.Name != "Alice" || u.MessageCount != 7 || u.PasswordHash != "" {
			t.Fatalf("profile of %+v; want Alice, 7 messages, no password hash", u)
		}
		var got []string
		for _, m := range p.Messages {
			got = append(got, place(m))
		}
		if !slices.Equal(got, hers[:3]) || p.Next != p.Messages[2].ID {
			t.Fatalf("first page %v, Next %d; want %v and the ID of the last", got, p.Next, hers[:3])
		}
	})

	t.Run("Paging", func(t *testing.T) {
		for _, limit := range []int{1, 2, 3, 6, 7, 8, forum.MaxWindow} {
			var got []string
			var before int64
			for pages := 0; ; pages++ {
				if pages > len(hers) {
					t.Fatalf("limit %d: paging does not end", limit)
				}
				p, err := svc.Profile(ctx, nil, "ALICE", before, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Messages) == 0 || len(p.Messages) > limit {
					t.Fatalf("limit %d: a page of %d messages", limit, len(p.Messages))
				}
				for _, m := range p.Messages {
					got = append(got, place(m))
					if removed := place(m) == "b/4"; removed != (m.Removed == forum.RemovedByAuthor && m.Body == "" && m.HTML == "") {
						t.Errorf("%s: removed %q, body %q, HTML %q", place(m), m.Removed, m.Body, m.HTML)
					}
				}
				// Next is 0 exactly when the page shows her oldest.
				if p.Next == 0 {
					break
				}
				before = p.Next
			}
			if !slices.Equal(got, hers) {
				t.Fatalf("limit %d: pages hold %v, want %v", limit, got, hers)
			}
		}
	})

	t.Run("NoMessages", func(t *testing.T) {
		p, err := svc.Profile(ctx, nil, "carol", 0, 10)
		if err != nil || p.User.Name != "carol" || p.User.MessageCount != 0 || len(p.Messages) != 0 || p.Next != 0 {
			t.Fatalf("Profile(carol) = %+v, %v; want carol and nothing", p, err)
		}
	})

	for _, tc := range []struct {
		name   string
		who    string
		before int64
		limit  int
		code   forum.Code
		asks   bool // whether the store is asked for the member
	}{
		{"ErrInvalidLimitZero", "alice", 0, 0, forum.CodeInvalid, false},
		{"ErrInvalidLimitNegative", "alice", 0, -1, forum.CodeInvalid, false},
		{"ErrInvalidLimitTooLarge", "alice", 0, forum.MaxWindow + 1, forum.CodeInvalid, false},
		{"ErrInvalidBefore", "alice", -1, 10, forum.CodeInvalid, false},
		{"ErrNotFound", "dave", 0, 10, forum.CodeNotFound, true},
		{"ErrNotFoundEmpty", "", 0, 10, forum.CodeNotFound, false},
		{"ErrNotFoundBadName", "a l i c e", 0, 10, forum.CodeNotFound, false},
		{"ErrNotFoundPath", "../alice", 0, 10, forum.CodeNotFound, false},
		{"ErrNotFoundTooLong", strings.Repeat("a", forum.MaxUserName+1), 0, 10, forum.CodeNotFound, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := spy.lookups.Load()
			_, err := svc.Profile(ctx, nil, tc.who, tc.before, tc.limit)
			storetest.WantCode(t, err, tc.code)
			if asked := spy.lookups.Load() > before; asked != tc.asks {
				t.Errorf("store asked: %v, want %v", asked, tc.asks)
			}
		})
	}
}
