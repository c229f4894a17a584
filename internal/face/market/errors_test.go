package market_test

import (
	"testing"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/face/market"
	_ "plaza/internal/server" // links every core, so every reason is declared
)

// Every kind and every reason any core declares is mapped on purpose: a new
// reason fails this test until the face's table says what it answers.
func TestErrorTableIsWhole(t *testing.T) {
	for _, m := range market.Codes.Missing() {
		t.Errorf("the market face's error table does not map %s", m)
	}
	for _, c := range []struct {
		err    error
		status int
		detail string
	}{
		{errs.E(errs.InsufficientFunds, "not enough diamond"), 400, "钻石不足"},
		{errs.E(errs.OutOfStock, "sold out"), 400, "库存不足"},
		{errs.E(errs.NotFound, "no such product"), 404, "Not found."},
		{errs.R(errs.NotFound, account.ReasonNoUser, ""), 404, "Not found."},
		{errs.R(errs.Forbidden, account.ReasonBanned, ""), 401, "User inactive or deleted."},
		{errs.E(errs.Unauthenticated, ""), 401, "Invalid token."},
		{errs.InvalidField("_type", "bad"), 400, ""},
		{errs.E(errs.Internal, ""), 500, "A server error occurred."},
	} {
		if s, d := market.AnswerOf(c.err); s != c.status || d != c.detail {
			t.Errorf("%v: %d %q, want %d %q", c.err, s, d, c.status, c.detail)
		}
	}
}
