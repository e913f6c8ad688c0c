package transfer_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/password"
	"parley/internal/store/postgres/pgtest"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/store/storetest"
	"parley/internal/store/teststore"
	"parley/internal/transfer"
)

// render is the stores' test rendering: the HTML says which body it came from.
var render = storetest.Render

// dump is a forum in the canonical form: what Export writes for it, so
// that importing it and exporting again must give these bytes. It holds
// every kind of value: a password hash and none, all roles, replies within
// and across units, removals of both kinds, an edit, Markdown and HTML
// characters, non-ASCII text, microseconds and times that are not whole.
var dump = `{"format":"parley","version":1}
{"type":"user","name":"alice","role":"admin","created_at":"2007-08-10T13:42:12.123456Z","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"}
{"type":"user","name":"Bob","role":"member","created_at":"2007-08-10T13:50:00Z"}
{"type":"user","name":"mod.erator","role":"moderator","created_at":"2007-08-11T00:00:00.5Z"}
{"type":"user","name":"lurker","role":"member","created_at":"2008-01-01T00:00:00Z"}
{"type":"board","slug":"intc","title":"Intel Corporation (INTC)","description":"Chips & <b>fabs</b>.\nSecond line.","created_at":"2007-08-10T14:00:00Z","created_by":"alice"}
{"type":"message","board":"intc","number":1,"author":"alice","created_at":"2007-08-10T14:01:00.000001Z","reply_to":null,"removed":null,"edited_at":null,"body":"First post. *Emphasis*, <script>alert(1)</script> & \"quotes\"."}
{"type":"message","board":"intc","number":2,"author":"Bob","created_at":"2007-08-10T14:02:00Z","reply_to":1,"removed":null,"edited_at":"2007-08-10T15:00:00Z","body":"> First post.\n\nAgreed — naïve café ☕.\n\n- one\n- two"}
{"type":"message","board":"intc","number":3,"author":"mod.erator","created_at":"2007-08-10T14:03:00Z","reply_to":1,"removed":{"by":"moderator","at":"2007-08-10T16:00:00Z"},"edited_at":null,"body":"spam"}
{"type":"message","board":"intc","number":4,"author":"Bob","created_at":"2007-08-10T14:04:00Z","reply_to":2,"removed":{"by":"author","at":"2007-08-12T00:00:00.25Z"},"edited_at":null,"body":"oops\ttab"}
{"type":"message","board":"intc","number":5,"author":"alice","created_at":"2007-08-10T14:04:00Z","reply_to":null,"removed":null,"edited_at":null,"body":"[a link](https://example.org/?a=1&b=2)"}
{"type":"board","slug":"si","title":"Silicon","description":"","created_at":"2007-08-09T00:00:00Z","created_by":"Bob"}
{"type":"message","board":"si","number":1,"author":"Bob","created_at":"2007-08-10T14:05:00Z","reply_to":null,"removed":null,"edited_at":null,"body":"Another board."}
{"type":"message","board":"si","number":2,"author":"alice","created_at":"2007-08-10T14:06:00Z","reply_to":1,"removed":null,"edited_at":null,"body":"Reply."}
{"type":"board","slug":"zz-empty","title":"Nothing yet","description":"","created_at":"2009-01-01T00:00:00Z","created_by":"mod.erator"}
`

func mustImport(tb testing.TB, st forum.Store, in string, opt transfer.Options) transfer.Summary {
	tb.Helper()
	if opt.Render == nil {
		opt.Render = render
	}
	sum, err := transfer.Import(tb.Context(), st, strings.NewReader(in), opt)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return sum
}

func mustExport(tb testing.TB, st forum.Store, board string) string {
	tb.Helper()
	var out bytes.Buffer
	if err := transfer.Export(tb.Context(), st, &out, board); err != nil {
		tb.Fatalf("export: %v", err)
	}
	return out.String()
}

// wantSame fails with the first line where got and want differ.
func wantSame(tb testing.TB, what, got, want string) {
	tb.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			tb.Fatalf("%s differs at line %d:\n got %s\nwant %s", what, i+1, gl, wl)
		}
	}
}

// TestRoundTrip: export → import → export gives the same bytes on each
// store, the import keeps what readers see (numbers, authors, replies and
// their counts, removals, counters), and a second import into a fresh store
// gives the same bytes again.
func TestRoundTrip(t *testing.T) {
	teststore.Each(t, func(t *testing.T, open teststore.Open) {
		st := open(t)
		sum := mustImport(t, st, dump, transfer.Options{})
		if want := (transfer.Summary{Users: 4, Boards: 3, Messages: 7}); sum != want {
			t.Errorf("summary %+v; want %+v", sum, want)
		}
		first := mustExport(t, st, "")
		wantSame(t, "export of the imported dump", first, dump)

		again := open(t)
		mustImport(t, again, first, transfer.Options{})
		wantSame(t, "export of a second import", mustExport(t, again, ""), dump)

		ctx := t.Context()
		b, err := st.BoardBySlug(ctx, "intc")
		if err != nil {
			t.Fatal(err)
		}
		if b.LastNumber != 5 || b.Creator != "alice" || !b.LastPostedAt.Equal(mustTime(t, "2007-08-10T14:04:00Z")) {
			t.Errorf("board intc: last number %d, creator %s, last posted %v; want 5, alice, 14:04", b.LastNumber, b.Creator, b.LastPostedAt)
		}
		msgs, err := st.Messages(ctx, b.ID, forum.Window{From: 1, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range msgs {
			got = append(got, fmt.Sprintf("%d by %s to %d (%s) replies %d removed %q html %q",
				m.Number, m.Author, m.ReplyTo, m.ReplyToAuthor, m.ReplyCount, m.Removed, m.HTML))
		}
		wantLines(t, got,
			`1 by alice to 0 () replies 2 removed "" html "<p>First post. *Emphasis*, &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;.</p>"`,
			`2 by Bob to 1 (alice) replies 1 removed "" html "<p>&gt; First post.\n\nAgreed — naïve café ☕.\n\n- one\n- two</p>"`,
			`3 by mod.erator to 1 (alice) replies 0 removed "moderator" html "<p>spam</p>"`,
			`4 by Bob to 2 (Bob) replies 0 removed "author" html "<p>oops\ttab</p>"`,
			`5 by alice to 0 () replies 0 removed "" html "<p>[a link](https://example.org/?a=1&amp;b=2)</p>"`,
		)
		for name, want := range map[string]int64{"alice": 3, "Bob": 3, "mod.erator": 1, "lurker": 0} {
			if got := mustUser(t, st, name).MessageCount; got != want {
				t.Errorf("%s: %d messages; want %d", name, got, want)
			}
		}
		// The profile pages by ID: imported messages keep number order.
		mine, err := st.MessagesByAuthor(ctx, mustUser(t, st, "alice").ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, m := range mine {
			order = append(order, fmt.Sprintf("%s %d", m.Board, m.Number))
		}
		wantLines(t, order, "si 2", "intc 5", "intc 1")
	})
}

// TestRoundTripAcrossStores: a forum exported from SQLite and imported into
// PostgreSQL exports the same bytes, and so does the way back.
func TestRoundTripAcrossStores(t *testing.T) {
	teststore.Each(t, func(t *testing.T, open teststore.Open) {
		lite := sqlitetest.Open(t)
		mustImport(t, lite, dump, transfer.Options{})
		other := open(t)
		mustImport(t, other, mustExport(t, lite, ""), transfer.Options{})
		wantSame(t, "export after moving stores", mustExport(t, other, ""), dump)
		back := sqlitetest.Open(t)
		mustImport(t, back, mustExport(t, other, ""), transfer.Options{})
		wantSame(t, "export after moving back", mustExport(t, back, ""), dump)
	})
}

// TestRoundTripOfPosts: a forum made the ordinary way — registration,
// posting through the group committer, removal — survives export → import
// → export byte for byte, with its times of the clock's precision.
func TestRoundTripOfPosts(t *testing.T) {
	teststore.Each(t, func(t *testing.T, open teststore.Open) {
		st := open(t)
		ctx := t.Context()
		svc, err := forum.NewService(st, forum.Config{Render: render, Password: password.Fast})
		if err != nil {
			t.Fatal(err)
		}
		ann, err := svc.AddUser(ctx, "ann", "password-of-ann", forum.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		ben, err := svc.AddUser(ctx, "ben", "password-of-ben", forum.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateBoard(ctx, ann, forum.NewBoard{Slug: "talk", Title: "Talk"}); err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			who, in := ann, forum.NewMessage{Body: fmt.Sprintf("message %d", i+1)}
			if i%3 == 1 {
				who, in.ReplyTo = ben, int64(i)
			}
			if _, err := svc.Post(ctx, who, "talk", in); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.Remove(ctx, ben, "talk", 2); err != nil {
			t.Fatal(err)
		}
		first := mustExport(t, st, "")
		other := open(t)
		mustImport(t, other, first, transfer.Options{})
		wantSame(t, "export of the import of posts", mustExport(t, other, ""), first)
	})
}

// TestExportBoard: --board writes that board and only the members who
// opened it or wrote in it; importing it elsewhere gives the same bytes.
func TestExportBoard(t *testing.T) {
	st := sqlitetest.Open(t)
	mustImport(t, st, dump, transfer.Options{})
	got := mustExport(t, st, "si")
	want := `{"format":"parley","version":1}
{"type":"user","name":"alice","role":"admin","created_at":"2007-08-10T13:42:12.123456Z","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"}
{"type":"user","name":"Bob","role":"member","created_at":"2007-08-10T13:50:00Z"}
{"type":"board","slug":"si","title":"Silicon","description":"","created_at":"2007-08-09T00:00:00Z","created_by":"Bob"}
{"type":"message","board":"si","number":1,"author":"Bob","created_at":"2007-08-10T14:05:00Z","reply_to":null,"removed":null,"edited_at":null,"body":"Another board."}
{"type":"message","board":"si","number":2,"author":"alice","created_at":"2007-08-10T14:06:00Z","reply_to":1,"removed":null,"edited_at":null,"body":"Reply."}
`
	wantSame(t, "export of board si", got, want)
	other := sqlitetest.Open(t)
	mustImport(t, other, got, transfer.Options{})
	wantSame(t, "export of the imported board", mustExport(t, other, ""), want)

	storetest.WantCode(t, transfer.Export(t.Context(), st, &bytes.Buffer{}, "nope"), forum.CodeNotFound)
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func mustUser(tb testing.TB, st forum.Store, name string) *forum.User {
	tb.Helper()
	u, err := st.UserByName(tb.Context(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func wantLines(tb testing.TB, got []string, want ...string) {
	tb.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		tb.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

const (
	head   = `{"format":"parley","version":1}`
	ann    = `{"type":"user","name":"ann","role":"member","created_at":"2020-01-01T00:00:00Z"}`
	boardA = `{"type":"board","slug":"a","title":"A","description":"","created_at":"2020-01-01T00:00:00Z","created_by":"ann"}`
	boardB = `{"type":"board","slug":"b","title":"B","description":"","created_at":"2020-01-01T00:00:00Z","created_by":"ann"}`
)

// msg is a message record of board on number n answering replyTo (0: none).
func msg(board string, n, replyTo int64) string {
	reply := "null"
	if replyTo != 0 {
		reply = fmt.Sprint(replyTo)
	}
	return fmt.Sprintf(`{"type":"message","board":%q,"number":%d,"author":"ann","created_at":"2020-01-02T00:00:00Z","reply_to":%s,"removed":null,"edited_at":null,"body":"m%d"}`,
		board, n, reply, n)
}

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// TestImportRefuses: each kind of bad file is refused with the number of
// the bad line and a sentence saying what is wrong, and nothing of the
// board holding it is stored.
func TestImportRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string // the whole error
	}{
		{"Empty", "", "line 1: the file is empty: not a Parley export"},
		{"NotAnExport", lines(ann), `line 1: not a Parley export: the first line must be {"format":"parley","version":1}`},
		{"Version", lines(`{"format":"parley","version":2}`), "line 1: export format version 2 is not supported: this Parley reads version 1"},
		{"BadJSON", lines(head, ann, boardA, msg("a", 1, 0), `{"type":"message","board":"a",`),
			"line 5: not a JSON record: unexpected end of JSON input"},
		{"TwoValues", lines(head, ann+ann), "line 2: not a JSON record: invalid character '{' after top-level value"},
		{"EmptyLine", lines(head, "", ann), "line 2: the line is empty; each line holds one record"},
		{"UnknownType", lines(head, `{"type":"poll","name":"x"}`), `line 2: unknown record type "poll" (known: user, board, message)`},
		{"NoType", lines(head, `{"name":"x"}`), `line 2: the record has no "type"`},
		{"UnknownField", lines(head, `{"type":"user","name":"x","role":"member","created_at":"2020-01-01T00:00:00Z","karma":5}`),
			`line 2: not a JSON record: json: unknown field "karma"`},
		{"BadName", lines(head, `{"type":"user","name":"a b","role":"member","created_at":"2020-01-01T00:00:00Z"}`),
			"line 2: user: name may hold only letters a–z, digits, '_', '-' and '.'"},
		{"BadRole", lines(head, `{"type":"user","name":"x","role":"king","created_at":"2020-01-01T00:00:00Z"}`),
			`line 2: user x: role "king" is not member, moderator or admin`},
		{"BadHash", lines(head, `{"type":"user","name":"x","role":"member","created_at":"2020-01-01T00:00:00Z","password_hash":"$2a$10$bcrypt"}`),
			"line 2: user x: password_hash is not an argon2id PHC string"},
		{"UserTwice", lines(head, ann, strings.Replace(ann, "ann", "ANN", 1)),
			"line 3: user ANN was created on line 2 already: a user's record comes once, before what names them"},
		{"NoTime", lines(head, `{"type":"user","name":"x","role":"member"}`), "line 2: user x: created_at is required"},
		{"MissingBoard", lines(head, ann, msg("a", 1, 0)), "line 3: message 1: board a has no board record before it"},
		{"DuplicateNumber", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 0), msg("a", 2, 0)),
			"line 6: board a has message 2 twice"},
		{"Gap", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 3, 0)),
			"line 5: board a: message 3 follows message 1: numbers go up by one"},
		{"FirstNotOne", lines(head, ann, boardA, msg("a", 2, 0)),
			"line 4: board a: its first message is 2, where 1 was expected: numbers go up by one"},
		{"ReplyToMissing", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 0), msg("a", 3, 7)),
			"line 6: message 3 of board a: reply_to 7 is not an earlier message"},
		{"ReplyToSelf", lines(head, ann, boardA, msg("a", 1, 1)),
			"line 4: message 1 of board a: reply_to 1 is not an earlier message"},
		{"BadRemoval", lines(head, ann, boardA, strings.Replace(msg("a", 1, 0), `"removed":null`, `"removed":{"by":"admin","at":"2020-01-03T00:00:00Z"}`, 1)),
			`line 4: message 1 of board a: removed.by "admin" is not author or moderator`},
		{"EmptyBody", lines(head, ann, boardA, strings.Replace(msg("a", 1, 0), `"body":"m1"`, `"body":" \n "`, 1)),
			"line 4: message 1 of board a: body is required"},
		{"ControlCharacter", lines(head, ann, boardA, strings.Replace(msg("a", 1, 0), `"body":"m1"`, `"body":"a\u0007b"`, 1)),
			"line 4: message 1 of board a: body must not contain control characters"},
		{"BadTime", lines(head, ann, boardA, strings.Replace(msg("a", 1, 0), `2020-01-02T00:00:00Z`, `yesterday`, 1)),
			`line 4: not a JSON record: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"`},
		// After a bad line, later lines are checked as far as they can be
		// without it: a gap may be the bad line's doing, a step back not.
		{"CutShort", lines(head, ann, boardA, msg("a", 1, 0)) + msg("a", 2, 1),
			"line 5: the last line does not end with a newline: the file is cut short"},
		{"NotUTF8", lines(head, ann, boardA, strings.Replace(msg("a", 1, 0), "m1", "m\xff1", 1)),
			"line 4: the line is not valid UTF-8"},
		{"FieldOfAnotherType", lines(head, ann, boardA, strings.Replace(msg("a", 1, 0), `"body"`, `"title":"x","body"`, 1)),
			`line 4: not a JSON record: json: unknown field "title"`},
		{"HugeNumberAfterBadLine", lines(head, ann, boardA, msg("a", 1, 0), `{"type":"x"}`, msg("a", 1<<62, 0), msg("a", 1<<62+1, 1<<61)),
			`line 5: unknown record type "x" (known: user, board, message)`},
		{"SeveralLines", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 1, 0), `{"type":"x"}`, msg("a", 5, 0), msg("a", 4, 9)), strings.Join([]string{
			"line 5: board a has message 1 twice",
			`line 6: unknown record type "x" (known: user, board, message)`,
			"line 8: board a: message 4 follows message 5: numbers go up by one",
		}, "\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := sqlitetest.Open(t)
			_, err := transfer.Import(t.Context(), st, strings.NewReader(tc.in), transfer.Options{Render: render})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("import:\n got %v\nwant %s", err, tc.want)
			}
			var le *transfer.LineError
			if !errors.As(err, &le) {
				t.Errorf("%T is no *LineError", err)
			}
			wantSame(t, "what a refused import stored", mustExport(t, st, ""), lines(head))
		})
	}
}

// TestImportPerBoard: the boards before a bad line are stored whole; the
// board holding it and everything after are not; at most MaxErrors lines
// are reported.
func TestImportPerBoard(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		maxErrors      int
	}{
		{"Duplicates", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1), boardB, msg("b", 1, 0), msg("b", 1, 0), msg("b", 1, 0), msg("b", 1, 0)),
			"line 8: board b has message 1 twice\nline 9: board b has message 1 twice", 2},
		{"AfterOtherBoard", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1), boardB, msg("a", 3, 0)),
			"line 7: message 3 of board a: a board's messages must follow its record (line 3) with no other board between", 0},
		{"BoardTwice", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1), boardA, msg("a", 1, 0)),
			"line 6: board a appears twice (first on line 3)", 0},
		{"UndecodableBoardRecord", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1), strings.Replace(boardB, `"title"`, `"titel"`, 1),
			msg("b", 1, 0), msg("b", 2, 1)),
			`line 6: not a JSON record: json: unknown field "titel"`, 0},
		{"BadSlug", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1), strings.Replace(boardB, `"slug":"b"`, `"slug":"B!"`, 1),
			msg("B!", 1, 0), msg("B!", 2, 1)),
			"line 6: board: slug may hold only a–z, 0–9 and '-'", 0},
		// A user record between boards ends the board before it.
		{"BadUserBetweenBoards", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1), strings.Replace(ann, `"ann"`, `"a n"`, 1), boardB),
			"line 6: user: name may hold only letters a–z, digits, '_', '-' and '.'", 0},
		// A bad board record does not undo the board before it, and its
		// messages are checked without being blamed for it.
		{"BadBoardRecord", lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1), strings.Replace(boardB, `"title":"B"`, `"title":" "`, 1),
			msg("b", 1, 0), msg("b", 2, 1)),
			"line 6: board b: title is required", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := sqlitetest.Open(t)
			sum, err := transfer.Import(t.Context(), st, strings.NewReader(tc.in), transfer.Options{Render: render, MaxErrors: tc.maxErrors})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("import: %v; want\n%s", err, tc.want)
			}
			if want := (transfer.Summary{Users: 1, Boards: 1, Messages: 2}); sum != want {
				t.Errorf("summary %+v; want %+v", sum, want)
			}
			wantSame(t, "what was stored", mustExport(t, st, ""), lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1)))
		})
	}
}

// TestImportExisting: an import never overwrites. Messages a board has
// already are refused, naming board and number, unless skipped; members
// who exist keep their accounts; a board can be continued from the next
// number, its replies reaching stored messages.
func TestImportExisting(t *testing.T) {
	st := sqlitetest.Open(t)
	mustImport(t, st, lines(head, ann, boardA, msg("a", 1, 0), msg("a", 2, 1)), transfer.Options{})

	_, err := transfer.Import(t.Context(), st, strings.NewReader(lines(head, boardA, msg("a", 1, 0))),
		transfer.Options{Render: render})
	want := "line 3: board a has a message 1 already; it is not overwritten (--skip-existing leaves stored messages as they are and imports the rest)"
	if err == nil || err.Error() != want {
		t.Fatalf("import over stored messages: %v; want %s", err, want)
	}

	rival := `{"type":"user","name":"ANN","role":"admin","created_at":"2021-01-01T00:00:00Z","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$a2V5"}`
	sum := mustImport(t, st, lines(head, rival, boardA, msg("a", 1, 0), msg("a", 2, 0), msg("a", 3, 2), msg("a", 4, 1)),
		transfer.Options{SkipExisting: true})
	if want := (transfer.Summary{Messages: 2, UsersKept: 1, Skipped: 2}); sum != want {
		t.Errorf("summary %+v; want %+v", sum, want)
	}
	if u := mustUser(t, st, "ann"); u.Role != forum.RoleMember || u.PasswordHash != "" || u.MessageCount != 4 {
		t.Errorf("ann after the import: role %s, hash %q, %d messages; want member, none, 4", u.Role, u.PasswordHash, u.MessageCount)
	}
	b, err := st.BoardBySlug(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := st.Messages(t.Context(), b.ID, forum.Window{From: 1, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, fmt.Sprintf("%d to %d: %d replies", m.Number, m.ReplyTo, m.ReplyCount))
	}
	wantLines(t, got, "1 to 0: 2 replies", "2 to 1: 1 replies", "3 to 2: 0 replies", "4 to 1: 0 replies")
	if b.LastNumber != 4 {
		t.Errorf("last number %d; want 4", b.LastNumber)
	}
}

// TestImportCreatesAuthors: a member named only by a message or a board is
// created, without a password, at the time of what names them.
func TestImportCreatesAuthors(t *testing.T) {
	st := sqlitetest.Open(t)
	in := lines(head, strings.Replace(boardA, `"created_by":"ann"`, `"created_by":"founder"`, 1), msg("a", 1, 0))
	if sum := mustImport(t, st, in, transfer.Options{}); sum.Users != 2 {
		t.Errorf("created %d users; want 2", sum.Users)
	}
	for name, created := range map[string]string{"founder": "2020-01-01T00:00:00Z", "ann": "2020-01-02T00:00:00Z"} {
		u := mustUser(t, st, name)
		if u.PasswordHash != "" || u.Role != forum.RoleMember || !u.CreatedAt.Equal(mustTime(t, created)) {
			t.Errorf("%s: hash %q, role %s, created %v; want none, member, %s", name, u.PasswordHash, u.Role, u.CreatedAt, created)
		}
	}
}

// TestImportStopsWriting: at the first bad line the writer lets go of the
// database, so that checking the rest of the file — here a reply to a
// message stored before, in a board the import continues — never waits
// for locks of the load being rolled back. On PostgreSQL a large new board
// drops the secondary indexes, which locks the messages table.
func TestImportStopsWriting(t *testing.T) {
	pgtest.Require(t)
	st := pgtest.Open(t)
	mustImport(t, st, lines(head, ann, boardA, msg("a", 1, 0)), transfer.Options{})
	var in strings.Builder
	in.WriteString(lines(head, boardB))
	const n = 60_000 // past the size at which a load builds indexes after the rows, with what it holds back
	for i := int64(1); i <= n; i++ {
		in.WriteString(msg("b", i, i/2) + "\n")
	}
	in.WriteString(lines(msg("b", n, 0), boardA, msg("a", 2, 1)))
	_, err := transfer.Import(t.Context(), st, strings.NewReader(in.String()), transfer.Options{Render: render})
	if want := fmt.Sprintf("line %d: board b has message %d twice", n+3, n); err == nil || err.Error() != want {
		t.Fatalf("import: %v; want %s", err, want)
	}
	wantSame(t, "what was stored", mustExport(t, st, ""), lines(head, ann, boardA, msg("a", 1, 0)))
}

// TestImportOlderTexts: texts that posting accepted before it required a
// visible character and refused bidirectional controls still import, and
// export as they were.
func TestImportOlderTexts(t *testing.T) {
	st := sqlitetest.Open(t)
	board := strings.Replace(boardA, `"title":"A","description":""`, `"title":"A\u202eB","description":"\u2067x\u2069"`, 1)
	body := strings.Replace(msg("a", 1, 0), `"body":"m1"`, `"body":"\u200b\u3164"`, 1)
	in := lines(head, ann, board, body)
	mustImport(t, st, in, transfer.Options{})
	out := mustExport(t, st, "")
	for _, want := range []string{"A\u202eB", "\u2067x\u2069", "\u200b\u3164"} {
		if !strings.Contains(out, want) {
			t.Errorf("the export lost %q:\n%s", want, out)
		}
	}
}
