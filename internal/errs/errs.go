// Package errs is the one error language of plaza's core.
//
// Core functions return *Error values with a Kind (what sort of failure it is)
// and, where a face needs to tell cases apart, a Reason (which failure of that
// kind). Each face owns one table that maps kinds and reasons to its own codes.
// Internal errors carry their cause for the log and are never shown to clients.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a failure.
type Kind int

const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	InsufficientFunds
	RateLimited
	CodeInvalid
	CodeExhausted
	Expired
	OutOfStock
	Unavailable
)

var kindNames = [...]string{
	Internal:          "internal",
	Invalid:           "invalid",
	Unauthenticated:   "unauthenticated",
	Forbidden:         "forbidden",
	NotFound:          "not_found",
	Conflict:          "conflict",
	InsufficientFunds: "insufficient_funds",
	RateLimited:       "rate_limited",
	CodeInvalid:       "code_invalid",
	CodeExhausted:     "code_exhausted",
	Expired:           "expired",
	OutOfStock:        "out_of_stock",
	Unavailable:       "unavailable",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Reasons refine a kind where some face has distinct codes for them.
const (
	ReasonAccountNotFound = "account_not_found" // NotFound: no user with that account
	ReasonAccountExists   = "account_exists"    // Conflict: account already registered
	ReasonWrongPassword   = "wrong_password"    // Unauthenticated: password does not match
	ReasonBanned          = "banned"            // Forbidden: the account is banned
	ReasonSMSArrears      = "sms_arrears"       // Unavailable: the SMS vendor wants money
	ReasonSMSFailed       = "sms_failed"        // Unavailable: the SMS vendor refused
	ReasonSMSUnavailable  = "sms_unavailable"   // Unavailable: the SMS vendor cannot be reached
	ReasonMailUnavailable = "mail_unavailable"  // Unavailable: mail could not be sent
	ReasonBadPhone        = "bad_phone"         // Invalid: not a phone number
	ReasonBadEmail        = "bad_email"         // Invalid: not an e-mail address
)

// Error is a core failure.
type Error struct {
	Kind   Kind
	Reason string // optional refinement, one of the Reason constants
	Field  string // optional: the input field at fault
	Msg    string // safe to show to a client
	Err    error  // cause, for logs only
	// RetryAfter is, on a RateLimited error, how long until the limit
	// lifts (0: not known).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := e.Kind.String()
	if e.Reason != "" {
		s += "/" + e.Reason
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E makes an error of kind k with a client-safe message.
func E(k Kind, msg string) *Error { return &Error{Kind: k, Msg: msg} }

// Ef is E with formatting.
func Ef(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// R makes an error of kind k with a reason.
func R(k Kind, reason, msg string) *Error { return &Error{Kind: k, Reason: reason, Msg: msg} }

// InvalidField reports a bad input field.
func InvalidField(field, msg string) *Error {
	return &Error{Kind: Invalid, Field: field, Msg: msg}
}

// Wrap marks err as internal, keeping it as the cause. A nil err stays nil;
// an err that already is an *Error is returned unchanged.
func Wrap(err error, op string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: Internal, Msg: "internal error", Err: fmt.Errorf("%s: %w", op, err)}
}

// KindOf returns the kind of err (Internal for foreign errors).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ReasonOf returns the reason of err, or "".
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// Message returns the client-safe message of err (possibly ""). Internal
// errors never expose their cause.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Msg
	}
	return "internal error"
}

// Is reports whether err is an *Error of kind k.
func Is(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}
