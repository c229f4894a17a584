package payment

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"plaza/internal/errs"
	"plaza/internal/provider/pay"
	"plaza/internal/store"
)

// Errors of a vendor's word that plaza refuses (the vendor is answered
// "fail", and nothing changes).
var (
	ErrUnknownPayment = errors.New("payment: no such payment of that method")
	ErrAmountMismatch = errors.New("payment: the vendor's amount differs from the payment's")
)

// Accept applies the vendor's verified word that a payment is paid (from a
// notification or a query): in one unit, under the payment's row lock, it
// checks method and amount, marks the payment paid and runs the settler of
// its purpose. A payment already paid (or unsettled) is left alone and
// Accept answers nil: a repeated notification changes nothing. A settler's
// refusal is kept: the payment becomes Unsettled, with the settler's
// writes undone (a savepoint), and Accept answers nil (the vendor has the
// money; it must not send again). A payment closed by plaza that the
// vendor says is paid becomes Unsettled too: the money is owed back.
func (s *Service) Accept(ctx context.Context, method string, t pay.Trade) error {
	if t.State != pay.Paid {
		return fmt.Errorf("payment: accept of a trade %s, not paid", t.State)
	}
	return s.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		p, err := get(ctx, tx, t.OutTradeNo, tx.ForUpdate())
		if errs.Is(err, errs.NotFound) || (err == nil && p.Method != method) {
			s.d.Log.Warn("payment: the vendor tells of an unknown payment", "method", method, "out_trade_no", t.OutTradeNo)
			return ErrUnknownPayment
		}
		if err != nil {
			return err
		}
		if t.Amount != p.Amount {
			s.d.Log.Error("payment: the vendor's amount differs, refused", "out_trade_no", p.OutTradeNo, "method", method,
				"amount", p.Amount, "vendor_amount", t.Amount, "vendor_txn", t.VendorTxn)
			return ErrAmountMismatch
		}
		switch p.Status {
		case Paid, Unsettled, Refunded:
			return nil // told before
		case Closed:
			s.d.Log.Error("payment: paid after it was closed; kept as unsettled (a refund is owed)", "out_trade_no", p.OutTradeNo, "vendor_txn", t.VendorTxn)
			return s.mark(ctx, tx, p, Unsettled, t.VendorTxn, "paid after it was closed")
		}
		// Pending: paid now.
		if err := s.mark(ctx, tx, p, Paid, t.VendorTxn, ""); err != nil {
			return err
		}
		p.Status, p.VendorTxn, p.PaidAt = Paid, t.VendorTxn, tx.Now()
		return s.settle(ctx, tx, p)
	})
}

// mark changes a payment's status (and the paid time, once).
func (s *Service) mark(ctx context.Context, tx *store.Tx, p Payment, st Status, vendorTxn, why string) error {
	now := tx.Now().UnixMilli()
	_, err := tx.Exec(ctx, `UPDATE payments SET status = ?, vendor_txn = ?, settle_error = ?, updated_at = ?, paid_at = COALESCE(paid_at, ?)
		WHERE id = ?`, string(st), vendorTxn, why, now, now, p.ID)
	return errs.Wrap(err, "mark payment")
}

// settle runs the settler of a payment marked paid in tx, inside a
// savepoint: a refusal undoes the settler's writes (on PostgreSQL it may
// have aborted the transaction, which the rollback to the savepoint
// repairs) and marks the payment Unsettled instead.
func (s *Service) settle(ctx context.Context, tx *store.Tx, p Payment) error {
	st := s.settlers[p.Purpose]
	if st == nil {
		s.d.Log.Error("payment: no settler for its purpose; kept as unsettled", "out_trade_no", p.OutTradeNo, "purpose", p.Purpose)
		return s.mark(ctx, tx, p, Unsettled, p.VendorTxn, "no settler for purpose "+p.Purpose)
	}
	if _, err := tx.Exec(ctx, "SAVEPOINT payment_settle"); err != nil {
		return errs.Wrap(err, "savepoint")
	}
	err := st.Settle(ctx, tx, p)
	if err == nil {
		_, err := tx.Exec(ctx, "RELEASE SAVEPOINT payment_settle")
		return errs.Wrap(err, "release savepoint")
	}
	if errs.KindOf(err) == errs.Internal || ctx.Err() != nil {
		return err // the whole unit rolls back; the payment stays pending
	}
	if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT payment_settle"); rerr != nil {
		return errs.Wrap(rerr, "rollback to savepoint")
	}
	s.d.Log.Warn("payment: the settler refused; kept as unsettled (a refund is owed)", "out_trade_no", p.OutTradeNo,
		"purpose", p.Purpose, "ref", p.Ref, "err", err)
	why := errs.KindOf(err).String()
	if r := errs.ReasonOf(err).String(); r != "" {
		why += "/" + r
	}
	if m := errs.Message(err); m != "" {
		why += ": " + m
	}
	return s.mark(ctx, tx, p, Unsettled, p.VendorTxn, why)
}

// maxNotification bounds a notification's body.
const maxNotification = 64 << 10

// NotifyHandler is the endpoint a vendor posts its notifications to: the
// signature is checked by the vendor's provider, the trade applied once by
// Accept, and the vendor answered in its own format ("success" as soon as
// the payment is recorded, also for a repeat).
func (s *Service) NotifyHandler(method string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prov := s.providers[method]
		if prov == nil {
			http.NotFound(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxNotification)
		t, err := prov.Notification(r)
		if err != nil {
			s.d.Log.Warn("payment: notification refused", "method", method, "err", err)
			prov.Answer(w, false)
			return
		}
		if t.State != pay.Paid {
			prov.Answer(w, true) // nothing to do; the reconcile job reads the state
			return
		}
		if err := s.Accept(r.Context(), method, t); err != nil {
			if !errors.Is(err, ErrUnknownPayment) && !errors.Is(err, ErrAmountMismatch) {
				s.d.Log.Error("payment: notification not applied", "method", method, "out_trade_no", t.OutTradeNo, "err", err)
			}
			prov.Answer(w, false)
			return
		}
		prov.Answer(w, true)
	})
}

// Routes mounts the notification endpoints of the configured vendors:
// POST /pay/notify/wechat and POST /pay/notify/alipay.
func (s *Service) Routes(mux interface {
	Handle(pattern string, h http.Handler)
}) {
	for _, m := range []string{WeChat, Alipay} {
		if s.providers[m] != nil {
			mux.Handle("POST /pay/notify/"+m, s.NotifyHandler(m))
		}
	}
}
