package storetest

import (
	"fmt"
	"slices"
	"testing"

	"parley/internal/forum"
)

// postTree posts to b one message per entry of replyTo, in order, message
// i+1 answering message replyTo[i] (0: none), and returns the messages by
// number (index 0 unused) with their reply counts as reads show them.
func postTree(tb testing.TB, st forum.Store, b *forum.Board, author *forum.User, replyTo []int64) []*forum.Message {
	tb.Helper()
	posted := []*forum.Message{nil}
	for i, parent := range replyTo {
		m := MustPost(tb, st, b, author, fmt.Sprintf("%s #%d", b.Slug, i+1), parent)
		if m.Number != int64(i+1) {
			tb.Fatalf("post %d to %s got number %d", i+1, b.Slug, m.Number)
		}
		if parent != 0 {
			posted[parent].ReplyCount++
		}
		posted = append(posted, m)
	}
	return posted
}

// tree is the thread most tests walk, numbered as posted:
//
//	1 ── 2 ── 4 ── 7 ── 9
//	│    └─── 5
//	├─── 3 ── 6
//	└─── 10
//	8
var tree = []int64{0, 1, 1, 2, 2, 3, 4, 0, 7, 1}

// otherTree fills a board whose numbers overlap tree's but whose links do
// not, so that a store forgetting the board in a step is caught.
var otherTree = []int64{0, 0, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2}

func testThreadRoot(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	alice := MustCreateUser(t, st, "alice")
	other := MustCreateBoard(t, st, alice, "other")
	postTree(t, st, other, alice, otherTree)
	b := MustCreateBoard(t, st, alice, "b")
	postTree(t, st, b, alice, tree)
	chain := MustCreateBoard(t, st, alice, "chain")
	postTree(t, st, chain, alice, chainOf(300))

	for _, tc := range []struct {
		name     string
		board    *forum.Board
		number   int64
		maxSteps int
		want     int64
	}{
		{"Top", b, 1, 100, 1},
		{"NoReply", b, 8, 100, 8},
		{"Reply", b, 2, 100, 1},
		{"Deepest", b, 9, 100, 1},
		{"Branch", b, 6, 100, 1},
		{"ExactSteps", b, 9, 4, 1},
		{"OneStep", b, 9, 1, 7},
		{"TwoSteps", b, 9, 2, 4},
		{"NoSteps", b, 9, 0, 9},
		{"OtherBoard", other, 9, 100, 2},
		{"ChainWhole", chain, 300, 1000, 1},
		{"ChainCut", chain, 300, 100, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.ThreadRoot(t.Context(), tc.board.ID, tc.number, tc.maxSteps)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("ThreadRoot(%s, %d, %d) = %d, want %d", tc.board.Slug, tc.number, tc.maxSteps, got, tc.want)
			}
		})
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		_, cases := missingMessages(t, st, alice, MustCreateBoard(t, st, alice, "a"))
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := st.ThreadRoot(t.Context(), tc.boardID, tc.number, 100)
				WantCode(t, err, forum.CodeNotFound)
			})
		}
	})
}

func testThread(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	alice := MustCreateUser(t, st, "alice")
	other := MustCreateBoard(t, st, alice, "other")
	postTree(t, st, other, alice, otherTree)
	b := MustCreateBoard(t, st, alice, "b")
	posted := postTree(t, st, b, alice, tree)
	// A removed message keeps its place and its replies.
	posted[4].Removed, posted[4].RemovedAt = forum.RemovedByAuthor, Tick()
	if err := removeMessage(t.Context(), st, b.ID, 4, posted[4].Removed, posted[4].RemovedAt); err != nil {
		t.Fatal(err)
	}
	// A chain of 300, each message answering the one before.
	chain := MustCreateBoard(t, st, alice, "chain")
	chained := postTree(t, st, chain, alice, chainOf(300))
	// A bush: 300 replies to message 1, then a reply to the last of
	// them, a reply to that, and a reply to the first.
	bush := MustCreateBoard(t, st, alice, "bush")
	links := []int64{0}
	for range 300 {
		links = append(links, 1)
	}
	links = append(links, 301, 302, 2)
	bushed := postTree(t, st, bush, alice, links)

	for _, tc := range []struct {
		name   string
		board  *forum.Board
		posted []*forum.Message
		root   int64
		limit  int
		want   []int64
	}{
		// By depth, then number: 10 answers 1, so it comes before 4.
		{"Whole", b, posted, 1, 100, []int64{1, 2, 3, 10, 4, 5, 6, 7, 9}},
		{"ExactLimit", b, posted, 1, 9, []int64{1, 2, 3, 10, 4, 5, 6, 7, 9}},
		{"Limit", b, posted, 1, 5, []int64{1, 2, 3, 10, 4}},
		{"Limit1", b, posted, 1, 1, []int64{1}},
		{"Branch", b, posted, 2, 100, []int64{2, 4, 5, 7, 9}},
		{"BelowRemoved", b, posted, 4, 100, []int64{4, 7, 9}},
		{"Leaf", b, posted, 9, 100, []int64{9}},
		{"Alone", b, posted, 8, 100, []int64{8}},
		{"NoMessage", b, posted, 11, 100, nil},
		{"NoMessageZero", b, posted, 0, 100, nil},
		{"ChainWhole", chain, chained, 1, 1000, span(1, 300)},
		{"ChainLimit", chain, chained, 1, 50, span(1, 50)},
		{"ChainMiddle", chain, chained, 250, 1000, span(250, 300)},
		{"BushWhole", bush, bushed, 1, 1000, slices.Concat(span(1, 302), []int64{304, 303})},
		{"BushLimit", bush, bushed, 1, 10, span(1, 10)},
		{"BushJustBelow", bush, bushed, 1, 302, span(1, 302)},
		{"BushLastBranch", bush, bushed, 301, 10, []int64{301, 302, 303}},
		{"BushFirstBranch", bush, bushed, 2, 10, []int64{2, 304}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Thread(t.Context(), tc.board.ID, tc.root, tc.limit, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ns := numbers(got); !slices.Equal(ns, tc.want) {
				t.Fatalf("Thread(%s, %d, limit %d) = %s, want %s", tc.board.Slug, tc.root, tc.limit, fmtNumbers(ns), fmtNumbers(tc.want))
			}
			for i := range got {
				wantMessage(t, &got[i], tc.posted[got[i].Number])
			}
		})
	}
}

// chainOf is a tree for postTree of n messages, each answering the one
// before.
func chainOf(n int64) []int64 {
	return append([]int64{0}, span(1, n-1)...)
}
