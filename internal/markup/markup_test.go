package markup_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"parley/internal/markup"
)

const rel = `rel="nofollow ugc noopener"`

// forbiddenTags may never appear in output: they either run script, load
// foreign content (tracking readers) or let a post restyle or overlay the
// page.
var forbiddenTags = map[string]bool{
	"script": true, "img": true, "iframe": true, "style": true, "svg": true,
	"math": true, "form": true, "input": true, "button": true, "textarea": true,
	"select": true, "object": true, "embed": true, "video": true, "audio": true,
	"source": true, "picture": true, "link": true, "meta": true, "base": true,
	"frame": true, "frameset": true,
}

// urlAttrs are the attributes a browser resolves as URLs.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true,
	"xlink:href": true, "poster": true, "background": true, "cite": true,
	"srcset": true, "data": true,
}

// assertSafe checks the invariants every rendered post must satisfy,
// whatever its input. It parses the output with a real HTML tokenizer rather
// than matching substrings, because text such as "javascript:" or
// "onclick=" is harmless as text and must not trip the check.
func assertSafe(t testing.TB, in, out string) {
	t.Helper()
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Fatalf("Render(%q) contains <script: %q", in, out)
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if forbiddenTags[tok.Data] {
			t.Fatalf("Render(%q) contains <%s>: %q", in, tok.Data, out)
		}
		var href, relVal string
		var hasHref, hasRel bool
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") {
				t.Fatalf("Render(%q) has event handler %s=%q: %q", in, a.Key, a.Val, out)
			}
			if key == "style" || key == "class" || key == "id" {
				t.Fatalf("Render(%q) has %s attribute: %q", in, a.Key, out)
			}
			if urlAttrs[key] {
				v := strings.ToLower(strings.Map(func(r rune) rune {
					// Browsers ignore these inside a scheme.
					if r <= ' ' || r == 0x7f {
						return -1
					}
					return r
				}, a.Val))
				for _, scheme := range []string{"javascript:", "vbscript:", "data:", "file:"} {
					if strings.HasPrefix(v, scheme) {
						t.Fatalf("Render(%q) has %s=%q: %q", in, a.Key, a.Val, out)
					}
				}
			}
			switch key {
			case "href":
				href, hasHref = a.Val, true
			case "rel":
				relVal, hasRel = a.Val, true
			}
		}
		if tok.Data == "a" && hasHref && (!hasRel || relVal != "nofollow ugc noopener") {
			t.Fatalf("Render(%q) has link to %q without %s: %q", in, href, rel, out)
		}
	}
}

var attacks = []struct {
	name string
	in   string
	// want, if set, is the exact expected output.
	want string
	// excludes is used instead of want where the exact output (typically
	// stray whitespace left by a dropped block) is nobody's requirement.
	excludes []string
}{
	{name: "script tag", in: `<script>alert(1)</script>`, excludes: []string{"alert"}},
	// Inline tags are dropped one by one, so what was between them is left
	// behind as inert text, as for any other unsupported tag.
	{name: "inline script", in: `hello <script>alert(1)</script> world`, want: "<p>hello alert(1) world</p>\n"},
	{name: "javascript link", in: `[x](javascript:alert(1))`, want: "<p>x</p>\n"},
	{name: "javascript entity colon", in: `[x](javascript&colon;alert(1))`, want: "<p>x</p>\n"},
	{name: "javascript mixed case", in: `[x](JaVaScRiPt:alert(1))`, want: "<p>x</p>\n"},
	{name: "javascript numeric entity", in: `[x](&#106;avascript:alert(1))`, want: "<p>x</p>\n"},
	{name: "javascript hex entity", in: `[x](&#x6A;avascript&#x3A;alert(1))`, want: "<p>x</p>\n"},
	{name: "javascript leading space", in: `[x](< javascript:alert(1)>)`, excludes: []string{"href"}},
	{name: "javascript reference link", in: "[x][1]\n\n[1]: javascript:alert(1)", want: "<p>x</p>\n"},
	{name: "vbscript link", in: `[x](vbscript:msgbox(1))`, want: "<p>x</p>\n"},
	{name: "data link", in: `[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`, want: "<p>x</p>\n"},
	{name: "data image link", in: `[x](data:image/png;base64,iVBORw0KGgo=)`, want: "<p>x</p>\n"},
	{name: "file link", in: `[x](file:///etc/passwd)`, want: "<p>x</p>\n"},
	{name: "javascript image", in: `![x](javascript:alert(1))`, want: "<p>x</p>\n"},
	{
		name: "foreign image becomes link",
		in:   `![x](http://evil/track.png)`,
		want: `<p><a href="http://evil/track.png" ` + rel + ">x</a></p>\n",
	},
	{
		name: "image with empty alt shows its URL",
		in:   `![](https://evil/track.png "t")`,
		want: `<p><a href="https://evil/track.png" title="t" ` + rel + ">https://evil/track.png</a></p>\n",
	},
	{
		name: "linked image does not nest links",
		in:   `[![badge](https://ci.example/badge.svg)](https://ci.example/)`,
		want: `<p><a href="https://ci.example/" ` + rel + ">badge</a></p>\n",
	},
	{name: "data image", in: `![x](data:image/png;base64,iVBORw0KGgo=)`, want: "<p>x</p>\n"},
	{name: "raw img", in: `<img src=x onerror=alert(1)>`, excludes: []string{"onerror", "alert"}},
	{name: "raw img inline", in: `see <img src=x onerror=alert(1)> here`, excludes: []string{"onerror", "alert"}},
	{name: "raw anchor onclick", in: `<a href="x" onclick="y">z</a>`, want: "<p>z</p>\n"},
	{name: "iframe", in: `<iframe src="https://evil.example/"></iframe>`, excludes: []string{"evil"}},
	{name: "svg onload", in: `<svg onload=alert(1)>`, excludes: []string{"alert"}},
	{name: "style", in: "<style>body{display:none}</style>", excludes: []string{"display"}},
	{name: "form", in: `<form action="https://evil/"><input name=p></form>`, excludes: []string{"evil"}},
	{
		name: "script in link title",
		in:   `[x](https://a.example/ "\"><script>alert(1)</script>")`,
		want: `<p><a href="https://a.example/" title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" ` + rel + ">x</a></p>\n",
	},
	{name: "script in link text", in: `[<script>alert(1)</script>](https://a.example/)`, want: `<p><a href="https://a.example/" ` + rel + ">alert(1)</a></p>\n"},
	{name: "script in code span", in: "`<script>alert(1)</script>`", want: "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n"},
	{name: "javascript autolink", in: `<javascript:alert(1)>`, want: "<p>javascript:alert(1)</p>\n"},
	{name: "vbscript autolink", in: `<vbscript:msgbox(1)>`, want: "<p>vbscript:msgbox(1)</p>\n"},
	{
		name: "www autolink",
		in:   `see www.example.com now`,
		want: `<p>see <a href="http://www.example.com" ` + rel + ">www.example.com</a> now</p>\n",
	},
	{
		name: "angle autolink",
		in:   `<https://example.com/a?b=1&c=2>`,
		want: `<p><a href="https://example.com/a?b=1&amp;c=2" ` + rel + ">https://example.com/a?b=1&amp;c=2</a></p>\n",
	},
	{
		name: "email autolink",
		in:   `write to foo@example.com`,
		want: `<p>write to <a href="mailto:foo@example.com" ` + rel + ">foo@example.com</a></p>\n",
	},
	{name: "html comment", in: "before <!-- secret --> after", want: "<p>before  after</p>\n"},
	{name: "html comment block", in: "<!--\nsecret\n-->", excludes: []string{"secret", "<!--"}},
	{name: "attribute syntax", in: "# Title {onclick=alert(1)}", want: "<h1>Title {onclick=alert(1)}</h1>\n"},
	{name: "attribute syntax on link", in: "[x](https://a.example/){onclick=alert(1)}", want: `<p><a href="https://a.example/" ` + rel + ">x</a>{onclick=alert(1)}</p>\n"},
	{
		// Protocol-relative URLs are absolute links to another host. They are
		// allowed: the result is an ordinary nofollow link, no worse than
		// writing https://evil.example/ out in full.
		name: "protocol-relative link",
		in:   `[x](//evil.example/)`,
		want: `<p><a href="//evil.example/" ` + rel + ">x</a></p>\n",
	},
	{
		name: "mailto link",
		in:   `[mail me](mailto:a@example.com)`,
		want: `<p><a href="mailto:a@example.com" ` + rel + ">mail me</a></p>\n",
	},
	{
		name: "relative link",
		in:   `[thread](/b/foo/3)`,
		want: `<p><a href="/b/foo/3" ` + rel + ">thread</a></p>\n",
	},
	{name: "emphasis", in: "*em* **strong** ~~gone~~", want: "<p><em>em</em> <strong>strong</strong> <del>gone</del></p>\n"},
	{name: "blockquote", in: "> quoted\n> still quoted", want: "<blockquote>\n<p>quoted<br>\nstill quoted</p>\n</blockquote>\n"},
	{name: "unordered list", in: "- a\n- b", want: "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
	{name: "ordered list keeps start", in: "3. c\n4. d", want: "<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n"},
	{
		name: "code block escapes and drops class",
		in:   "```go\nif a < b && c > d {}\n```",
		want: "<pre><code>if a &lt; b &amp;&amp; c &gt; d {}\n</code></pre>\n",
	},
	{
		name: "table",
		in:   "| a | b |\n|:--|--:|\n| 1 | 2 |",
		want: "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n" +
			"<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n",
	},
	{
		name: "short table row is not padded",
		in:   "| a | b | c |\n|---|---|---|\n| 1 |",
		want: "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n<th>c</th>\n</tr>\n</thead>\n" +
			"<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n",
	},
	{
		name: "typed empty cells are kept",
		in:   "| a | b |\n|---|---|\n| | |",
		want: "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n" +
			"<tbody>\n<tr>\n<td></td>\n<td></td>\n</tr>\n</tbody>\n</table>\n",
	},
	{name: "single newline is a line break", in: "Dear all,\nthanks.\n\nBob", want: "<p>Dear all,<br>\nthanks.</p>\n<p>Bob</p>\n"},
	{name: "task list", in: "- [ ] todo\n- [x] done", want: "<ul>\n<li>☐ todo</li>\n<li>☑ done</li>\n</ul>\n"},
	{name: "heading and rule", in: "## Hi\n\n---", want: "<h2>Hi</h2>\n<hr>\n"},
	{name: "empty", in: "", want: ""},
}

func TestRender(t *testing.T) {
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			got := markup.Render(tc.in)
			assertSafe(t, tc.in, got)
			if (tc.want != "" || tc.excludes == nil) && got != tc.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			for _, s := range tc.excludes {
				if strings.Contains(got, s) {
					t.Errorf("Render(%q) = %q, must not contain %q", tc.in, got, s)
				}
			}
		})
	}
}

// maxGrowth bounds how much larger than its source a rendered post may be.
// The worst legitimate case is an aligned table cell, where one "|" becomes
// `<td align="center"></td>` and a newline; anything beyond this means some
// construct grows faster than the input, which at the forum's 64 KiB limit
// can take the server down.
func maxGrowth(in string) int { return 32*len(in) + 64 }

// TestRenderTableBlowup pins the fix for goldmark padding every short row to
// the header's width, which made output quadratic in input.
func TestRenderTableBlowup(t *testing.T) {
	for _, n := range []int{50, 200, 2000} {
		in := strings.Repeat("|a", n) + "\n" + strings.Repeat("|-", n) + "\n" + strings.Repeat("x\n", n)
		out := markup.Render(in)
		if len(out) > maxGrowth(in) {
			t.Errorf("n=%d: %d bytes of input rendered to %d bytes", n, len(in), len(out))
		}
	}
}

// TestRenderSizeBound: Markdown whose HTML would be huge (blockquotes
// nested as deep as they may go, opened and closed on every line) is
// stored as plain text instead, with its words.
func TestRenderSizeBound(t *testing.T) {
	in := strings.Repeat(strings.Repeat("> ", 16)+"x\n\n", 1800) + "deep <b>"
	out := markup.Render(in)
	if len(out) > 6*len(in)+64 {
		t.Fatalf("%d bytes of input rendered to %d bytes", len(in), len(out))
	}
	if !strings.HasSuffix(out, "deep &lt;b&gt;</p>") {
		t.Fatalf("fallback lost the text or its escaping: …%s", out[max(0, len(out)-40):])
	}
}

// superLinear are bodies whose rendering grew with the square of their
// length before bound: 64 KiB of each took 0.06–3.9 s (FuzzRender found
// the parentheses).
var superLinear = map[string]string{
	"nested quotes":           ">",
	"nested quotes, spaced":   "> ",
	"lists in quotes":         "> - ",
	"open link destinations":  "[a](",
	"open angle destinations": "[a](<",
	"reference definitions":   "[a]: b\n",
	"definitions of two":      "[a]: b\n[b]: c\n",
	"nested parentheses":      "[0](()",
	"escaped angle brackets":  `[a](<\>`,
	"escaped parentheses":     `[a](\)`,
}

// grown repeats in until it is at least n bytes long.
func grown(in string, n int) string {
	return strings.Repeat(in, (n+len(in)-1)/len(in))
}

// perByte is the least time per byte of five renderings of in: the
// least, so that a pause of the machine's does not count.
func perByte(in string) float64 {
	best := time.Duration(1<<63 - 1)
	for range 5 {
		start := time.Now()
		markup.Render(in)
		best = min(best, time.Since(start))
	}
	return float64(best) / float64(len(in))
}

// baseline is the time per byte of rendering ordinary posts, 16 KiB of
// them, measured once per run: what other inputs are compared with.
var baseline = sync.OnceValue(func() float64 { return perByte(grown(post, 16<<10)) })

// maxSlowdown bounds how much more a byte of any input may cost to render
// than a byte of ordinary posts. The costliest linear inputs (lists inside
// quotes on every line) cost some 6 times as much; those that grew with
// the square of their length cost 100–1000 times as much at 16 KiB.
const maxSlowdown = 30

// TestRenderLinear: the bodies that made rendering quadratic now render in
// time linear in their length: a byte of 64 KiB of one costs at most 5
// times a byte of 4 KiB (the same, were it linear but for the machine's
// noise; 16 times, were it quadratic; 7–20 times measured before bound),
// and no byte of them costs more than maxSlowdown bytes of ordinary posts.
// Ratios measured in one run: no time of the machine's is assumed.
func TestRenderLinear(t *testing.T) {
	for name, unit := range superLinear {
		t.Run(name, func(t *testing.T) {
			small, large := perByte(grown(unit, 4<<10)), perByte(grown(unit, 64<<10))
			t.Logf("%.0f ns a byte at 64 KiB, %.1f times a byte at 4 KiB, %.1f times a byte of ordinary posts", large, large/small, large/baseline())
			if growth := large / small; growth > 5 {
				t.Errorf("64 KiB cost %.1f times as much a byte as 4 KiB: not linear", growth)
			}
			if slowdown := large / baseline(); slowdown > maxSlowdown {
				t.Errorf("a byte cost %.0f times a byte of ordinary posts", slowdown)
			}
		})
	}
}

// FuzzRender: whatever the input, the output is safe and bounded in size,
// and the input repeated to 16 KiB costs no more a byte than maxSlowdown
// bytes of ordinary posts: a construct whose cost grows faster than its
// length shows there as hundreds.
func FuzzRender(f *testing.F) {
	for _, tc := range attacks {
		f.Add(tc.in)
	}
	for _, unit := range superLinear {
		f.Add(unit)
	}
	f.Add(post)
	f.Fuzz(func(t *testing.T, in string) {
		out := markup.Render(in)
		assertSafe(t, in, out)
		if len(out) > maxGrowth(in) {
			t.Fatalf("Render(%q): %d bytes of input rendered to %d bytes", in, len(in), len(out))
		}
		if in == "" || len(in) > 4<<10 {
			return
		}
		if slowdown := perByte(grown(in, 16<<10)) / baseline(); slowdown > maxSlowdown {
			t.Fatalf("Render(%.60q repeated to 16 KiB): a byte cost %.0f times a byte of ordinary posts", in, slowdown)
		}
	})
}

// post is a typical board post, about 600 bytes, exercising the common
// constructs.
const post = `Hi all,

Following up on **last week's meeting** — the minutes are up at
[the usual place](/b/committee/42), and Anna's notes are at
https://example.org/notes/2024-05.

> We agreed to move the *spring fair* to the 18th.
> Stalls need confirming by Friday.

Things still open:

1. Who books the hall? (I can, if nobody else wants to.)
2. Flyers — ~~Tom~~ Priya is doing them.
3. Budget: see the table below.

| Item    | Cost |
|---------|-----:|
| Hall    |  120 |
| Flyers  |   35 |

- [x] send invites
- [ ] order tea urns

Questions to me at secretary@example.org or reply here.
Thanks,
Sam
`

func BenchmarkRender(b *testing.B) {
	b.SetBytes(int64(len(post)))
	for b.Loop() {
		markup.Render(post)
	}
}

// TestRenderWorstCaseEscaping: the plain-text fallback of the most
// escaping-heavy body allowed still fits the bound on stored HTML.
func TestRenderWorstCaseEscaping(t *testing.T) {
	in := strings.Repeat(`"`, 64<<10)
	if out := markup.Render(in); len(out) > 384<<10 {
		t.Fatalf("%d bytes of quotes rendered to %d bytes", len(in), len(out))
	}
}
