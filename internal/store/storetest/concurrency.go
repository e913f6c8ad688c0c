package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"parley/internal/forum"
)

// load is how hard the concurrency tests push: posters goroutines each
// posting perPoster messages. -short shrinks it for quick runs; a plain
// `go test` runs the load the numbering invariant is promised under.
func load() (posters, perPoster int) {
	if testing.Short() {
		return 8, 25
	}
	return 32, 100
}

// numbered is what one concurrent CreateMessage answered.
type numbered struct {
	board  int64
	number int64
	body   string
}

func testConcurrency(t *testing.T, open func(t *testing.T) forum.Store) {
	t.Run("OneBoard", func(t *testing.T) {
		st := open(t)
		posters, per := load()
		authors := mustAuthors(t, st, 4)
		b := MustCreateBoard(t, st, authors[0], "busy")

		stopWatching := watchWindows(t, st, b)
		defer stopWatching()
		got := postConcurrently(t, posters, per, func(g, i int) (*forum.Message, error) {
			m := newMessage(b, authors[g%len(authors)], fmt.Sprintf("poster %d post %d", g, i), 0)
			return m, CreateMessage(t.Context(), st, m)
		})
		stopWatching()

		total := int64(posters * per)
		wantBoardNumbered(t, st, b, got, total)
		wantMessageCounts(t, st, postsByAuthor(authors, posters, per, nil), total)
	})

	t.Run("TwoBoards", func(t *testing.T) {
		// Each poster alternates between the boards, so that both are
		// written at once and a store that numbers by a shared counter, or
		// locks the wrong row, is caught.
		st := open(t)
		posters, per := load()
		authors := mustAuthors(t, st, 4)
		boards := []*forum.Board{MustCreateBoard(t, st, authors[0], "a"), MustCreateBoard(t, st, authors[1], "b")}
		got := postConcurrently(t, posters, per, func(g, i int) (*forum.Message, error) {
			b := boards[(g+i)%2]
			m := newMessage(b, authors[g%len(authors)], fmt.Sprintf("poster %d post %d", g, i), 0)
			return m, CreateMessage(t.Context(), st, m)
		})
		for _, b := range boards {
			var mine []numbered
			for _, p := range got {
				if p.board == b.ID {
					mine = append(mine, p)
				}
			}
			wantBoardNumbered(t, st, b, mine, int64(posters*per/2))
		}
		wantMessageCounts(t, st, postsByAuthor(authors, posters, per, nil), int64(posters*per))
	})

	t.Run("Replies", func(t *testing.T) {
		// Concurrent replies to the same few messages: every count must
		// add up, none lost to a read-modify-write race.
		st := open(t)
		posters, per := load()
		authors := mustAuthors(t, st, 4)
		b := MustCreateBoard(t, st, authors[0], "threads")
		const parents = 8
		for range parents {
			MustPost(t, st, b, authors[1], "parent", 0)
		}
		got := postConcurrently(t, posters, per, func(g, i int) (*forum.Message, error) {
			parent := int64((g+i)%parents + 1)
			m := newMessage(b, authors[g%len(authors)], fmt.Sprintf("poster %d post %d", g, i), parent)
			err := CreateMessage(t.Context(), st, m)
			if err == nil && m.ReplyToAuthor != authors[1].Name {
				err = fmt.Errorf("reply to %d: ReplyToAuthor %q, want %q", parent, m.ReplyToAuthor, authors[1].Name)
			}
			return m, err
		})
		total := int64(posters * per)
		if got := mustBoard(t, st, b.Slug).LastNumber; got != parents+total {
			t.Fatalf("LastNumber %d, want %d", got, parents+total)
		}
		want := make(map[int64]int64) // parent → replies posted to it
		for g := range posters {
			for i := range per {
				want[int64((g+i)%parents+1)]++
			}
		}
		var sum int64
		for n := int64(1); n <= parents; n++ {
			m := mustMessage(t, st, b, n)
			if m.ReplyCount != want[n] {
				t.Errorf("message %d: ReplyCount %d, want %d", n, m.ReplyCount, want[n])
			}
			// Replies agrees with the counter, page by page.
			listed := numbers(readPages(t, func(from int64) ([]forum.Message, error) {
				return st.Replies(t.Context(), b.ID, n, from, forum.MaxWindow, 0)
			}))
			if int64(len(listed)) != want[n] || !slices.IsSorted(listed) {
				t.Errorf("Replies to %d lists %d messages (sorted: %v), want %d", n, len(listed), slices.IsSorted(listed), want[n])
			}
			sum += int64(len(listed))
		}
		if sum != total {
			t.Errorf("Replies list %d replies in all, want %d", sum, total)
		}
		for n := int64(1); n <= parents; n++ {
			got = append(got, numbered{b.ID, n, "parent"})
		}
		wantBoardNumbered(t, st, b, got, parents+total)
		counts := postsByAuthor(authors, posters, per, nil)
		counts[authors[1]] += parents
		wantMessageCounts(t, st, counts, parents+total)
	})

	t.Run("RefusedAmongMany", func(t *testing.T) {
		// Posts refused for a reply to nothing or an unknown author, made
		// among good ones, fail alone: they take no number and fail no
		// other post, however a store groups its commits.
		st := open(t)
		posters, per := load()
		authors := mustAuthors(t, st, 4)
		b := MustCreateBoard(t, st, authors[0], "mixed")
		MustPost(t, st, b, authors[0], "parent", 0)
		var good []numbered
		var mu sync.Mutex
		var wg sync.WaitGroup
		for g := range posters {
			wg.Go(func() {
				for i := range per {
					refuse := (g+i)%4 == 0
					replyTo := int64(1)
					if refuse {
						replyTo = 1 << 40
					}
					m := newMessage(b, authors[g%len(authors)], fmt.Sprintf("poster %d post %d", g, i), replyTo)
					if refuse && (g+i)%8 == 4 {
						m.ReplyTo, m.AuthorID = 1, 1<<40
					}
					err := CreateMessage(t.Context(), st, m)
					switch {
					case refuse && forum.ErrorCode(err) != forum.CodeInvalid:
						t.Errorf("poster %d post %d: reply to nothing or by nobody: %v, want code invalid", g, i, err)
					case !refuse && err != nil:
						t.Errorf("poster %d post %d: %v", g, i, err)
					case !refuse:
						mu.Lock()
						good = append(good, numbered{m.BoardID, m.Number, m.Body})
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		good = append(good, numbered{b.ID, 1, "parent"})
		wantBoardNumbered(t, st, b, good, int64(len(good)))
		// Refused posts count for nobody, not even an author who exists.
		counts := postsByAuthor(authors, posters, per, func(g, i int) bool { return (g+i)%4 != 0 })
		counts[authors[0]]++ // the parent
		wantMessageCounts(t, st, counts, int64(len(good)))
		if got := mustMessage(t, st, b, 1).ReplyCount; got != int64(len(good)-1) {
			t.Fatalf("parent: ReplyCount %d, want %d: refused replies must not count", got, len(good)-1)
		}
	})
}

func mustAuthors(tb testing.TB, st forum.Store, n int) []*forum.User {
	tb.Helper()
	authors := make([]*forum.User, n)
	for i := range authors {
		authors[i] = MustCreateUser(tb, st, fmt.Sprintf("poster%d", i))
	}
	return authors
}

// postsByAuthor counts the posts that postConcurrently's posters make, and
// that kept (nil: all) accepts, by author: poster g posts as
// authors[g%len(authors)].
func postsByAuthor(authors []*forum.User, posters, per int, kept func(g, i int) bool) map[*forum.User]int64 {
	counts := make(map[*forum.User]int64, len(authors))
	for _, a := range authors {
		counts[a] = 0
	}
	for g := range posters {
		for i := range per {
			if kept == nil || kept(g, i) {
				counts[authors[g%len(authors)]]++
			}
		}
	}
	return counts
}

// postConcurrently runs posters goroutines that each call post per times,
// one call after another, and returns what every call answered. A poster's
// own posts are sequential, so their numbers must increase.
func postConcurrently(t *testing.T, posters, per int, post func(g, i int) (*forum.Message, error)) []numbered {
	t.Helper()
	results := make([][]numbered, posters)
	var wg sync.WaitGroup
	for g := range posters {
		wg.Go(func() {
			last := map[int64]int64{} // board → this poster's last number
			for i := range per {
				m, err := post(g, i)
				if err != nil {
					t.Errorf("poster %d, post %d: %v", g, i, err)
					return
				}
				if m.Number <= last[m.BoardID] {
					t.Errorf("poster %d, post %d: number %d after its own %d on board %d", g, i, m.Number, last[m.BoardID], m.BoardID)
					return
				}
				last[m.BoardID] = m.Number
				results[g] = append(results[g], numbered{m.BoardID, m.Number, m.Body})
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return slices.Concat(results...)
}

// wantBoardNumbered checks that the board holds exactly the messages 1..total
// and that each is the one CreateMessage said it numbered: read back
// through windows, as a reader would page through the board.
func wantBoardNumbered(t *testing.T, st forum.Store, b *forum.Board, got []numbered, total int64) {
	t.Helper()
	bodies := make(map[int64]string, len(got)) // number → body
	for _, p := range got {
		if prev, dup := bodies[p.number]; dup {
			t.Fatalf("board %s: number %d given twice, to %q and %q", b.Slug, p.number, prev, p.body)
		}
		bodies[p.number] = p.body
	}
	if int64(len(bodies)) != total {
		t.Fatalf("board %s: %d numbers given, want %d", b.Slug, len(bodies), total)
	}
	if board := mustBoard(t, st, b.Slug); board.LastNumber != total {
		t.Fatalf("board %s: LastNumber %d, want %d", b.Slug, board.LastNumber, total)
	}
	read := readBoard(t, st, b)
	if ns := numbers(read); !slices.Equal(ns, span(1, total)) {
		t.Fatalf("board %s holds %s, want 1..%d without gaps or duplicates", b.Slug, fmtNumbers(ns), total)
	}
	for _, m := range read {
		if m.Body != bodies[m.Number] {
			t.Fatalf("board %s message %d holds %q, but CreateMessage gave that number to %q", b.Slug, m.Number, m.Body, bodies[m.Number])
		}
	}
}

// watchWindows starts reading the newest window of b over and over, until
// the function it returns is called. Numbers are taken in commit order, so a
// reader may see message n without n+1 but never n+1 without n: every
// window must be consecutive, and the board's count must never go back.
func watchWindows(t *testing.T, st forum.Store, b *forum.Board) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { watch(t, st, b, quit) })
	return sync.OnceFunc(func() {
		close(quit)
		wg.Wait()
	})
}

func watch(t *testing.T, st forum.Store, b *forum.Board, quit <-chan struct{}) {
	var lastSeen int64
	for {
		select {
		case <-quit:
			return
		default:
		}
		board, err := st.BoardBySlug(t.Context(), b.Slug)
		if err != nil {
			t.Errorf("BoardBySlug while posting: %v", err)
			return
		}
		if board.LastNumber < lastSeen {
			t.Errorf("LastNumber went back from %d to %d", lastSeen, board.LastNumber)
			return
		}
		lastSeen = board.LastNumber
		w, err := st.Messages(t.Context(), b.ID, forum.Window{Limit: 50})
		if err != nil {
			t.Errorf("Messages while posting: %v", err)
			return
		}
		ns := numbers(w)
		if len(ns) > 0 && !slices.Equal(ns, span(ns[0], ns[len(ns)-1])) {
			t.Errorf("a window read while posting holds %s: a later number was visible before an earlier one", fmtNumbers(ns))
			return
		}
		if lastSeen > 0 && (len(ns) == 0 || ns[len(ns)-1] < lastSeen) {
			t.Errorf("the newest window holds %s, read after the board counted %d", fmtNumbers(ns), lastSeen)
			return
		}
	}
}
