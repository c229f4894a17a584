// Package payment is plaza's payment core: payments in real money (fen) by
// sandbox, WeChat Pay or Alipay, for a purpose ("order", "topup", ...)
// whose Settler runs in the same unit that marks the payment paid. A
// vendor's notification is believed only with a valid signature and
// applied exactly once; a payment whose notification never came is found
// by the reconcile job, which asks the vendor. docs/payments.md tells the
// design: flow, states, exactly-once, reconcile, settings.
package payment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/provider/pay"
	"plaza/internal/store"
	"plaza/internal/valid"
	"plaza/internal/wallet"
)

// Methods.
const (
	Sandbox = "sandbox" // pays at once, in the caller's unit (no money moves)
	WeChat  = pay.WeChat
	Alipay  = pay.Alipay
)

// Purposes built in.
const (
	PurposeTopUp = "topup" // credits the user's CNY wallet (wallet.TopUp)
	PurposeOrder = "order" // an order of the shop (its settler is registered by whoever wires orders)
)

// CNY is the wallet currency a top-up credits, in fen.
const CNY = wallet.CNY

// Status is a payment's state.
type Status string

const (
	Pending Status = "pending" // waiting for the vendor
	Paid    Status = "paid"    // paid, and its settler ran
	// Unsettled: the vendor took the money but the settler refused (the
	// order was cancelled meanwhile): nothing of the purpose happened, and
	// the money is owed back. SettleError says why.
	Unsettled Status = "unsettled"
	Closed    Status = "closed"   // never paid, and can no longer be
	Refunded  Status = "refunded" // an operator refunded what it paid for (MarkRefunded)
)

// MaxAmount is the largest payment: 100,000,000 yuan, Alipay's cap.
const MaxAmount int64 = 100_000_000_00

// Reasons of the payment core's errors.
var (
	// Unavailable: the method is not configured on this server.
	ReasonMethodUnavailable = errs.NewReason("payment.method_unavailable")
	// Conflict: the payment is no longer pending (paid or closed), so it
	// cannot be prepaid again.
	ReasonNotPending = errs.NewReason("payment.not_pending")
	// NotFound: no payment has that number.
	ReasonUnknown = errs.NewReason("payment.unknown")
)

// Payment is one attempt to pay.
type Payment struct {
	ID          int64
	OutTradeNo  string // what the vendor sees
	Method      string
	Purpose     string
	Ref         string // what it pays for (an order id), per purpose
	UserID      int64
	Amount      int64 // fen
	Subject     string
	Status      Status
	VendorTxn   string // the vendor's transaction id, once paid
	SettleError string // why the settler refused (Unsettled)
	ExpiresAt   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PaidAt      time.Time // zero until paid
}

// Settler does what a paid payment of its purpose pays for, in the unit
// that marks the payment paid. An error of a kind other than Internal is a
// refusal (the order was cancelled meanwhile): the settler's writes are
// rolled back and the payment is kept as Unsettled. An Internal error rolls
// the whole unit back (the payment stays pending; the vendor's next
// notification or the reconcile job tries again).
type Settler interface {
	Settle(ctx context.Context, tx *store.Tx, p Payment) error
}

// SettlerFunc is a func as a Settler.
type SettlerFunc func(ctx context.Context, tx *store.Tx, p Payment) error

func (f SettlerFunc) Settle(ctx context.Context, tx *store.Tx, p Payment) error { return f(ctx, tx, p) }

// Deps are what the service needs.
type Deps struct {
	DB     *store.DB
	Clock  clock.Clock
	Log    *slog.Logger
	Wallet *wallet.Service // the top-up settler's
	// Providers are the configured vendors (pay.NewWeChat, pay.NewAlipay).
	Providers []pay.Provider
	// Sandbox makes the sandbox method available. It pays without money:
	// never on a server that takes real payments from strangers.
	Sandbox bool
	// Expire is how long a vendor payment may wait to be paid (default
	// 30m); the vendor is told, and the reconcile job closes it after.
	Expire time.Duration
	// CheckAfter is when the reconcile job first asks the vendor about a
	// payment with no notification (default 1m); it asks again later and
	// later, at most every MaxCheckEvery (default 10m).
	CheckAfter    time.Duration
	MaxCheckEvery time.Duration
}

// Service is the payment core.
type Service struct {
	d         Deps
	providers map[string]pay.Provider
	settlers  map[string]Settler
}

// New makes the service, with the built-in "topup" settler.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Expire <= 0 {
		d.Expire = 30 * time.Minute
	}
	if d.CheckAfter <= 0 {
		d.CheckAfter = time.Minute
	}
	if d.MaxCheckEvery <= 0 {
		d.MaxCheckEvery = 10 * time.Minute
	}
	s := &Service{d: d, providers: map[string]pay.Provider{}, settlers: map[string]Settler{}}
	for _, p := range d.Providers {
		s.providers[p.Method()] = p
	}
	if d.Wallet != nil {
		s.Register(PurposeTopUp, SettlerFunc(s.settleTopUp))
	}
	return s
}

// Register makes st the settler of purpose. Call it while wiring the
// server, before any payment (it is not safe beside running payments).
func (s *Service) Register(purpose string, st Settler) { s.settlers[purpose] = st }

// Methods lists the available methods.
func (s *Service) Methods() []string {
	var out []string
	if s.d.Sandbox {
		out = append(out, Sandbox)
	}
	for _, m := range []string{WeChat, Alipay} {
		if s.providers[m] != nil {
			out = append(out, m)
		}
	}
	return out
}

// Available tells whether method can be used: nil, or an Unavailable error
// with ReasonMethodUnavailable (Invalid for a method plaza does not know).
func (s *Service) Available(method string) error {
	switch method {
	case Sandbox:
		if s.d.Sandbox {
			return nil
		}
	case WeChat, Alipay:
		if s.providers[method] != nil {
			return nil
		}
	default:
		return errs.InvalidField("pay_method", "unknown payment method")
	}
	return &errs.Error{Kind: errs.Unavailable, Reason: ReasonMethodUnavailable, Field: "pay_method", Msg: "this payment method is not available"}
}

// Request is a payment to start.
type Request struct {
	UserID  int64
	Method  string
	Purpose string
	Ref     string // up to 64 characters
	Amount  int64  // fen
	Subject string // shown to the payer (up to 128 characters; default "plaza")
	// ExpiresAt, when set and sooner than the Expire setting allows, is
	// when the vendor stops taking the payment: an order's deadline, so
	// that no payment can arrive for an order that expired.
	ExpiresAt time.Time
}

func (r *Request) check(s *Service) error {
	if err := s.Available(r.Method); err != nil {
		return err
	}
	if s.settlers[r.Purpose] == nil {
		return errs.Wrap(fmt.Errorf("no settler for purpose %q", r.Purpose), "payment")
	}
	if r.UserID <= 0 {
		return errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
	}
	if r.Amount <= 0 || r.Amount > MaxAmount {
		return errs.InvalidField("amount", "the amount must be 1 fen to 100,000,000 yuan")
	}
	if err := valid.Line("ref", r.Ref, 64); err != nil {
		return err
	}
	if r.Subject == "" {
		r.Subject = "plaza"
	}
	return valid.Line("subject", r.Subject, 128)
}

// Start records a payment in the caller's unit.
//
// Sandbox: the payment is paid at once and its settler runs here, in the
// same unit (a refusal of the settler is Start's error, and the caller's
// unit rolls back with nothing paid). The payment returned is Paid.
//
// WeChat, Alipay: the payment is written Pending. Once the caller's unit
// has committed, call Prepay with its OutTradeNo (outside any unit) for
// what the app needs to pay; the vendor's notification (or the reconcile
// job) then settles it.
func (s *Service) Start(ctx context.Context, tx *store.Tx, r Request) (Payment, error) {
	if tx == nil {
		return Payment{}, errs.Wrap(errors.New("no transaction given"), "payment start")
	}
	if err := r.check(s); err != nil {
		return Payment{}, err
	}
	now := tx.Now()
	p := Payment{OutTradeNo: newOutTradeNo(now), Method: r.Method, Purpose: r.Purpose, Ref: r.Ref, UserID: r.UserID,
		Amount: r.Amount, Subject: r.Subject, Status: Pending, ExpiresAt: now.Add(s.d.Expire), CreatedAt: now, UpdatedAt: now}
	if !r.ExpiresAt.IsZero() && r.ExpiresAt.Before(p.ExpiresAt) {
		p.ExpiresAt = r.ExpiresAt.Truncate(time.Millisecond)
	}
	if r.Method == Sandbox {
		p.Status, p.PaidAt, p.VendorTxn, p.ExpiresAt = Paid, now, "sandbox-"+p.OutTradeNo, now
	}
	var paidAt any
	if !p.PaidAt.IsZero() {
		paidAt = p.PaidAt.UnixMilli()
	}
	// Selected from users: an unknown user gives no row, not a foreign-key
	// failure that would abort the caller's unit on PostgreSQL.
	err := tx.QueryRow(ctx, `INSERT INTO payments (out_trade_no, method, purpose, ref, user_id, amount, subject, status, vendor_txn,
			check_at, expires_at, created_at, updated_at, paid_at)
		SELECT ?, ?, ?, ?, id, CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
		FROM users WHERE id = ? RETURNING id`,
		p.OutTradeNo, p.Method, p.Purpose, p.Ref, p.Amount, p.Subject, string(p.Status), p.VendorTxn,
		now.Add(s.d.CheckAfter).UnixMilli(), p.ExpiresAt.UnixMilli(), now.UnixMilli(), now.UnixMilli(), paidAt, p.UserID).Scan(&p.ID)
	if store.NoRows(err) {
		return Payment{}, errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
	}
	if err != nil {
		return Payment{}, errs.Wrap(err, "write payment")
	}
	if r.Method == Sandbox {
		if err := s.settlers[p.Purpose].Settle(ctx, tx, p); err != nil {
			return Payment{}, err
		}
	}
	return p, nil
}

// Waiting is the out_trade_no of the newest pending payment by method for
// purpose and ref, of amount, that the vendor still takes ("": none), read
// in the caller's unit: a caller that holds a lock on what ref names
// (Pay holds the order's) starts one payment however often it is asked.
func (s *Service) Waiting(ctx context.Context, tx *store.Tx, purpose, ref, method string, amount int64) (string, error) {
	var no string
	err := tx.QueryRow(ctx, `SELECT out_trade_no FROM payments
		WHERE purpose = ? AND ref = ? AND method = ? AND status = ? AND amount = ? AND expires_at > ?
		ORDER BY id DESC LIMIT 1`, purpose, ref, method, string(Pending), amount, tx.Now().UnixMilli()).Scan(&no)
	if store.NoRows(err) {
		return "", nil
	}
	return no, errs.Wrap(err, "read waiting payment")
}

// newOutTradeNo is a payment number: "P", the date, 20 random hex digits
// (29 characters: WeChat takes 6 to 32 of [0-9A-Za-z_-|*], Alipay 64).
func newOutTradeNo(now time.Time) string {
	b := make([]byte, 10)
	rand.Read(b)
	return "P" + now.UTC().Format("20060102") + hex.EncodeToString(b)
}

// Prepay asks the vendor to create a pending payment that Start wrote and
// its unit committed, and returns what the app passes to the vendor's SDK.
// It calls the network, so it refuses to run inside a unit. It may be
// called again for the same payment (the app lost the answer).
func (s *Service) Prepay(ctx context.Context, outTradeNo string) (pay.Prepay, error) {
	if store.InUnit(ctx) {
		return pay.Prepay{}, errs.Wrap(store.ErrNested, "payment prepay: the vendor is called after the unit commits")
	}
	p, err := s.Get(ctx, outTradeNo)
	if err != nil {
		return pay.Prepay{}, err
	}
	if p.Status != Pending {
		return pay.Prepay{}, errs.R(errs.Conflict, ReasonNotPending, "the payment is no longer waiting to be paid")
	}
	prov := s.providers[p.Method]
	if prov == nil {
		return pay.Prepay{}, s.Available(p.Method)
	}
	pp, err := prov.Prepay(ctx, pay.Order{OutTradeNo: p.OutTradeNo, Amount: p.Amount, Subject: p.Subject, ExpireAt: p.ExpiresAt})
	if err != nil {
		s.d.Log.Error("payment prepay", "out_trade_no", p.OutTradeNo, "method", p.Method, "err", err)
		return pay.Prepay{}, &errs.Error{Kind: errs.Unavailable, Reason: ReasonMethodUnavailable, Msg: "the payment service is unavailable, try again", Err: err}
	}
	return pp, nil
}

// Checkout is a started payment and, for a vendor, what the app needs.
type Checkout struct {
	Payment Payment
	Prepay  pay.Prepay // empty for the sandbox (already paid)
}

// Pay starts the payment r in a unit of its own, then (vendor methods)
// prepays it: for a payment that is a whole request by itself (a top-up,
// a refill), not a part of the caller's unit (Start).
func (s *Service) Pay(ctx context.Context, r Request) (Checkout, error) {
	var c Checkout
	err := s.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		c.Payment, err = s.Start(ctx, tx, r)
		return err
	})
	if err != nil || r.Method == Sandbox {
		return c, err
	}
	c.Prepay, err = s.Prepay(ctx, c.Payment.OutTradeNo)
	return c, err
}

// TopUp starts a top-up of the user's CNY wallet by fen (Pay).
func (s *Service) TopUp(ctx context.Context, userID int64, method string, fen int64) (Checkout, error) {
	return s.Pay(ctx, Request{UserID: userID, Method: method, Purpose: PurposeTopUp, Amount: fen, Subject: "top-up"})
}

// settleTopUp credits the CNY wallet; the key makes a second run (it
// cannot happen: the payment row is locked and marked once) credit
// nothing.
func (s *Service) settleTopUp(ctx context.Context, tx *store.Tx, p Payment) error {
	_, err := s.d.Wallet.TopUp(ctx, tx, p.UserID, CNY, p.Amount, wallet.Meta{
		Reason: "top-up (" + p.Method + ")", Ref: wallet.Ref{Kind: "payment", ID: p.OutTradeNo}, Key: "payment:" + p.OutTradeNo,
	})
	return err
}

const columns = `id, out_trade_no, method, purpose, ref, user_id, amount, subject, status, vendor_txn, settle_error,
	expires_at, created_at, updated_at, paid_at`

func scan(r store.Scanner) (Payment, error) {
	var p Payment
	var st string
	err := r.Scan(&p.ID, &p.OutTradeNo, &p.Method, &p.Purpose, &p.Ref, &p.UserID, &p.Amount, &p.Subject, &st, &p.VendorTxn, &p.SettleError,
		(*store.Millis)(&p.ExpiresAt), (*store.Millis)(&p.CreatedAt), (*store.Millis)(&p.UpdatedAt), (*store.Millis)(&p.PaidAt))
	p.Status = Status(st)
	return p, err
}

func unknown() error { return errs.R(errs.NotFound, ReasonUnknown, "no such payment") }

// Get reads a payment by its number.
func (s *Service) Get(ctx context.Context, outTradeNo string) (Payment, error) {
	return get(ctx, s.d.DB, outTradeNo, "")
}

// GetTx reads a payment by its number in the caller's unit.
func (s *Service) GetTx(ctx context.Context, tx *store.Tx, outTradeNo string) (Payment, error) {
	return get(ctx, tx, outTradeNo, "")
}

func get(ctx context.Context, q store.Querier, outTradeNo, suffix string) (Payment, error) {
	p, err := scan(q.QueryRow(ctx, "SELECT "+columns+" FROM payments WHERE out_trade_no = ?"+suffix, outTradeNo))
	if store.NoRows(err) {
		return Payment{}, unknown()
	}
	return p, errs.Wrap(err, "read payment")
}

// ForRef lists the payments of a purpose's ref (an order's), newest first.
func (s *Service) ForRef(ctx context.Context, purpose, ref string) ([]Payment, error) {
	out, err := store.Collect(ctx, s.d.DB, "SELECT "+columns+" FROM payments WHERE purpose = ? AND ref = ? ORDER BY id DESC LIMIT 50",
		[]any{purpose, ref}, scan)
	return out, errs.Wrap(err, "list payments")
}
