package storetest

import (
	"fmt"
	"slices"
	"testing"

	"parley/internal/forum"
)

// testLoad: a Loader stores what it was given as it is, rebuilds the
// counters at each Commit — also for messages stored before that the load
// answers — shows nothing before a Commit, and Close discards what was not
// committed.
func testLoad(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	ann := MustCreateUser(t, st, "ann")
	a := MustCreateBoard(t, st, ann, "a")
	MustPost(t, st, a, ann, "posted", 0)

	ld, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bob := &forum.User{Name: "bob", Role: forum.RoleModerator, CreatedAt: Tick()}
	cy := &forum.User{Name: "cy", Role: forum.RoleMember, CreatedAt: Tick()}
	for _, u := range []*forum.User{bob, cy} {
		if err := ld.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	b := &forum.Board{Slug: "b", Title: "B", CreatedAt: Tick(), CreatorID: bob.ID}
	if err := ld.CreateBoard(ctx, b); err != nil {
		t.Fatal(err)
	}
	add := func(board *forum.Board, n int64, author *forum.User, replyTo int64, replyAuthor *forum.User) *forum.Message {
		t.Helper()
		m := newMessage(board, author, fmt.Sprintf("loaded %s %d", board.Slug, n), replyTo)
		m.Number = n
		if replyAuthor != nil {
			m.ReplyToAuthorID = replyAuthor.ID
		}
		if err := ld.AddMessage(ctx, m); err != nil {
			t.Fatalf("AddMessage(%s %d): %v", board.Slug, n, err)
		}
		return m
	}
	add(b, 1, bob, 0, nil)
	add(b, 2, cy, 1, bob)
	add(b, 3, cy, 1, bob)
	lastOfA := add(a, 2, bob, 1, ann)
	if has, _ := st.BoardBySlug(ctx, "b"); has != nil {
		t.Error("a board is visible before its Commit")
	}
	if err := ld.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// A second unit, committed, and a third that Close discards.
	lastOfB := add(b, 4, bob, 3, cy)
	if err := ld.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	add(b, 5, ann, 4, bob)
	if err := ld.CreateUser(ctx, &forum.User{Name: "dropped", Role: forum.RoleMember, CreatedAt: Tick()}); err != nil {
		t.Fatal(err)
	}
	if err := ld.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := st.UserByName(ctx, "dropped"); forum.ErrorCode(err) != forum.CodeNotFound {
		t.Errorf("a user created after the last Commit: %v; want not found", err)
	}
	for _, tc := range []struct {
		board       *forum.Board
		last        int64
		replyCounts []int64
	}{
		{a, 2, []int64{1, 0}},
		{b, 4, []int64{2, 0, 1, 0}},
	} {
		got := mustBoard(t, st, tc.board.Slug)
		if got.LastNumber != tc.last {
			t.Errorf("board %s: last number %d; want %d", tc.board.Slug, got.LastNumber, tc.last)
		}
		msgs, err := st.Messages(ctx, got.ID, forum.Window{From: 1, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var counts []int64
		for _, m := range msgs {
			counts = append(counts, m.ReplyCount)
		}
		if fmt.Sprint(counts) != fmt.Sprint(tc.replyCounts) {
			t.Errorf("board %s: reply counts %v; want %v", tc.board.Slug, counts, tc.replyCounts)
		}
	}
	m, err := st.Message(ctx, b.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if m.Author != "cy" || m.ReplyToAuthor != "bob" || m.HTML != Render("loaded b 2") {
		t.Errorf("message b 2: by %s to %s, html %q", m.Author, m.ReplyToAuthor, m.HTML)
	}
	wantMessageCounts(t, st, map[*forum.User]int64{ann: 1, bob: 3, cy: 2}, 6)
	for _, last := range []*forum.Message{lastOfA, lastOfB} {
		if got := mustBoard(t, st, last.Board).LastPostedAt; !sameTime(got, last.CreatedAt) {
			t.Errorf("board %s last posted at %v; want %v, its message %d's", last.Board, got, last.CreatedAt, last.Number)
		}
	}

	for _, tc := range []struct {
		board int64
		want  string
	}{
		{0, "[ann bob cy]"},
		{a.ID, "[ann bob]"},
		{b.ID, "[bob cy]"},
	} {
		var names []string
		for after := int64(0); ; {
			users, err := st.Users(ctx, tc.board, after, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) == 0 {
				break
			}
			names, after = append(names, users[0].Name), users[0].ID
		}
		if fmt.Sprint(names) != tc.want {
			t.Errorf("Users(board %d) = %v; want %s", tc.board, names, tc.want)
		}
	}
}

// LoadRebuildsIndexes checks that a load large enough to build the
// secondary indexes on messages after its rows (bulk.Buffer.DeferIndexes
// says when) leaves them as they were: the same ones, as indexes, which
// reads the store's catalog, lists them. Whether they were dropped cannot
// be seen from outside the load's transaction.
func LoadRebuildsIndexes(t *testing.T, st forum.Store, indexes func() ([]string, error)) {
	before, err := indexes()
	if err != nil || len(before) < 2 {
		t.Fatalf("indexes on messages before the load: %q, %v", before, err)
	}
	loadMany(t, st, 50_001)
	if after, err := indexes(); err != nil || !slices.Equal(after, before) {
		t.Errorf("indexes after the load: %q, %v\nwant %q", after, err, before)
	}
}

// loadMany loads n messages into a board it creates in the same unit.
func loadMany(tb testing.TB, st forum.Store, n int64) {
	tb.Helper()
	ctx := tb.Context()
	ann := MustCreateUser(tb, st, "loader")
	msgs := make([]*forum.Message, n)
	for i := range n {
		m := newMessage(&forum.Board{}, ann, "loaded", i/2)
		m.Number = i + 1
		if m.ReplyTo != 0 {
			m.ReplyToAuthorID = ann.ID
		}
		msgs[i] = m
	}
	b := loadBoard(tb, st, ann, "many", msgs...)
	if got := mustBoard(tb, st, "many"); got.LastNumber != n {
		tb.Fatalf("board many: last number %d after loading %d", got.LastNumber, n)
	}
	if replies, err := st.Replies(ctx, b.ID, 1, 0, 10, 0); err != nil || len(replies) != 2 {
		tb.Fatalf("replies to 1 after the load: %d, %v; want 2 and 3", len(replies), err)
	}
}
