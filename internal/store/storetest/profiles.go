package storetest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"parley/internal/forum"
)

// wantMessageCounts fails unless each user's MessageCount, read back, is
// the count given, and they sum to total.
func wantMessageCounts(tb testing.TB, st forum.Store, want map[*forum.User]int64, total int64) {
	tb.Helper()
	var sum int64
	for u, n := range want {
		got, err := st.UserByName(tb.Context(), u.Name)
		if err != nil {
			tb.Fatalf("UserByName(%q): %v", u.Name, err)
		}
		if got.MessageCount != n {
			tb.Errorf("%s: MessageCount %d, want %d", u.Name, got.MessageCount, n)
		}
		sum += got.MessageCount
	}
	if sum != total {
		tb.Errorf("MessageCounts sum to %d, want the %d messages posted", sum, total)
	}
}

func testMessageCount(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	// Alice is the oldest admin, so that every read of a user is asked.
	alice := &forum.User{Name: "alice", Role: forum.RoleAdmin, CreatedAt: Tick()}
	if err := st.CreateUser(ctx, alice); err != nil {
		t.Fatal(err)
	}
	bob := MustCreateUser(t, st, "bob")
	carol := MustCreateUser(t, st, "carol")
	a := MustCreateBoard(t, st, alice, "a")
	b := MustCreateBoard(t, st, bob, "b")
	wantMessageCounts(t, st, map[*forum.User]int64{alice: 0, bob: 0, carol: 0}, 0)

	MustPost(t, st, a, alice, "one", 0)
	MustPost(t, st, a, bob, "two", 1)
	MustPost(t, st, b, alice, "three", 0)
	MustPost(t, st, a, alice, "four", 2)
	MustPost(t, st, b, alice, "five", 1)
	wantMessageCounts(t, st, map[*forum.User]int64{alice: 4, bob: 1, carol: 0}, 5)

	t.Run("Refused", func(t *testing.T) {
		// A refused post leaves the count as it was.
		for _, m := range []*forum.Message{
			newMessage(a, alice, "reply to nothing", 100),
			newMessage(&forum.Board{ID: b.ID + 1000, Slug: "missing"}, alice, "to no board", 0),
		} {
			if err := CreateMessage(ctx, st, m); err == nil {
				t.Fatalf("CreateMessage(%+v) succeeded, want it refused", m)
			}
		}
		wantMessageCounts(t, st, map[*forum.User]int64{alice: 4, bob: 1, carol: 0}, 5)
	})

	t.Run("Removal", func(t *testing.T) {
		// Alice wrote the message whoever took it down.
		if err := removeMessage(ctx, st, a.ID, 1, forum.RemovedByAuthor, Tick()); err != nil {
			t.Fatal(err)
		}
		if err := removeMessage(ctx, st, b.ID, 1, forum.RemovedByModerator, Tick()); err != nil {
			t.Fatal(err)
		}
		wantMessageCounts(t, st, map[*forum.User]int64{alice: 4, bob: 1, carol: 0}, 5)
	})

	t.Run("EveryRead", func(t *testing.T) {
		now := Tick()
		mustCreateToken(t, st, alice, "alice-token")
		mustCreateSession(t, st, alice, "alice-session", now, 1<<40)
		alice.MessageCount = 4
		reads := map[string]func() (*forum.User, error){
			"UserByName":    func() (*forum.User, error) { return st.UserByName(ctx, "ALICE") },
			"UserByToken":   func() (*forum.User, error) { return st.UserByToken(ctx, tokenHash("alice-token")) },
			"UserBySession": func() (*forum.User, error) { return st.UserBySession(ctx, tokenHash("alice-session"), now) },
			"OldestUser":    func() (*forum.User, error) { return st.OldestUser(ctx, forum.RoleAdmin) },
		}
		for name, read := range reads {
			got, err := read()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if d := diff(got, alice); len(d) > 0 {
				t.Errorf("%s: alice differs: %v", name, d)
			}
		}
	})
}

func testMessagesByAuthor(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	alice := MustCreateUser(t, st, "alice")
	bob := MustCreateUser(t, st, "bob")
	carol := MustCreateUser(t, st, "carol")
	a := MustCreateBoard(t, st, alice, "a")
	b := MustCreateBoard(t, st, bob, "b")
	// Alice and Bob take turns on two boards; alice's messages, newest
	// first, are what her pages must hold.
	var mine, bobs []*forum.Message
	posted := map[int64]*forum.Message{} // ID → message as posted
	for i := range 40 {
		board, author := a, alice
		if i%3 == 1 {
			board = b
		}
		if i%4 == 3 {
			author = bob
		}
		var replyTo int64
		if board.LastNumber > 0 && i%5 == 0 {
			replyTo = board.LastNumber
			// The replied-to message counts the reply, as reads show.
			for _, m := range posted {
				if m.BoardID == board.ID && m.Number == replyTo {
					m.ReplyCount++
				}
			}
		}
		m := MustPost(t, st, board, author, fmt.Sprintf("%s on %s, post %d", author.Name, board.Slug, i), replyTo)
		board.LastNumber = m.Number
		if m.ID <= 0 {
			t.Fatalf("post %d: ID %d, want a positive one", i, m.ID)
		}
		posted[m.ID] = m
		if author == alice {
			mine = append(mine, m)
		} else {
			bobs = append(bobs, m)
		}
	}
	// Her removed message is still hers: the Service hides its text.
	removed := mine[3]
	removed.Removed, removed.RemovedAt = forum.RemovedByModerator, Tick()
	if err := removeMessage(ctx, st, removed.BoardID, removed.Number, removed.Removed, removed.RemovedAt); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(mine)
	slices.Reverse(bobs)
	ids := func(msgs []*forum.Message) []int64 {
		var ids []int64
		for _, m := range msgs {
			ids = append(ids, m.ID)
		}
		return ids
	}
	wantIDs, bobIDs := ids(mine), ids(bobs)
	// Before need not be one of hers: the next of hers below one of Bob's.
	bobsBefore := bobIDs[2]
	hersBelow := slices.IndexFunc(wantIDs, func(id int64) bool { return id < bobsBefore })

	t.Run("Paging", func(t *testing.T) {
		for _, limit := range []int{1, 4, 7, len(mine), len(mine) + 1, forum.MaxWindow} {
			var got []int64
			for before, pages := int64(0), 0; ; pages++ {
				if pages > len(mine)+1 {
					t.Fatalf("limit %d: paging does not end", limit)
				}
				page, err := st.MessagesByAuthor(ctx, alice.ID, before, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit {
					t.Fatalf("limit %d: a page of %d", limit, len(page))
				}
				if len(page) == 0 {
					break
				}
				for i := range page {
					wantMessage(t, &page[i], posted[page[i].ID])
					got = append(got, page[i].ID)
				}
				before = page[len(page)-1].ID
			}
			if !slices.Equal(got, wantIDs) {
				t.Fatalf("limit %d: pages hold IDs %v, want %v (alice's, newest first, each once)", limit, got, wantIDs)
			}
		}
	})

	for _, tc := range []struct {
		name   string
		author *forum.User
		before int64
		limit  int
		want   []int64
	}{
		{"Newest", alice, 0, 3, wantIDs[:3]},
		{"BeforeNewest", alice, wantIDs[0], 3, wantIDs[1:4]},
		{"BeforeExclusive", alice, wantIDs[5], 2, wantIDs[6:8]},
		{"BeforeOthers", alice, bobsBefore, 2, wantIDs[hersBelow : hersBelow+2]},
		{"BeforeOldest", alice, wantIDs[len(wantIDs)-1], 10, nil},
		{"BeforeFarPast", alice, math.MaxInt64, 2, wantIDs[:2]},
		{"Bob", bob, 0, forum.MaxWindow, bobIDs},
		{"NoMessages", carol, 0, 10, nil},
		{"NoUser", &forum.User{ID: carol.ID + 1000}, 0, 10, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.MessagesByAuthor(ctx, tc.author.ID, tc.before, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for i := range got {
				if got[i].AuthorID != tc.author.ID {
					t.Fatalf("message %s/%d by %s listed as %s's", got[i].Board, got[i].Number, got[i].Author, tc.author.Name)
				}
				wantMessage(t, &got[i], posted[got[i].ID])
				gotIDs = append(gotIDs, got[i].ID)
			}
			if !slices.Equal(gotIDs, tc.want) {
				t.Fatalf("MessagesByAuthor(%s, before %d, limit %d) = IDs %v, want %v", tc.author.Name, tc.before, tc.limit, gotIDs, tc.want)
			}
		})
	}
}
