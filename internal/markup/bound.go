package markup

import (
	"slices"
	"strings"
)

// goldmark's work grows with the square of a body's length in a few
// constructs, measured on 64 KiB bodies (TestRenderLinear keeps them
// linear):
//
//   - containers nested on one line: every '>' (or list marker) opens a
//     block inside the last, and each line is matched against all that
//     are open: 64 KiB of '>' took 2.5 s, of "> - " 1.2 s;
//   - an inline link's destination with no end: at each "](" goldmark
//     reads on for the destination, to the end of the line if nothing
//     ends it: 64 KiB of "[a](" took 2.6 s, of "[a](<" 0.5 s;
//   - link reference definitions in one paragraph: each one found copies
//     the rest of the paragraph's lines: 64 KiB of "[a]: b" took 0.1 s.
//
// bound escapes, with a backslash, the character that begins each such
// construct past these limits, so that goldmark reads it as text: far
// beyond what a member writes, they change nothing else.
const (
	// maxNesting is the most containers one line opens: quotes of quotes
	// of replies, lists in quotes.
	maxNesting = 16
	// maxDestination is the longest link destination, in bytes; browsers
	// refuse much longer addresses.
	maxDestination = 2048
	// maxDefinitions is the most link reference definitions at the start
	// of one paragraph.
	maxDefinitions = 64
)

// bound returns src with the constructs above escaped past their limits.
// It reads src once, a line at a time, and leaves fenced code alone.
func bound(src string) string {
	var b strings.Builder
	b.Grow(len(src) + 64)
	var (
		fence       byte // '`' or '~' inside fenced code, else 0
		fenceLen    int
		definitions int // reference definitions so far in this paragraph
		scratch     linkScratch
	)
	for line := range strings.Lines(src) {
		content, nested := containers(line, fence == 0)
		if fence != 0 {
			if closesFence(line[content:], fence, fenceLen) {
				fence = 0
			}
			b.WriteString(line)
			continue
		}
		if c, n := opensFence(line[content:]); n > 0 {
			fence, fenceLen = c, n
			b.WriteString(line)
			continue
		}
		var escapes []int // byte offsets in line to put a backslash before
		if nested >= 0 {
			escapes = append(escapes, nested)
		}
		rest := strings.TrimLeft(line[content:], " \t")
		switch {
		case strings.TrimSpace(rest) == "":
			definitions = 0
		case rest[0] == '[' && strings.Contains(rest, "]:"):
			if definitions++; definitions > maxDefinitions {
				escapes = append(escapes, len(line)-len(rest))
			}
		default:
			definitions = 0
		}
		escapes = links(line, escapes, &scratch)
		writeEscaped(&b, line, escapes)
	}
	return b.String()
}

// containers reads the container markers that begin line — '>' and list
// markers, with the spaces around them — and returns where its content
// begins, and the offset of the marker past maxNesting (-1 when there is
// none, or when escape is false). It reads no marker past that one, so a
// line costs what its first markers do. A thematic break ("* * *") is
// content.
func containers(line string, escape bool) (content, nested int) {
	depth, i := 0, 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) || thematicBreak(line[i:]) {
			return i, -1
		}
		marker := i
		switch c := line[i]; {
		case c == '>':
			i++
		case (c == '-' || c == '*' || c == '+') && spaceOrEnd(line, i+1):
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == len(line) || line[j] != '.' && line[j] != ')' || !spaceOrEnd(line, j+1) {
				return i, -1
			}
			marker, i = j, j+1 // 1\. is text, and 1 alone a number
		default:
			return i, -1
		}
		if depth++; depth > maxNesting {
			if escape {
				return marker, marker
			}
			return marker, -1 // in fenced code: read no further
		}
	}
}

func spaceOrEnd(line string, i int) bool {
	return i >= len(line) || line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r'
}

// thematicBreak reports whether s is a line of three or more '-', '*' or
// '_', and nothing but spaces beside them.
func thematicBreak(s string) bool {
	s = strings.TrimRight(s, " \t\r\n")
	if len(s) < 3 || s[0] != '-' && s[0] != '*' && s[0] != '_' {
		return false
	}
	n := 0
	for i := range len(s) {
		switch s[i] {
		case s[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// opensFence returns the character and length of the fence s opens
// (``` or ~~~, three or more), 0 when it opens none.
func opensFence(s string) (byte, int) {
	s = strings.TrimLeft(s, " ")
	if len(s) < 3 || s[0] != '`' && s[0] != '~' {
		return 0, 0
	}
	n := len(s) - len(strings.TrimLeft(s, s[:1]))
	if n < 3 || s[0] == '`' && strings.Contains(s[n:], "`") {
		return 0, 0 // a backtick fence's info string holds no backtick
	}
	return s[0], n
}

// closesFence reports whether s closes a fence of c opened n long.
func closesFence(s string, c byte, n int) bool {
	s = strings.TrimLeft(s, " ")
	m := len(s) - len(strings.TrimLeft(s, string(c)))
	return m >= n && strings.TrimSpace(s[m:]) == ""
}

// links adds to escapes the offset of the '(' of each "](" in line whose
// destination does not end within maxDestination bytes, as goldmark reads
// one: up to a space, or the ')' that closes more than were opened since,
// or in angle brackets up to the '>', a backslash escaping punctuation in
// each. It reads line a few times over, whatever the number of links; sc
// is scratch, kept for the next line.
func links(line string, escapes []int, sc *linkScratch) []int {
	if !strings.Contains(line, "](") {
		return escapes
	}
	n := len(line)
	sc.reset(n)
	// What a backslash escapes, as goldmark reads it from left to right;
	// every destination begins after "](", where that reading is in step.
	for i := 0; i < n; i++ {
		if line[i] == '\\' && i+1 < n && punct(line[i+1]) {
			sc.escaped[i+1] = true
			i++
		}
	}
	// balance[k] is the '(' less the ')' in line[:k], escaped ones apart:
	// a destination from p ends at the first ')' after which the balance
	// is one less than at p.
	for i := range n {
		sc.balance[i+1] = sc.balance[i]
		if !sc.escaped[i] {
			switch line[i] {
			case '(':
				sc.balance[i+1]++
			case ')':
				sc.balance[i+1]--
			}
		}
	}
	// From the end: the nearest space, '>' and balance of each value
	// (offset by n, as a balance lies within ±n) at or after each place.
	space, angle := n, n
	sc.at[sc.balance[n]+n] = n
	for p := n - 1; p >= 0; p-- {
		switch c := line[p]; {
		case c == ' ' || c >= '\t' && c <= '\r':
			space = p
		case c == '>' && !sc.escaped[p]:
			angle = p
		}
		end := n
		if k := sc.at[sc.balance[p]-1+n]; k >= 0 {
			end = k - 1 // the ')' that takes the balance below p's
		}
		sc.dest[p], sc.angle[p] = min(space, end), angle
		sc.at[sc.balance[p]+n] = p
	}
	for i := 0; i+1 < n; i++ {
		if line[i] != ']' || line[i+1] != '(' || escaped(line, i) {
			continue
		}
		dest := i + 2
		if dest == n {
			continue
		}
		end := sc.dest[dest]
		if line[dest] == '<' {
			if end = sc.angle[dest]; end == n {
				escapes = append(escapes, i+1) // never closed: read to the end
				continue
			}
		}
		if end-dest > maxDestination {
			escapes = append(escapes, i+1)
		}
	}
	return escapes
}

// linkScratch is what links works in, by offset in the line.
type linkScratch struct {
	escaped     []bool
	balance     []int // of n+1 prefixes
	at          []int // by balance + n: the nearest place, -1 when none
	dest, angle []int
}

func (sc *linkScratch) reset(n int) {
	grow := func(s []int, size, fill int) []int {
		s = slices.Grow(s[:0], size)[:size]
		for i := range s {
			s[i] = fill
		}
		return s
	}
	sc.escaped = slices.Grow(sc.escaped[:0], n)[:n]
	clear(sc.escaped)
	sc.balance = grow(sc.balance, n+1, 0)
	sc.at = grow(sc.at, 2*n+1, -1)
	sc.dest = grow(sc.dest, n, n)
	sc.angle = grow(sc.angle, n, n)
}

// punct reports whether c is ASCII punctuation, which a backslash escapes.
func punct(c byte) bool {
	return c < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// escaped reports whether line[i] follows an odd number of backslashes.
func escaped(line string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && line[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// writeEscaped writes line with a backslash before each offset of at.
func writeEscaped(b *strings.Builder, line string, at []int) {
	if len(at) == 0 {
		b.WriteString(line)
		return
	}
	slices.Sort(at)
	last := 0
	for _, i := range slices.Compact(at) {
		b.WriteString(line[last:i])
		b.WriteByte('\\')
		last = i
	}
	b.WriteString(line[last:])
}
