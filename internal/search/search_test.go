package search_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"parley/internal/search"
)

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Troops marched", []string{"troop", "march"}},
		{"Café CAFÉ cafe", []string{"cafe", "cafe", "cafe"}},
		{"the cat's hat", []string{"the", "cat", "s", "hat"}},
		{"number 346351, 2024-01-31", []string{"number", "346351", "2024", "01", "31"}},
		{"NEAR(a b) col:x ^y *z", []string{"near", "a", "b", "col", "x", "y", "z"}},
		{"Übermäßig Straße", []string{"ubermaßig", "straße"}},
		{"ﬁne ½", []string{"fine", "1", "2"}},
		{"Привет мир", []string{"привет", "мир"}},
		{"ΣΊΣΥΦΟΣ σισυφος", []string{"σισυφοσ", "σισυφοσ"}},
		{"a\x00b\xffc", []string{"a", "b", "c"}},
		{strings.Repeat("x", search.MaxTermBytes+1) + " kept", []string{"kept"}},
		{"", nil},
	} {
		if got := search.Terms(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Terms(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestTextCapsTerms(t *testing.T) {
	text := search.Text(strings.Repeat("a ", search.MaxTerms+10))
	if n := len(strings.Fields(text)); n != search.MaxTerms {
		t.Errorf("Text kept %d terms, want %d", n, search.MaxTerms)
	}
	many := strings.Fields(search.Text(strings.Repeat("a b ", search.MaxPlaces+2)))
	if many[2*search.MaxPlaces-1] != "b" || many[2*search.MaxPlaces] != search.Unindexed || many[2*search.MaxPlaces+3] != search.Unindexed {
		t.Errorf("Text of a b × %d ends %q", search.MaxPlaces+2, many[2*search.MaxPlaces-2:])
	}
	if got := search.Text("Troops, the  troop!"); got != "troop the troop" {
		t.Errorf("Text = %q", got)
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want search.Query
	}{
		{"troops", search.Query{All: [][]search.Phrase{{{"troop"}}}}},
		{"a  b", search.Query{All: [][]search.Phrase{{{"a"}}, {{"b"}}}}},
		{`"exact Phrase" x`, search.Query{All: [][]search.Phrase{{{"exact", "phrase"}}, {{"x"}}}}},
		{`a -b -"c d"`, search.Query{All: [][]search.Phrase{{{"a"}}}, None: []search.Phrase{{"b"}, {"c", "d"}}}},
		{"a OR b c", search.Query{All: [][]search.Phrase{{{"a"}, {"b"}}, {{"c"}}}}},
		{"a OR b OR c", search.Query{All: [][]search.Phrase{{{"a"}, {"b"}, {"c"}}}}},
		{"OR a", search.Query{All: [][]search.Phrase{{{"or"}}, {{"a"}}}}},
		{"a OR", search.Query{All: [][]search.Phrase{{{"a"}, {"or"}}}}},
		{"a or b", search.Query{All: [][]search.Phrase{{{"a"}}, {{"or"}}, {{"b"}}}}},
		{"e-mail", search.Query{All: [][]search.Phrase{{{"e"}}, {{"mail"}}}}},
		{"x OR NEAR(a", search.Query{All: [][]search.Phrase{{{"x"}, {"near"}}, {{"a"}}}}},
		{"x -e-mail", search.Query{All: [][]search.Phrase{{{"x"}}}, None: []search.Phrase{{"e", "mail"}}}},
		{`"unclosed phrase`, search.Query{All: [][]search.Phrase{{{"unclos", "phrase"}}}}},
		{`x "" * ^ -`, search.Query{All: [][]search.Phrase{{{"x"}}}}},
		{"author:Ann board:general", search.Query{Author: "Ann", Board: "general"}},
		{"Author:Ann x", search.Query{All: [][]search.Phrase{{{"x"}}}, Author: "Ann"}},
		{"after:2024-01-01 before:2024-02-01 x",
			search.Query{All: [][]search.Phrase{{{"x"}}}, After: day("2024-01-01"), Before: day("2024-02-01")}},
		{"board:b replyto:7", search.Query{Board: "b", ReplyTo: 7}},
		{"board:b number:10..20", search.Query{Board: "b", From: 10, To: 20}},
		{"board:b number:10..", search.Query{Board: "b", From: 10}},
		{"board:b number:..20", search.Query{Board: "b", To: 20}},
		{"board:b number:5", search.Query{Board: "b", From: 5, To: 5}},
		{"x " + strings.Repeat("-y ", search.MaxExclusions), search.Query{All: [][]search.Phrase{{{"x"}}},
			None: []search.Phrase{{"y"}, {"y"}, {"y"}, {"y"}, {"y"}, {"y"}, {"y"}, {"y"}}}},
		{"x OR y OR y OR y OR y OR y OR y OR y", search.Query{All: [][]search.Phrase{{{"x"}, {"y"}, {"y"}, {"y"}, {"y"}, {"y"}, {"y"}, {"y"}}}}},
		{"col:x author: y", search.Query{All: [][]search.Phrase{{{"col"}}, {{"x"}}, {{"author"}}, {{"y"}}}}},
	} {
		got, err := search.Parse(tc.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.q, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.q, got, tc.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"", "say what to look for"},
		{"-x", "give a word"},
		{"author:ann -x", "give a word"},
		{"board:b -x", "give a word"},
		{"after:2015-01-01", "after: and before: narrow what words find"},
		{"-the -a -to after:2015-01-01", "give a word"},
		{"board:b after:2015-01-01", "after: and before: narrow what words find"},
		{"author:ann before:2015-01-01", "after: and before: narrow what words find"},
		{"x " + strings.Repeat("-y ", search.MaxExclusions+1), "at most 8 words or phrases"},
		{"x" + strings.Repeat(" OR y", search.MaxAlternatives), "at most 8 alternatives"},
		{`"" * ^`, "say what to look for"},
		{"\xff", "UTF-8"},
		{strings.Repeat("a", search.MaxQueryBytes+1), "at most 1000 characters"},
		{strings.Repeat("a ", search.MaxQueryTerms+1), "at most 32 words"},
		{"before:2024-13-01 x", "before:2024-13-01 — give a day as YYYY-MM-DD"},
		{"after:yesterday x", "give a day"},
		{"after:2024-02-01 before:2024-01-01 x", "after: must be a day before before:"},
		{"author:a author:b", "author: is given twice"},
		{"replyto:5", "need board:"},
		{"number:1..2 x", "need board:"},
		{"board:b number:x", "give a message number"},
		{"board:b number:..", "give a range"},
		{"board:b number:20..10", "empty range"},
		{"board:b replyto:-1", "give a message number"},
		{"board:b replyto:0", "give a message number"},
		{"-author:x y", "cannot be excluded"},
	} {
		_, err := search.Parse(tc.q)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%.40q) = %v, want an error saying %q", tc.q, err, tc.want)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("filler ", 60)
	for _, tc := range []struct {
		name, text string
		terms      []string
		want       string
	}{
		{"marks and escapes", "Troops <b>marched</b> & sang", []string{"troop", "sang"},
			"<mark>Troops</mark> &lt;b&gt;marched&lt;/b&gt; &amp; <mark>sang</mark>"},
		{"accents", "Le Café\n\n> est là", []string{"cafe"}, "Le <mark>Café</mark> &gt; est là"},
		{"nothing marked", "one two", nil, "one two"},
		{"centred in long text", long + "needle " + long, []string{"needl"},
			"… " + strings.Repeat("filler ", 15) + "<mark>needle</mark>" + strings.TrimSuffix(" "+strings.Repeat("filler ", 16), " ") + " …"},
		{"script", `<script>alert("x")</script>`, []string{"alert"},
			"&lt;script&gt;<mark>alert</mark>(&#34;x&#34;)&lt;/script&gt;"},
		{"empty", "", []string{"x"}, ""},
		{"far into a long text", strings.Repeat("filler ", 500) + "a peon, then People at last " + long, []string{"peopl"},
			"… " + strings.Repeat("filler ", 12) + "a peon, then <mark>People</mark> at last" + strings.TrimSuffix(" "+strings.Repeat("filler ", 14), " ") + " …"},
		{"long, accents", strings.Repeat("filler ", 500) + "Café", []string{"cafe"},
			"… " + strings.Repeat("filler ", 31) + "<mark>Café</mark>"},
		{"long, nothing to mark", long, nil, strings.TrimSuffix(strings.Repeat("filler ", 32), " ") + " …"},
	} {
		if got := search.Snippet(tc.text, tc.terms); got != tc.want {
			t.Errorf("%s: Snippet = %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func BenchmarkText(b *testing.B) {
	body := strings.Repeat("The troops marched on Café Müller, and 346351 readers wrote back. ", 9)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		search.Text(body)
	}
}

func BenchmarkTextParallel(b *testing.B) {
	body := strings.Repeat("The troops marched on Café Müller, and 346351 readers wrote back. ", 9)
	b.SetBytes(int64(len(body)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			search.Text(body)
		}
	})
}
