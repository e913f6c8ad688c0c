package markup

import (
	"strings"
	"testing"
)

func TestBound(t *testing.T) {
	deep := strings.Repeat("> ", maxNesting)
	long := strings.Repeat("x", maxDestination+1)
	var defs, defsBound strings.Builder
	for i := range maxDefinitions + 2 {
		line := "[d" + string(rune('a'+i%26)) + "]: /x\n"
		defs.WriteString(line)
		if i >= maxDefinitions {
			line = `\` + line
		}
		defsBound.WriteString(line)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"Ordinary", "Hello *there*.\n\n> quoted\n- item\n", "Hello *there*.\n\n> quoted\n- item\n"},
		{"QuotesAtTheBound", deep + "x\n", deep + "x\n"},
		{"QuotesPastTheBound", deep + "> > x\n", deep + `\> > x` + "\n"},
		{"QuotesUnspaced", strings.Repeat(">", maxNesting+3), strings.Repeat(">", maxNesting) + `\>>>`},
		{"ListsInQuotes", strings.Repeat("> - ", maxNesting/2) + "> - x", strings.Repeat("> - ", maxNesting/2) + `\> - x`},
		{"OrderedLists", strings.Repeat("1. ", maxNesting+1) + "x", strings.Repeat("1. ", maxNesting) + `1\. x`},
		{"ThematicBreak", strings.Repeat("* ", 40) + "\n", strings.Repeat("* ", 40) + "\n"},
		{"ThematicBreakInQuotes", deep + strings.Repeat("- ", 40), deep + strings.Repeat("- ", 40)},
		{"FencedCode", "```\n" + deep + "> > x\n[a](" + long + "\n```\n", "```\n" + deep + "> > x\n[a](" + long + "\n```\n"},
		{"AfterFencedCode", "~~~\ncode\n~~~\n" + deep + "> x", "~~~\ncode\n~~~\n" + deep + `\> x`},
		{"LinkDestination", "[a](http://example.com/x) and [b](/y)", "[a](http://example.com/x) and [b](/y)"},
		{"LinkDestinationLong", "[a](" + long, `[a]\(` + long},
		{"LinkDestinationLongThenSpace", "[a](" + long + " x", `[a]\(` + long + " x"},
		{"LinkDestinationAngleClosed", "[a](<b c>)", "[a](<b c>)"},
		{"LinkDestinationAngleOpen", "[a](<b", `[a]\(<b`},
		{"LinkDestinationsShortOfTheBound", strings.Repeat("[a](", 3), strings.Repeat("[a](", 3)},
		{"LinkEscaped", `\](` + long, `\](` + long},
		{"LinkDestinationParentheses", "[a](b(c)d) x", "[a](b(c)d) x"},
		{"LinkDestinationParenthesesOpen", "[a](()" + long + ")", `[a]\(()` + long + ")"},
		{"LinkDestinationEscapedParenthesis", `[a](\)` + long, `[a]\(\)` + long},
		{"LinkDestinationAngleEscaped", `[a](<\>` + long + ">", `[a]\(<\>` + long + ">"},
		{"LinkDestinationAngleEscapedClosed", `[a](<\>b>)`, `[a](<\>b>)`},
		{"Definitions", defs.String(), defsBound.String()},
		{"DefinitionsInParagraphs", strings.ReplaceAll(defs.String(), "\n", "\n\n"), strings.ReplaceAll(defs.String(), "\n", "\n\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bound(tc.in); got != tc.want {
				t.Errorf("bound(%.80q…)\n got %.200q\nwant %.200q", tc.in, got, tc.want)
			}
		})
	}
}
