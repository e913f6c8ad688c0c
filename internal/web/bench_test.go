package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/web"
	"parley/internal/web/view"
)

// benchBody is a typical message: ~600 bytes of Markdown with a quote, a
// link and a list, the shape of the seed board's posts.
const benchBody = `> Conroe is shipping in volume.

That matches what the channel checks said last week: the distributors have
**more** parts than they can move, and the OEMs are switching their mid-range
lines over by September. See [the earnings call](https://example.com/intc-q2)
for the numbers; the gross margin guidance is what matters.

Things to watch:

- average selling prices in the desktop segment
- whether AMD cuts again before back-to-school
- inventory at the distributors

I am still long, but trimmed a bit above 24.`

// benchWindow is a window of n messages as a board page shows it.
func benchWindow(n int) *view.Window {
	html := markup.Render(benchBody)
	b := &forum.Board{Slug: "intel", Title: "Intel Corporation (INTC)", Description: "Chips and the company that makes them", LastNumber: 1575535}
	w := &view.Window{Listing: &forum.Listing{Board: b, Prev: 346300, Next: 346300 + int64(n)}}
	at := time.Date(2007, 8, 10, 13, 42, 12, 0, time.UTC)
	for i := range n {
		num := int64(346300 + i)
		w.Messages = append(w.Messages, forum.Message{
			Board: "intel", Number: num, Author: "Road_Walker", CreatedAt: at.Add(time.Duration(i) * time.Minute),
			Body: benchBody, HTML: html, ReplyTo: num - 3, ReplyToAuthor: "Tenchusatsu", ReplyCount: int64(i % 3),
		})
	}
	return w
}

// BenchmarkRenderWindow is the templ rendering of a board page alone.
func BenchmarkRenderWindow(b *testing.B) {
	for _, n := range []int{25, 50, 100} {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			w := benchWindow(n)
			page := view.Page{Title: w.Board.Title, Board: w.Board, Path: "/b/intel", Assets: view.Assets{CSS: "/static/a.css", JS: "/static/a.js"}}
			c := view.BoardPage(page, w)
			ctx := context.Background()
			for b.Loop() {
				if err := c.Render(ctx, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServeWindow is a whole board page request through the handler:
// the SQLite reads, the rendering and the write, without the network.
// Windows at the start, middle and end of the board should cost the same;
// "message" is a message page, for comparison.
func BenchmarkServeWindow(b *testing.B) {
	const size = 2000
	f := newTestForum(b, web.Options{})
	u := f.MustUser(b, "Road_Walker")
	f.MustBoard(b, u, "intel", "Intel Corporation (INTC)")
	for i := range size {
		f.MustPost(b, u, "intel", benchBody, int64(i/2))
	}
	h := f.Config.Handler
	for _, tc := range []struct{ name, query string }{
		{"start", "?from=1"},
		{"middle", fmt.Sprintf("?from=%d", size/2)},
		{"newest", ""},
		{"message", "/1000"}, // a message page: the message, its header, its replies
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/b/intel"+tc.query, nil)
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "of 2000") {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
