package forum

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what members write. They are rules of the forum, so they live
// here, once, and every transport reports them the same way.
const (
	MaxUserName    = 32
	MinPassword    = 8
	MaxPassword    = 1024
	MaxSlug        = 64
	MaxTitle       = 200
	MaxDescription = 2000
	MaxBody        = 64 << 10 // bytes of Markdown source
	MaxWindow      = 200
)

// ValidateUserName checks a member's name: 1–32 ASCII letters, digits, '_',
// '-' and '.', starting with a letter or digit. ASCII keeps names that look
// alike from being different members ("To: X who wrote" must name one
// person unmistakably); the first character keeps names such as ".." out
// of profile addresses (/u/..), which browsers rewrite.
func ValidateUserName(name string) error {
	if name == "" {
		return fieldError(CodeInvalid, "name", "name is required")
	}
	if len(name) > MaxUserName {
		return fieldError(CodeInvalid, "name", "name must be at most %d characters", MaxUserName)
	}
	for _, r := range name {
		if !(r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')) {
			return fieldError(CodeInvalid, "name", "name may hold only letters a–z, digits, '_', '-' and '.'")
		}
	}
	if c := name[0]; c == '_' || c == '-' || c == '.' {
		return fieldError(CodeInvalid, "name", "name must start with a letter or a digit")
	}
	return nil
}

// ValidatePassword checks length only: composition rules make passwords
// weaker in practice (NIST SP 800-63B).
func ValidatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return fieldError(CodeInvalid, "password", "password is not valid UTF-8")
	case n < MinPassword:
		return fieldError(CodeInvalid, "password", "password must be at least %d characters", MinPassword)
	case n > MaxPassword:
		return fieldError(CodeInvalid, "password", "password must be at most %d characters", MaxPassword)
	}
	return nil
}

// ValidateSlug checks a board's slug: 1–64 of a-z, 0-9 and '-'.
func ValidateSlug(slug string) error {
	if slug == "" {
		return fieldError(CodeInvalid, "slug", "slug is required")
	}
	if len(slug) > MaxSlug {
		return fieldError(CodeInvalid, "slug", "slug must be at most %d characters", MaxSlug)
	}
	for _, r := range slug {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fieldError(CodeInvalid, "slug", "slug may hold only a–z, 0–9 and '-'")
		}
	}
	return nil
}

// ValidateTitle trims and checks a board's title: 1–200 characters on one
// line.
func ValidateTitle(title string) (string, error) {
	return cleanLine("title", title, MaxTitle, true)
}

// Imported texts were accepted under the rules of their day. An import
// checks what storing them needs — UTF-8, sizes, controls — but not the
// rules that posting has gained since (a visible character, no
// bidirectional controls), so that every export still imports.

// ValidateImportedTitle is ValidateTitle for an import.
func ValidateImportedTitle(title string) (string, error) {
	return cleanLine("title", title, MaxTitle, false)
}

// ValidateImportedDescription is ValidateDescription for an import.
func ValidateImportedDescription(desc string) (string, error) {
	return description(desc, false)
}

// ValidateImportedBody is ValidateBody for an import.
func ValidateImportedBody(body string) (string, error) {
	return messageBody(body, false)
}

// cleanLine trims a required one-line text such as a title and rejects
// control characters, which have no place in a heading and can spoof
// terminals, and bidirectional controls, which reorder the text around
// them wherever the line is shown. It must show something. max counts
// characters; posting is false for an import (see ValidateImportedTitle).
func cleanLine(field, s string, max int, posting bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", fieldError(CodeInvalid, field, "%s is not valid UTF-8", field)
	case s == "":
		return "", fieldError(CodeInvalid, field, "%s is required", field)
	case utf8.RuneCountInString(s) > max:
		return "", fieldError(CodeInvalid, field, "%s must be at most %d characters", field, max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", fieldError(CodeInvalid, field, "%s must not contain control characters", field)
	case posting && hasBidiControl(s):
		return "", bidiError(field)
	case posting && strings.IndexFunc(s, visible) < 0:
		return "", fieldError(CodeInvalid, field, "%s must hold a visible character", field)
	}
	return s, nil
}

// visible reports whether r shows as something on its own: a letter, a
// digit, punctuation or a symbol. Whitespace, controls, format characters
// (U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+FEFF …), combining marks
// with nothing to combine with, and the letters and symbols that are drawn
// as nothing (U+3164 HANGUL FILLER, U+115F, U+FFA0, U+2800 BRAILLE PATTERN
// BLANK) are not: a text of only those looks empty.
func visible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S, unicode.Co) &&
		!unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) && r != '\u2800'
}

// hasBidiControl reports whether s holds one of the embeddings, overrides
// and isolates of the bidirectional algorithm, whose effect runs on past
// the text they are in ("Trojan Source"). The marks LRM, RLM and ALM,
// which right-to-left writers use and which reorder nothing beyond
// themselves, are not.
func hasBidiControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
	}) >= 0
}

func bidiError(field string) error {
	return fieldError(CodeInvalid, field, "%s must not contain bidirectional controls (U+202A–U+202E, U+2066–U+2069)", field)
}

// cleanText normalises a multi-line text (line endings to \n) and rejects
// control characters other than newline and tab.
func cleanText(field, s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fieldError(CodeInvalid, field, "%s is not valid UTF-8", field)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
		return "", fieldError(CodeInvalid, field, "%s must not contain control characters", field)
	}
	return s, nil
}

// ValidateDescription normalises and checks a board's description: up to
// MaxDescription characters, no bidirectional controls (it is shown beside
// the title).
func ValidateDescription(desc string) (string, error) {
	return description(desc, true)
}

func description(desc string, posting bool) (string, error) {
	desc, err := cleanText("description", strings.TrimSpace(desc))
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(desc) > MaxDescription {
		return "", fieldError(CodeInvalid, "description", "description must be at most %d characters", MaxDescription)
	}
	if posting && hasBidiControl(desc) {
		return "", bidiError("description")
	}
	return desc, nil
}

// ValidateBody normalises and checks a message body: at least one visible
// character (visible), at most MaxBody bytes (bytes, unlike other limits:
// this one bounds storage and rendering work).
func ValidateBody(body string) (string, error) {
	return messageBody(body, true)
}

func messageBody(body string, posting bool) (string, error) {
	if len(strings.ReplaceAll(body, "\r\n", "\n")) > MaxBody {
		return "", fieldError(CodeTooLarge, "body", "body must be at most %d bytes", MaxBody)
	}
	body, err := cleanText("body", body)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(body) == "" {
		return "", fieldError(CodeInvalid, "body", "body is required")
	}
	if posting && strings.IndexFunc(body, visible) < 0 {
		return "", fieldError(CodeInvalid, "body", "body must hold a visible character: spaces, zero-width and filler characters alone show nothing")
	}
	return body, nil
}
