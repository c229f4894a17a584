package payment

import (
	"context"
	"slices"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// Statuses lists every status a payment can be in.
var Statuses = []Status{Pending, Paid, Unsettled, Closed, Refunded}

// AllMethods lists every method a payment can have been made by, whether
// or not it is configured now.
var AllMethods = []string{Sandbox, WeChat, Alipay}

// AdminFilter picks payments for an operator; the zero value picks every
// payment.
type AdminFilter struct {
	Status Status // "": any; Unsettled finds the money owed back
	UserID int64  // 0: anyone's
	Method string // "": any
}

func (f AdminFilter) check() error {
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return errs.InvalidField("status", "status must be pending, paid, unsettled, closed or refunded")
	}
	if f.Method != "" && !slices.Contains(AllMethods, f.Method) {
		return errs.InvalidField("method", "method must be sandbox, wechat or alipay")
	}
	if f.UserID < 0 {
		return errs.InvalidField("user_id", "user_id must be a user's id")
	}
	return nil
}

// AdminList is a page of the payments that match f, newest first, and how
// many match in all.
func (s *Service) AdminList(ctx context.Context, f AdminFilter, offset, limit int) ([]Payment, int, error) {
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, f.UserID)
	}
	if f.Method != "" {
		where, args = append(where, "method = ?"), append(args, f.Method)
	}
	cond := strings.Join(where, " AND ")
	total, err := store.Count(ctx, s.d.DB, "SELECT COUNT(*) FROM payments WHERE "+cond, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count payments")
	}
	out, err := store.Collect(ctx, s.d.DB, "SELECT "+columns+" FROM payments WHERE "+cond+" ORDER BY id DESC"+store.LimitOffset,
		append(args, limit, offset), scan)
	return out, total, errs.Wrap(err, "list payments")
}

// MaxOutTradeNo is the longest payment number a vendor takes (Alipay's).
const MaxOutTradeNo = 64

// CheckOutTradeNo refuses what cannot be a payment number (1 to 64 of the
// characters WeChat Pay and Alipay take: letters, digits, _ - | *), naming
// field.
func CheckOutTradeNo(field, no string) error {
	ok := no != "" && len(no) <= MaxOutTradeNo
	for i := 0; ok && i < len(no); i++ {
		c := no[i]
		ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("_-|*", c) >= 0
	}
	if !ok {
		return errs.InvalidField(field, field+" must be 1 to 64 letters, digits or _-|*")
	}
	return nil
}

// AdminGet reads a payment by its number for an operator: a malformed
// number is Invalid (field out_trade_no), an unknown one ReasonUnknown.
func (s *Service) AdminGet(ctx context.Context, outTradeNo string) (Payment, error) {
	if err := CheckOutTradeNo("out_trade_no", outTradeNo); err != nil {
		return Payment{}, err
	}
	return s.Get(ctx, outTradeNo)
}
