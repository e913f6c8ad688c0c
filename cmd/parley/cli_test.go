package main_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUserAddThenSignIn is the operator's path the acceptance checks take:
// add an admin with the password on stdin, serve, sign in through the API.
func TestUserAddThenSignIn(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "forum.db")
	// Flags after the positional NAME; a CRLF line ending is not part of
	// the password.
	r := parley(t, "correct horse battery\r\n", nil, "user", "add", "alice", "--role", "admin", "--db", db)
	if r.code != 0 || r.stdout != "added admin alice\n" {
		t.Fatalf("user add: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	token := MustSignIn(t, s, "alice", "correct horse battery")
	MustCall(t, http.StatusCreated, "POST", s.URL+"/api/v1/boards", token,
		map[string]string{"slug": "general", "title": "General"}, nil)
	var boards struct {
		Boards []struct {
			Slug string `json:"slug"`
		} `json:"boards"`
	}
	MustCall(t, http.StatusOK, "GET", s.URL+"/api/v1/boards", "", nil, &boards)
	if len(boards.Boards) != 1 || boards.Boards[0].Slug != "general" {
		t.Errorf("boards = %+v, want general only", boards.Boards)
	}
	if got := get(t, s.URL+"/healthz"); got != "ok\n" {
		t.Errorf("GET /healthz = %q", got)
	}
	if got := get(t, s.URL+"/"); !strings.Contains(got, `<a class="board-title" href="/b/general">General</a>`) {
		t.Errorf("GET / does not list the board: %q", got)
	}
	if strings.Contains(s.Log(), "first admin") {
		t.Errorf("a database with users got a first admin:\n%s", s.Log())
	}
	if code := s.Stop(); code != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0", code)
	}
	if !strings.Contains(s.Log(), "msg=stopped") {
		t.Errorf("no stopped line in the log:\n%s", s.Log())
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, b)
	}
	return string(b)
}

var firstAdmin = regexp.MustCompile(`level=WARN msg=".*first admin.*" name=admin password=(\S+) curl=`)

// TestFirstAdmin: an empty database serves a working forum at once and the
// log says, once, how to sign in.
func TestFirstAdmin(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "forum.db")
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	m := firstAdmin.FindStringSubmatch(s.Log())
	if m == nil {
		t.Fatalf("no first-admin line in the log:\n%s", s.Log())
	}
	if n := strings.Count(s.Log(), m[1]); n != 2 { // the password and the curl line
		t.Errorf("the password appears %d times in the log, want 2 (password=, curl=)", n)
	}
	if !strings.Contains(s.Log(), s.URL+"/api/v1/tokens") {
		t.Errorf("the curl line does not name %s/api/v1/tokens:\n%s", s.URL, s.Log())
	}
	MustSignIn(t, s, "admin", m[1])
	if code := s.Stop(); code != 0 {
		t.Fatalf("exit status after SIGTERM = %d, want 0", code)
	}

	again := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	if strings.Contains(again.Log(), "first admin") {
		t.Errorf("a second start logged a first admin again:\n%s", again.Log())
	}
	MustSignIn(t, again, "admin", m[1])
}

// TestEnvironment: every flag reads PARLEY_<NAME>; a flag given on the
// command line wins.
func TestEnvironment(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "env.db")
	env := []string{"PARLEY_DB=" + db, "PARLEY_ROLE=moderator"}
	if r := parley(t, "password one\n", env, "user", "add", "dave"); r.code != 0 || r.stdout != "added moderator dave\n" {
		t.Fatalf("user add with PARLEY_DB, PARLEY_ROLE: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("PARLEY_DB was not used: %v", err)
	}
	// An invalid PARLEY_ROLE is never looked at when --role is given.
	env = []string{"PARLEY_DB=" + db, "PARLEY_ROLE=king"}
	if r := parley(t, "password two\n", env, "user", "add", "erin", "--role", "member"); r.code != 0 || r.stdout != "added member erin\n" {
		t.Fatalf("--role over PARLEY_ROLE: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	env = []string{"PARLEY_DB=" + db, "PARLEY_TITLE=From the environment", "PARLEY_BY=dave"}
	if r := parley(t, "", env, "board", "add", "env"); r.code != 0 || r.stdout != "opened board env (From the environment)\n" {
		t.Fatalf("board add with PARLEY_TITLE, PARLEY_BY: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	s := MustServe(t, []string{"PARLEY_DB=" + db, "PARLEY_ADDR=127.0.0.1:0", "PARLEY_REGISTRATION=closed"})
	MustSignIn(t, s, "dave", "password one")
	MustSignIn(t, s, "erin", "password two")
	wantBoardBy(t, s, "env", "From the environment", "dave")
	MustCall(t, http.StatusForbidden, "POST", s.URL+"/api/v1/users", "",
		map[string]string{"name": "frank", "password": "password three"}, nil)
}

// TestRegistrationOpenByDefault: anyone may sign up unless told otherwise.
func TestRegistrationOpenByDefault(t *testing.T) {
	t.Parallel()
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "open.db"))
	MustCall(t, http.StatusCreated, "POST", s.URL+"/api/v1/users", "",
		map[string]string{"name": "frank", "password": "password three"}, nil)
	MustSignIn(t, s, "frank", "password three")
}

// TestArgumentOrder: flags may come before, between or after positional
// arguments, and "--" ends the flags.
func TestArgumentOrder(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "order.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "--db", db, "--role", "admin", "gina"}, "added admin gina\n"},
		{[]string{"user", "add", "--db", db, "hank", "--role=moderator"}, "added moderator hank\n"},
		{[]string{"board", "add", "--title", "Mixed order", "mixed", "--by", "gina", "--db", db}, "opened board mixed (Mixed order)\n"},
		{[]string{"board", "add", "--db", db, "--title", "Dashed", "--by", "hank", "--", "-dashed"}, "opened board -dashed (Dashed)\n"},
		{[]string{"board", "add", "dashes", "--by", "gina", "--db", db, "--title", "Dashes", "--description", "-a description that starts with a dash"}, "opened board dashes (Dashes)\n"},
	} {
		r := parley(t, "long enough\n", nil, tc.args...)
		if r.code != 0 || r.stdout != tc.want {
			t.Errorf("parley %s: exit %d, stdout %q, stderr %q; want %q", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr, tc.want)
		}
	}
}

// TestBoardAddByFirstAdmin: without --by, board add acts as the forum's
// first admin, whatever its name: here the account that `parley serve`
// creates on an empty database, and then one added by the operator.
func TestBoardAddByFirstAdmin(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "first.db")
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	if r := parley(t, "", nil, "board", "add", "news", "--title", "News", "--db", db); r.code != 0 {
		t.Fatalf("board add: exit %d: %s", r.code, r.stderr)
	}
	wantBoardBy(t, s, "news", "News", "admin")

	named := filepath.Join(t.TempDir(), "named.db")
	MustAddUser(t, named, "member1", "member's password", "member")
	MustAddUser(t, named, "operator", "operator's password", "admin")
	if r := parley(t, "", nil, "board", "add", "news", "--title", "News", "--db", named); r.code != 0 {
		t.Fatalf("board add with an admin named operator: exit %d: %s", r.code, r.stderr)
	}
	wantBoardBy(t, MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", named), "news", "News", "operator")
}

// wantBoardBy checks, through the API, that board slug has title and was
// opened by creator.
func wantBoardBy(t *testing.T, s *server, slug, title, creator string) {
	t.Helper()
	var board struct {
		Slug      string `json:"slug"`
		Title     string `json:"title"`
		CreatedBy string `json:"created_by"`
	}
	MustCall(t, http.StatusOK, "GET", s.URL+"/api/v1/boards/"+slug, "", nil, &board)
	if board.Slug != slug || board.Title != title || board.CreatedBy != creator {
		t.Errorf("board = %+v, want %s %q opened by %s", board, slug, title, creator)
	}
}

// TestBadArguments: every mistake is one line on stderr and a non-zero
// exit status: 2 for what was typed wrong, 1 for what failed.
func TestBadArguments(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "bad.db")
	MustAddUser(t, db, "bob", "bobs password", "member")
	if r := parley(t, "", nil, "board", "add", "general", "--title", "General", "--by", "bob", "--db", db); r.code != 0 {
		t.Fatalf("board add: exit %d: %s", r.code, r.stderr)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")

	for _, tc := range []struct {
		name  string
		stdin string
		env   []string
		args  []string
		code  int
		want  string // in the first line of stderr
	}{
		{name: "NoCommand", code: 2, want: "Parley is a message-board server."},
		{name: "UnknownCommand", args: []string{"frob"}, code: 2, want: `parley: unknown command "frob"`},
		{name: "UserWithoutSubcommand", args: []string{"user"}, code: 2, want: "parley: user: missing subcommand"},
		{name: "UnknownSubcommand", args: []string{"board", "remove", "x"}, code: 2, want: `parley: board: unknown subcommand "remove"`},
		{name: "UnknownFlag", stdin: "long enough\n", args: []string{"user", "add", "carl", "--rol", "admin", "--db", db}, code: 2, want: "flag provided but not defined: -rol"},
		{name: "FlagWithoutValue", args: []string{"board", "add", "news", "--title"}, code: 2, want: "flag needs an argument: -title"},
		{name: "MissingName", stdin: "long enough\n", args: []string{"user", "add", "--db", db}, code: 2, want: "missing the user's NAME"},
		{name: "TwoNames", stdin: "long enough\n", args: []string{"user", "add", "carl", "dora", "--db", db}, code: 2, want: `unexpected "dora"`},
		{name: "BadRole", stdin: "long enough\n", args: []string{"user", "add", "carl", "--role", "king", "--db", db}, code: 2, want: `--role must be member, moderator or admin, not "king"`},
		{name: "BadRoleFromEnv", stdin: "long enough\n", env: []string{"PARLEY_ROLE=king"}, args: []string{"user", "add", "carl", "--db", db}, code: 2, want: `PARLEY_ROLE must be member, moderator or admin, not "king"`},
		{name: "NoPassword", stdin: "", args: []string{"user", "add", "carl", "--db", db}, code: 2, want: "no password on stdin"},
		{name: "ShortPassword", stdin: "short\n", args: []string{"user", "add", "carl", "--db", db}, code: 2, want: "password must be at least 8 characters"},
		{name: "LongPassword", stdin: strings.Repeat("x", 5000) + "\n", args: []string{"user", "add", "carl", "--db", db}, code: 2, want: "at most 1024 characters"},
		{name: "BadName", stdin: "long enough\n", args: []string{"user", "add", "carl smith", "--db", db}, code: 2, want: "name may hold only"},
		{name: "DuplicateUser", stdin: "long enough\n", args: []string{"user", "add", "BOB", "--db", db}, code: 1, want: "taken"},
		{name: "MissingSlug", args: []string{"board", "add", "--title", "T", "--db", db}, code: 2, want: "missing the board's SLUG"},
		{name: "BadSlug", args: []string{"board", "add", "Bad_Slug", "--title", "T", "--by", "bob", "--db", db}, code: 2, want: "slug may hold only"},
		{name: "MissingTitle", args: []string{"board", "add", "news", "--by", "bob", "--db", db}, code: 2, want: "title is required"},
		{name: "DuplicateBoard", args: []string{"board", "add", "general", "--title", "Again", "--by", "bob", "--db", db}, code: 1, want: "a board named general exists"},
		{name: "NoSuchMember", args: []string{"board", "add", "news", "--title", "News", "--by", "nobody", "--db", db}, code: 1, want: `no member "nobody"`},
		{name: "NoFirstAdmin", args: []string{"board", "add", "news", "--title", "News", "--db", empty}, code: 1, want: "no admin yet"},
		{name: "ServeZeroShutdownTimeout", args: []string{"serve", "--shutdown-timeout", "0s", "--db", db}, code: 2, want: "--shutdown-timeout must be a positive duration"},
		{name: "ServeBadShutdownTimeout", env: []string{"PARLEY_SHUTDOWN_TIMEOUT=soon"}, args: []string{"serve", "--db", db}, code: 2, want: "PARLEY_SHUTDOWN_TIMEOUT"},
		{name: "ServeNegativeMaxStreams", args: []string{"serve", "--max-streams", "-1", "--db", db}, code: 2, want: "--max-streams must be 0 (sized from memory) or more"},
		{name: "ServeZeroSearchTimeout", args: []string{"serve", "--search-timeout", "0", "--db", db}, code: 2, want: "--search-timeout must be a positive duration"},
		{name: "ServeBadAddr", args: []string{"serve", "--addr", "8080", "--db", db}, code: 2, want: "--addr must be host:port"},
		{name: "ServeBadRegistration", args: []string{"serve", "--registration", "maybe", "--db", db}, code: 2, want: `--registration must be open or closed, not "maybe"`},
		{name: "ServeBadProxy", args: []string{"serve", "--trusted-proxies", "127.0.0.1,lb.example", "--db", db}, code: 2, want: `--trusted-proxies: "lb.example" is neither an address nor a CIDR range`},
		{name: "ServeExtraArgument", args: []string{"serve", "now", "--db", db}, code: 2, want: `unexpected argument "now"`},
		{name: "ServeCannotListen", args: []string{"serve", "--addr", "127.0.0.1:99999", "--db", db}, code: 1, want: "parley: listen tcp"},
		{name: "PostgresUnreachable", stdin: "long enough\n", args: []string{"user", "add", "carl", "--db", "postgres://parley:hunter2@127.0.0.1:1/parley"}, code: 1, want: "parley: connect to PostgreSQL at 127.0.0.1:1"},
		{name: "PostgresBadURL", stdin: "long enough\n", args: []string{"user", "add", "carl", "--db", "postgres://[::1/parley"}, code: 2, want: "--db is not a valid URL"},
		{name: "PostgresBadURLPassword", stdin: "long enough\n", args: []string{"user", "add", "carl", "--db", "postgres://app:hunter2/x@127.0.0.1/db"}, code: 2, want: "--db is not a valid URL"},
		{name: "EmptyDB", stdin: "long enough\n", env: []string{"PARLEY_DB="}, args: []string{"user", "add", "carl", "--db", ""}, code: 2, want: "--db must name a database file"},
		{name: "UnopenableDB", stdin: "long enough\n", args: []string{"user", "add", "carl", "--db", filepath.Join(db, "not", "a", "dir")}, code: 1, want: "parley: open " + filepath.Join(db, "not", "a", "dir")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := parley(t, tc.stdin, tc.env, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit status %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			first, rest, _ := strings.Cut(r.stderr, "\n")
			if !strings.Contains(first, tc.want) {
				t.Errorf("stderr %q, want a first line with %q", r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "hunter2") {
				t.Errorf("stderr shows the database password: %q", r.stderr)
			}
			// Usage follows the line only when no command was understood.
			if tc.name != "NoCommand" && tc.name != "UnknownCommand" && rest != "" {
				t.Errorf("stderr has more than one line: %q", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

// TestHelp: help goes to stdout with status 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"user", "add", "-h"}, {"board", "add", "--help"}, {"serve", "-h"}} {
		r := parley(t, "", nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || r.stderr != "" {
			t.Errorf("parley %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}

// TestServeAddressInUse: a server that cannot listen fails with status 1
// before creating the first admin, whose password it could not show.
func TestServeAddressInUse(t *testing.T) {
	t.Parallel()
	running := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "running.db"))
	db := filepath.Join(t.TempDir(), "second.db")
	r := parley(t, "", nil, "serve", "--addr", strings.TrimPrefix(running.URL, "http://"), "--db", db)
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "address already in use") {
		t.Fatalf("serve on a taken address: exit %d, stderr %q; want 1 and one line", r.code, r.stderr)
	}
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	if !firstAdmin.MatchString(s.Log()) {
		t.Errorf("no first admin after a failed start:\n%s", s.Log())
	}
}

// TestBaseURLSecureCookie: an https --base-url, however its scheme is
// written, marks the session cookie Secure; an http one does not.
func TestBaseURLSecureCookie(t *testing.T) {
	db := filepath.Join(t.TempDir(), "parley.db")
	MustAddUser(t, db, "alice", "password-of-alice", "member")
	for _, tc := range []struct {
		baseURL string
		secure  bool
	}{
		{"HTTPS://forum.example.com", true},
		{"https://forum.example.com", true},
		{"http://forum.example.com", false},
	} {
		t.Run(tc.baseURL, func(t *testing.T) {
			s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db, "--base-url", tc.baseURL)
			form := url.Values{"name": {"alice"}, "password": {"password-of-alice"}}
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noRedirect.PostForm(s.URL+"/signin", form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "parley_session" {
					session = c
				}
			}
			if resp.StatusCode != http.StatusSeeOther || session == nil {
				t.Fatalf("sign-in: status %d, cookies %v; want 303 with parley_session", resp.StatusCode, resp.Cookies())
			}
			if session.Secure != tc.secure {
				t.Errorf("--base-url %s: session cookie Secure = %v, want %v", tc.baseURL, session.Secure, tc.secure)
			}
		})
	}
}
