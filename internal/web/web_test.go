package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/site"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/store/storetest"
	"parley/internal/web"
)

// shown is how a page shows t before the script localises it, the seed
// board's way: 8/10/2007 1:42:12 PM.
func shown(t time.Time) string { return t.UTC().Format("1/2/2006 3:04:05 PM") + " UTC" }

// testForum is the whole site on a real listener over a Service on a fresh
// SQLite file, mounted as the binary mounts it.
type testForum struct {
	*httptest.Server
	svc *forum.Service
}

func newTestForum(t testing.TB, opt web.Options) *testForum {
	t.Helper()
	return newTestForumWith(t, forum.Config{}, opt)
}

// newTestForumWith is newTestForum with the forum configured by cfg.
func newTestForumWith(t testing.TB, cfg forum.Config, opt web.Options) *testForum {
	t.Helper()
	return newTestForumOn(t, sqlitetest.Open(t), cfg, opt)
}

// newTestForumOn is newTestForumWith over st.
func newTestForumOn(t testing.TB, st forum.Store, cfg forum.Config, opt web.Options) *testForum {
	t.Helper()
	// Each reading of the clock is later than the one before, so that a
	// time shown in the wrong place (a board's for a message's) is caught.
	cfg.Render, cfg.Password, cfg.Now = markup.Render, password.Fast, storetest.Tick
	svc, err := forum.NewService(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	handler := site.New(svc, slog.New(slog.NewTextHandler(t.Output(), nil)), site.Options{SecureCookies: opt.SecureCookies})
	srv := httptest.NewServer(handler)
	t.Cleanup(func() { handler.EndStreams(); srv.Close() })
	return &testForum{Server: srv, svc: svc}
}

// MustUser adds a member whose password is "password of NAME".
func (f *testForum) MustUser(t testing.TB, name string) *forum.User {
	t.Helper()
	u, err := f.svc.AddUser(context.Background(), name, "password of "+name, forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *testForum) MustBoard(t testing.TB, by *forum.User, slug, title string) *forum.Board {
	t.Helper()
	b, err := f.svc.CreateBoard(context.Background(), by, forum.NewBoard{Slug: slug, Title: title, Description: "About " + title})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *testForum) MustPost(t testing.TB, by *forum.User, slug, body string, replyTo int64) *forum.Message {
	t.Helper()
	m, err := f.svc.Post(context.Background(), by, slug, forum.NewMessage{Body: body, ReplyTo: replyTo})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// browser is a client with cookies that does not follow redirects, so
// that tests see each answer.
type browser struct {
	t      testing.TB
	f      *testForum
	client *http.Client
}

func (f *testForum) browser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, f: f, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is an answer, parsed.
type page struct {
	status int
	header http.Header
	body   string
	root   *html.Node
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := &page{status: resp.StatusCode, header: resp.Header, body: string(body)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if p.root, err = html.Parse(strings.NewReader(p.body)); err != nil {
			b.t.Fatal(err)
		}
	}
	return p
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.f.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// getIf is a GET with a conditional header.
func (b *browser) getIf(path, header, value string) *page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.f.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set(header, value)
	return b.do(req)
}

// post sends a form as a browser on the forum's own pages would; headers
// are set on top.
func (b *browser) post(path string, form url.Values, headers ...string) *page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.f.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.f.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// signIn signs the browser in as name through the form.
func (b *browser) signIn(name string) {
	b.t.Helper()
	p := b.post("/signin", url.Values{"name": {name}, "password": {"password of " + name}})
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d\n%s", name, p.status, p.text())
	}
}

// wantStatus fails unless the page answered status.
func (p *page) wantStatus(t testing.TB, status int) *page {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d; page says: %s", p.status, status, p.text())
	}
	return p
}

// wantRedirect fails unless the page is a redirect to location.
func (p *page) wantRedirect(t testing.TB, location string) {
	t.Helper()
	if p.status != http.StatusSeeOther || p.header.Get("Location") != location {
		t.Fatalf("got %d to %q, want 303 to %q", p.status, p.header.Get("Location"), location)
	}
}

// text is what a reader sees of the page's main part, whitespace folded.
func (p *page) text() string {
	if p.root == nil {
		return p.body
	}
	main := find(p.root, func(n *html.Node) bool { return n.Data == "main" })
	if main == nil {
		main = p.root
	}
	return textOf(main)
}

// wantText fails unless the page's main text holds each of want.
func (p *page) wantText(t testing.TB, want ...string) {
	t.Helper()
	text := p.text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("page lacks %q; it says:\n%s", w, text)
		}
	}
}

// noText fails if the page's main text holds any of unwanted.
func (p *page) noText(t testing.TB, unwanted ...string) {
	t.Helper()
	text := p.text()
	for _, u := range unwanted {
		if strings.Contains(text, u) {
			t.Errorf("page shows %q; it says:\n%s", u, text)
		}
	}
}

// link returns the href of the first link in main whose text is text.
func (p *page) link(t testing.TB, text string) string {
	t.Helper()
	if href, ok := p.findLink(text); ok {
		return href
	}
	t.Fatalf("no link %q on the page:\n%s", text, p.text())
	return ""
}

func (p *page) findLink(text string) (string, bool) {
	a := find(p.root, func(n *html.Node) bool { return n.Data == "a" && textOf(n) == text })
	if a == nil {
		return "", false
	}
	return attr(a, "href"), true
}

// within returns the page cut down to the first element with this id.
func (p *page) within(t testing.TB, id string) *page {
	t.Helper()
	n := find(p.root, func(n *html.Node) bool { return attr(n, "id") == id })
	if n == nil {
		t.Fatalf("no element #%s on the page", id)
	}
	return &page{status: p.status, header: p.header, root: n}
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			return d
		}
	}
	return nil
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	writeText(&b, n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// blocks are the elements a reader sees apart from what surrounds them.
var blocks = map[string]bool{
	"p": true, "div": true, "li": true, "article": true, "header": true, "section": true, "nav": true,
	"td": true, "th": true, "tr": true, "h1": true, "h2": true, "h3": true, "dt": true, "dd": true,
	"summary": true, "form": true, "label": true, "button": true, "textarea": true,
}

func writeText(b *strings.Builder, n *html.Node) {
	switch {
	case n.Type == html.TextNode:
		b.WriteString(n.Data)
		return
	case n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style"):
		return
	}
	block := n.Type == html.ElementNode && blocks[n.Data]
	if block {
		b.WriteByte(' ')
	}
	for c := range n.ChildNodes() {
		writeText(b, c)
	}
	if block {
		b.WriteByte(' ')
	}
}
