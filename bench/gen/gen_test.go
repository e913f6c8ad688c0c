package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/store/teststore"
	"parley/internal/transfer"
)

func testConfig(messages int, seed uint64) config {
	return config{
		messages: messages,
		seed:     seed,
		start:    time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC),
		end:      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

func run(t *testing.T, c config) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := generate(&buf, c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	base := testConfig(2000, 1)
	first := run(t, base)
	tests := []struct {
		name string
		c    config
		same bool
	}{
		{"same seed", base, true},
		{"other seed", testConfig(2000, 2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bytes.Equal(run(t, tt.c), first); got != tt.same {
				t.Errorf("output equal to seed 1's: %v, want %v", got, tt.same)
			}
		})
	}
}

// record is any line of the file.
type record struct {
	transfer.Message
	Name      string `json:"name"`
	Role      string `json:"role"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Desc      string `json:"description"`
	CreatedBy string `json:"created_by"`
}

// forumStats is what TestValid learns from a file, for TestShape.
type forumStats struct {
	users      int
	messages   int
	replies    int
	bodyLens   []int
	perBoard   map[string]int
	perAuthor  map[string]int
	boardOrder []string
}

// check reads a whole file, failing t on every rule the importer relies on.
func check(t *testing.T, data []byte) forumStats {
	t.Helper()
	s := forumStats{perBoard: map[string]int{}, perAuthor: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != `{"format":"parley","version":1}` {
		t.Fatalf("first line %q, want the header", sc.Text())
	}
	joined := map[string]time.Time{} // users by name
	folded := map[string]bool{}      // names ignoring case
	var board string                 // the current board
	var last int64                   // its last message number
	var lastAt time.Time             // and time
	var boardAt time.Time
	for line := 2; sc.Scan(); line++ {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		fail := func(format string, a ...any) {
			t.Helper()
			t.Fatalf("line %d: "+format, append([]any{line}, a...)...)
		}
		switch r.Type {
		case transfer.TypeUser:
			if board != "" {
				fail("user after the first board")
			}
			if err := forum.ValidateUserName(r.Name); err != nil {
				fail("%v", err)
			}
			if folded[strings.ToLower(r.Name)] {
				fail("name %q taken", r.Name)
			}
			wantRole := string(forum.RoleMember)
			if s.users == 0 {
				wantRole = string(forum.RoleAdmin)
			}
			if r.Role != wantRole && !(s.users > 0 && r.Role == string(forum.RoleModerator)) {
				fail("user %d is %q", s.users, r.Role)
			}
			joined[r.Name], folded[strings.ToLower(r.Name)] = r.CreatedAt, true
			s.users++
		case transfer.TypeBoard:
			if board != "" && last == 0 {
				fail("board %q is empty", board)
			}
			if r.Slug <= board {
				fail("board %q after %q", r.Slug, board)
			}
			if err := forum.ValidateSlug(r.Slug); err != nil {
				fail("%v", err)
			}
			if got, err := forum.ValidateTitle(r.Title); err != nil || got != r.Title {
				fail("title %q: %v", r.Title, err)
			}
			if got, err := forum.ValidateDescription(r.Desc); err != nil || got != r.Desc {
				fail("description %q: %v", r.Desc, err)
			}
			if at, ok := joined[r.CreatedBy]; !ok || !at.Before(r.CreatedAt) {
				fail("created_by %q is no user or joined later", r.CreatedBy)
			}
			board, last, boardAt = r.Slug, 0, r.CreatedAt
			s.boardOrder = append(s.boardOrder, board)
		case transfer.TypeMessage:
			m := r.Message
			joinedAt, isUser := joined[m.Author]
			switch {
			case m.Board != board:
				fail("message of %q under board %q", m.Board, board)
			case m.Number != last+1:
				fail("message %d after %d", m.Number, last)
			case !isUser || !joinedAt.Before(m.CreatedAt):
				fail("author %q is no user or joined later", m.Author)
			case m.ReplyTo != nil && (*m.ReplyTo < 1 || *m.ReplyTo >= m.Number):
				fail("message %d replies to %d", m.Number, *m.ReplyTo)
			case m.Number == 1 && !boardAt.Before(m.CreatedAt):
				fail("board created %v, first message %v", boardAt, m.CreatedAt)
			case m.Number > 1 && m.CreatedAt.Before(lastAt):
				fail("message at %v after one at %v", m.CreatedAt, lastAt)
			case m.EditedAt != nil && !m.EditedAt.After(m.CreatedAt):
				fail("edited at %v, posted %v", *m.EditedAt, m.CreatedAt)
			case m.Removed != nil && !m.Removed.At.After(m.CreatedAt):
				fail("removed at %v, posted %v", m.Removed.At, m.CreatedAt)
			case m.Removed != nil && m.Removed.By != string(forum.RemovedByAuthor) && m.Removed.By != string(forum.RemovedByModerator):
				fail("removed by %q", m.Removed.By)
			case m.CreatedAt.Location() != time.UTC:
				fail("time %v not in UTC", m.CreatedAt)
			}
			if got, err := forum.ValidateBody(m.Body); err != nil || got != m.Body {
				fail("body %q: %v", m.Body, err)
			}
			if strings.TrimSpace(m.Body) != m.Body {
				fail("body %q not trimmed", m.Body)
			}
			last, lastAt = m.Number, m.CreatedAt
			s.messages++
			s.perBoard[board]++
			s.perAuthor[m.Author]++
			s.bodyLens = append(s.bodyLens, len(m.Body))
			if m.ReplyTo != nil {
				s.replies++
			}
		default:
			fail("type %q", r.Type)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if last == 0 {
		t.Fatalf("board %q is empty", board)
	}
	return s
}

func TestValid(t *testing.T) {
	with := func(c config, authors, boards int) config {
		c.authors, c.boards = authors, boards
		return c
	}
	tests := []struct {
		name          string
		c             config
		users, boards int
	}{
		{"one message", testConfig(1, 1), 10, 1},
		{"two messages", testConfig(2, 1), 10, 2},
		{"one member", with(testConfig(50, 1), 1, 0), 1, 2},
		{"more boards than topics", with(testConfig(300, 3), 3, 70), 3, 70},
		{"5000 messages", testConfig(5000, 7), 250, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := check(t, run(t, tt.c))
			if s.messages != tt.c.messages || s.users != tt.users || len(s.boardOrder) != tt.boards {
				t.Errorf("%d messages, %d users, %d boards; want %d, %d, %d",
					s.messages, s.users, len(s.boardOrder), tt.c.messages, tt.users, tt.boards)
			}
		})
	}
}

func TestShape(t *testing.T) {
	c := testConfig(5000, 1)
	s := check(t, run(t, c))

	replies := float64(s.replies) / float64(s.messages)
	slices.Sort(s.bodyLens)
	median := s.bodyLens[len(s.bodyLens)/2]
	giant := float64(s.perBoard[giantSlug]) / float64(s.messages)
	counts := make([]int, 0, len(s.perAuthor))
	for _, n := range s.perAuthor {
		counts = append(counts, n)
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, n := range counts[:(s.users+99)/100] {
		top += n
	}
	busiest := float64(top) / float64(s.messages)

	tests := []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"reply share", replies, 0.6, 0.8},
		{"median body bytes", float64(median), 400, 800},
		{"giant board's share", giant, 0.8, 1},
		// A fair share would be 1 %.
		{"busiest 1 % of members' share", busiest, 0.08, 1},
	}
	for _, tt := range tests {
		if tt.got < tt.min || tt.got > tt.max {
			t.Errorf("%s = %.3f, want %.2f–%.2f", tt.name, tt.got, tt.min, tt.max)
		}
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"-messages", "1", "-seed", "9", "-authors", "1", "-boards", "1"}, true},
		{[]string{"-start", "2001-02-03", "-end", "2001-02-04"}, true},
		{[]string{"-messages", "0"}, false},
		{[]string{"-messages", "x"}, false},
		{[]string{"-seed", "-1"}, false},
		{[]string{"-authors", "-1"}, false},
		{[]string{"-boards", "3", "-messages", "2"}, false},
		{[]string{"-start", "2015"}, false},
		{[]string{"-start", "2020-01-01", "-end", "2020-01-01"}, false},
		{[]string{"-nope"}, false},
		{[]string{"extra"}, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := parseFlags(tt.args, &stderr)
			if (err == nil) != tt.ok {
				t.Errorf("error %v, want ok %v", err, tt.ok)
			}
			if !tt.ok && stderr.Len() == 0 {
				t.Error("nothing said on stderr")
			}
		})
	}
}

// TestStopsOnWriteError checks that a failing writer ends generation
// (as when the output pipe closes) instead of hanging.
func TestStopsOnWriteError(t *testing.T) {
	if err := generate(&failAfter{n: 1 << 17}, testConfig(5000, 1)); err == nil {
		t.Fatal("no error")
	}
}

// failAfter accepts n bytes, then fails.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, io.ErrShortWrite
	}
	f.n -= len(p)
	return len(p), nil
}

// TestImportExport is the acceptance checks' path: what gen writes,
// imported by Parley and exported again, is the same bytes, on each store.
func TestImportExport(t *testing.T) {
	dump := run(t, testConfig(3000, 7))
	teststore.Each(t, func(t *testing.T, open teststore.Open) {
		st := open(t)
		if _, err := transfer.Import(t.Context(), st, bytes.NewReader(dump), transfer.Options{Render: markup.Render}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := transfer.Export(t.Context(), st, &out, ""); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), dump) {
			t.Fatal("the export of the imported dump differs from the dump")
		}
	})
}
