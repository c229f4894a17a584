package doge_test

import (
	"testing"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/face/doge"
	"plaza/internal/pet"
	_ "plaza/internal/server" // links every core, so every reason is declared
)

// Every kind and every reason any core declares is mapped on purpose.
func TestErrorTableIsWhole(t *testing.T) {
	for _, m := range doge.Codes.Missing() {
		t.Errorf("the doge face's error table does not map %s", m)
	}
	for _, c := range []struct {
		err    error
		status int
		msg    string
	}{
		{errs.E(errs.InsufficientFunds, "not enough coin"), 4, "余额不足"},
		{errs.R(errs.NotFound, pet.ReasonNoPoop, ""), 7, "无屎可捡"},
		{errs.R(errs.NotFound, pet.ReasonNoPet, ""), 7, "不存在"},
		{errs.R(errs.Conflict, pet.ReasonDone, ""), 6, "已存在"},
		{errs.R(errs.NotFound, account.ReasonNoUser, ""), 7, "不存在"},
		{errs.R(errs.Conflict, account.ReasonRegistered, ""), 6, "已存在"},
		{errs.R(errs.Forbidden, account.ReasonBanned, ""), 2, "权限不足"},
		{errs.E(errs.Unauthenticated, ""), 2, "权限不足"},
		{errs.InvalidField("type", "bad"), 4, "数据错误"},
		{errs.E(errs.Internal, ""), 0, "未知错误"},
	} {
		if s, m := doge.AnswerOf(c.err); s != c.status || m != c.msg {
			t.Errorf("%v: %d %q, want %d %q", c.err, s, m, c.status, c.msg)
		}
	}
}
