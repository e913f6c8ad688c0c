package main_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/store/postgres/pgtest"
)

// forumDump is a small forum in the export format, as `parley export`
// writes it.
const forumDump = `{"format":"parley","version":1}
{"type":"user","name":"ann","role":"admin","created_at":"2007-08-10T13:42:12.5Z"}
{"type":"user","name":"ben","role":"member","created_at":"2007-08-10T13:50:00Z"}
{"type":"board","slug":"intc","title":"Intel","description":"Chips.","created_at":"2007-08-10T14:00:00Z","created_by":"ann"}
{"type":"message","board":"intc","number":1,"author":"ann","created_at":"2007-08-10T14:01:00Z","reply_to":null,"removed":null,"edited_at":null,"body":"First <b>post</b> & more."}
{"type":"message","board":"intc","number":2,"author":"ben","created_at":"2007-08-10T14:02:00Z","reply_to":1,"removed":null,"edited_at":null,"body":"> First\n\nReply."}
{"type":"message","board":"intc","number":3,"author":"ben","created_at":"2007-08-10T14:03:00Z","reply_to":2,"removed":{"by":"author","at":"2007-08-10T15:00:00Z"},"edited_at":null,"body":"gone"}
`

// TestImportExport is the path of the acceptance checks: import a file,
// export it again byte for byte, from a file and from stdin, into SQLite
// and PostgreSQL; an import never overwrites and says why.
func TestImportExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump.jsonl")
	if err := os.WriteFile(dump, []byte(forumDump), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, db := range map[string]func(testing.TB) string{
		"sqlite":   func(testing.TB) string { return filepath.Join(dir, "forum.db") },
		"postgres": pgtest.DSN, // skips without PARLEY_TEST_POSTGRES
	} {
		t.Run(name, func(t *testing.T) {
			db := db(t)
			r := parley(t, "", nil, "import", dump, "--db", db)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "imported 3 messages, 1 board and 2 members in ") {
				t.Fatalf("import: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if r := parley(t, "", nil, "export", "--db", db); r.code != 0 || r.stdout != forumDump {
				t.Fatalf("export: exit %d, stderr %q, stdout:\n%s", r.code, r.stderr, r.stdout)
			}

			r = parley(t, "", nil, "import", dump, "--db", db)
			want := "parley: import: 1 bad line; the board holding the first was not imported, nor anything after it:\n" +
				"  line 5: board intc has a message 1 already; it is not overwritten (--skip-existing leaves stored messages as they are and imports the rest)\n"
			if r.code != 1 || r.stderr != want {
				t.Errorf("a second import: exit %d, stderr %q; want 1, %q", r.code, r.stderr, want)
			}
			r = parley(t, "", nil, "import", "--skip-existing", dump, "--db", db)
			if r.code != 0 || !strings.Contains(r.stdout, "imported 0 messages, 0 boards and 0 members") ||
				!strings.Contains(r.stdout, "2 members existed already and kept their accounts\n3 messages stored already were left as they are\n") {
				t.Errorf("import --skip-existing: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
		})
	}
	t.Run("stdin", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "forum.db")
		if r := parley(t, forumDump, nil, "import", "-", "--db", db); r.code != 0 {
			t.Fatalf("import -: exit %d, stderr %q", r.code, r.stderr)
		}
		if r := parley(t, "", nil, "export", "--board", "intc", "--db", db); r.stdout != forumDump {
			t.Errorf("export --board intc:\n%s", r.stdout)
		}
	})
}

// TestImportExportErrors: each mistake is one exit status and a sentence.
func TestImportExportErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	lines := strings.Split(forumDump, "\n")
	lines[4] = `{"type":"message","board":"intc","number":1,"author":"ann"`
	lines[6] = `{"type":"poll"}`
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "forum.db")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"NoFile", []string{"import", "--db", db}, 2, "parley: import: missing the FILE to import (- for stdin)\n"},
		{"MissingFile", []string{"import", filepath.Join(dir, "nope.jsonl"), "--db", db}, 2,
			"parley: import: open " + filepath.Join(dir, "nope.jsonl") + ": no such file or directory\n"},
		{"BadLines", []string{"import", bad, "--db", db}, 1,
			"parley: import: 2 bad lines; the board holding the first was not imported, nor anything after it:\n" +
				"  line 5: not a JSON record: unexpected end of JSON input\n" +
				`  line 7: unknown record type "poll" (known: user, board, message)` + "\n"},
		{"ExportMissingBoard", []string{"export", "--board", "nope", "--db", db}, 1, "parley: no board \"nope\"\n"},
		{"ExportArgument", []string{"export", "out.jsonl", "--db", db}, 2,
			"parley: export: unexpected argument \"out.jsonl\"; the export goes to stdout\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := parley(t, "", nil, tc.args...)
			if r.code != tc.code || r.stderr != tc.stderr {
				t.Errorf("parley %s: exit %d, stderr %q; want %d, %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.code, tc.stderr)
			}
		})
	}
}

// TestImportedAuthorSignsIn: a member an import brought in has no password
// until the operator sets one; then they sign in.
func TestImportedAuthorSignsIn(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "forum.db")
	if r := parley(t, forumDump, nil, "import", "-", "--db", db); r.code != 0 {
		t.Fatalf("import: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		out         string
	}{
		{"Short", "short\n", []string{"ben"}, 2, "parley: password must be at least 8 characters\n"},
		{"NoMember", "long enough\n", []string{"carl"}, 1, "parley: no member \"carl\"\n"},
		{"NoPassword", "", []string{"ben"}, 2, "parley: user password: no password on stdin; give it as one line, e.g. printf '%s\\n' \"$PASSWORD\" | parley user password NAME\n"},
		{"OK", "ben's new password\n", []string{"ben"}, 0, "set the password of member ben; their sessions and tokens are ended\n"},
	} {
		r := parley(t, tc.stdin, nil, append([]string{"user", "password", "--db", db}, tc.args...)...)
		out := r.stderr
		if tc.code == 0 {
			out = r.stdout
		}
		if r.code != tc.code || out != tc.out {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q", tc.name, r.code, r.stdout, r.stderr, tc.code, tc.out)
		}
	}
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	token := MustSignIn(t, s, "ben", "ben's new password")
	MustCall(t, http.StatusOK, "GET", s.URL+"/api/v1/tokens", token, nil, nil)
	// Setting it again signs ben out everywhere.
	if r := parley(t, "another password\n", nil, "user", "password", "ben", "--db", db); r.code != 0 {
		t.Fatalf("user password again: exit %d, stderr %q", r.code, r.stderr)
	}
	MustCall(t, http.StatusUnauthorized, "GET", s.URL+"/api/v1/tokens", token, nil, nil)
	MustSignIn(t, s, "ben", "another password")
}
