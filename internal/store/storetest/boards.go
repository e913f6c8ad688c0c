package storetest

import (
	"testing"
	"time"

	"parley/internal/forum"
)

func testBoards(t *testing.T, open func(t *testing.T) forum.Store) {
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		want := &forum.Board{
			Slug:        "intc",
			Title:       "Intel — “Chipzilla” <b>&amp;</b>",
			Description: "Chips.\n\tAnd the people who make them: ☕ 日本語",
			CreatedAt:   Tick(),
			CreatorID:   alice.ID,
		}
		if err := st.CreateBoard(t.Context(), want); err != nil {
			t.Fatal(err)
		}
		if want.ID == 0 {
			t.Fatal("CreateBoard did not set the ID")
		}
		other := MustCreateBoard(t, st, alice, "amd")
		if other.ID == want.ID {
			t.Fatalf("two boards share ID %d", other.ID)
		}
		// Reads fill in the creator's name; an empty board has no last
		// post.
		want.Creator = "alice"
		wantBoard(t, mustBoard(t, st, "intc"), want)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		first := MustCreateBoard(t, st, alice, "intc")
		b := &forum.Board{Slug: "intc", Title: "Another", CreatedAt: Tick(), CreatorID: alice.ID}
		WantCode(t, st.CreateBoard(t.Context(), b), forum.CodeConflict)
		wantBoard(t, mustBoard(t, st, "intc"), first)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		_, err := st.BoardBySlug(t.Context(), "intc")
		WantCode(t, err, forum.CodeNotFound)
		MustCreateBoard(t, st, MustCreateUser(t, st, "alice"), "intc")
		for _, slug := range []string{"amd", "int", "intc2", ""} {
			_, err := st.BoardBySlug(t.Context(), slug)
			WantCode(t, err, forum.CodeNotFound)
		}
	})

	t.Run("List", func(t *testing.T) {
		st := open(t)
		if got, err := st.Boards(t.Context()); err != nil || len(got) != 0 {
			t.Fatalf("Boards on an empty store = %+v, %v; want none", got, err)
		}
		alice := MustCreateUser(t, st, "alice")
		bob := MustCreateUser(t, st, "bob")
		zeta := MustCreateBoard(t, st, alice, "zeta")
		alpha := MustCreateBoard(t, st, bob, "alpha")
		mid := MustCreateBoard(t, st, alice, "mid-2007")
		MustPost(t, st, alpha, alice, "one", 0)
		last := MustPost(t, st, alpha, bob, "two", 1)
		zlast := MustPost(t, st, zeta, bob, "one", 0)
		alpha.LastNumber, alpha.LastPostedAt = 2, last.CreatedAt
		zeta.LastNumber, zeta.LastPostedAt = 1, zlast.CreatedAt

		got, err := st.Boards(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := []*forum.Board{alpha, mid, zeta} // by slug
		if len(got) != len(want) {
			t.Fatalf("Boards lists %d boards, want %d", len(got), len(want))
		}
		for i := range want {
			wantBoard(t, &got[i], want[i])
		}
	})

	t.Run("Counters", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		b := MustCreateBoard(t, st, alice, "intc")
		if got := mustBoard(t, st, "intc"); got.LastNumber != 0 || !got.LastPostedAt.IsZero() {
			t.Fatalf("empty board: LastNumber %d, LastPostedAt %v; want 0 and the zero time", got.LastNumber, got.LastPostedAt)
		}
		var last time.Time
		for i := range 3 {
			last = MustPost(t, st, b, alice, "m", 0).CreatedAt
			got := mustBoard(t, st, "intc")
			if got.LastNumber != int64(i+1) || !sameTime(got.LastPostedAt, last) {
				t.Fatalf("after %d posts: LastNumber %d, LastPostedAt %v; want %d, %v",
					i+1, got.LastNumber, got.LastPostedAt, i+1, last)
			}
		}
	})
}
