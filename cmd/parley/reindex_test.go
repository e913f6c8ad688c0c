package main_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSearchAfterImport: an import is searchable at once, removed messages
// never; reindex rebuilds the index and says so.
func TestSearchAfterImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump.jsonl")
	if err := os.WriteFile(dump, []byte(forumDump), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "forum.db")
	if r := parley(t, "", nil, "import", dump, "--db", db); r.code != 0 {
		t.Fatalf("import: exit %d, stderr %q", r.code, r.stderr)
	}
	search := func(q string) []int64 {
		t.Helper()
		s := MustServe(t, nil, "--db", db, "--addr", "127.0.0.1:0")
		defer s.Stop()
		var res struct {
			Results []struct {
				Number  int64  `json:"number"`
				Snippet string `json:"snippet"`
			} `json:"results"`
		}
		MustCall(t, http.StatusOK, "GET", s.URL+"/api/v1/search?q="+q, "", nil, &res)
		var numbers []int64
		for _, r := range res.Results {
			numbers = append(numbers, r.Number)
		}
		return numbers
	}
	if got := search("first+OR+gone"); !slices.Equal(got, []int64{2, 1}) {
		t.Errorf("after import: first OR gone found %v, want [2 1] (3, gone, is removed)", got)
	}

	for _, tc := range []struct {
		args         []string
		code         int
		stdout, text string
	}{
		{[]string{"reindex", "--db", db}, 0, "Rebuilt the search index of every board in ", ""},
		{[]string{"reindex", "--board", "intc", "--db", db}, 0, "Rebuilt the search index of board intc in ", ""},
		{[]string{"reindex", "--board", "nope", "--db", db}, 1, "", "parley: no board \"nope\"\n"},
		{[]string{"reindex", "intc", "--db", db}, 2, "", "parley: reindex: unexpected argument \"intc\"; name a board with --board\n"},
	} {
		r := parley(t, "", nil, tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stdout, tc.stdout) || r.stderr != tc.text {
			t.Errorf("parley %s: exit %d, stdout %q, stderr %q", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr)
		}
	}
	if got := search("first+OR+gone"); !slices.Equal(got, []int64{2, 1}) {
		t.Errorf("after reindex: first OR gone found %v, want [2 1]", got)
	}
}
