// Package valid holds the input checks every domain shares. Each returns an
// *errs.Error of kind Invalid naming the field.
package valid

import (
	"fmt"
	"time"
	"unicode/utf8"

	"plaza/internal/errs"
)

// Text caps a free-text field at max characters and refuses invalid UTF-8.
func Text(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return errs.InvalidField(field, field+" is not valid UTF-8")
	}
	if utf8.RuneCountInString(v) > max {
		return errs.InvalidField(field, fmt.Sprintf("%s is longer than %d characters", field, max))
	}
	return nil
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
