// Package storetest is the conformance suite that every forum.Store passes.
// It holds the invariants of DESIGN.md that a store alone must keep —
// numbering without gaps under concurrency, removal without renumbering,
// counters kept with the messages, windows by number — so that SQLite and
// PostgreSQL are proven by one set of tests rather than two that drift.
//
// A store's own test calls Run with a function that opens a new, empty,
// migrated store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) forum.Store {
//			st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"), sqlite.Options{})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { st.Close() })
//			return st
//		})
//	}
//
// The suite assumes nothing of the backend beyond the forum.Store contract
// and one fact every store shares: times are kept to the microsecond and
// read back in UTC.
package storetest

import (
	"context"
	"fmt"
	"html"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/forum"
)

// Run runs the conformance suite. open returns a new, empty, migrated store
// for one subtest; the suite closes nothing (open should register cleanup
// with t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) forum.Store) {
	// By aggregate, as forum.Store is drawn.
	t.Run("Accounts", func(t *testing.T) {
		t.Run("Users", func(t *testing.T) { testUsers(t, open) })
		t.Run("Tokens", func(t *testing.T) { testTokens(t, open) })
		t.Run("SetPassword", func(t *testing.T) { testSetPassword(t, open) })
		t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
		t.Run("Secrets", func(t *testing.T) { testSecrets(t, open) })
		t.Run("MessageCount", func(t *testing.T) { testMessageCount(t, open) })
	})
	t.Run("Boards", func(t *testing.T) { testBoards(t, open) })
	t.Run("Messages", func(t *testing.T) {
		t.Run("Post", func(t *testing.T) { testMessages(t, open) })
		t.Run("Windows", func(t *testing.T) { testWindows(t, open) })
		t.Run("Replies", func(t *testing.T) { testReplies(t, open) })
		t.Run("TextBound", func(t *testing.T) { testTextBound(t, open) })
		t.Run("RemoveMessage", func(t *testing.T) { testRemoveMessage(t, open) })
		t.Run("Ordering", func(t *testing.T) { testOrdering(t, open) })
		t.Run("MessagesByAuthor", func(t *testing.T) { testMessagesByAuthor(t, open) })
		t.Run("ThreadRoot", func(t *testing.T) { testThreadRoot(t, open) })
		t.Run("Thread", func(t *testing.T) { testThread(t, open) })
	})
	t.Run("Search", func(t *testing.T) {
		t.Run("Find", func(t *testing.T) { testSearch(t, open) })
		t.Run("Timeout", func(t *testing.T) { testSearchTimeout(t, open) })
	})
	t.Run("Tx", func(t *testing.T) {
		t.Run("AllOrNone", func(t *testing.T) { testAllOrNone(t, open) })
		t.Run("Relay", func(t *testing.T) { testRelay(t, open) })
		t.Run("Throttle", func(t *testing.T) { testThrottle(t, open) })
		t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	})
	t.Run("Load", func(t *testing.T) { testLoad(t, open) })
	t.Run("Service", func(t *testing.T) { testService(t, open) })
}

// epoch is the first time the suite hands out: the moment of the message in
// DESIGN.md, with microseconds so that a store dropping them is caught.
var epoch = time.Date(2007, 8, 10, 13, 42, 12, 123456000, time.UTC)

var ticks atomic.Int64

// Tick returns a fixed UTC time at microsecond precision, later than every
// time it returned before, so that posts made one after another have
// increasing times.
func Tick() time.Time {
	return epoch.Add(time.Duration(ticks.Add(1)) * (time.Second + time.Microsecond))
}

// Render stands in for Markdown rendering: the suite checks that the HTML
// given is the HTML kept, not what it looks like.
func Render(body string) string { return "<p>" + html.EscapeString(body) + "</p>" }

// MustCreateUser stores a member named name with a password hash.
func MustCreateUser(tb testing.TB, st forum.Store, name string) *forum.User {
	tb.Helper()
	u := &forum.User{
		Name:         name,
		Role:         forum.RoleMember,
		PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		CreatedAt:    Tick(),
	}
	if err := st.CreateUser(tb.Context(), u); err != nil {
		tb.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

// MustCreateBoard stores a board opened by creator.
func MustCreateBoard(tb testing.TB, st forum.Store, creator *forum.User, slug string) *forum.Board {
	tb.Helper()
	b := &forum.Board{
		Slug:        slug,
		Title:       "Board " + slug,
		Description: "About " + slug + ".",
		CreatedAt:   Tick(),
		CreatorID:   creator.ID,
		Creator:     creator.Name,
	}
	if err := st.CreateBoard(tb.Context(), b); err != nil {
		tb.Fatalf("CreateBoard(%q): %v", slug, err)
	}
	return b
}

// MustPost stores a message as the Service would: body, rendered HTML and a
// time from Tick. replyTo 0 answers no message.
func MustPost(tb testing.TB, st forum.Store, board *forum.Board, author *forum.User, body string, replyTo int64) *forum.Message {
	tb.Helper()
	m := newMessage(board, author, body, replyTo)
	if err := CreateMessage(tb.Context(), st, m); err != nil {
		tb.Fatalf("CreateMessage(%s, reply to %d): %v", board.Slug, replyTo, err)
	}
	return m
}

func newMessage(board *forum.Board, author *forum.User, body string, replyTo int64) *forum.Message {
	m := &forum.Message{
		BoardID:   board.ID,
		Board:     board.Slug,
		AuthorID:  author.ID,
		Author:    author.Name,
		CreatedAt: Tick(),
		Body:      body,
		ReplyTo:   replyTo,
	}
	forum.Derive(Render, m)
	return m
}

// mustBoard reads a board back, for its counters.
func mustBoard(tb testing.TB, st forum.Store, slug string) *forum.Board {
	tb.Helper()
	b, err := st.BoardBySlug(tb.Context(), slug)
	if err != nil {
		tb.Fatalf("BoardBySlug(%q): %v", slug, err)
	}
	return b
}

func mustMessage(tb testing.TB, st forum.Store, board *forum.Board, n int64) *forum.Message {
	tb.Helper()
	m, err := st.Message(tb.Context(), board.ID, n)
	if err != nil {
		tb.Fatalf("Message(%s, %d): %v", board.Slug, n, err)
	}
	return m
}

// WantCode fails unless err has code.
func WantCode(tb testing.TB, err error, code forum.Code) {
	tb.Helper()
	if got := forum.ErrorCode(err); got != code {
		tb.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// sameTime reports whether got is the instant want, in UTC: stores keep
// microseconds and answer in UTC, so a time comes back exactly as given.
func sameTime(got, want time.Time) bool {
	return got.Equal(want) && got.Location() == time.UTC
}

// diff lists the fields in which got and want, domain structs, differ.
// Every field counts but the search terms given to a store, so a field added to a domain type is checked the day
// it is added; times must be the same instant, in UTC.
func diff[T forum.User | forum.Token | forum.Board | forum.Message](got, want *T) []string {
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	var d []string
	for i := range gv.NumField() {
		field := gv.Type().Field(i).Name
		if field == "Terms" {
			continue // Message.Terms is given to the store to index, never read back
		}
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if gt, ok := g.(time.Time); ok {
			if !sameTime(gt, w.(time.Time)) {
				d = append(d, fmt.Sprintf("%s %v (%v), want %v", field, gt, gt.Location(), w))
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			d = append(d, fmt.Sprintf("%s %#v, want %#v", field, g, w))
		}
	}
	return d
}

// wantMessage fails unless got holds every field of want.
func wantMessage(tb testing.TB, got, want *forum.Message) {
	tb.Helper()
	if d := diff(got, want); len(d) > 0 {
		tb.Fatalf("message %s/%d differs:\n\t%s", want.Board, want.Number, strings.Join(d, "\n\t"))
	}
}

func wantBoard(tb testing.TB, got, want *forum.Board) {
	tb.Helper()
	if d := diff(got, want); len(d) > 0 {
		tb.Fatalf("board %s differs:\n\t%s", want.Slug, strings.Join(d, "\n\t"))
	}
}

func wantUser(tb testing.TB, got, want *forum.User) {
	tb.Helper()
	if d := diff(got, want); len(d) > 0 {
		tb.Fatalf("user %s differs:\n\t%s", want.Name, strings.Join(d, "\n\t"))
	}
}

// readBoard reads every message of b through windows, as a reader paging
// through the board by Next would.
func readBoard(tb testing.TB, st forum.Store, b *forum.Board) []forum.Message {
	tb.Helper()
	return readPages(tb, func(from int64) ([]forum.Message, error) {
		return st.Messages(tb.Context(), b.ID, forum.Window{From: from, Limit: forum.MaxWindow})
	})
}

// readPages calls page with from = 1, then with the number after the last
// message each call returned, until one returns nothing. A page that starts
// before from fails the test rather than loop for ever.
func readPages(tb testing.TB, page func(from int64) ([]forum.Message, error)) []forum.Message {
	tb.Helper()
	var all []forum.Message
	for from := int64(1); ; {
		msgs, err := page(from)
		if err != nil {
			tb.Fatalf("page from %d: %v", from, err)
		}
		if len(msgs) == 0 {
			return all
		}
		if first := msgs[0].Number; first < from {
			tb.Fatalf("page from %d starts at %d", from, first)
		}
		all = append(all, msgs...)
		from = msgs[len(msgs)-1].Number + 1
	}
}

// numbers returns the numbers of msgs in the order given.
func numbers(msgs []forum.Message) []int64 {
	ns := make([]int64, len(msgs))
	for i, m := range msgs {
		ns[i] = m.Number
	}
	return ns
}

// span returns the numbers first..last, or nil when first > last.
func span(first, last int64) []int64 {
	var ns []int64
	for n := first; n <= last; n++ {
		ns = append(ns, n)
	}
	return ns
}

// fmtNumbers shows a list of numbers briefly: runs of consecutive numbers
// as first..last, so that a wrong window of 3,200 reads in one line.
func fmtNumbers(ns []int64) string {
	if len(ns) == 0 {
		return "[]"
	}
	s := "["
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if i > 0 {
			s += " "
		}
		if j > i {
			s += fmt.Sprintf("%d..%d", ns[i], ns[j])
		} else {
			s += fmt.Sprint(ns[i])
		}
		i = j + 1
	}
	return s + "]"
}

// CreateMessage stores m in a transaction of its own, as posting does.
func CreateMessage(ctx context.Context, st forum.Store, m *forum.Message) error {
	return st.InTx(ctx, func(tx forum.Tx) error { tx.CreateMessage(m); return nil })
}

// removeMessage removes a message in a transaction of its own.
func removeMessage(ctx context.Context, st forum.Store, boardID, number int64, how forum.Removal, at time.Time) error {
	return st.InTx(ctx, func(tx forum.Tx) error { tx.RemoveMessage(boardID, number, how, at); return nil })
}

// throttle runs decide on the buckets in a transaction of its own.
func throttle(ctx context.Context, st forum.Store, now time.Time, keys []string, decide func([]time.Time) bool) error {
	return st.InTx(ctx, func(tx forum.Tx) error { tx.Throttle(now, keys, decide); return nil })
}
