package catalog

import (
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"unicode"

	"plaza/internal/errs"
	"plaza/internal/valid"
)

// The Field.Check rules the collections share. Each sees a non-empty value.

// isDate: YYYY-MM-DD.
func isDate(field, v string) error { return valid.Date(field, v) }

// isEmail: a bare address (no display name).
func isEmail(field, v string) error {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		return errs.InvalidField(field, field+" must be an e-mail address like name@example.com")
	}
	return nil
}

// isPhone: a contact number as people write it: digits with spaces, "+",
// "-" and parentheses, 5 to 20 digits.
func isPhone(field, v string) error {
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')':
		default:
			digits = -1 << 20
		}
	}
	if digits < 5 || digits > 20 {
		return errs.InvalidField(field, field+" must be a phone number (digits, spaces, +, -, parentheses)")
	}
	return nil
}

// isURL: an absolute URL with a scheme (https://..., or an app link such as
// yuanyi://ticket/3).
func isURL(field, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || strings.ContainsFunc(v, unicode.IsSpace) {
		return errs.InvalidField(field, field+" must be an absolute URL such as https://example.com/page")
	}
	return nil
}

// isMedia: a media id as the media service issues it ("<uuid>.<ext>") or
// the URL of an image; no spaces or control characters.
func isMedia(field, v string) error {
	if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return errs.InvalidField(field, field+" must be a media id such as 3f2a....jpeg, without spaces")
	}
	return nil
}

// IsMedia tells whether the field holds a media id (or an image URL): a
// console shows it as an image to upload.
func (f Field) IsMedia() bool {
	return f.Check != nil && reflect.ValueOf(f.Check).Pointer() == reflect.ValueOf(isMedia).Pointer()
}
