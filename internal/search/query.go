package search

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on a query, so that one request cannot make the engines work
// without bound. Every word, excluded or not, is a list of the messages
// that hold it, which the engine walks; a word left out or an alternative
// (a OR b) costs as much as a word looked for, and more on PostgreSQL,
// which checks each against every candidate. Readers type two or three of
// either; eight of the commonest words cost a search on 1.5 million
// messages some tens of milliseconds (docs/search.md), and the search
// timeout bounds what is left.
const (
	MaxQueryBytes   = 1000
	MaxQueryTerms   = 32
	MaxExclusions   = 8
	MaxAlternatives = 8
)

// Query is a parsed search: what a hit must contain, must not contain, and
// the filters it must pass. The zero value matches nothing; Parse never
// returns it.
type Query struct {
	// All are the groups a hit must match every one of; a group matches
	// when the hit holds any of its phrases (a OR b).
	All [][]Phrase
	// None are phrases no hit holds (-word, -"a phrase").
	None []Phrase

	Author string // author:NAME, as written
	Board  string // board:SLUG, as written
	// After and Before bound the time a hit was written: on or after the
	// start of after:DAY, before the start of before:DAY (UTC), so that
	// after:2024-01-01 before:2024-02-01 is January. Zero when not given.
	After, Before time.Time
	// ReplyTo, when positive, asks for the replies to that message of the
	// board (replyto:N).
	ReplyTo int64
	// From and To bound the hit's number, both included (number:N..M); 0
	// when open at that end.
	From, To int64
}

// Phrase is a sequence of terms that must appear together in order; a
// word is a phrase of one term.
type Phrase []string

// HasText reports whether q looks for words, rather than only filtering.
func (q Query) HasText() bool { return len(q.All) > 0 }

// Terms returns the terms a hit holds, for marking them in snippets.
func (q Query) Terms() []string {
	var terms []string
	for _, g := range q.All {
		for _, p := range g {
			terms = append(terms, p...)
		}
	}
	return terms
}

// Error is a query that cannot be run; its message is for the reader.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Parse reads a query:
//
//	words             every word must be found (stemmed, without accents)
//	"a phrase"        the words together, in order
//	-word -"phrase"   must not be found
//	a OR b            either
//	author:NAME board:SLUG before:YYYY-MM-DD after:YYYY-MM-DD
//	replyto:N number:N..M   (these two need board:)
//
// Everything else is words: punctuation and the syntax of the engines
// (NEAR(, *, ^, col:) separate words and are never passed on; after a
// minus, words so joined are excluded as a phrase (-e-mail). A quote
// without its closing one runs to the end. An error is a query that makes
// no sense (a bad date, a filter given twice, nothing to look for), and its
// message says why.
func Parse(s string) (Query, error) {
	var q Query
	if len(s) > MaxQueryBytes {
		return q, errorf("a search may be at most %d characters long", MaxQueryBytes)
	}
	if !utf8.ValidString(s) {
		return q, errorf("a search must be UTF-8 text")
	}
	p := parser{q: &q}
	for _, it := range lex(s) {
		if err := p.add(it); err != nil {
			return Query{}, err
		}
	}
	p.flush()
	terms := len(q.Terms())
	for _, ph := range q.None {
		terms += len(ph)
	}
	alternatives := 0
	for _, g := range q.All {
		alternatives = max(alternatives, len(g))
	}
	switch {
	case terms > MaxQueryTerms:
		return Query{}, errorf("a search may hold at most %d words", MaxQueryTerms)
	case len(q.None) > MaxExclusions:
		return Query{}, errorf("a search may leave out at most %d words or phrases", MaxExclusions)
	case alternatives > MaxAlternatives:
		return Query{}, errorf("a search may offer at most %d alternatives joined by OR", MaxAlternatives)
	case (q.ReplyTo > 0 || q.From > 0 || q.To > 0) && q.Board == "":
		return Query{}, errorf("replyto: and number: need board: too, since numbers belong to a board")
	case q.From > 0 && q.To > 0 && q.From > q.To:
		return Query{}, errorf("number:%d..%d is an empty range", q.From, q.To)
	case !q.After.IsZero() && !q.Before.IsZero() && !q.After.Before(q.Before):
		return Query{}, errorf("after: must be a day before before:")
	// What a search finds starts from its words, or from an author's or a
	// board's messages; words left out and days only narrow that. Alone
	// beside a board or an author they would read through all of its
	// messages to reject most: a board of a million, for a page of none.
	case !q.HasText() && len(q.None) > 0:
		return Query{}, errorf("words left out (-word) narrow what other words find: give a word or \"phrase\" to look for too")
	case !q.HasText() && (!q.After.IsZero() || !q.Before.IsZero()):
		return Query{}, errorf("after: and before: narrow what words find: give a word or \"phrase\" to look for too")
	case !q.HasText() && q.Author == "" && q.Board == "":
		return Query{}, errorf("say what to look for: a word, a \"phrase\", author: or board:")
	}
	return q, nil
}

// item is one piece of a query as typed.
type item struct {
	text    string
	quoted  bool // "…"
	exclude bool // -…
}

// lex cuts a query into items at spaces and quotes.
func lex(s string) []item {
	var items []item
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		var it item
		if s[i] == '-' && i+1 < len(s) {
			it.exclude = true
			i++
		}
		if s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				end = len(s) - i - 1
			}
			it.text, it.quoted = s[i+1:i+1+end], true
			i += end + 2
		} else {
			end := strings.IndexFunc(s[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(s) - i
			}
			it.text = s[i : i+end]
			i += end
		}
		items = append(items, it)
	}
	return items
}

// parser builds a Query from items; group is the OR group being read.
type parser struct {
	q      *Query
	group  []Phrase
	or     bool // the previous item was OR, after a phrase of group
	filter map[string]bool
}

func (p *parser) add(it item) error {
	if !it.quoted && !it.exclude && it.text == "OR" && len(p.group) > 0 && !p.or {
		p.or = true
		return nil
	}
	if !it.quoted {
		if key, value, ok := strings.Cut(it.text, ":"); ok && value != "" {
			if f, known := filters[strings.ToLower(key)]; known {
				if it.exclude {
					return errorf("%s: cannot be excluded; filters only narrow a search", key)
				}
				return p.setFilter(strings.ToLower(key), value, f)
			}
		}
	}
	terms := Terms(it.text)
	if len(terms) == 0 {
		// Punctuation alone: nothing to find, and no OR to join.
		return nil
	}
	if it.exclude {
		p.q.None = append(p.q.None, terms)
		return nil
	}
	if !it.quoted && len(terms) > 1 {
		// Words joined by punctuation (NEAR(a, e-mail) are plain words;
		// OR joins the first of them.
		p.add1(Phrase(terms[:1]))
		for _, t := range terms[1:] {
			p.flush()
			p.group = append(p.group, Phrase{t})
		}
		return nil
	}
	p.add1(terms)
	return nil
}

// add1 adds a phrase to the OR group being read, or to a group of its own.
func (p *parser) add1(phrase Phrase) {
	if !p.or {
		p.flush()
	}
	p.or = false
	p.group = append(p.group, phrase)
}

// flush ends the OR group being read. An OR with nothing after it was the
// word "or".
func (p *parser) flush() {
	if p.or {
		p.group = append(p.group, Phrase{"or"})
		p.or = false
	}
	if len(p.group) > 0 {
		p.q.All = append(p.q.All, p.group)
		p.group = nil
	}
}

func (p *parser) setFilter(key, value string, set func(*Query, string) error) error {
	if p.filter == nil {
		p.filter = map[string]bool{}
	}
	if p.filter[key] {
		return errorf("%s: is given twice", key)
	}
	p.filter[key] = true
	if err := set(p.q, value); err != nil {
		return errorf("%s:%s — %v", key, value, err)
	}
	return nil
}

// filters are the operators, by name.
var filters = map[string]func(*Query, string) error{
	"author": func(q *Query, v string) error { q.Author = v; return nil },
	"board":  func(q *Query, v string) error { q.Board = v; return nil },
	"after":  func(q *Query, v string) (err error) { q.After, err = day(v); return err },
	"before": func(q *Query, v string) (err error) { q.Before, err = day(v); return err },
	"replyto": func(q *Query, v string) (err error) {
		q.ReplyTo, err = number(v)
		return err
	},
	"number": func(q *Query, v string) (err error) {
		from, to, isRange := strings.Cut(v, "..")
		if !isRange {
			q.From, err = number(v)
			q.To = q.From
			return err
		}
		if from == "" && to == "" {
			return errors.New("give a range such as 10..20")
		}
		if from != "" {
			if q.From, err = number(from); err != nil {
				return err
			}
		}
		if to != "" {
			q.To, err = number(to)
		}
		return err
	},
}

func day(v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, errors.New("give a day as YYYY-MM-DD, such as 2024-01-31")
	}
	return t, nil
}

func number(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("give a message number, such as 346351")
	}
	return n, nil
}
