package forum_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"parley/internal/forum"
)

// wantValid fails unless err is nil when ok, and an invalid-input error
// otherwise.
func wantValid(t *testing.T, what string, err error, ok bool) {
	t.Helper()
	if want := map[bool]forum.Code{true: "", false: forum.CodeInvalid}[ok]; forum.ErrorCode(err) != want {
		t.Errorf("%s: %v (code %q), want ok=%v", what, err, forum.ErrorCode(err), ok)
	}
}

func TestValidateUserName(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"OK", "Road_Walker-2.0", true},
		{"OneChar", "x", true},
		{"MaxLength", strings.Repeat("a", 32), true},
		{"Empty", "", false},
		{"TooLong", strings.Repeat("a", 33), false},
		{"Space", "Road Walker", false},
		{"NonASCIILetter", "Tenchusatsü", false},
		{"Cyrillic", "аdmin", false},
		{"Slash", "a/b", false},
		{"HTML", "<b>", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantValid(t, fmt.Sprintf("ValidateUserName(%q)", tc.in), forum.ValidateUserName(tc.in), tc.ok)
		})
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"OK", "correct horse", true},
		{"EightRunes", "ääääääää", true},
		{"Emoji", "🔑🔑🔑🔑🔑🔑🔑🔑", true},
		{"Short", "1234567", false},
		{"Max", strings.Repeat("x", 1024), true},
		{"TooLong", strings.Repeat("x", 1025), false},
		{"InvalidUTF8", "abcdefgh\xff", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantValid(t, fmt.Sprintf("ValidatePassword(%q)", tc.in), forum.ValidatePassword(tc.in), tc.ok)
		})
	}
}

func TestValidateSlug(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"intel", true},
		{"amd-2007", true},
		{strings.Repeat("a", 64), true},
		{"", false},
		{strings.Repeat("a", 65), false},
		{"Intel", false},
		{"a_b", false},
		{"a b", false},
		{"../x", false},
		{"é", false},
	} {
		wantValid(t, fmt.Sprintf("ValidateSlug(%q)", tc.in), forum.ValidateSlug(tc.in), tc.ok)
	}
}

func TestValidateBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
		code forum.Code
	}{
		{"OK", "hello", "hello", ""},
		{"OneChar", "x", "x", ""},
		{"CRLF", "a\r\nb", "a\nb", ""},
		{"Tab", "a\tb", "a\tb", ""},
		{"Max", strings.Repeat("x", forum.MaxBody), strings.Repeat("x", forum.MaxBody), ""},
		{"Empty", "", "", forum.CodeInvalid},
		{"Blank", " \n\t ", "", forum.CodeInvalid},
		{"TooLarge", strings.Repeat("x", forum.MaxBody+1), "", forum.CodeTooLarge},
		{"NUL", "a\x00b", "", forum.CodeInvalid},
		{"Escape", "a\x1b[31mb", "", forum.CodeInvalid},
		{"InvalidUTF8", "a\xffb", "", forum.CodeInvalid},
		{"ZeroWidthOnly", "\u200b\u200b\u200b", "", forum.CodeInvalid},
		{"InvisibleMix", "\u2060\ufeff\u00ad \u3164\u115f\u1160\uffa0\u2800\u180e\ufe0f\u034f\n\u3000", "", forum.CodeInvalid},
		{"CombiningOnly", "\u0301\u0301\u0301", "", forum.CodeInvalid},
		{"TagCharactersOnly", "\U000E0041\U000E0042", "", forum.CodeInvalid},
		{"OneVisibleAmongInvisible", "\u200b.\u200b", "\u200b.\u200b", ""},
		{"Emoji", "👍", "👍", ""},
		{"EmojiSequence", "👩\u200d💻", "👩\u200d💻", ""},
		{"Han", "中", "中", ""},
		{"Hangul", "한", "한", ""},
		{"PrivateUse", "\ue000", "\ue000", ""},
		{"BidiInBody", "abc \u202edef", "abc \u202edef", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.ValidateBody(tc.in)
			if code := forum.ErrorCode(err); code != tc.code {
				t.Fatalf("ValidateBody: code %q (%v), want %q", code, err, tc.code)
			}
			if got != tc.want {
				t.Fatalf("ValidateBody = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	cause := errors.New("disk on fire at /var/lib/parley")
	for _, tc := range []struct {
		name    string
		err     error
		code    forum.Code
		message string
	}{
		{"Nil", nil, "", "internal error"},
		{"Plain", cause, forum.CodeInternal, "internal error"},
		{"Domain", forum.Errorf(forum.CodeNotFound, "no board %q", "x"), forum.CodeNotFound, `no board "x"`},
		{"Wrapped", fmt.Errorf("post: %w", forum.Errorf(forum.CodeConflict, "taken")), forum.CodeConflict, "taken"},
		{"WithCause", forum.WrapError(forum.CodeUnavailable, cause, "busy"), forum.CodeUnavailable, "busy"},
		{"InternalHidesMessage", forum.WrapError(forum.CodeInternal, cause, "query failed"), forum.CodeInternal, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q, want %q", got, tc.code)
			}
			if got := forum.ErrorMessage(tc.err); got != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.message)
			}
		})
	}
}

func TestValidateTitle(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"OK", "  Intel  ", "Intel", true},
		{"Arabic", "منتدى", "منتدى", true},
		{"RightToLeftMark", "שלום\u200f!", "שלום\u200f!", true},
		{"ZeroWidthJoiner", "👩\u200d💻 coders", "👩\u200d💻 coders", true},
		{"Empty", "", "", false},
		{"Blank", " \t ", "", false},
		{"Control", "a\x1bb", "", false},
		{"Newline", "a\nb", "", false},
		{"RightToLeftOverride", "Intel\u202eletnI", "", false},
		{"LeftToRightEmbedding", "\u202aIntel", "", false},
		{"PopDirectional", "Intel\u202c", "", false},
		{"RightToLeftIsolate", "\u2067Intel\u2069", "", false},
		{"FirstStrongIsolate", "\u2068Intel", "", false},
		{"ZeroWidthOnly", "\u200b\u200b", "", false},
		{"HangulFiller", "\u3164", "", false},
		{"BrailleBlank", "\u2800\u2800", "", false},
		{"TooLong", strings.Repeat("ж", forum.MaxTitle+1), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.ValidateTitle(tc.in)
			wantValid(t, fmt.Sprintf("ValidateTitle(%q)", tc.in), err, tc.ok)
			if got != tc.want {
				t.Fatalf("ValidateTitle = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateDescription(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"Empty", "", "", true},
		{"Trimmed", "  about chips\r\nand fabs  ", "about chips\nand fabs", true},
		{"MaxCharacters", strings.Repeat("ж", forum.MaxDescription), strings.Repeat("ж", forum.MaxDescription), true},
		{"TooLong", strings.Repeat("ж", forum.MaxDescription+1), "", false},
		{"Control", "a\x07b", "", false},
		{"Override", "about \u202echips", "", false},
		{"Isolate", "about \u2067chips\u2069", "", false},
		{"RightToLeftMark", "שלום\u200f!", "שלום\u200f!", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.ValidateDescription(tc.in)
			wantValid(t, "ValidateDescription", err, tc.ok)
			if got != tc.want {
				t.Fatalf("ValidateDescription = %q, want %q", got, tc.want)
			}
		})
	}
}
