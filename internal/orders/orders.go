// Package orders is the yuanyi face's shop: users put tickets (single
// items of the catalog's projects) in a shopping cart and order them; a
// pending order reserves its tickets until it is paid (the tickets are
// then sold), cancelled, or expires (Deps.TTL after it was made).
//
// The one rule of a ticket, that it is in at most one pending order and
// never in an order once sold, lives in the write transaction: an order
// takes its tickets with
//
//	UPDATE tickets SET reserved_order = ? WHERE id IN (...) AND reserved_order IS NULL AND sold_to IS NULL
//
// after locking their rows in id order (SELECT ... FOR UPDATE on
// PostgreSQL; an SQLite unit holds the write lock from its start), and
// fails with nothing written unless it took every one. Paying sets
// sold_to and clears reserved_order in the unit that marks the order paid
// (and, paid from the wallet, debits it); cancelling or expiring clears
// reserved_order with a conditional UPDATE of the order's status, so each
// order is released once whoever races for it.
package orders

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/payment"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// Status is an order's state.
type Status int

// The statuses, as the yuanyi face shows them.
const (
	Pending   Status = 0
	Done      Status = 1 // paid: its tickets are sold
	Cancelled Status = 2 // cancelled by its user, or expired
	Refunded  Status = 3 // paid, then refunded by an operator: its tickets are on sale again (Refund)
)

// Caps.
const (
	MaxTickets = 100 // tickets in one order
	MaxCart    = 100 // tickets in one cart
)

// Currency is the wallet currency orders are paid in (fen).
const Currency = wallet.CNY

// DefaultTTL is how long a pending order holds its tickets.
const DefaultTTL = 15 * time.Minute

// Reasons of the core's errors.
var (
	// NotFound: no such order of this user (another user's order is not
	// found either).
	ReasonOrder = errs.NewReason("orders.order")
	// Conflict: the order was cancelled or has expired; a payment for it
	// is to be refunded.
	ReasonClosed = errs.NewReason("orders.closed")
	// Conflict: the order is paid already.
	ReasonPaid = errs.NewReason("orders.paid")
	// Conflict: the order is refunded already (Refund).
	ReasonRefunded = errs.NewReason("orders.refunded")
	// Conflict: the order is not paid (pending, cancelled or expired), so
	// there is nothing to refund.
	ReasonNotPaid = errs.NewReason("orders.not_paid")
)

// Pay methods.
const (
	PaySandbox = payment.Sandbox // pays at once (the default while no vendor is configured)
	PayWallet  = "wallet"        // debits the user's cny balance
	PayWechat  = payment.WeChat  // WeChat Pay: the app pays, the vendor's notification settles
	PayAlipay  = payment.Alipay
)

// Deps are what the service needs.
type Deps struct {
	DB     *store.DB
	Clock  clock.Clock
	Wallet *wallet.Service
	// Payments takes every method but wallet (internal/payment); the
	// server registers the service as its settler of PurposeOrder.
	Payments *payment.Service
	TTL      time.Duration // 0: DefaultTTL
	Log      *slog.Logger
}

// Service is the orders core.
type Service struct{ Deps }

// New returns the orders service.
func New(d Deps) *Service {
	if d.TTL <= 0 {
		d.TTL = DefaultTTL
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{Deps: d}
}

// Order is an order of tickets.
type Order struct {
	ID        int64
	UserID    int64
	Price     int64 // fen: the sum of its tickets' prices when it was made
	Status    Status
	PayMethod string
	ExpiresAt time.Time
	PaidAt    time.Time // zero until paid
	CreatedAt time.Time
	UpdatedAt time.Time
	// RefundedAt (zero until then) and RefundReason: a refunded order's.
	RefundedAt   time.Time
	RefundReason string
}

const orderCols = "id, user_id, price, status, pay_method, expires_at, paid_at, created_at, updated_at, refunded_at, refund_reason"

func scanOrder(r store.Scanner) (Order, error) {
	var o Order
	return o, r.Scan(orderDest(&o)...)
}

// orderDest are the scan destinations of orderCols.
func orderDest(o *Order) []any {
	return []any{&o.ID, &o.UserID, &o.Price, &o.Status, &o.PayMethod, (*store.Millis)(&o.ExpiresAt), (*store.Millis)(&o.PaidAt),
		(*store.Millis)(&o.CreatedAt), (*store.Millis)(&o.UpdatedAt), (*store.Millis)(&o.RefundedAt), &o.RefundReason}
}

// expired tells whether a pending order is past its deadline at now.
func (o Order) expired(now time.Time) bool { return o.Status == Pending && !now.Before(o.ExpiresAt) }

// shown is the order as its user sees it at now: a pending order past its
// deadline that the sweep has not closed yet is cancelled already.
func (o Order) shown(now time.Time) Order {
	if o.expired(now) {
		o.Status = Cancelled
	}
	return o
}

var errNoOrder = errs.R(errs.NotFound, ReasonOrder, "no such order")

func closed(o Order, now time.Time) error {
	if o.expired(now) {
		return errs.R(errs.Conflict, ReasonClosed, "the order has expired")
	}
	return errs.R(errs.Conflict, ReasonClosed, "the order is cancelled")
}

// lock reads order id in tx, locked for the rest of the unit on
// PostgreSQL. userID 0 reads anyone's; another user's order is not found.
func lock(ctx context.Context, tx *store.Tx, userID, id int64) (Order, error) {
	o, err := scanOrder(tx.QueryRow(ctx, "SELECT "+orderCols+" FROM orders WHERE id = ?"+tx.ForUpdate(), id))
	if store.NoRows(err) || err == nil && userID != 0 && o.UserID != userID {
		return Order{}, errNoOrder
	}
	return o, errs.Wrap(err, "read order")
}

// expire closes a pending order past its deadline at now and releases its
// tickets; it tells whether it did (false: the order was not pending, or
// not due, or another unit closed it first).
func expire(ctx context.Context, tx *store.Tx, id int64, now time.Time) (bool, error) {
	res, err := tx.Exec(ctx, "UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ? AND expires_at <= ?",
		Cancelled, now.UnixMilli(), id, Pending, now.UnixMilli())
	if err != nil {
		return false, errs.Wrap(err, "expire order")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, release(ctx, tx, id, now)
}

// release frees the tickets a closed order reserved.
func release(ctx context.Context, tx *store.Tx, id int64, now time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE tickets SET reserved_order = NULL, updated_at = ? WHERE reserved_order = ?", now.UnixMilli(), id)
	return errs.Wrap(err, "release tickets")
}

// orderRef is the ledger's reference to an order.
func orderRef(id int64) wallet.Ref { return wallet.Ref{Kind: "order", ID: strconv.FormatInt(id, 10)} }
