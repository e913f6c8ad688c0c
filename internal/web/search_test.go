package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"parley/internal/forum"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/web"
)

// hits lists the results of a search page as "board number".
func hits(p *page) []string {
	var out []string
	for _, n := range findAll(p.root, func(n *html.Node) bool { return n.Data == "li" && attr(n, "class") == "hit" }) {
		out = append(out, attr(n, "data-board")+" "+attr(n, "data-number"))
	}
	return out
}

func TestSearchPage(t *testing.T) {
	f := seedForum(t)
	ten, err := f.svc.User(t.Context(), "Tenchusatsu")
	if err != nil {
		t.Fatal(err)
	}
	f.MustBoard(t, ten, "amd", "AMD")
	f.MustPost(t, ten, "amd", "Barcelona is shipping late, <b>they</b> say", 0)
	b := f.browser(t)

	p := b.get("/search").wantStatus(t, http.StatusOK)
	p.wantText(t, "Words", "Filters")
	if find(p.root, func(n *html.Node) bool { return attr(n, "class") == "results" }) != nil {
		t.Error("the empty form shows results")
	}

	p = b.get("/search?q=SHIPPING").wantStatus(t, http.StatusOK)
	if got := strings.Join(hits(p), ", "); got != "amd 1, intel 2, intel 1" {
		t.Errorf("hits %s, want amd 1, intel 2, intel 1", got)
	}
	p.wantText(t, "intel 2", "To: Tenchusatsu who wrote (1)", "From: Road_Walker", "From: Tenchusatsu",
		"Barcelona is shipping late, <b>they</b> say")
	if !strings.Contains(p.body, "<mark>shipping</mark> late, &lt;b&gt;they&lt;/b&gt; say") {
		t.Error("the snippet does not mark the word found or does not escape the text")
	}
	if href := p.link(t, "intel 2"); href != "/b/intel/2" {
		t.Errorf("hit links to %s", href)
	}

	// From a board's page the box searches that board, with a way out.
	p = b.get("/b/intel").wantStatus(t, http.StatusOK)
	if find(p.root, func(n *html.Node) bool { return attr(n, "name") == "board" && attr(n, "value") == "intel" }) == nil {
		t.Fatal("the search box on a board's page is not scoped to it")
	}
	p = b.get("/search?q=shipping&board=intel").wantStatus(t, http.StatusOK)
	if got := strings.Join(hits(p), ", "); got != "intel 2, intel 1" {
		t.Errorf("in intel: hits %s", got)
	}
	p.wantText(t, "In board intel only")
	p = b.get(p.link(t, "Search every board")).wantStatus(t, http.StatusOK)
	if got := len(hits(p)); got != 3 {
		t.Errorf("every board: %d hits, want 3", got)
	}

	// The filter fields are the operators.
	p = b.get("/search?q=shipping&author=road_walker&after=2000-01-01&sort=relevance").wantStatus(t, http.StatusOK)
	if got := strings.Join(hits(p), ", "); got != "intel 2" {
		t.Errorf("author field: hits %s", got)
	}
	p = b.get("/search?author=Tenchusatsu").wantStatus(t, http.StatusOK)
	if got := strings.Join(hits(p), ", "); got != "amd 1, intel 1" {
		t.Errorf("author alone: hits %s", got)
	}

	// A query that cannot run says why, and keeps what was typed.
	p = b.get("/search?q="+url.QueryEscape("shipping before:2024-13-01")).wantStatus(t, http.StatusBadRequest)
	p.wantText(t, "before:2024-13-01 — give a day as YYYY-MM-DD")
	if find(p.root, func(n *html.Node) bool {
		return attr(n, "id") == "q" && attr(n, "value") == "shipping before:2024-13-01"
	}) == nil {
		t.Error("the refused query is not kept in the box")
	}
	b.get("/search?q=x&q=y").wantStatus(t, http.StatusBadRequest)
	p = b.get("/search?q=nothing-like-this").wantStatus(t, http.StatusOK)
	p.wantText(t, "No messages match.")
}

func TestSearchPaging(t *testing.T) {
	f := newTestForum(t, web.Options{})
	u := f.MustUser(t, "alice")
	f.MustBoard(t, u, "b", "B")
	for n := 1; n <= 45; n++ {
		f.MustPost(t, u, "b", fmt.Sprintf("note %d", n), 0)
	}
	b := f.browser(t)
	var seen []string
	path := "/search?q=note"
	for pages := 0; path != "" && pages < 5; pages++ {
		p := b.get(path).wantStatus(t, http.StatusOK)
		seen = append(seen, hits(p)...)
		path, _ = p.findLink("More results")
	}
	var want []string
	for n := 45; n >= 1; n-- {
		want = append(want, fmt.Sprintf("b %d", n))
	}
	if !slices.Equal(seen, want) {
		t.Errorf("pages held %q, want b 45 down to b 1, each once", seen)
	}
}

// stalledSearchStore never finishes a search before its deadline, as an
// engine on a query too costly for it.
type stalledSearchStore struct{ forum.Store }

func (s stalledSearchStore) Search(ctx context.Context, f forum.SearchFilter) (forum.SearchHits, error) {
	<-ctx.Done()
	return forum.SearchHits{}, ctx.Err()
}

// TestSearchPageTooCostly: a search stopped at its timeout is answered
// with the form, what was typed and how to narrow it (503), not an error
// page the reader must go back from.
func TestSearchPageTooCostly(t *testing.T) {
	f := newTestForumOn(t, stalledSearchStore{sqlitetest.Open(t)}, forum.Config{SearchTimeout: 50 * time.Millisecond}, web.Options{})
	p := f.browser(t).get("/search?q="+url.QueryEscape(`"the to i a"`)).wantStatus(t, http.StatusServiceUnavailable)
	p.wantText(t, "took longer than 50ms and was stopped: narrow it")
	if input := find(p.root, func(n *html.Node) bool { return n.Data == "input" && attr(n, "id") == "q" }); input == nil || attr(input, "value") != `"the to i a"` {
		t.Error("the form does not keep what was typed")
	}
}
