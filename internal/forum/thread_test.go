package forum_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/storetest"
)

// postReplies posts to slug one message per entry of replyTo, message i+1
// answering message replyTo[i] (0: none).
func postReplies(tb testing.TB, svc *forum.Service, u *forum.User, slug string, replyTo []int64) {
	tb.Helper()
	for i, parent := range replyTo {
		if m := mustPost(tb, svc, u, slug, fmt.Sprintf("%s #%d", slug, i+1), parent); m.Number != int64(i+1) {
			tb.Fatalf("post %d to %s got number %d", i+1, slug, m.Number)
		}
	}
}

// shape draws a thread as numbers with their replies in parentheses, and
// fails unless every node's depth, order and parent are right.
func shape(tb testing.TB, n *forum.ThreadNode, depth int) string {
	tb.Helper()
	if n.Depth != depth {
		tb.Errorf("message %d: Depth %d, want %d", n.Message.Number, n.Depth, depth)
	}
	s := fmt.Sprint(n.Message.Number)
	if len(n.Replies) == 0 {
		return s
	}
	var replies []string
	for i, r := range n.Replies {
		if r.Message.ReplyTo != n.Message.Number {
			tb.Errorf("message %d, a reply to %d, hangs from %d", r.Message.Number, r.Message.ReplyTo, n.Message.Number)
		}
		if i > 0 && r.Message.Number <= n.Replies[i-1].Message.Number {
			tb.Errorf("replies to %d out of order: %d after %d", n.Message.Number, r.Message.Number, n.Replies[i-1].Message.Number)
		}
		replies = append(replies, shape(tb, r, depth+1))
	}
	return s + "(" + strings.Join(replies, " ") + ")"
}

// chainOf returns the links of n messages each answering the one before.
func chainOf(n int) []int64 {
	links := make([]int64, n)
	for i := range links {
		links[i] = int64(i)
	}
	return links
}

func TestThread(t *testing.T) {
	ctx := t.Context()
	svc, spy := newSpiedService(t, newTestClock())
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	for _, slug := range []string{"tree", "chain", "bush"} {
		mustOpenBoard(t, svc, alice, slug)
	}
	// 1 ── 2 ── 4 ── 7 ── 9;  2 ── 5;  1 ── 3 ── 6;  1 ── 10;  8 alone.
	postReplies(t, svc, alice, "tree", []int64{0, 1, 1, 2, 2, 3, 4, 0, 7, 1})
	// 1 ── 2 ── … ── 20.
	postReplies(t, svc, alice, "chain", chainOf(20))
	// 2 … 13 answer 1; 14 answers 13, 15 answers 2, 16 answers 14.
	bush := []int64{0}
	for range 12 {
		bush = append(bush, 1)
	}
	postReplies(t, svc, alice, "bush", append(bush, 13, 2, 14))
	if err := svc.Remove(ctx, alice, "tree", 2); err != nil {
		t.Fatal(err)
	}

	const whole = "1(2(4(7(9)) 5) 3(6) 10)"
	chain20 := "1"
	for n := 2; n <= 20; n++ {
		chain20 = chain20[:len(chain20)-(n-2)] + fmt.Sprintf("(%d)", n) + strings.Repeat(")", n-2)
	}
	for _, tc := range []struct {
		name     string
		slug     string
		n        int64
		limit    int // 0: forum.MaxThread
		maxSteps int // 0: the Service's own
		want     string
		top      int64
		complete bool
	}{
		{"Top", "tree", 1, 0, 0, whole, 1, true},
		{"FocusInMiddle", "tree", 4, 0, 0, whole, 1, true},
		{"FocusOnRemoved", "tree", 2, 0, 0, whole, 1, true},
		{"Leaf", "tree", 9, 0, 0, whole, 1, true},
		{"Alone", "tree", 8, 0, 0, "8", 8, true},
		{"ExactLimit", "tree", 6, 9, 0, whole, 1, true},
		// Breadth-first: a cut keeps the upper levels whole.
		{"CutHoldsFocus", "tree", 4, 5, 0, "1(2(4) 3 10)", 1, false},
		{"CutMissesFocus", "tree", 9, 5, 0, "7(9)", 1, false},
		{"Chain", "chain", 20, 0, 0, chain20, 1, true},
		{"ChainCutHoldsFocus", "chain", 3, 5, 0, "1(2(3(4(5))))", 1, false},
		{"ChainCutMissesFocus", "chain", 10, 5, 0, "9(10(11(12(13))))", 1, false},
		// A chain longer than the walk up is shown from where it stopped.
		{"ChainDeeperThanWalk", "chain", 18, 0, 3, "15(16(17(18(19(20)))))", 15, false},
		{"Bush", "bush", 1, 0, 0, "1(2(15) 3 4 5 6 7 8 9 10 11 12 13(14(16)))", 1, true},
		{"BushFocusDeep", "bush", 16, 0, 0, "1(2(15) 3 4 5 6 7 8 9 10 11 12 13(14(16)))", 1, true},
		{"BushCut", "bush", 3, 5, 0, "1(2 3 4 5)", 1, false},
		{"BushCutMissesFocus", "bush", 14, 5, 0, "13(14(16))", 1, false},
		{"BushCutMissesFocusAndParent", "bush", 15, 5, 0, "2(15)", 1, false},
		// Its parent's earlier replies fill the view: it is shown alone.
		{"BushCutCrowdsFocus", "bush", 13, 5, 0, "13(14(16))", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spy.maxSteps = tc.maxSteps
			defer func() { spy.maxSteps = 0 }()
			var th *forum.Thread
			var err error
			if tc.limit == 0 {
				th, err = svc.Thread(ctx, nil, tc.slug, tc.n)
			} else {
				th, err = svc.ThreadOfAtMost(ctx, tc.slug, tc.n, tc.limit)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := shape(t, th.Root, 0); got != tc.want {
				t.Errorf("thread of %s/%d: %s, want %s", tc.slug, tc.n, got, tc.want)
			}
			if th.Board.Slug != tc.slug || th.Focus != tc.n || th.Top != tc.top || th.Complete != tc.complete {
				t.Errorf("thread of %s/%d: board %s, Focus %d, Top %d, Complete %v; want Top %d, Complete %v",
					tc.slug, tc.n, th.Board.Slug, th.Focus, th.Top, th.Complete, tc.top, tc.complete)
			}
		})
	}

	t.Run("Redacted", func(t *testing.T) {
		th, err := svc.Thread(ctx, nil, "tree", 9)
		if err != nil {
			t.Fatal(err)
		}
		two := th.Root.Replies[0].Message
		if two.Number != 2 || two.Removed != forum.RemovedByAuthor || two.Body != "" || two.HTML != "" {
			t.Fatalf("removed message in a thread: %+v; want a tombstone", two)
		}
		if four := th.Root.Replies[0].Replies[0].Message; four.Body != "tree #4" || four.Author != "alice" || four.ReplyToAuthor != "alice" {
			t.Fatalf("reply to a removed message: %+v", four)
		}
	})

	for _, tc := range []struct {
		name string
		slug string
		n    int64
	}{
		{"ErrNotFoundBoard", "nope", 1},
		{"ErrNotFoundBadSlug", "../tree", 1},
		{"ErrNotFoundZero", "tree", 0},
		{"ErrNotFoundNegative", "tree", -1},
		{"ErrNotFoundPastLast", "tree", 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Thread(ctx, nil, tc.slug, tc.n)
			storetest.WantCode(t, err, forum.CodeNotFound)
		})
	}
}

// TestThreadMaxThread checks the real cut: a message with more replies than
// a view shows.
func TestThreadMaxThread(t *testing.T) {
	ctx := t.Context()
	svc, _ := newSpiedService(t, newTestClock())
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	mustOpenBoard(t, svc, alice, "big")
	mustPost(t, svc, alice, "big", "root", 0)
	// Posted at once, so that they share commits.
	const replies = forum.MaxThread + 10
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Go(func() {
			for range replies / 10 {
				if _, err := svc.Post(ctx, alice, "big", forum.NewMessage{Body: fmt.Sprint("reply of ", g), ReplyTo: 1}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	th, err := svc.Thread(ctx, nil, "big", 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(th.Root.Replies); th.Complete || n != forum.MaxThread-1 || th.Root.Replies[n-1].Message.Number != forum.MaxThread {
		t.Fatalf("thread of %d: Complete %v, %d replies shown; want the first %d", replies+1, th.Complete, n, forum.MaxThread-1)
	}
	// The last reply is beyond the view from the root, and so is it from
	// its parent, the root: it is shown alone.
	last := int64(replies + 1)
	th, err = svc.Thread(ctx, nil, "big", last)
	if err != nil {
		t.Fatal(err)
	}
	if th.Root.Message.Number != last || len(th.Root.Replies) != 0 || th.Top != 1 || th.Complete {
		t.Fatalf("thread of %d: root %d, %d replies, Top %d, Complete %v", last, th.Root.Message.Number, len(th.Root.Replies), th.Top, th.Complete)
	}
}
