// Package valid holds the input checks every domain shares. Each returns an
// *errs.Error of kind Invalid naming the field.
//
// Text comes in two shapes. A single line (a name, a title, a phone number,
// an address) holds no control character at all: no C0 (U+0000-U+001F, so
// no tab and no line break), no DEL (U+007F), no C1 (U+0080-U+009F).
// Multi-line text (an article, a comment, a message, an intro) may also
// hold tab, line feed and carriage return. Every text field is checked with
// Line or Text (or their Required forms) by the core that stores it; the
// decoders of the faces refuse with Chars, before any core runs, what no
// text may hold, so that lookups (tokens, codes, e-mail addresses) never
// carry it to the store either.
package valid

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"plaza/internal/errs"
)

// isControl tells whether r is a control character: C0, DEL or C1.
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }

// multiLine are the control characters multi-line text may hold.
func multiLine(r rune) bool { return r == '\t' || r == '\n' || r == '\r' }

// chars checks UTF-8 and control characters; multi lets tab and line ends by.
func chars(field, v string, multi bool) error {
	if !utf8.ValidString(v) {
		return errs.InvalidField(field, field+" is not valid UTF-8")
	}
	for _, r := range v {
		if !isControl(r) {
			continue
		}
		if !multiLine(r) {
			return errs.InvalidField(field, fmt.Sprintf("%s must not contain control characters (it holds U+%04X)", field, r))
		}
		if !multi {
			return errs.InvalidField(field, fmt.Sprintf("%s must be a single line, without tabs or line breaks (it holds U+%04X)", field, r))
		}
	}
	return nil
}

func text(field, v string, max int, multi bool) error {
	if err := chars(field, v, multi); err != nil {
		return err
	}
	if utf8.RuneCountInString(v) > max {
		return errs.InvalidField(field, fmt.Sprintf("%s is longer than %d characters", field, max))
	}
	return nil
}

// Chars refuses what no text may hold: invalid UTF-8 and control
// characters other than tab, line feed and carriage return. It is the
// decoders' check, over every value whatever field it is.
func Chars(field, v string) error { return chars(field, v, true) }

// Line checks a single-line text field: valid UTF-8, no control character,
// at most max characters.
func Line(field, v string, max int) error { return text(field, v, max, false) }

// Text checks a multi-line text field: valid UTF-8, no control character
// but tab, line feed and carriage return, at most max characters.
func Text(field, v string, max int) error { return text(field, v, max, true) }

// RequiredLine is Line that also refuses the empty string.
func RequiredLine(field, v string, max int) error {
	if v == "" {
		return errs.InvalidField(field, field+" is required")
	}
	return Line(field, v, max)
}

// Required is Text that also refuses the empty string.
func Required(field, v string, max int) error {
	if v == "" {
		return errs.InvalidField(field, field+" is required")
	}
	return Text(field, v, max)
}

// Date checks a YYYY-MM-DD date; the empty string passes.
func Date(field, v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return errs.InvalidField(field, field+" must be a date like 1991-03-08")
	}
	return nil
}

// MaxIDDigits bounds the digits of an id: 19 hold every positive int64.
const MaxIDDigits = 19

// ID reads a record id as it appears in a path: 1 to 19 plain decimal
// digits, the first not 0, at most the largest int64. No sign, no spaces,
// no leading zeros: one record has one spelling.
func ID(s string) (int64, bool) {
	if len(s) == 0 || len(s) > MaxIDDigits || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// IsHexID tells whether s is a public id: 32 lowercase hex digits (a user's
// uid, a master's or merchant's id).
func IsHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
