package member_test

import (
	"testing"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/face/member"
	"plaza/internal/provider/mail"
	"plaza/internal/provider/sms"
	_ "plaza/internal/server" // links every core, so every reason is declared
)

// Every kind and every reason any core declares is mapped on purpose: a new
// reason fails this test until the face's table says what it answers.
func TestErrorTableIsWhole(t *testing.T) {
	for _, m := range member.Codes.Missing() {
		t.Errorf("the member face's error table does not map %s", m)
	}
	for _, c := range []struct {
		err  error
		want int
	}{
		{errs.R(errs.NotFound, account.ReasonNotRegistered, ""), 10006},
		{errs.R(errs.NotFound, account.ReasonNoUser, ""), 10001},
		{errs.R(errs.Forbidden, account.ReasonBanned, ""), 10003},
		{errs.R(errs.Unavailable, sms.ReasonArrears, ""), 10011},
		{errs.R(errs.Unavailable, sms.ReasonFailed, ""), 10012},
		{errs.R(errs.Unavailable, sms.ReasonUnavailable, ""), 10013},
		{errs.R(errs.Unavailable, mail.ReasonUnavailable, ""), 10014},
		{errs.E(errs.Internal, ""), 10000},
	} {
		if got := member.CodeOf(c.err); got != c.want {
			t.Errorf("%v: code %d, want %d", c.err, got, c.want)
		}
	}
}
