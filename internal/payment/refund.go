package payment

import (
	"context"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// MarkRefunded marks the paid payment of a purpose's ref (the one that
// settled it: an order has one) refunded, in the caller's unit (the one
// that undoes what it paid for), and answers it. No paid payment of the
// ref: Conflict (ReasonUnknown): the order says paid and no payment
// does, which needs a look at the payments, not a retry. Giving the money back at the vendor (a WeChat Pay or
// Alipay refund request) is not made here: the operator does it in the
// vendor's console (docs/compat.md); plaza records that it is owed and
// done.
func (s *Service) MarkRefunded(ctx context.Context, tx *store.Tx, purpose, ref string) (Payment, error) {
	now := tx.Now().UnixMilli()
	p, err := scan(tx.QueryRow(ctx, `UPDATE payments SET status = ?, updated_at = ?
		WHERE id = (SELECT id FROM payments WHERE purpose = ? AND ref = ? AND status = ? ORDER BY id LIMIT 1)
		RETURNING `+columns, string(Refunded), now, purpose, ref, string(Paid)))
	if store.NoRows(err) {
		return Payment{}, errs.R(errs.Conflict, ReasonUnknown, "no paid payment of "+purpose+" "+ref+": see its payments")
	}
	return p, errs.Wrap(err, "mark payment refunded")
}
