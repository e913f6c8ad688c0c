// Package markup turns the Markdown that members write into HTML that is safe
// to store and later embed in a page verbatim.
//
// Rendering happens once, at write time, so every safety decision here is
// baked into stored posts: tightening the rules later means re-rendering old
// posts from their source.
//
// Two layers are used on purpose. goldmark does the Markdown and is
// configured never to pass raw HTML through; bluemonday then re-parses the
// result against a narrow allowlist. Either layer alone would probably be
// enough today; the allowlist is there so that a goldmark option or extension
// added later cannot silently widen what reaches readers' browsers.
package markup

import (
	"bytes"
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is the exact rel every rendered link carries. nofollow and ugc tell
// search engines the board does not vouch for members' links (and take away
// the SEO incentive for link spam); noopener keeps a linked page from
// scripting this one through window.opener should a browser or a later
// template open links in a new tab.
const linkRel = "nofollow ugc noopener"

// One shared instance of each serves every request. bluemonday documents a
// built Policy as safe for concurrent use. goldmark does not say so, but it
// finishes its own setup under sync.Once on first use and keeps all per-call
// state in a fresh parser context; TestRenderConcurrent runs under -race to
// keep that assumption honest across upgrades.
var (
	md     = newMarkdown()
	policy = newPolicy()
)

// Render converts Markdown source to sanitised HTML safe to embed in a page.
func Render(src string) string {
	var buf bytes.Buffer
	if err := md.Convert([]byte(bound(src)), &buf); err != nil {
		// Unreachable with a bytes.Buffer, but a post must never be lost or
		// crash the handler: fall back to showing the source as plain text.
		return plain(src)
	}
	out := policy.SanitizeBytes(buf.Bytes())
	if len(out) > maxHTML {
		return plain(src)
	}
	return string(out)
}

// maxHTML bounds the HTML stored for one message. Markdown can multiply its
// size (a body of nothing but "> " nests blockquotes thousands deep: 64 KiB
// became 864 KB), and every reader of a window would pay for it. Ordinary
// posts, even link-dense ones, stay far below. The plain-text fallback is
// at most five times its source (`"` becomes `&#34;`), so with bodies of at
// most 64 KiB nothing stored exceeds this.
const maxHTML = 384 << 10

// plain shows src as text, its line breaks kept: the fallback for Markdown
// whose rendering would be too large.
func plain(src string) string {
	return "<p>" + strings.ReplaceAll(html.EscapeString(src), "\n", "<br>\n") + "</p>"
}

func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		// extension.GFM, except that tables go through boundedTables.
		goldmark.WithExtensions(
			extension.Linkify,
			boundedTables{},
			extension.Strikethrough,
			extension.TaskList,
		),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(postTransformer{}, 100)),
		),
		goldmark.WithRendererOptions(
			// Posts are written like letters: a single newline is meant as a
			// line break, not as a space the way CommonMark has it.
			ghtml.WithHardWraps(),
		),
		// ghtml.WithUnsafe is deliberately absent: raw HTML in a post is shown
		// as nothing, never passed through.
	)
}

// newPolicy builds the allowlist that has the final say over what reaches a
// reader.
//
// It is UGCPolicy cut down to what this package's goldmark configuration can
// emit. UGCPolicy itself cannot be used as the base because bluemonday offers
// no way to remove an element from a policy, and UGCPolicy allows <img>,
// which the board must never emit (see postTransformer). Cutting it down also
// means an element goldmark starts emitting in a future version is dropped
// until someone decides it is safe, rather than trusted by default.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	// Our transformer already writes linkRel; this is the backstop that still
	// marks a link nofollow if that ever stops happening.
	p.RequireNoFollowOnLinks(true)

	p.AllowElements(
		"p", "br", "hr", "blockquote", "pre", "code",
		"em", "strong", "del",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"ul", "ol", "li",
		"table", "thead", "tbody", "tr", "th", "td",
	)
	// UGCPolicy omits start, which silently renumbers a list that begins at,
	// say, 3 when a reply continues someone else's numbering.
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")

	p.AllowAttrs("href").OnElements("a")
	// bluemonday escapes attribute values on output, so any title text is
	// inert; UGCPolicy's narrower pattern would drop ordinary titles that
	// contain a colon or a question mark.
	p.AllowAttrs("title").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + regexp.QuoteMeta(linkRel) + `$`)).OnElements("a")

	return p
}

// maxTableCells bounds rows × columns of one table. It is far beyond any
// table a member would write by hand, and low enough that a post at the
// forum's size limit made of nothing but worst-case tables still renders in
// well under a second.
const maxTableCells = 10_000

// boundedTables is extension.Table with a size guard in front of it.
//
// goldmark pads every short row out to the header's width while parsing, so
// a header of n columns followed by n one-character lines makes n² cells: a
// 14 KB post took seconds and tens of megabytes, and a post at the 64 KiB
// limit would exhaust the server's memory. A paragraph that could yield more
// than maxTableCells cells is therefore left as a paragraph: its text is
// still shown, only not laid out as a table.
type boundedTables struct{}

func (boundedTables) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithParagraphTransformers(
			util.Prioritized(tableGuard{extension.NewTableParagraphTransformer()}, 200),
		),
		parser.WithASTTransformers(
			util.Prioritized(extension.NewTableASTTransformer(), 0),
		),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(extension.NewTableHTMLRenderer(
			// The default for HTML output is a style attribute, which the
			// sanitiser would strip along with the alignment.
			extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute),
		), 500),
	))
}

type tableGuard struct{ next parser.ParagraphTransformer }

// Transform over-estimates the cells goldmark could make from the paragraph
// (every line a row, as wide as the line with the most pipes) so that it
// needs no knowledge of the table syntax beyond "cells are split by |".
func (g tableGuard) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	source := reader.Source()
	cols := 0
	for i := range lines.Len() {
		seg := lines.At(i)
		cols = max(cols, bytes.Count(seg.Value(source), []byte{'|'})+1)
	}
	if cols*lines.Len() > maxTableCells {
		return
	}
	g.next.Transform(node, reader, pc)
}

// postTransformer adjusts the parsed document before it is rendered. Doing
// this on the AST rather than on the HTML lets goldmark's own renderer keep
// doing all the escaping.
//
// It
//   - marks every link with linkRel;
//   - turns images into ordinary links to the image, because loading foreign
//     content in a reader's browser would let a poster track who read a post
//     (and when, and from where);
//   - unwraps links whose destination the sanitiser would strip anyway, so a
//     javascript: link reads as its text instead of a dead <a> that reloads
//     the page;
//   - replaces task-list checkboxes with ☐/☑ characters, so they survive an
//     allowlist that admits no form controls;
//   - drops the empty cells GFM pads short table rows with (see trimPadding).
type postTransformer struct{}

func (postTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	rewrite(doc, reader.Source(), false)
}

// rewrite walks n's descendants. inLink reports whether n is already inside
// a link: an image or link there would nest <a> elements, which HTML forbids
// and browsers repair by splitting the outer link, so those are unwrapped.
func rewrite(n ast.Node, source []byte, inLink bool) {
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		switch v := c.(type) {
		case *ast.Image:
			if inLink || !linkable(v.Destination) {
				next = unwrap(n, c)
				break
			}
			link := ast.NewLink()
			link.Destination = v.Destination
			link.Title = v.Title
			for gc := v.FirstChild(); gc != nil; {
				gnext := gc.NextSibling()
				link.AppendChild(link, gc)
				gc = gnext
			}
			if !link.HasChildren() {
				// An empty alt text would leave nothing to click on.
				link.AppendChild(link, rawString(v.Destination))
			}
			n.ReplaceChild(n, c, link)
			link.SetAttributeString("rel", []byte(linkRel))
			rewrite(link, source, true)
		case *ast.Link:
			if inLink || !linkable(v.Destination) {
				next = unwrap(n, c)
				break
			}
			v.SetAttributeString("rel", []byte(linkRel))
			rewrite(v, source, true)
		case *ast.AutoLink:
			dest := v.URL(source)
			if v.AutoLinkType == ast.AutoLinkEmail {
				dest = append([]byte("mailto:"), dest...)
			}
			if inLink || !linkable(dest) {
				n.ReplaceChild(n, c, rawString(v.Label(source)))
				break
			}
			v.SetAttributeString("rel", []byte(linkRel))
		case *east.TableRow:
			trimPadding(v)
			rewrite(v, source, inLink)
		case *east.TaskCheckBox:
			box := "☐ "
			if v.IsChecked {
				box = "☑ "
			}
			n.ReplaceChild(n, c, rawString([]byte(box)))
		default:
			rewrite(c, source, inLink)
		}
		c = next
	}
}

// trimPadding removes the empty cells goldmark appends to a table row that
// is shorter than the header. Even within maxTableCells, that padding lets a
// few hundred bytes of source become a hundred kilobytes of stored HTML;
// without it every cell in the output stands for at least one byte the
// author typed. Browsers lay out short rows fine, so the only visible
// difference is a missing border where the empty cells would have been.
//
// Padding cells are recognisable because, unlike any cell the author typed
// (even an empty one), they were given no source line.
func trimPadding(row *east.TableRow) {
	for c := row.LastChild(); c != nil; c = row.LastChild() {
		if cell, ok := c.(*east.TableCell); !ok || cell.Lines().Len() != 0 {
			return
		}
		row.RemoveChild(row, c)
	}
}

// unwrap replaces child, a child of parent, with child's own children and
// returns the node the caller's walk should visit next, so the lifted
// children are themselves rewritten.
func unwrap(parent, child ast.Node) ast.Node {
	first := child.FirstChild()
	for gc := first; gc != nil; {
		gnext := gc.NextSibling()
		parent.InsertBefore(parent, child, gc)
		gc = gnext
	}
	next := child.NextSibling()
	parent.RemoveChild(parent, child)
	if first != nil {
		return first
	}
	return next
}

// rawString makes a text node that goldmark HTML-escapes but does not
// interpret further, so a URL or label is shown exactly as written.
func rawString(b []byte) *ast.String {
	s := ast.NewString(b)
	s.SetRaw(true)
	return s
}

// linkable mirrors the sanitiser's URL rules (see newPolicy) closely enough
// to decide whether rendering a link is worthwhile. It is presentation only:
// if it and bluemonday ever disagree, bluemonday still strips the href.
func linkable(dest []byte) bool {
	u, err := url.Parse(strings.TrimSpace(string(util.URLEscape(dest, true))))
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "", "http", "https", "mailto":
		return true
	}
	return false
}
