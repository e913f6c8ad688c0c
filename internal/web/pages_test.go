package web_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"parley/internal/forum"
	"parley/internal/site"
	"parley/internal/web"
)

// seedForum is a board shaped like the seed: Tenchusatsu writes, Road
// Walker answers.
func seedForum(t *testing.T) *testForum {
	t.Helper()
	f := newTestForum(t, web.Options{})
	ten := f.MustUser(t, "Tenchusatsu")
	road := f.MustUser(t, "Road_Walker")
	f.MustBoard(t, ten, "intel", "Intel Corporation (INTC)")
	f.MustPost(t, ten, "intel", "Conroe is **shipping**.", 0)
	f.MustPost(t, road, "intel", "> Conroe is shipping.\n\nAnd selling.", 1)
	return f
}

func TestHome(t *testing.T) {
	f := seedForum(t)
	newest, err := f.svc.Message(t.Context(), nil, "intel", 2)
	if err != nil {
		t.Fatal(err)
	}
	p := f.browser(t).get("/").wantStatus(t, http.StatusOK)
	rows := findAll(p.root, func(n *html.Node) bool { return n.Data == "tr" && n.Parent.Data == "tbody" })
	if len(rows) != 1 {
		t.Fatalf("%d board rows, want 1", len(rows))
	}
	row := &page{root: rows[0]}
	cells := findAll(rows[0], func(n *html.Node) bool { return n.Data == "td" })
	if len(cells) != 3 {
		t.Fatalf("%d cells in the board's row, want 3", len(cells))
	}
	row.wantText(t, "Intel Corporation (INTC)", "About Intel Corporation (INTC)")
	if got := textOf(cells[1]); got != "2" {
		t.Errorf("message count cell says %q, want 2", got)
	}
	// Last activity: the newest message's time, linking to it.
	if got := textOf(cells[2]); got != shown(newest.CreatedAt) {
		t.Errorf("last activity says %q, want the newest message's time %q", got, shown(newest.CreatedAt))
	}
	if got := row.link(t, shown(newest.CreatedAt)); got != "/b/intel/2" {
		t.Errorf("last activity links to %q", got)
	}
	if got := row.link(t, "Intel Corporation (INTC)"); got != "/b/intel" {
		t.Errorf("board link = %q", got)
	}
}

func TestMessageHeader(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	reply, err := f.svc.Message(t.Context(), nil, "intel", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/b/intel", "/b/intel/2"} {
		t.Run(path, func(t *testing.T) {
			p := b.get(path).wantStatus(t, http.StatusOK)
			m2 := p.within(t, "m2")
			m2.wantText(t, "To: Tenchusatsu who wrote (1) "+shown(reply.CreatedAt), "From: Road_Walker", "Respond to", "2 of 2")
			m2.noText(t, "Read Replies")
			for text, want := range map[string]string{
				"Tenchusatsu": "/u/Tenchusatsu",
				"1":           "/b/intel/1",
				"Road_Walker": "/u/Road_Walker",
				"Respond to":  "/b/intel/2/reply",
				"2":           "/b/intel/2",
			} {
				if got := m2.link(t, text); got != want {
					t.Errorf("link %q = %q, want %q", text, got, want)
				}
			}
			tm := find(m2.root, func(n *html.Node) bool { return n.Data == "time" })
			if want := reply.CreatedAt.UTC().Format(time.RFC3339); tm == nil || attr(tm, "datetime") != want {
				t.Errorf("no <time datetime=%s> in the header", want)
			}
		})
	}
	p := b.get("/b/intel")
	m1 := p.within(t, "m1")
	m1.wantText(t, "From: Tenchusatsu", "Read Replies (1)", "1 of 2", "Conroe is shipping.")
	m1.noText(t, "To:")
	if got := m1.link(t, "Read Replies (1)"); got != "/b/intel/1/replies" {
		t.Errorf("Read Replies links to %q", got)
	}
}

func TestMessagePage(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	p := b.get("/b/intel/1").wantStatus(t, http.StatusOK)
	// Under the message, its replies: one line each, linking to it.
	replies := p.within(t, "replies").root.Parent
	if got := textOf(replies); !strings.HasPrefix(got, "Replies 2 Road_Walker") || !strings.HasSuffix(got, "And selling.") {
		t.Errorf("the replies section says %q", got)
	}
	if got := (&page{root: replies}).link(t, "2"); got != "/b/intel/2" {
		t.Errorf("the reply links to %q", got)
	}
	if got := p.link(t, "Next message"); got != "/b/intel/2" {
		t.Errorf("Next message = %q", got)
	}
	if _, ok := p.findLink("Previous message"); ok {
		t.Error("message 1 offers a previous message")
	}
	p = b.get("/b/intel/2")
	if got := p.link(t, "Previous message"); got != "/b/intel/1" {
		t.Errorf("Previous message = %q", got)
	}
	if _, ok := p.findLink("Next message"); ok {
		t.Error("the newest message offers a next one")
	}

	b.get("/b/intel/1/replies").wantStatus(t, http.StatusOK).wantText(t, "Replies to 1 by Tenchusatsu", "To: Tenchusatsu who wrote (1)", "And selling.")
}

// TestRepliesPaging: a message with more replies than a page holds lists
// the first under it, and its replies page goes on to the rest.
func TestRepliesPaging(t *testing.T) {
	f := newTestForum(t, web.Options{})
	u := f.MustUser(t, "alice")
	f.MustBoard(t, u, "busy", "Busy")
	f.MustPost(t, u, "busy", "Ask me anything", 0)
	for i := range 30 {
		f.MustPost(t, u, "busy", fmt.Sprintf("answer %d", i+1), 1)
	}
	b := f.browser(t)
	msg := b.get("/b/busy/1")
	if got := summaryNumbers(msg); fmt.Sprint(got) != fmt.Sprint(span(2, 26)) {
		t.Errorf("the message page lists replies %v, want 2..26", got)
	}
	all := msg.link(t, "All 30 replies")
	if all != "/b/busy/1/replies" {
		t.Fatalf("All 30 replies links to %q", all)
	}
	first := b.get(all).wantStatus(t, http.StatusOK)
	if got := articleNumbers(first); fmt.Sprint(got) != fmt.Sprint(span(2, 26)) {
		t.Errorf("the first replies page shows %v, want 2..26", got)
	}
	rest := b.get(first.link(t, "More replies")).wantStatus(t, http.StatusOK)
	if got := articleNumbers(rest); fmt.Sprint(got) != fmt.Sprint(span(27, 31)) {
		t.Errorf("the second replies page shows %v, want 27..31", got)
	}
	if _, ok := rest.findLink("More replies"); ok {
		t.Error("the last replies page offers more")
	}
}

// articleNumbers are the numbers of the messages a page shows in full.
func articleNumbers(p *page) []string {
	var ns []string
	for _, a := range findAll(p.root, func(n *html.Node) bool { return n.Data == "article" }) {
		ns = append(ns, attr(a, "data-number"))
	}
	return ns
}

// summaryNumbers are the numbers of the messages a page lists a line each.
func summaryNumbers(p *page) []string {
	var ns []string
	for _, a := range findAll(p.root, func(n *html.Node) bool { return attr(n, "class") == "summary-num" }) {
		ns = append(ns, textOf(a))
	}
	return ns
}

// span is the numbers first to last, as a page shows them.
func span(first, last int) []string {
	var ns []string
	for n := first; n <= last; n++ {
		ns = append(ns, fmt.Sprint(n))
	}
	return ns
}

func TestThread(t *testing.T) {
	f := seedForum(t)
	road := f.MustUser(t, "Third")
	f.MustPost(t, road, "intel", "Third in the chain", 2)
	f.MustPost(t, road, "intel", "Another answer to the first", 1)
	f.MustPost(t, road, "intel", "Not in the thread", 0)

	p := f.browser(t).get("/b/intel/3/thread").wantStatus(t, http.StatusOK)
	p.wantText(t, "Thread of 3", "Third in the chain", "Another answer to the first")
	p.noText(t, "Not in the thread")
	// The tree nests: 3 under 2 under 1, and 4 under 1 beside 2.
	depth := map[string]int{}
	for _, li := range findAll(p.root, func(n *html.Node) bool { return n.Data == "li" && strings.Contains(attr(n, "class"), "node") }) {
		num := find(li, func(n *html.Node) bool { return strings.Contains(attr(n, "class"), "summary-num") })
		d := 0
		for a := li.Parent; a != nil; a = a.Parent {
			if a.Data == "li" {
				d++
			}
		}
		depth[textOf(num)] = d
	}
	want := map[string]int{"1": 0, "2": 1, "3": 2, "4": 1}
	if fmt.Sprint(depth) != fmt.Sprint(want) {
		t.Errorf("depths = %v, want %v", depth, want)
	}
	if find(p.root, func(n *html.Node) bool { return n.Data == "details" }) == nil {
		t.Error("the tree does not fold (<details>)")
	}
}

func TestWindows(t *testing.T) {
	f := newTestForum(t, web.Options{})
	u := f.MustUser(t, "alice")
	f.MustBoard(t, u, "big", "Big")
	for i := range 60 {
		f.MustPost(t, u, "big", fmt.Sprintf("message %d", i+1), 0)
	}
	b := f.browser(t)

	numbers := func(p *page) string {
		ns := articleNumbers(p)
		if len(ns) == 0 {
			return "none"
		}
		return ns[0] + ".." + ns[len(ns)-1] + fmt.Sprintf(" (%d)", len(ns))
	}
	newest := b.get("/b/big").wantStatus(t, http.StatusOK)
	if got := numbers(newest); got != "36..60 (25)" {
		t.Errorf("newest window = %s", got)
	}
	newest.wantText(t, "60 of 60", "60 messages")
	prev := newest.link(t, "Previous 25")
	if prev != "/b/big?before=36" {
		t.Errorf("Previous 25 = %q", prev)
	}
	if got := numbers(b.get(prev)); got != "11..35 (25)" {
		t.Errorf("window before 36 = %s", got)
	}
	first := b.get("/b/big?from=1")
	if got := numbers(first); got != "1..25 (25)" {
		t.Errorf("window from 1 = %s", got)
	}
	if got := first.link(t, "Next 25"); got != "/b/big?from=26" {
		t.Errorf("Next 25 = %q", got)
	}
	if got := numbers(b.get("/b/big?from=40&limit=100")); got != "40..60 (21)" {
		t.Errorf("window from 40 = %s", got)
	}
	if got := b.get("/b/big?before=11&limit=5").link(t, "Next 5"); got != "/b/big?from=11&limit=5" {
		t.Errorf("a chosen limit is not kept: Next 5 = %q", got)
	}

	t.Run("GoTo", func(t *testing.T) {
		b.get("/b/big?go=7").wantRedirect(t, "/b/big/7")
		p := b.get("/b/big?go=61").wantStatus(t, http.StatusNotFound)
		p.wantText(t, "There is no message 61 here: this board has messages 1 to 60.")
		b.get("/b/big?go=x").wantStatus(t, http.StatusNotFound).wantText(t, "There is no message x here")
	})
}

func TestNotFoundAndBadRequests(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	for _, tc := range []struct {
		method, path string
		status       int
		says         string
	}{
		{"GET", "/b/nope", http.StatusNotFound, `No board "nope"`},
		{"GET", "/b/Not_A_Slug", http.StatusNotFound, `No board "Not_A_Slug"`},
		{"GET", "/b/intel/3", http.StatusNotFound, "no message 3"},
		{"GET", "/b/intel/0", http.StatusNotFound, `There is no message "0"`},
		{"GET", "/b/intel/abc", http.StatusNotFound, `There is no message "abc"`},
		{"GET", "/b/intel/99999999999999999999", http.StatusNotFound, `There is no message "99999999999999999999"`},
		{"GET", "/b/intel/3/thread", http.StatusNotFound, "no message 3"},
		{"GET", "/b/intel/3/replies", http.StatusNotFound, "no message 3"},
		{"GET", "/b/intel?from=abc", http.StatusBadRequest, "From must be a positive integer"},
		{"GET", "/b/intel?from=9", http.StatusNotFound, "no message 9 yet"},
		{"GET", "/b/intel?limit=101", http.StatusBadRequest, "Limit must be an integer from 1 to 100"},
		{"GET", "/b/intel?from=1&before=2", http.StatusBadRequest, "not both"},
		{"GET", "/b/intel?from=%zz", http.StatusBadRequest, "Malformed query"},
		{"GET", "/u/nobody", http.StatusNotFound, `No member "nobody"`},
		{"GET", "/nothing/here", http.StatusNotFound, "There is no page at this address"},
		{"DELETE", "/b/intel", http.StatusMethodNotAllowed, "does not take a DELETE request"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, f.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := b.do(req).wantStatus(t, tc.status)
			p.wantText(t, tc.says, "Back to the boards")
			if !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type %q: error pages are pages", p.header.Get("Content-Type"))
			}
		})
	}
}

func TestRemovedMessage(t *testing.T) {
	f := seedForum(t)
	road, err := f.svc.User(t.Context(), "Road_Walker")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Remove(t.Context(), road, "intel", 2); err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	m2 := b.get("/b/intel").within(t, "m2")
	m2.wantText(t, "Deleted by its author.", "2 of 2", "From: Road_Walker")
	m2.noText(t, "And selling", "Respond to")
	b.get("/b/intel/2").wantStatus(t, http.StatusOK).wantText(t, "Deleted by its author.")
}

func TestSecurityHeaders(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	for _, path := range []string{"/", "/b/intel", "/b/intel/1", "/b/intel/1/thread", "/signin", "/register", "/u/Tenchusatsu", "/nothing"} {
		p := b.get(path)
		csp := p.header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline script or style", path)
		}
		if p.header.Get("X-Content-Type-Options") != "nosniff" || p.header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, p.header)
		}
	}
}

func TestStatic(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	p := b.get("/")
	link := find(p.root, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "stylesheet" })
	script := find(p.root, func(n *html.Node) bool { return n.Data == "script" })
	for _, u := range []string{attr(link, "href"), attr(script, "src")} {
		if !strings.HasPrefix(u, "/static/parley.") {
			t.Fatalf("asset at %q, want a hashed /static/parley.… address", u)
		}
		a := b.get(u).wantStatus(t, http.StatusOK)
		if cc := a.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
		want := map[string]string{".css": "text/css", ".js": "text/javascript"}[path.Ext(u)]
		if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
			t.Errorf("%s: Content-Type %q, want %s", u, ct, want)
		}
		if a.body == "" {
			t.Errorf("%s: empty", u)
		}
		// A browser that has the file asks whether it changed: it has not.
		etag := a.header.Get("ETag")
		if etag == "" || b.getIf(u, "If-None-Match", etag).status != http.StatusNotModified {
			t.Errorf("%s: ETag %q does not answer a conditional GET with 304", u, etag)
		}
	}
	b.get("/static/parley.css").wantStatus(t, http.StatusNotFound)
}

func TestForms(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)

	t.Run("SignedOut", func(t *testing.T) {
		b.get("/b/intel").wantText(t, "Sign in or register to post.")
		b.get("/b/intel/1/reply").wantRedirect(t, "/signin?next=%2Fb%2Fintel%2F1%2Freply")
		b.get("/boards/new").wantRedirect(t, "/signin?next=%2Fboards%2Fnew")
		// A writer whose session ended meanwhile keeps the text.
		p := b.post("/b/intel", url.Values{"body": {"typed for an hour"}}).wantStatus(t, http.StatusUnauthorized)
		p.wantText(t, "You are signed out, so this was not posted.")
		if ta := find(p.root, func(n *html.Node) bool { return n.Data == "textarea" }); textOfRaw(ta) != "typed for an hour" {
			t.Errorf("the text was lost: %q", textOfRaw(ta))
		}
		b.post("/b/intel/1/reply", url.Values{"body": {"a reply"}}).wantStatus(t, http.StatusUnauthorized).wantText(t, "You are signed out")
	})

	b.signIn("Road_Walker")
	t.Run("Post", func(t *testing.T) {
		b.post("/b/intel", url.Values{"body": {"A new message"}}).wantRedirect(t, "/b/intel/3")
		b.get("/b/intel/3").wantText(t, "A new message", "3 of 3", "From: Road_Walker")
	})
	t.Run("Reply", func(t *testing.T) {
		form := b.get("/b/intel/1/reply").wantStatus(t, http.StatusOK)
		form.wantText(t, "Reply to 1 by Tenchusatsu", "Conroe is shipping.")
		quoted := b.get("/b/intel/1/reply?quote=1")
		ta := find(quoted.root, func(n *html.Node) bool { return n.Data == "textarea" })
		if got := textOfRaw(ta); got != "Tenchusatsu wrote (1):\n> Conroe is **shipping**.\n\n" {
			t.Errorf("quoted reply starts %q", got)
		}
		b.post("/b/intel/1/reply", url.Values{"body": {"Quoted and answered"}}).wantRedirect(t, "/b/intel/4")
		b.get("/b/intel/4").within(t, "m4").wantText(t, "To: Tenchusatsu who wrote (1)", "4 of 4")
	})
	t.Run("ErrorKeepsText", func(t *testing.T) {
		p := b.post("/b/intel/1/reply", url.Values{"body": {"bad \x01 text"}}).wantStatus(t, http.StatusBadRequest)
		p.wantText(t, "Body must not contain control characters")
		ta := find(p.root, func(n *html.Node) bool { return n.Data == "textarea" })
		if got := textOfRaw(ta); got != "bad \x01 text" {
			t.Errorf("the text was not kept: %q", got)
		}
		b.post("/b/intel", url.Values{"body": {"   "}}).wantStatus(t, http.StatusBadRequest).wantText(t, "Body is required")
		b.post("/b/intel", url.Values{"body": {strings.Repeat("x", 70<<10)}}).wantStatus(t, http.StatusBadRequest).wantText(t, "at most 65536 bytes")
	})
	t.Run("Preview", func(t *testing.T) {
		p := b.post("/b/intel/1/reply", url.Values{"body": {"Some **bold** words"}, "preview": {"1"}}).wantStatus(t, http.StatusOK)
		pv := p.within(t, "preview")
		if find(pv.root, func(n *html.Node) bool { return n.Data == "strong" && textOf(n) == "bold" }) == nil {
			t.Errorf("the preview is not rendered: %s", pv.text())
		}
		b.get("/b/intel").noText(t, "Some bold words") // previewing posts nothing
		if _, err := f.svc.Message(t.Context(), nil, "intel", 5); err == nil {
			t.Error("a preview was posted")
		}
	})
	t.Run("NewBoard", func(t *testing.T) {
		form := b.get("/boards/new").wantStatus(t, http.StatusOK)
		for _, field := range []string{"slug", "title", "description"} {
			if find(form.root, func(n *html.Node) bool { return attr(n, "name") == field }) == nil {
				t.Errorf("the new-board form has no %s field", field)
			}
		}
		b.post("/boards/new", url.Values{"slug": {"amd"}, "title": {"AMD"}, "description": {"The other one"}}).wantRedirect(t, "/b/amd")
		b.get("/b/amd").wantText(t, "AMD", "The other one", "0 messages", "No messages yet.")
		p := b.post("/boards/new", url.Values{"slug": {"amd"}, "title": {"Again"}}).wantStatus(t, http.StatusConflict)
		p.wantText(t, "A board named amd exists")
		p = b.post("/boards/new", url.Values{"slug": {"Bad Slug"}, "title": {"T"}}).wantStatus(t, http.StatusBadRequest)
		p.wantText(t, "Slug may hold only")
		p = b.post("/boards/new", url.Values{"slug": {"ok"}, "title": {""}}).wantStatus(t, http.StatusBadRequest)
		p.wantText(t, "Title is required")
	})
}

// textOfRaw is an element's text exactly, whitespace kept.
func textOfRaw(n *html.Node) string {
	if n == nil {
		return "<missing>"
	}
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

func TestProfile(t *testing.T) {
	f := seedForum(t)
	ten, err := f.svc.User(t.Context(), "Tenchusatsu")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		f.MustPost(t, ten, "intel", fmt.Sprintf("Note %d", i+1), 0)
	}
	b := f.browser(t)
	p := b.get("/u/Tenchusatsu").wantStatus(t, http.StatusOK)
	p.wantText(t, "Tenchusatsu", "Member since August 10, 2007", "Messages 31", "Note 30", "Note 6")
	p.noText(t, "Note 5 ")
	older := p.link(t, "Older messages")
	p = b.get(older).wantStatus(t, http.StatusOK)
	p.wantText(t, "Note 5", "Note 1", "Conroe is shipping.")
	if _, ok := p.findLink("Older messages"); ok {
		t.Error("the last page offers older messages")
	}
	b.get("/u/tenchusatsu").wantStatus(t, http.StatusOK).wantText(t, "Messages 31") // names ignore case
}

// TestDeepThread: a long chain of replies is indented only so far, then
// continues flat, each message still linked and saying whom it answers.
func TestDeepThread(t *testing.T) {
	f := newTestForum(t, web.Options{})
	u := f.MustUser(t, "alice")
	f.MustBoard(t, u, "chain", "Chain")
	const length = 30
	for i := range length {
		f.MustPost(t, u, "chain", fmt.Sprintf("link %d", i+1), int64(i))
	}
	p := f.browser(t).get("/b/chain/30/thread").wantStatus(t, http.StatusOK)
	deepest := 0
	for _, li := range findAll(p.root, func(n *html.Node) bool { return n.Data == "li" }) {
		d := 0
		for a := li.Parent; a != nil; a = a.Parent {
			if a.Data == "li" {
				d++
			}
		}
		deepest = max(deepest, d)
	}
	if deepest > 8 {
		t.Errorf("nested %d deep; the indent must stop", deepest)
	}
	// In the tree, not in the heading ("Thread of 30" links to 30 too).
	ul := find(p.root, func(n *html.Node) bool { return n.Data == "ul" && attr(n, "class") == "thread" })
	if ul == nil {
		t.Fatal("no ul.thread on the page")
	}
	tree := &page{root: ul}
	for n := 1; n <= length; n++ {
		if href, ok := tree.findLink(fmt.Sprint(n)); !ok || href != fmt.Sprintf("/b/chain/%d", n) {
			t.Errorf("message %d in the thread: link %q (%v), want /b/chain/%d", n, href, ok, n)
		}
	}
	tree.wantText(t, "re 29")
}

// TestPanic: a handler that panics costs its request the friendly 500
// page, not the connection. A Service that was never made panics on use.
func TestPanic(t *testing.T) {
	srv := httptest.NewServer(site.New(nil, slog.New(slog.DiscardHandler), site.Options{}))
	defer srv.Close()
	b := (&testForum{Server: srv}).browser(t)
	p := b.get("/").wantStatus(t, http.StatusInternalServerError)
	p.wantText(t, "Something went wrong", "please try again")
}

// TestPageBytes: a page of messages stays within a few MiB whatever they
// hold — here 20 messages of 64 KiB of "&", 320 KiB of HTML each, which
// made 6.5 MB at limit=100 — and links on to the rest: following "next"
// shows every message once. A thread ends early likewise.
func TestPageBytes(t *testing.T) {
	f := newTestForum(t, web.Options{})
	u := f.MustUser(t, "alice")
	f.MustBoard(t, u, "amp", "Ampersands")
	amp := strings.Repeat("&", forum.MaxBody)
	for i := range 20 {
		f.MustPost(t, u, "amp", amp, min(int64(i), 1))
	}
	const bound = 3 << 20
	b := f.browser(t)
	seen := map[string]bool{}
	pages := 0
	for path := "/b/amp?from=1&limit=100"; path != ""; pages++ {
		p := b.get(path).wantStatus(t, http.StatusOK)
		if len(p.body) > bound {
			t.Fatalf("%s: %d bytes, more than %d", path, len(p.body), bound)
		}
		for _, n := range articleNumbers(p) {
			if seen[n] {
				t.Fatalf("%s shows message %s again", path, n)
			}
			seen[n] = true
		}
		path = ""
		if next := find(p.root, func(n *html.Node) bool { return n.Data == "a" && attr(n, "rel") == "next" }); next != nil {
			path = attr(next, "href")
		}
	}
	if len(seen) != 20 || pages < 2 {
		t.Errorf("%d pages showed %d messages, want 20 in several", pages, len(seen))
	}
	thread := b.get("/b/amp/1/thread").wantStatus(t, http.StatusOK)
	if len(thread.body) > bound {
		t.Errorf("the thread page is %d bytes, more than %d", len(thread.body), bound)
	}
	replies := b.get("/b/amp/1/replies?limit=100").wantStatus(t, http.StatusOK)
	if len(replies.body) > bound {
		t.Errorf("the replies page is %d bytes, more than %d", len(replies.body), bound)
	}
	replies.link(t, "More replies")
}
