package search_test

import (
	"strings"
	"testing"

	"parley/internal/search"
)

// FuzzParse: whatever a reader types, Parse answers a query or an error,
// never a panic; a query's terms carry none of the engines' syntax; and a
// snippet of the same text for them marks words and escapes the rest.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`a "b c" -d -"e f" g OR h author:x board:y before:2024-01-01 after:2023-01-01 replyto:3 number:1..2`,
		`NEAR(a b) * ^c col:d {e} 'f' & !g <-> h`,
		"\x00\xff\"\"\"--OR OR",
		`<script>alert("x")</script> Café ½ Ⅻ`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.Parse(s)
		if err != nil {
			return
		}
		phrases := append([]search.Phrase{}, q.None...)
		for _, g := range q.All {
			phrases = append(phrases, g...)
		}
		for _, p := range phrases {
			if len(p) == 0 {
				t.Fatalf("Parse(%q): an empty phrase", s)
			}
			for _, term := range p {
				if term == "" || strings.ContainsAny(term, "\"'()*:^{}&!|<>-\\ \t\r\n\x00") {
					t.Fatalf("Parse(%q): term %q", s, term)
				}
			}
		}
		snippet := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(search.Snippet(s, q.Terms()))
		if strings.ContainsAny(snippet, "<>\"") {
			t.Fatalf("Snippet(%q) = %q: unescaped markup", s, snippet)
		}
	})
}
