package ratelimit

import (
	"context"
	"time"

	"plaza/internal/errs"
)

// Failures is a count of failed tries (wrong passwords) that pauses the
// thing tried once Max fail within Window. Tries sent at once all pass the
// first Refused; so a failure past the limit answers as limited too
// (Failed), and a success is checked with Refused once more before it is
// granted: of many simultaneous tries only Max learn their outcome.
type Failures struct {
	Key    string
	Max    int
	Window time.Duration
	Msg    string // the RateLimited message
}

// Refused answers RateLimited (with RetryAfter, the longest) when any of fs
// is at its limit, nil otherwise.
func Refused(ctx context.Context, l Limiter, fs ...Failures) error {
	var limited *errs.Error
	for _, f := range fs {
		n, err := l.Count(ctx, f.Key)
		if err != nil {
			return err
		}
		if n < f.Max {
			continue
		}
		wait, err := l.RetryAfter(ctx, f.Key)
		if err != nil {
			return err
		}
		if wait <= 0 {
			continue // the window ended between the two reads
		}
		if limited == nil || wait > limited.RetryAfter {
			limited = &errs.Error{Kind: errs.RateLimited, Msg: f.Msg, RetryAfter: wait}
		}
	}
	if limited != nil {
		return limited
	}
	return nil
}

// Failed counts one failure against every one of fs and answers
// RateLimited when it went past a limit, nil otherwise (then the caller
// answers its own refusal).
func Failed(ctx context.Context, l Limiter, fs ...Failures) error {
	var limited *errs.Error
	for _, f := range fs {
		r, err := l.Hit(ctx, f.Key, f.Max, f.Window)
		if err != nil {
			return err
		}
		if !r.Allowed && (limited == nil || r.RetryAfter > limited.RetryAfter) {
			limited = &errs.Error{Kind: errs.RateLimited, Msg: f.Msg, RetryAfter: r.RetryAfter}
		}
	}
	if limited != nil {
		return limited
	}
	return nil
}
