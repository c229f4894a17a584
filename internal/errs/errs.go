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
	"sort"
	"sync"
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

// Kinds lists every kind, for tests that check a face maps each one.
func Kinds() []Kind {
	out := make([]Kind, len(kindNames))
	for i := range out {
		out[i] = Kind(i)
	}
	return out
}

// Reason refines a kind where some face tells cases apart ("no such user"
// from "no such article"). Each package declares the reasons of the errors
// it returns as package variables made by NewReason, and faces match those
// values, never texts: a reason cannot be spelt by hand, and Reasons lists
// every one, so a test can check that a face maps each on purpose. The zero
// Reason is "none".
type Reason struct{ name *string }

var (
	reasonsMu sync.Mutex
	reasons   = map[string]Reason{}
)

// NewReason declares a reason; name ("account.banned") is for logs and must
// be unique. Call it in a package-level var declaration.
func NewReason(name string) Reason {
	reasonsMu.Lock()
	defer reasonsMu.Unlock()
	if name == "" {
		panic("errs: empty reason name")
	}
	if _, dup := reasons[name]; dup {
		panic("errs: reason " + name + " declared twice")
	}
	r := Reason{name: &name}
	reasons[name] = r
	return r
}

// Reasons lists every reason declared by the packages linked in, by name.
func Reasons() []Reason {
	reasonsMu.Lock()
	defer reasonsMu.Unlock()
	out := make([]Reason, 0, len(reasons))
	for _, r := range reasons {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// String is the reason's name ("" for none).
func (r Reason) String() string {
	if r.name == nil {
		return ""
	}
	return *r.name
}

// Error is a core failure.
type Error struct {
	Kind   Kind
	Reason Reason // optional refinement, declared by the package that returns it
	Field  string // optional: the input field at fault
	Msg    string // safe to show to a client
	Err    error  // cause, for logs only
	// RetryAfter is, on a RateLimited error, how long until the limit
	// lifts (0: not known).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := e.Kind.String()
	if r := e.Reason.String(); r != "" {
		s += "/" + r
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
func R(k Kind, reason Reason, msg string) *Error { return &Error{Kind: k, Reason: reason, Msg: msg} }

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

// ReasonOf returns the reason of err, or the zero Reason.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return Reason{}
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
