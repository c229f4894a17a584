package yuanyi_test

import (
	"testing"

	"plaza/internal/account"
	"plaza/internal/content"
	"plaza/internal/errs"
	"plaza/internal/face/yuanyi"
	"plaza/internal/media"
	"plaza/internal/provider/mail"
	"plaza/internal/provider/sms"
	_ "plaza/internal/server" // links every core, so every reason is declared
)

// Every kind and every reason any core declares is mapped on purpose: a new
// reason fails this test until the face's table says what it answers.
func TestErrorTableIsWhole(t *testing.T) {
	for _, m := range yuanyi.Codes.Missing() {
		t.Errorf("the yuanyi face's error table does not map %s", m)
	}
	for _, c := range []struct {
		err  error
		want int
	}{
		// A service that is down is 110, not the SMS code 101 (the media
		// core not served answered 101 "短信发送失败" once).
		{errs.E(errs.Unavailable, "media is not served"), 110},
		{errs.R(errs.Unavailable, mail.ReasonUnavailable, ""), 110},
		{errs.R(errs.Unavailable, sms.ReasonFailed, ""), 101},
		{errs.R(errs.Unavailable, sms.ReasonUnavailable, ""), 101},
		{errs.R(errs.NotFound, account.ReasonNoUser, ""), 107},
		{errs.R(errs.NotFound, account.ReasonNotRegistered, ""), 107},
		{errs.R(errs.NotFound, content.ReasonArticle, ""), 301},
		{errs.R(errs.Expired, media.Reason, ""), 400},
		{errs.E(errs.Expired, ""), 102},
		{errs.R(errs.Forbidden, account.ReasonBanned, ""), 111},
		{errs.E(errs.RateLimited, ""), 110},
		{errs.E(errs.Internal, ""), -1},
	} {
		if got := yuanyi.CodeOf(c.err); got != c.want {
			t.Errorf("%v: code %d, want %d", c.err, got, c.want)
		}
	}
}
