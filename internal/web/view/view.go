// Package view holds Parley's pages as typed templ components. Each page
// takes the data it shows and nothing else; handlers in package web fetch
// that data and choose the page. Edit the .templ files and run
// `go tool templ generate`: the generated *_templ.go files are committed.
package view

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"parley/internal/forum"
)

// Page is what every page's frame needs: the reader, where they are, and
// the addresses of the stylesheet and script.
type Page struct {
	Title string
	// User is the signed-in reader, nil for a visitor.
	User *forum.User
	// Board is the board being read, if any: it scopes the search box.
	Board *forum.Board
	// Path is the page's own path and query, where signing in returns to.
	Path   string
	Assets Assets
}

// Assets are the content-hashed URLs of the static files.
type Assets struct {
	CSS, JS, Icon string
}

// DefaultWindow is the number of messages a board page shows.
const DefaultWindow = 25

// Window is a board page: a window of its messages, in ascending order.
type Window struct {
	// Listing is the board and its messages; its Next is 0 when the window
	// ends at the newest message, and the page then offers new messages as
	// they arrive.
	*forum.Listing
	// Limit is the window's size when the reader chose one, else 0.
	Limit int
	// Form is the new-message form.
	Form Compose
	// GoError is the answer to a "go to message" that found none.
	GoError string
}

// Compose is a message form: what was typed, its preview, and what was
// wrong with it.
type Compose struct {
	Body    string
	Preview string // rendered HTML of Body, when asked for
	Error   string
	// SignedOut is true when the writer's session ended before posting:
	// the form is shown again, with the text, to a reader now signed out.
	SignedOut bool
}

// Field is one input of a form: its value and what was wrong with it.
type Field struct {
	Value, Error string
}

// BoardURL is the board at its newest messages.
func BoardURL(slug string) string { return "/b/" + slug }

// MessageURL is the page of message n.
func MessageURL(slug string, n int64) string { return "/b/" + slug + "/" + strconv.FormatInt(n, 10) }

// MessageAnchor is the fragment that marks message n in a window.
func MessageAnchor(n int64) string { return "m" + strconv.FormatInt(n, 10) }

// ReplyURL is the reply form for message n.
func ReplyURL(slug string, n int64) string { return MessageURL(slug, n) + "/reply" }

// RepliesURL lists the replies to message n.
func RepliesURL(slug string, n int64) string { return MessageURL(slug, n) + "/replies" }

// ThreadURL is the reply tree holding message n.
func ThreadURL(slug string, n int64) string { return MessageURL(slug, n) + "/thread" }

// UserURL is a member's profile.
func UserURL(name string) string { return "/u/" + url.PathEscape(name) }

// WindowURL is the window of a board from (or, when from is 0, before)
// a number, keeping a size the reader chose.
func WindowURL(slug string, from, before int64, limit int) string {
	q := url.Values{}
	switch {
	case from > 0:
		q.Set("from", strconv.FormatInt(from, 10))
	case before > 0:
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if len(q) == 0 {
		return BoardURL(slug)
	}
	return BoardURL(slug) + "?" + q.Encode()
}

// SignInURL is the sign-in page, returning to path afterwards.
func SignInURL(path string) string {
	if path == "" || path == "/" {
		return "/signin"
	}
	return "/signin?" + url.Values{"next": {path}}.Encode()
}

// timeLayout is how the seed's board showed times: 8/10/2007 1:42:12 PM.
const timeLayout = "1/2/2006 3:04:05 PM"

// Readable is t as a reader sees it before the script shows it in their
// own time zone.
func Readable(t time.Time) string { return t.UTC().Format(timeLayout) + " UTC" }

// Machine is t for a <time datetime> attribute.
func Machine(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Date is t's day, for "member since".
func Date(t time.Time) string { return t.UTC().Format("January 2, 2006") }

// Count is n with thousands separated, as readers of big boards see it.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Num is n as a plain number, for message numbers, which readers quote.
func Num(n int64) string { return strconv.FormatInt(n, 10) }

// excerptLength is how much of a message a listing shows, in characters.
const excerptLength = 160

// Excerpt is the start of a message's text for listings: its own words
// (quotations skipped), whitespace folded, cut at a word. It reads the
// stored HTML, so Markdown's marks do not show.
func Excerpt(m *forum.Message) string {
	if m.Removed != forum.NotRemoved {
		return Tombstone(m)
	}
	var b strings.Builder
	quoted := 0
	z := html.NewTokenizer(strings.NewReader(m.HTML))
	for b.Len() < excerptLength*4 {
		switch z.Next() {
		case html.ErrorToken:
			return cut(strings.Join(strings.Fields(b.String()), " "))
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "blockquote" {
				quoted++
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == "blockquote" && quoted > 0 {
				quoted--
			}
			if !inline[string(name)] {
				b.WriteByte(' ') // words of adjacent blocks stay apart
			}
		case html.TextToken:
			if quoted == 0 {
				b.Write(z.Text())
			}
		}
	}
	return cut(strings.Join(strings.Fields(b.String()), " "))
}

// inline are the elements markup emits within a line of text.
var inline = map[string]bool{"a": true, "strong": true, "em": true, "code": true, "del": true, "span": true}

// cut shortens s to excerptLength characters, at a word when it can.
func cut(s string) string {
	if utf8.RuneCountInString(s) <= excerptLength {
		return s
	}
	r := []rune(s)[:excerptLength]
	if i := strings.LastIndexByte(string(r), ' '); i > excerptLength/2 {
		return string(r)[:i] + " …"
	}
	return string(r) + "…"
}

// Tombstone is what stands in place of a removed message.
func Tombstone(m *forum.Message) string {
	if m.Removed == forum.RemovedByAuthor {
		return "Deleted by its author."
	}
	return "Removed by a moderator."
}

// Quote is a reply's starting text: the message quoted, Markdown style.
func Quote(m *forum.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s wrote (%d):\n", m.Author, m.Number)
	for line := range strings.Lines(strings.TrimSpace(m.Body)) {
		b.WriteString(strings.TrimRight("> "+strings.TrimRight(line, "\n"), " "))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}

// Plural is "1 reply", "2 replies".
func Plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}

// Descendants are the replies under n, depth first, in reading order.
func Descendants(n *forum.ThreadNode) []*forum.ThreadNode {
	var out []*forum.ThreadNode
	var walk func(*forum.ThreadNode)
	walk = func(n *forum.ThreadNode) {
		for _, c := range n.Replies {
			out = append(out, c)
			walk(c)
		}
	}
	walk(n)
	return out
}
