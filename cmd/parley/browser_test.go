package main_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowser walks a new member through the forum in a real browser,
// once with JavaScript and once without: every page must work either
// way, and the script must only make it quicker.
func TestBrowser(t *testing.T) {
	t.Parallel()
	chromiumPath(t) // skip at once without a browser
	for _, js := range []bool{true, false} {
		name := "JavaScriptOff"
		if js {
			name = "JavaScriptOn"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			browse(t, js)
		})
	}
}

func browse(t *testing.T, js bool) {
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "forum.db"))
	b := MustBrowser(t, s, js)
	const (
		name     = "ada"
		password = "correct horse battery"
		slug     = "tea"
		title    = "The Tea Room"
		board    = "/b/" + slug
	)

	// Register; the header then names the member.
	b.Open("/register")
	b.Type("#name", name)
	b.Type("#password", password)
	b.Follow("form[action='/register'] button[type=submit]", "Register", "/")
	b.WantTextHas("nav.account", name, "Sign out")
	if got := MustRun(b, "ask whether the script ran", chromedp.Evaluate[bool](`document.documentElement.classList.contains("js")`)); got != js {
		b.Fatalf("the script ran: %v, want %v", got, js)
	}

	// Open a board.
	b.Follow("nav.site-nav a[href='/boards/new']", "Open a board", "/boards/new")
	b.Type("#slug", slug)
	b.Type("#title", title)
	b.Type("#description", "Leaves, kettles and the patience in between.")
	b.Follow("form[action='/boards/new'] button[type=submit]", "Open the board", board)
	b.WantText(".board-head h1", title)
	b.WantText(".board-count", "0 messages")
	b.WantText("p.empty", "No messages yet.")

	// Post the first message.
	b.Type("textarea#body", "Has anyone tried cold-brewing a Darjeeling?\nI left mine twelve hours in the fridge.")
	b.Follow("form.compose-form button[type=submit]:not([name])", "Post", board+"/1")
	b.WantTextHas("article#m1 .msg-body", "Has anyone tried cold-brewing a Darjeeling?", "I left mine twelve hours in the fridge.")
	b.WantTextHas("article#m1 header.msg-head", "From: "+name, "1 of 1")

	// Respond, quoting it.
	b.Follow("article#m1 a.respond", "Respond to", board+"/1/reply")
	if js {
		b.Click("a.quote", "Quote the message")
		b.WantPath(board + "/1/reply") // in place, no round trip
	} else {
		b.Follow("a.quote", "Quote the message", board+"/1/reply?quote=1#body")
	}
	quote := name + " wrote (1):\n> "
	if v := b.Value("textarea#body"); !strings.HasPrefix(v, quote) || !strings.Contains(v, "\n> I left mine twelve hours in the fridge.\n") {
		b.Fatalf("the reply starts %q, want the quote of 1 starting %q", v, quote)
	}
	b.TypeAtEnd("textarea#body", "Yes! It comes out **bold** and sweet.")
	if js {
		// The preview follows the typing.
		b.WaitVisible("#preview .msg-body strong")
		b.WantText("#preview .msg-body strong", "bold")
		b.WantTextHas("#preview .msg-body blockquote", "cold-brewing a Darjeeling")
	} else {
		// The server renders the preview; nothing is posted.
		b.Follow("button[name=preview]", "Preview", board+"/1/reply")
		b.WaitVisible("#preview")
		b.WantText("#preview .msg-body strong", "bold")
		b.WantTextHas("#preview .msg-body blockquote", "cold-brewing a Darjeeling")
		if v := b.Value("textarea#body"); !strings.HasPrefix(v, quote) || !strings.HasSuffix(strings.TrimSpace(v), "Yes! It comes out **bold** and sweet.") {
			b.Fatalf("after the preview the reply reads %q, want the quote and the added line kept", v)
		}
		b.WantText(".board-count", "1 message")
		wantMessageCount(t, s, slug, 1)
	}
	b.Follow("form.compose-form button[type=submit]:not([name])", "Post reply", board+"/2")
	b.WantTextHas("article#m2 header.msg-head", "To: "+name+" who wrote (1)", "From: "+name, "2 of 2")
	b.WantTextHas("article#m2 .msg-body blockquote", "cold-brewing a Darjeeling")
	b.WantText("article#m2 .msg-body strong", "bold")

	// Previous and next.
	b.Follow("nav.message-nav a[rel=prev]", "Previous message", board+"/1")
	b.WantTextHas("article#m1 header.msg-head", "1 of 2", "Read Replies (1)")
	b.Follow("nav.message-nav a[rel=next]", "Next message", board+"/2")

	// The board, and the box that goes to a number.
	b.Follow(".board-head h1 a", title, board)
	b.WantText(".board-count", "2 messages")
	wantTimes(b, js)
	if js {
		b.Press("j")
		b.WaitVisible(".messages > article.msg:first-child.current")
		b.Press("?")
		b.WaitVisible("dialog#shortcuts[open]")
		b.WantTextHas("dialog#shortcuts", "Keyboard shortcuts", "next message")
		b.Press(kb.Escape)
		b.Do("wait for the shortcuts to close", chromedp.WaitNotPresent(chromedp.CSS("dialog#shortcuts[open]")))
		// A key pressed while the focus is still in the closed dialog (on
		// its checkbox) is typing in a form, which shortcuts leave alone;
		// on a busy machine that moment can be long.
		MustRun(b, "wait for the focus to leave the dialog",
			chromedp.Poll[bool](`!document.activeElement.closest("dialog")`, chromedp.WithPollingTimeout(5*time.Second)))
		b.Press("g")
		MustRun(b, "wait for g to put the focus in the go-to box",
			chromedp.Poll[bool](`document.activeElement.matches(".goto-input")`, chromedp.WithPollingTimeout(5*time.Second)))
		// Single-key shortcuts can be turned off, from the footer's link
		// to their help (WCAG 2.1.4), and stay off on the next page.
		b.Click("button#shortcuts-open", "Keyboard shortcuts")
		b.WaitVisible("dialog#shortcuts[open]")
		b.Click("input#shortcuts-on", "")
		b.Press(kb.Escape)
		b.Do("wait for the shortcuts to close", chromedp.WaitNotPresent(chromedp.CSS("dialog#shortcuts[open]")))
		b.Open(board)
		b.Press("j")
		if n := b.Count("article.msg.current"); n != 0 {
			b.Fatalf("j still selects a message with the shortcuts turned off")
		}
		b.Click("button#shortcuts-open", "Keyboard shortcuts")
		b.Click("input#shortcuts-on", "")
		b.Press(kb.Escape)
	}
	b.Type(".goto-input", "1")
	b.Follow("form.goto button[type=submit]", "Go", board+"/1")
	b.WantTextHas("article#m1 header.msg-head", "1 of 2")

	// The thread, from either end.
	b.Follow("article#m1 a.thread", "Thread", board+"/1/thread")
	wantThread(b, 1)
	b.Open(board + "/2/thread")
	wantThread(b, 2)

	if js {
		// A message posted elsewhere is announced on the newest window.
		liveUpdate(t, s, b, slug, MustSignIn(t, s, name, password))
	}

	// Search from the board: the header's box looks in it, and the results
	// offer every board; each hit leads to its message.
	b.Open(board)
	b.Type("#site-q", "darjeeling")
	b.Follow("form.search button[type=submit]", "Search", "/search?q=darjeeling&board="+slug)
	b.WantTextHas("ol.hits li.hit:first-child .hit-head", slug+" 2", "To: "+name+" who wrote (1)", "From: "+name)
	b.WantText("ol.hits li.hit:first-child .snippet mark", "Darjeeling")
	b.Follow(".scope-note a", "Search every board", "/search?q=darjeeling")
	if n := b.Count("ol.hits li.hit"); n != 2 {
		b.Fatalf("%d hits in every board, want 2", n)
	}
	b.Follow("ol.hits li.hit:last-child a.hit-at", slug+" 1", board+"/1")

	// Sign out.
	b.Follow("nav.account form button[type=submit]", "Sign out", "/")
	b.WantTextHas("nav.account", "Sign in", "Register")
	if got := fold(b.Text("nav.account")); strings.Contains(got, name) {
		b.Errorf("the header still names %s after signing out: %q", name, got)
	}

	for _, m := range b.Console() {
		switch {
		case m.IsException():
			b.Errorf("the page's script threw: %s at %s:%d", m.Text, m.URL, m.Line+1)
		case m.Type == chromedp.ConsoleError:
			b.Errorf("browser console: %s (%s)", m.Text, m.URL)
		}
	}
}

// wantTimes: the script shows times in the reader's zone; without it they
// stay in UTC.
func wantTimes(b *tab, js bool) {
	b.t.Helper()
	times := b.Texts("time[datetime]")
	if len(times) == 0 {
		b.Fatalf("the page shows no times")
	}
	for _, text := range times {
		if utc := strings.HasSuffix(text, " UTC"); utc == js {
			b.Fatalf("a time reads %q with JavaScript %s; want it localised with JavaScript, in UTC without", text, onOff(js))
		}
	}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// wantThread wants the thread of messages 1 and 2 (a reply to 1), with
// focus on the one asked for.
func wantThread(b *tab, focus int) {
	b.t.Helper()
	b.WantText("main h2", fmt.Sprintf("Thread of %d", focus))
	if got := b.Texts("ul.thread > li.node > details > summary .summary-num"); len(got) != 1 || got[0] != "1" {
		b.Fatalf("the thread's root is %q, want message 1", got)
	}
	if got := b.Texts("ul.thread > li.node li.node .summary-num"); len(got) != 1 || got[0] != "2" {
		b.Fatalf("under the root the thread holds %q, want message 2 nested", got)
	}
	if got := b.Count("ul.thread li.node"); got != 2 {
		b.Fatalf("the thread holds %d messages, want 2", got)
	}
	if got := b.Texts("li.node.focus .summary-num"); len(got) == 0 || got[0] != fmt.Sprint(focus) {
		b.Fatalf("the thread marks %q, want %d", got, focus)
	}
	b.WantTextHas("ul.thread", "cold-brewing a Darjeeling", "Yes! It comes out bold and sweet.")
}

// liveUpdate opens the board's newest window, posts through the API at
// once and wants the page to offer the new message: the page's stream
// starts after the newest message the page showed, so a message posted
// while the stream connects is announced too.
func liveUpdate(t *testing.T, s *server, b *tab, slug, token string) {
	t.Helper()
	board := "/b/" + slug
	b.Open(board)
	MustCall(t, http.StatusCreated, "POST", s.URL+"/api/v1/boards/"+slug+"/messages", token,
		map[string]string{"body": "Fresh from the API: the *first flush* has arrived."}, nil)
	b.WaitVisible("p.new-messages")
	b.WantText("p.new-messages", "1 new message — show")
	b.Follow("p.new-messages a", "1 new message — show", board+"?from=3#m3")
	b.WantTextHas("article#m3 .msg-body", "Fresh from the API: the first flush has arrived.")
}

// wantMessageCount asks the API how many messages the board holds.
func wantMessageCount(t *testing.T, s *server, slug string, want int64) {
	t.Helper()
	var board struct {
		MessageCount int64 `json:"message_count"`
	}
	MustCall(t, http.StatusOK, "GET", s.URL+"/api/v1/boards/"+slug, "", nil, &board)
	if board.MessageCount != want {
		t.Fatalf("board %s holds %d messages, want %d", slug, board.MessageCount, want)
	}
}

// TestScreenshots shoots a lived-in board, a message and a thread, light
// and dark, into $PARLEY_SCREENSHOTS (or a temporary directory).
func TestScreenshots(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(t.TempDir(), "forum.db")
	authors := []struct{ name, role string }{
		{"margaret", "admin"}, {"tenchusatsu", "member"}, {"road_walker", "member"}, {"lin.chen", "member"},
	}
	for _, a := range authors {
		MustAddUser(t, db, a.name, "password of "+a.name, a.role)
	}
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	tokens := map[string]string{}
	for _, a := range authors {
		tokens[a.name] = MustSignIn(t, s, a.name, "password of "+a.name)
	}
	const slug = "espresso"
	MustCall(t, http.StatusCreated, "POST", s.URL+"/api/v1/boards", tokens["margaret"], map[string]string{
		"slug": slug, "title": "Espresso & Grinders",
		"description": "Dialling in, beans, machines, and the eternal flat-vs-conical debate.",
	}, nil)
	post := func(author string, replyTo int, body string) {
		t.Helper()
		in := map[string]any{"body": body}
		if replyTo > 0 {
			in["reply_to"] = replyTo
		}
		MustCall(t, http.StatusCreated, "POST", s.URL+"/api/v1/boards/"+slug+"/messages", tokens[author], in, nil)
	}
	post("tenchusatsu", 0, "Finally upgraded from a blade grinder to a proper burr grinder. My shots went from sour "+
		"and thin to *almost* drinkable overnight.\n\nWhat grind setting do you start from when you open a new bag?")
	post("road_walker", 1, "> What grind setting do you start from when you open a new bag?\n\n"+
		"I start two steps finer than the last bag and pull a test shot. Things I check, in order:\n\n"+
		"1. Time: 25–30 seconds for a double\n2. Yield: about twice the dose\n3. Taste — trust it over the numbers")
	post("lin.chen", 1, "Congrats! Keep a notebook. I log dose, yield, time and a one-word verdict for every bag; "+
		"after a month you'll see patterns.")
	post("margaret", 2, "road_walker wrote (2):\n> 3. Taste — trust it over the numbers\n\n"+
		"This. The **Barista Hustle** guide on [dialling in](https://www.baristahustle.com/) explains why "+
		"sourness means under-extraction and bitterness means over-extraction.")
	post("tenchusatsu", 0, "Selling my old blade grinder, works fine for spices. Free to a good home.")
	post("road_walker", 4, "Bookmarked. Also worth knowing: `channeling` shows up as a spray from the bottom "+
		"of a naked portafilter — level your puck and tamp straight.")
	post("lin.chen", 3, "Here's my template:\n\n- Bean and roast date\n- Dose / yield / time\n- Verdict: *sour*, *balanced* or *bitter*")
	post("tenchusatsu", 7, "Stealing this template, thank you!")
	MustCall(t, http.StatusNoContent, "DELETE", s.URL+"/api/v1/boards/"+slug+"/messages/5", tokens["margaret"], nil, nil)

	b := MustBrowser(t, s, true)
	for _, page := range []struct{ name, path, want string }{
		{"board", "/b/" + slug, "article#m8"},
		{"message", "/b/" + slug + "/4", "article#m4"},
		{"thread", "/b/" + slug + "/4/thread", "ul.thread"},
	} {
		b.Open(page.path)
		b.WaitVisible(page.want)
		for _, dark := range []bool{false, true} {
			name := page.name + "-light.png"
			if dark {
				name = page.name + "-dark.png"
			}
			b.Screenshot(dir, name, dark)
		}
	}
	b.Open("/b/" + slug + "/5")
	b.WantText("article#m5 .tombstone", "Removed by a moderator.")
	t.Logf("screenshots in %s", dir)
}
