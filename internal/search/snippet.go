package search

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SnippetWords is how many words a snippet shows.
const SnippetWords = 32

// Snippet returns an excerpt of text, as HTML: SnippetWords words around
// the first word whose term is among terms — the run of them that holds
// the most such words — each of those in <mark>, everything else escaped
// and its spacing collapsed. It shows the first words when nothing is
// marked, and says with "…" where text was left out.
//
// A hit's text can be 64 KB: analysing every word of twenty of them would
// cost more than the search. So the analysis starts a little before the
// first place a term may begin, and stops once the words after the first
// marked one fill a snippet.
func Snippet(text string, terms []string) string {
	type word struct {
		start, end int
		marked     bool
	}
	from := skipTo(text, terms)
	var words []word
	firstMarked := -1
	scan(text[from:], func(start, end int, term string) bool {
		start, end = start+from, end+from
		marked := slices.Contains(terms, term)
		// A word folding to several terms (½) is one word, marked if any
		// of its terms is.
		if n := len(words); n > 0 && words[n-1].start == start {
			words[n-1].marked = words[n-1].marked || marked
		} else {
			words = append(words, word{start, end, marked})
		}
		if marked && firstMarked < 0 {
			firstMarked = len(words) - 1
		}
		enough := len(terms) == 0 && len(words) > SnippetWords ||
			firstMarked >= 0 && len(words) > firstMarked+SnippetWords
		return !enough
	})
	if len(words) == 0 {
		return ""
	}
	// The window [first, first+SnippetWords) with the most marked words,
	// the earliest among equals.
	first, best, count := 0, -1, 0
	for i, w := range words {
		if w.marked {
			count++
		}
		if i >= SnippetWords && words[i-SnippetWords].marked {
			count--
		}
		if start := max(0, i-SnippetWords+1); count > best {
			first, best = start, count
		}
	}
	// Centre the marked words of the window in it.
	if best > 0 {
		lo := first
		for !words[lo].marked {
			lo++
		}
		hi := min(first+SnippetWords, len(words)) - 1
		for !words[hi].marked {
			hi--
		}
		first = max(0, min(lo-(SnippetWords-(hi-lo+1))/2, len(words)-SnippetWords))
	}
	last := min(first+SnippetWords, len(words)) - 1

	var b strings.Builder
	if first > 0 || from > 0 {
		b.WriteString("… ")
	} else {
		b.WriteString(html.EscapeString(strings.TrimLeftFunc(collapse(edge(text[:words[0].start], false)), unicode.IsSpace)))
	}
	for i := first; i <= last; i++ {
		w := words[i]
		if i > first {
			gap := text[words[i-1].end:w.start]
			b.WriteString(html.EscapeString(collapse(gap)))
		}
		if w.marked {
			b.WriteString("<mark>")
		}
		b.WriteString(html.EscapeString(text[w.start:w.end]))
		if w.marked {
			b.WriteString("</mark>")
		}
	}
	if last < len(words)-1 || strings.IndexFunc(text[words[last].end:], isWordRune) >= 0 {
		b.WriteString(" …")
	} else {
		b.WriteString(html.EscapeString(strings.TrimRightFunc(collapse(edge(text[words[last].end:], true)), unicode.IsSpace)))
	}
	return b.String()
}

// skipBytes is how much of the text before the first place a term may
// begin the analysis of a long text takes in: enough for the words before
// a marked word in a snippet.
const skipBytes = 300

// skipTo returns where in text to start analysing words for a snippet of
// terms: a word's start a little before the first place where one of them
// may begin (the term's first three letters, ignoring ASCII case; a stem
// nearly always begins as its word does), or 0. When the guess is wrong the
// analysis goes on from there, so it costs time, never a marked word
// after it.
func skipTo(text string, terms []string) int {
	if len(text) <= 4*skipBytes {
		return 0
	}
	lower := []byte(text)
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	low := string(lower)
	at := -1
	for _, t := range terms {
		if !ascii(t) {
			return 0 // folded from accents: not to be found as bytes
		}
		if p := strings.Index(low, t[:min(3, len(t))]); p >= 0 && (at < 0 || p < at) {
			at = p
		}
	}
	if at < skipBytes {
		return 0
	}
	i := at - skipBytes
	for i < at && isWordRune(rune(text[i])) || !utf8.RuneStart(text[i]) {
		i++
	}
	return i
}

// edgeBytes is the most of the text before the first word or after the
// last that a snippet shows: punctuation, which may run long.
const edgeBytes = 16

// edge returns the end of s next to the words: its first edgeBytes when
// head, else its last, cut at a character's start.
func edge(s string, head bool) string {
	if len(s) <= edgeBytes {
		return s
	}
	if head {
		i := edgeBytes
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return s[:i]
	}
	i := len(s) - edgeBytes
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// collapse turns each run of spacing in s into one space.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}
