package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"parley/internal/forum"
	"parley/internal/web"
)

// hostile is what attackers post; none of it may run or load anything.
var hostile = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`[click](javascript:alert(1))`,
	`[click](JaVaScRiPt:alert(1))`,
	`[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`![img](https://evil.example/track.png)`,
	`<a href="javascript:alert(1)">x</a>`,
	`<svg onload=alert(1)>`,
	`<iframe src="https://evil.example"></iframe>`,
	`"><script>alert(1)</script>`,
	`<style>body{display:none}</style>`,
	`<form action="https://evil.example"><button>go</button></form>`,
	"```\n</code><script>alert(1)</script>\n```",
	`<details open ontoggle=alert(1)>`,
	`[x](vbscript:msgbox(1))`,
	`<base href="https://evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example">`,
	"</textarea><script>alert(1)</script>", // quoted into the reply form's textarea
}

// TestHostileInputIsInert posts hostile bodies and a hostile board title
// and description, then checks every page that shows them: each is the
// page asked for, showing the hostile text, and the only script is
// Parley's own file, and nothing foreign is loaded or linked as script.
func TestHostileInputIsInert(t *testing.T) {
	f := newTestForum(t, web.Options{})
	u := f.MustUser(t, "mallory")
	title := hostile[0] + hostile[1]
	if _, err := f.svc.CreateBoard(t.Context(), u, forum.NewBoard{Slug: "x", Title: title, Description: strings.Join(hostile, "\n")}); err != nil {
		t.Fatal(err)
	}
	// Each body is the hostile text under a line that says which, so that
	// a page can be seen to show it.
	for i, h := range hostile {
		f.MustPost(t, u, "x", fmt.Sprintf("Hostile %d:\n\n%s", i+1, h), int64(i)) // each answers the one before
	}
	b := f.browser(t)
	b.signIn("mallory")
	// What each page must show, in its text, or for the reply forms in the
	// source quoted; searches echo the query, or find the hostile words.
	pages := map[string]string{
		"/": title, "/b/x": "Hostile 18:", "/b/x?from=1&limit=100": "Hostile 1:", "/u/mallory": "Hostile 18:",
		"/b/x/1/thread": "Hostile 18:", "/b/x/1/replies": "Hostile 2:",
		"/search?q=" + url.QueryEscape(hostile[9]): "Hostile 10:",
		"/search?sort=relevance&q=" + url.QueryEscape("script OR alert OR javascript OR onerror OR textarea OR iframe"): "Hostile",
		"/search?q=alert&author=" + url.QueryEscape(hostile[9]) + "&board=" + url.QueryEscape(hostile[1]):               "alert",
		"/search?q=" + url.QueryEscape(`before:"><script>alert(1)</script>`):                                            "alert", // an operator's hostile value
	}
	for n := 1; n <= len(hostile); n++ {
		pages[fmt.Sprintf("/b/x/%d", n)] = fmt.Sprintf("Hostile %d:", n)
		pages[fmt.Sprintf("/b/x/%d/reply?quote=1", n)] = fmt.Sprintf("Hostile %d:", n)
	}
	for path, want := range pages {
		p := b.get(path)
		if p.status != http.StatusOK || p.root == nil {
			t.Errorf("%s: %d, HTML %t; want 200 with HTML", path, p.status, p.root != nil)
			continue
		}
		if !strings.Contains(p.text(), want) && !strings.Contains(html.UnescapeString(p.body), want) {
			t.Errorf("%s: the page does not show %q", path, want)
		}
		wantInert(t, path, p.root)
	}
	p := b.post("/b/x/1/reply", url.Values{"body": {strings.Join(hostile, "\n\n")}, "preview": {"1"}})
	wantInert(t, "preview", p.root)
}

func wantInert(t *testing.T, where string, root *html.Node) {
	t.Helper()
	scripts := 0
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script":
			scripts++
			if src := attr(n, "src"); !strings.HasPrefix(src, "/static/parley.") {
				t.Errorf("%s: a script %q", where, src)
			}
		case "iframe", "object", "embed", "img", "svg", "style", "base", "meta", "frame":
			if n.Data == "meta" && (attr(n, "charset") != "" || attr(n, "name") != "") {
				continue // the page's own
			}
			t.Errorf("%s: a <%s> element", where, n.Data)
		}
		if n.Data == "form" {
			if a := attr(n, "action"); strings.Contains(a, "//") {
				t.Errorf("%s: a form posting to %q", where, a)
			}
		}
		for _, a := range n.Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(a.Key, "on"):
				t.Errorf("%s: an event handler %s=%q on <%s>", where, a.Key, a.Val, n.Data)
			case (a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction") &&
				(strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:")):
				t.Errorf("%s: %s=%q on <%s>", where, a.Key, a.Val, n.Data)
			}
		}
	}
	if scripts != 1 {
		t.Errorf("%s: %d script elements, want Parley's one", where, scripts)
	}
}
