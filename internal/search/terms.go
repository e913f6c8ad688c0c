// Package search is Parley's search language and the text analysis behind
// it: a query parsed once into a small tree (Parse), the terms a message is
// indexed by (Text), and the excerpt shown for a hit (Snippet).
//
// The analysis is done here, in Go, not by the databases: both stores index
// the terms this package makes (FTS5 with a tokenizer that only splits on
// spaces, PostgreSQL a tsvector built from them) and look up the terms a
// query makes the same way. So a query finds the same messages on SQLite and
// on PostgreSQL, whose own stemmers, stop words and accent handling differ.
package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"golang.org/x/text/unicode/norm"
)

const (
	// MaxTermBytes is the longest term indexed; longer words (hashes,
	// base64) are skipped, as PostgreSQL would skip words over 2 KB.
	MaxTermBytes = 64
	// MaxTerms is how many terms of a message are indexed: PostgreSQL
	// keeps word positions up to 16,383, and phrases need positions. Both
	// stores index the same first terms.
	MaxTerms = 16383
	// MaxPlaces is how many places of one term in a message are indexed:
	// PostgreSQL keeps 256. Later places hold Unindexed instead, so that
	// both stores find the same phrases.
	MaxPlaces = 256
	// Unindexed stands in Text for a term not indexed: it keeps the term's
	// place, so the words after it keep theirs, and no query holds it.
	Unindexed = "·"
)

// Text returns the terms of a message's text separated by single spaces,
// as the stores index them.
func Text(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	n := 0
	// Only a text of more than MaxPlaces terms can hold a term more often.
	var places map[string]int
	scan(text, func(_, _ int, term string) bool {
		if n > 0 {
			b.WriteByte(' ')
		}
		if n == MaxPlaces {
			places = map[string]int{}
			for t := range strings.FieldsSeq(b.String()) {
				places[t]++
			}
		}
		if places != nil {
			if places[term] == MaxPlaces {
				term = Unindexed
			} else {
				places[term]++
			}
		}
		b.WriteString(term)
		n++
		return n < MaxTerms
	})
	return b.String()
}

// Terms returns the terms of text in order.
func Terms(text string) []string {
	var terms []string
	scan(text, func(_, _ int, term string) bool {
		terms = append(terms, term)
		return true
	})
	return terms
}

// scan calls fn with each term of text and the bytes [start, end) of the
// word it comes from, until fn returns false. Words are runs of letters,
// numbers and combining marks; anything else separates them, invalid UTF-8
// included (it reads as U+FFFD, a symbol). A term is its word folded to lower case without accents
// (Café → cafe) and, when it is made of ASCII letters, stemmed as English
// (troops → troop); stop words such as "the" are kept, so phrases keep
// their words.
func scan(text string, fn func(start, end int, term string) bool) {
	start := -1
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if !emit(text, start, i, fn) {
				return
			}
			start = -1
		}
	}
	if start >= 0 {
		emit(text, start, len(text), fn)
	}
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// emit folds the word text[start:end] into terms and passes them to fn.
func emit(text string, start, end int, fn func(start, end int, term string) bool) bool {
	word := text[start:end]
	if ascii(word) {
		return emitTerm(start, end, strings.ToLower(word), fn)
	}
	// Compatibility decomposition splits accented letters from their
	// accents (dropped below) and ligatures into letters; it can also
	// make separators (½ is 1⁄2), so the folded word is split again.
	folded := strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		if !isWordRune(r) {
			return ' '
		}
		if r == 'ς' { // final sigma: the same letter as σ
			return 'σ'
		}
		return unicode.ToLower(r)
	}, norm.NFKD.String(word))
	for term := range strings.FieldsSeq(folded) {
		if !emitTerm(start, end, term, fn) {
			return false
		}
	}
	return true
}

func emitTerm(start, end int, term string, fn func(start, end int, term string) bool) bool {
	if len(term) > MaxTermBytes {
		return true
	}
	if ascii(term) {
		term = stem(term)
	}
	return fn(start, end, term)
}

// stems keeps the stems of the first maxStems different words stemmed.
// Stemming costs ~400 ns a word, most of the analysis; by Zipf's law the
// words met first are most of the words of any text, so the cache answers
// most lookups while its size stays bounded.
var stems = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const maxStems = 100_000

// stem returns the English (Snowball) stem of a lower-case ASCII word.
func stem(word string) string {
	stems.RLock()
	s, ok := stems.m[word]
	stems.RUnlock()
	if ok {
		return s
	}
	env := snowballstem.NewEnv(word)
	english.Stem(env)
	s = env.Current()
	stems.Lock()
	if len(stems.m) < maxStems {
		stems.m[strings.Clone(word)] = s
	}
	stems.Unlock()
	return s
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
