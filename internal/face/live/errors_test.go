package live_test

import (
	"testing"

	"plaza/internal/account"
	"plaza/internal/errs"
	facelive "plaza/internal/face/live"
	"plaza/internal/friend"
	"plaza/internal/live"
	"plaza/internal/media"
	_ "plaza/internal/server" // links every core, so every reason is declared
)

// Every kind and every reason any core declares is mapped on purpose.
func TestErrorTableIsWhole(t *testing.T) {
	for _, m := range facelive.Codes.Missing() {
		t.Errorf("the live face's error table does not map %s", m)
	}
	for _, c := range []struct {
		err  error
		code string
	}{
		{errs.R(errs.Conflict, account.ReasonRegistered, ""), "0001"},
		{errs.E(errs.CodeInvalid, ""), "0004"},
		{errs.E(errs.Expired, ""), "0004"},
		{errs.E(errs.CodeExhausted, ""), "0005"},
		{errs.R(errs.Invalid, media.Reason, ""), "0006"},
		{errs.E(errs.Internal, ""), "0006"},
		{errs.R(errs.NotFound, account.ReasonNotRegistered, ""), "0007"},
		{errs.R(errs.NotFound, account.ReasonNoUser, ""), "0007"},
		{errs.R(errs.Unauthenticated, account.ReasonWrongPassword, ""), "0008"},
		{errs.InvalidField("x", ""), "0009"},
		{errs.R(errs.NotFound, friend.ReasonNoRequest, ""), "0009"},
		{errs.R(errs.Invalid, friend.ReasonSelf, ""), "0009"},
		{errs.R(errs.Conflict, friend.ReasonAlreadyFriends, ""), "0010"},
		{errs.R(errs.NotFound, friend.ReasonNotFriends, ""), "0006"},
		{errs.E(errs.Unauthenticated, ""), "0011"},
		{errs.E(errs.RateLimited, ""), "0012"},
		{errs.E(errs.InsufficientFunds, ""), "0013"},
		{errs.R(errs.Invalid, live.ReasonGoldAmount, ""), "0009"},
		{errs.R(errs.Forbidden, friend.ReasonNotAddressee, ""), "0002"},
	} {
		if got := facelive.Codes.Of(c.err).Code; got != c.code {
			t.Errorf("%v: %s, want %s", c.err, got, c.code)
		}
	}
}
