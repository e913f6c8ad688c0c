package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"parley/internal/forum"
)

func testMessages(t *testing.T, open func(t *testing.T) forum.Store) {
	t.Run("Numbering", func(t *testing.T) {
		// Each board numbers its own messages 1, 2, 3 …: posting to one
		// does not move another.
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		a := MustCreateBoard(t, st, alice, "a")
		b := MustCreateBoard(t, st, alice, "b")
		for i, step := range []struct {
			board *forum.Board
			want  int64
		}{{a, 1}, {a, 2}, {b, 1}, {a, 3}, {b, 2}, {b, 3}, {b, 4}, {a, 4}} {
			m := MustPost(t, st, step.board, alice, fmt.Sprintf("post %d", i), 0)
			if m.Number != step.want {
				t.Fatalf("post %d to %s got number %d, want %d", i, step.board.Slug, m.Number, step.want)
			}
		}
		if ga, gb := mustBoard(t, st, "a"), mustBoard(t, st, "b"); ga.LastNumber != 4 || gb.LastNumber != 4 {
			t.Fatalf("LastNumber a=%d b=%d, want 4 and 4", ga.LastNumber, gb.LastNumber)
		}
	})

	t.Run("OK", func(t *testing.T) {
		st := open(t)
		tench := MustCreateUser(t, st, "Tenchusatsu")
		road := MustCreateUser(t, st, "Road_Walker")
		b := MustCreateBoard(t, st, tench, "intc")
		parent := MustPost(t, st, b, tench, "Chips *ahoy*.\n\n日本語 ☕ <script>", 0)
		if parent.Number != 1 || parent.ReplyToAuthor != "" {
			t.Fatalf("first message: Number %d, ReplyToAuthor %q; want 1 and none", parent.Number, parent.ReplyToAuthor)
		}
		// The largest body the Service accepts round-trips byte for byte.
		big := strings.Repeat("0123456789abcde\n", forum.MaxBody/16)
		reply := MustPost(t, st, b, road, big, 1)
		if reply.Number != 2 || reply.ReplyToAuthor != "Tenchusatsu" {
			t.Fatalf("reply: Number %d, ReplyToAuthor %q; want 2 and Tenchusatsu", reply.Number, reply.ReplyToAuthor)
		}

		parent.ReplyCount = 1
		wantMessage(t, mustMessage(t, st, b, 1), parent)
		wantMessage(t, mustMessage(t, st, b, 2), reply)
		// A window holds the same messages as reading them one by one.
		w, err := st.Messages(t.Context(), b.ID, forum.Window{From: 1, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != 2 {
			t.Fatalf("window of %d messages, want 2", len(w))
		}
		wantMessage(t, &w[0], parent)
		wantMessage(t, &w[1], reply)

		b.LastNumber, b.LastPostedAt = 2, reply.CreatedAt
		wantBoard(t, mustBoard(t, st, "intc"), b)
	})

	t.Run("ReplyCount", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		b := MustCreateBoard(t, st, alice, "b")
		MustPost(t, st, b, alice, "root", 0)
		MustPost(t, st, b, alice, "child", 1)
		MustPost(t, st, b, alice, "child", 1)
		MustPost(t, st, b, alice, "grandchild", 2)
		for n, want := range map[int64]int64{1: 2, 2: 1, 3: 0, 4: 0} {
			if got := mustMessage(t, st, b, n).ReplyCount; got != want {
				t.Errorf("message %d: ReplyCount %d, want %d (direct replies only)", n, got, want)
			}
		}
	})

	t.Run("ErrInvalidReplyTo", func(t *testing.T) {
		// A reply names a message of its own board. A refused post must
		// leave no trace: no number taken, no count raised anywhere.
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		a := MustCreateBoard(t, st, alice, "a")
		b := MustCreateBoard(t, st, alice, "b")
		for range 3 {
			MustPost(t, st, a, alice, "a", 0)
		}
		for range 10 {
			MustPost(t, st, b, alice, "b", 0)
		}
		before := mustBoard(t, st, "a")
		// 4 is the next number of a; 5 and 10 exist only in b.
		for _, replyTo := range []int64{4, 5, 10, 11, 1 << 40} {
			m := newMessage(a, alice, "reply to nothing", replyTo)
			WantCode(t, CreateMessage(t.Context(), st, m), forum.CodeInvalid)
		}
		wantBoard(t, mustBoard(t, st, "a"), before)
		for n := int64(1); n <= 10; n++ {
			if got := mustMessage(t, st, b, n).ReplyCount; got != 0 {
				t.Fatalf("message b/%d: ReplyCount %d after refused replies to a, want 0", n, got)
			}
		}
		_, err := st.Message(t.Context(), a.ID, 4)
		WantCode(t, err, forum.CodeNotFound)
		if m := MustPost(t, st, a, alice, "next", 3); m.Number != 4 {
			t.Fatalf("the post after refused ones got number %d, want 4: numbers must have no gaps", m.Number)
		}
		if got := mustMessage(t, st, a, 3).ReplyCount; got != 1 {
			t.Fatalf("message a/3: ReplyCount %d, want 1", got)
		}
	})

	t.Run("ErrNotFoundBoard", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		b := MustCreateBoard(t, st, alice, "b")
		missing := &forum.Board{ID: b.ID + 1000, Slug: "missing"}
		m := newMessage(missing, alice, "to nowhere", 0)
		WantCode(t, CreateMessage(t.Context(), st, m), forum.CodeNotFound)
		if m := MustPost(t, st, b, alice, "here", 0); m.Number != 1 {
			t.Fatalf("first post to b got number %d, want 1", m.Number)
		}
	})

	t.Run("MessageErrNotFound", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		a := MustCreateBoard(t, st, alice, "a")
		_, err := st.Message(t.Context(), a.ID, 1)
		WantCode(t, err, forum.CodeNotFound)
		_, cases := missingMessages(t, st, alice, a)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := st.Message(t.Context(), tc.boardID, tc.number)
				WantCode(t, err, forum.CodeNotFound)
			})
		}
	})
}

// missingMessage names a message that does not exist.
type missingMessage struct {
	name    string
	boardID int64
	number  int64
}

// missingMessages gives board a one message and a second board, b, three,
// and returns b with the ways to name a message that does not exist: by
// numbers no message has, by a number only b has, and by a board that does
// not exist.
func missingMessages(tb testing.TB, st forum.Store, author *forum.User, a *forum.Board) (*forum.Board, []missingMessage) {
	tb.Helper()
	b := MustCreateBoard(tb, st, author, "b")
	MustPost(tb, st, a, author, "a1", 0)
	for range 3 {
		MustPost(tb, st, b, author, "b", 0)
	}
	return b, []missingMessage{
		{"Zero", a.ID, 0},
		{"Negative", a.ID, -1},
		{"PastLast", a.ID, 2},
		{"OnlyInAnotherBoard", a.ID, 3},
		{"NoBoard", b.ID + 1000, 1},
	}
}

// postN posts n messages to b, one after another, with bodies naming their
// board and number.
func postN(tb testing.TB, st forum.Store, b *forum.Board, author *forum.User, n int) []*forum.Message {
	tb.Helper()
	msgs := make([]*forum.Message, 0, n)
	for range n {
		want := b.LastNumber + 1
		m := MustPost(tb, st, b, author, fmt.Sprintf("%s #%d", b.Slug, want), 0)
		if m.Number != want {
			tb.Fatalf("post to %s got number %d, want %d", b.Slug, m.Number, want)
		}
		b.LastNumber, b.LastPostedAt = m.Number, m.CreatedAt
		msgs = append(msgs, m)
	}
	return msgs
}

func testWindows(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	alice := MustCreateUser(t, st, "alice")
	// Another board, filled first and between, whose messages must never
	// show in the first's windows.
	other := MustCreateBoard(t, st, alice, "other")
	b := MustCreateBoard(t, st, alice, "intc")
	postN(t, st, other, alice, 5)
	posted := postN(t, st, b, alice, 200)
	postN(t, st, other, alice, 5)
	posted = append(posted, postN(t, st, b, alice, 50)...)

	for _, tc := range []struct {
		name        string
		w           forum.Window
		first, last int64 // first > last: empty
	}{
		{"From1", forum.Window{From: 1, Limit: 50}, 1, 50},
		{"From101", forum.Window{From: 101, Limit: 50}, 101, 150},
		{"From230", forum.Window{From: 230, Limit: 50}, 230, 250},
		{"From250", forum.Window{From: 250, Limit: 50}, 250, 250},
		{"From251", forum.Window{From: 251, Limit: 50}, 1, 0},
		{"FromFarPastEnd", forum.Window{From: 1 << 40, Limit: 50}, 1, 0},
		{"FromAll", forum.Window{From: 1, Limit: 300}, 1, 250},
		{"Before51", forum.Window{Before: 51, Limit: 50}, 1, 50},
		{"Before201", forum.Window{Before: 201, Limit: 50}, 151, 200},
		{"Before10", forum.Window{Before: 10, Limit: 50}, 1, 9},
		{"Before2", forum.Window{Before: 2, Limit: 50}, 1, 1},
		{"Before1", forum.Window{Before: 1, Limit: 50}, 1, 0},
		{"Before251", forum.Window{Before: 251, Limit: 50}, 201, 250},
		{"BeforeFarPastEnd", forum.Window{Before: 1 << 40, Limit: 50}, 201, 250},
		{"Newest", forum.Window{Limit: 50}, 201, 250},
		{"NewestAll", forum.Window{Limit: 300}, 1, 250},
		{"NewestLimit1", forum.Window{Limit: 1}, 250, 250},
		{"FromLimit1", forum.Window{From: 17, Limit: 1}, 17, 17},
		{"BeforeLimit1", forum.Window{Before: 17, Limit: 1}, 16, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Messages(t.Context(), b.ID, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			want := span(tc.first, tc.last)
			if ns := numbers(got); !slices.Equal(ns, want) {
				t.Fatalf("Messages(%+v) = %s, want %s (ascending)", tc.w, fmtNumbers(ns), fmtNumbers(want))
			}
			for i := range got {
				if d := diff(&got[i], posted[got[i].Number-1]); len(d) > 0 {
					t.Fatalf("Messages(%+v): message %d differs:\n\t%s", tc.w, got[i].Number, strings.Join(d, "\n\t"))
				}
			}
		})
	}

	t.Run("EmptyBoard", func(t *testing.T) {
		empty := MustCreateBoard(t, st, alice, "empty")
		for _, w := range []forum.Window{{Limit: 50}, {From: 1, Limit: 50}, {Before: 10, Limit: 50}} {
			got, err := st.Messages(t.Context(), empty.ID, w)
			if err != nil || len(got) != 0 {
				t.Fatalf("Messages(%+v) of an empty board = %s, %v; want none", w, fmtNumbers(numbers(got)), err)
			}
		}
	})

	t.Run("OtherBoard", func(t *testing.T) {
		got, err := st.Messages(t.Context(), other.ID, forum.Window{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if ns := numbers(got); !slices.Equal(ns, span(1, 10)) {
			t.Fatalf("other board's newest = %s, want 1..10", fmtNumbers(ns))
		}
		for _, m := range got {
			if m.BoardID != other.ID || m.Board != "other" || m.Body != fmt.Sprintf("other #%d", m.Number) {
				t.Fatalf("other board's window holds %+v", m)
			}
		}
	})
}

func testReplies(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	alice := MustCreateUser(t, st, "alice")
	bob := MustCreateUser(t, st, "bob")
	// A board whose message 1 has replies of its own, so that a store
	// forgetting the board in its query is caught.
	other := MustCreateBoard(t, st, alice, "other")
	b := MustCreateBoard(t, st, alice, "b")
	MustPost(t, st, other, alice, "other root", 0)
	MustPost(t, st, other, alice, "other reply", 1)

	// 1 ← 2 ← 3 ← 7; 1 ← 4, 6, 8; 5 alone.
	posted := []*forum.Message{nil}
	for _, p := range []struct {
		author  *forum.User
		replyTo int64
	}{{alice, 0}, {bob, 1}, {alice, 2}, {bob, 1}, {alice, 0}, {alice, 1}, {bob, 3}, {bob, 1}} {
		posted = append(posted, MustPost(t, st, b, p.author, fmt.Sprintf("b #%d", len(posted)), p.replyTo))
		MustPost(t, st, other, bob, "other reply", 1)
	}
	counts := map[int64]int64{1: 4, 2: 1, 3: 1}
	for n := 1; n < len(posted); n++ {
		posted[n].ReplyCount = counts[int64(n)]
	}

	for _, tc := range []struct {
		name         string
		number, from int64
		limit        int
		want         []int64
	}{
		{"Direct", 1, 0, 10, []int64{2, 4, 6, 8}},
		{"From1", 1, 1, 10, []int64{2, 4, 6, 8}},
		{"FirstPage", 1, 0, 2, []int64{2, 4}},
		{"SecondPage", 1, 5, 2, []int64{6, 8}},
		{"FromInclusive", 1, 4, 10, []int64{4, 6, 8}},
		{"FromPastLast", 1, 9, 10, nil},
		{"Limit1", 1, 3, 1, []int64{4}},
		{"NotGrandchildren", 2, 0, 10, []int64{3}},
		{"Deep", 3, 0, 10, []int64{7}},
		{"None", 5, 0, 10, nil},
		{"Leaf", 8, 0, 10, nil},
		{"NoMessage", 100, 0, 10, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Replies(t.Context(), b.ID, tc.number, tc.from, tc.limit, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ns := numbers(got); !slices.Equal(ns, tc.want) {
				t.Fatalf("Replies(%d, from %d, limit %d) = %v, want %v", tc.number, tc.from, tc.limit, ns, tc.want)
			}
			for i := range got {
				wantMessage(t, &got[i], posted[got[i].Number])
			}
		})
	}

	t.Run("Counts", func(t *testing.T) {
		for n := 1; n < len(posted); n++ {
			wantMessage(t, mustMessage(t, st, b, int64(n)), posted[n])
		}
		if got := mustMessage(t, st, other, 1).ReplyCount; got != int64(len(posted)) {
			t.Fatalf("other/1: ReplyCount %d, want %d", got, len(posted))
		}
	})
}

func testRemoveMessage(t *testing.T, open func(t *testing.T) forum.Store) {
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		b := MustCreateBoard(t, st, alice, "b")
		one := MustPost(t, st, b, alice, "one", 0)
		two := MustPost(t, st, b, alice, "two", 1)
		three := MustPost(t, st, b, alice, "three", 2)
		one.ReplyCount, two.ReplyCount = 1, 1
		boardBefore := mustBoard(t, st, "b")

		byAuthor, byModerator := Tick(), Tick()
		if err := removeMessage(t.Context(), st, b.ID, 2, forum.RemovedByAuthor, byAuthor); err != nil {
			t.Fatal(err)
		}
		if err := removeMessage(t.Context(), st, b.ID, 3, forum.RemovedByModerator, byModerator); err != nil {
			t.Fatal(err)
		}
		// The store keeps the text (the Service hides it), the number and
		// the counts.
		two.Removed, two.RemovedAt = forum.RemovedByAuthor, byAuthor
		three.Removed, three.RemovedAt = forum.RemovedByModerator, byModerator
		want := []*forum.Message{one, two, three}
		for _, m := range want {
			wantMessage(t, mustMessage(t, st, b, m.Number), m)
		}
		got, err := st.Messages(t.Context(), b.ID, forum.Window{From: 1, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("window after removals holds %s, want 1..3: removal never renumbers", fmtNumbers(numbers(got)))
		}
		for i := range want {
			wantMessage(t, &got[i], want[i])
		}
		replies, err := st.Replies(t.Context(), b.ID, 1, 0, 10, 0)
		if err != nil || len(replies) != 1 {
			t.Fatalf("Replies to 1 after removing its reply = %s, %v; want [2]", fmtNumbers(numbers(replies)), err)
		}
		wantMessage(t, &replies[0], two)
		// The counters stay; the revision counts the two changes, so that
		// caches of the board's pages know them stale.
		boardBefore.Revision, boardBefore.ChangedAt = 2, byModerator
		wantBoard(t, mustBoard(t, st, "b"), boardBefore)
		if m := MustPost(t, st, b, alice, "four", 3); m.Number != 4 {
			t.Fatalf("the post after removals got number %d, want 4", m.Number)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		b := MustCreateBoard(t, st, alice, "b")
		m := MustPost(t, st, b, alice, "one", 0)
		first := Tick()
		if err := removeMessage(t.Context(), st, b.ID, 1, forum.RemovedByAuthor, first); err != nil {
			t.Fatal(err)
		}
		WantCode(t, removeMessage(t.Context(), st, b.ID, 1, forum.RemovedByAuthor, Tick()), forum.CodeConflict)
		WantCode(t, removeMessage(t.Context(), st, b.ID, 1, forum.RemovedByModerator, Tick()), forum.CodeConflict)
		// The first removal stands, and the refused ones changed nothing.
		m.Removed, m.RemovedAt = forum.RemovedByAuthor, first
		wantMessage(t, mustMessage(t, st, b, 1), m)
		if got := mustBoard(t, st, "b"); got.Revision != 1 || !got.ChangedAt.Equal(first) {
			t.Errorf("board after one removal and two refused: revision %d, changed %v; want 1, %v", got.Revision, got.ChangedAt, first)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		b, cases := missingMessages(t, st, alice, MustCreateBoard(t, st, alice, "a"))
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := removeMessage(t.Context(), st, tc.boardID, tc.number, forum.RemovedByModerator, Tick())
				WantCode(t, err, forum.CodeNotFound)
			})
		}
		if m := mustMessage(t, st, b, 3); m.Removed != forum.NotRemoved || !m.RemovedAt.IsZero() {
			t.Fatalf("b/3 removed by a removal aimed at a/3: %+v", m)
		}
	})
}

// testOrdering checks that posts made one after another are numbered in the
// order they were made: a later post never gets a smaller number.
func testOrdering(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	alice := MustCreateUser(t, st, "alice")
	b := MustCreateBoard(t, st, alice, "b")
	const n = 300
	posted := postN(t, st, b, alice, n)
	got := readBoard(t, st, b)
	if ns := numbers(got); !slices.Equal(ns, span(1, n)) {
		t.Fatalf("numbers read back %s, want 1..%d", fmtNumbers(ns), n)
	}
	for i := range got {
		if i > 0 && !got[i].CreatedAt.After(got[i-1].CreatedAt) {
			t.Fatalf("message %d posted at %v, not after message %d at %v", got[i].Number, got[i].CreatedAt, got[i-1].Number, got[i-1].CreatedAt)
		}
		// IDs too follow commit order: they page a member's messages.
		if got[i].ID <= 0 {
			t.Fatalf("message %d has ID %d, want a positive one", got[i].Number, got[i].ID)
		}
		if i > 0 && got[i].ID <= got[i-1].ID {
			t.Fatalf("message %d has ID %d, not above message %d's %d", got[i].Number, got[i].ID, got[i-1].Number, got[i-1].ID)
		}
		wantMessage(t, &got[i], posted[i])
	}
	if got := mustBoard(t, st, "b"); got.LastNumber != n || !sameTime(got.LastPostedAt, posted[n-1].CreatedAt) {
		t.Fatalf("board: LastNumber %d, LastPostedAt %v; want %d, %v", got.LastNumber, got.LastPostedAt, n, posted[n-1].CreatedAt)
	}
}

// testTextBound: with a bound on their text, windows, replies and threads
// read no message after the first that takes the text past it (so the
// caller knows whether more followed), and always one.
func testTextBound(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	alice := MustCreateUser(t, st, "alice")
	b := MustCreateBoard(t, st, alice, "big")
	// Each message holds 2,007 bytes of text: a body of 1,000 and its
	// HTML, "<p>…</p>".
	body := strings.Repeat("x", 1000)
	MustPost(t, st, b, alice, body, 0)
	for range 9 {
		MustPost(t, st, b, alice, body, 1)
	}
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		read func() ([]forum.Message, error)
		want []int64
	}{
		{"From", func() ([]forum.Message, error) {
			return st.Messages(ctx, b.ID, forum.Window{From: 1, Limit: 10, Bytes: 5000})
		}, span(1, 3)},
		{"FromUnbounded", func() ([]forum.Message, error) { return st.Messages(ctx, b.ID, forum.Window{From: 1, Limit: 10}) }, span(1, 10)},
		{"FromAtBound", func() ([]forum.Message, error) {
			return st.Messages(ctx, b.ID, forum.Window{From: 1, Limit: 10, Bytes: 4014})
		}, span(1, 3)},
		{"FromUnderOne", func() ([]forum.Message, error) {
			return st.Messages(ctx, b.ID, forum.Window{From: 4, Limit: 10, Bytes: 100})
		}, span(4, 4)},
		{"Before", func() ([]forum.Message, error) {
			return st.Messages(ctx, b.ID, forum.Window{Before: 10, Limit: 10, Bytes: 5000})
		}, span(7, 9)},
		{"Newest", func() ([]forum.Message, error) { return st.Messages(ctx, b.ID, forum.Window{Limit: 10, Bytes: 5000}) }, span(8, 10)},
		{"Replies", func() ([]forum.Message, error) { return st.Replies(ctx, b.ID, 1, 0, 10, 5000) }, span(2, 4)},
		{"RepliesFrom", func() ([]forum.Message, error) { return st.Replies(ctx, b.ID, 1, 6, 10, 5000) }, span(6, 8)},
		{"Thread", func() ([]forum.Message, error) { return st.Thread(ctx, b.ID, 1, 20, 5000) }, span(1, 3)},
		{"ThreadUnbounded", func() ([]forum.Message, error) { return st.Thread(ctx, b.ID, 1, 20, 0) }, span(1, 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.read()
			if err != nil {
				t.Fatal(err)
			}
			if ns := numbers(got); !slices.Equal(ns, tc.want) {
				t.Fatalf("read %s, want %s", fmtNumbers(ns), fmtNumbers(tc.want))
			}
		})
	}
}
