package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"plaza/internal/admins"
	"plaza/internal/errs"
	"plaza/internal/market"
	"plaza/internal/orders"
	"plaza/internal/payment"
	"plaza/internal/valid"
)

// Orders and payments, read only: an operator finds the order a user
// tells of, and the payments paid that could not settle (unsettled: owed
// back).

// tsOrNull is ts, or null for a zero time (not yet paid).
func tsOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := ts(t)
	return &s
}

// queryID reads ?name= as a record id ("" is 0: no filter); anything but
// plain digits is 400 naming it.
func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	id, ok := valid.ID(s)
	if !ok {
		return 0, errs.InvalidField(name, name+" must be a record id (plain digits)")
	}
	return id, nil
}

// ---- ticket orders (internal/orders) ------------------------------------

type orderBody struct {
	ID         int64   `json:"id"`
	UserID     int64   `json:"user_id"`
	Price      int64   `json:"price"` // fen
	Status     int     `json:"status"`
	PayMethod  string  `json:"pay_method"`
	TicketName string  `json:"ticket_name,omitempty"` // the first ticket's, in lists
	ExpiresAt  string  `json:"expires_at"`
	PaidAt     *string `json:"paid_at"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
	// A refunded order's (status 3): when, and the operator's reason.
	RefundedAt   *string `json:"refunded_at"`
	RefundReason string  `json:"refund_reason"`
}

func wireOrder(o orders.Order) orderBody {
	return orderBody{ID: o.ID, UserID: o.UserID, Price: o.Price, Status: int(o.Status), PayMethod: o.PayMethod,
		ExpiresAt: ts(o.ExpiresAt), PaidAt: tsOrNull(o.PaidAt), CreatedAt: ts(o.CreatedAt), UpdatedAt: ts(o.UpdatedAt),
		RefundedAt: tsOrNull(o.RefundedAt), RefundReason: o.RefundReason}
}

func wireListedOrder(l orders.Listed) orderBody {
	b := wireOrder(l.Order)
	b.TicketName = l.TicketName
	return b
}

type orderItemBody struct {
	TicketID int64  `json:"ticket_id"`
	Name     string `json:"name"`
	Image    string `json:"image"`
	Price    int64  `json:"price"` // fen, when ordered
}

type orderDetailBody struct {
	orderBody
	Items    []orderItemBody `json:"items"`
	Payments []paymentBody   `json:"payments"` // newest first
}

func (f *face) orders(r *http.Request, _ admins.Admin) (int, any, error) {
	var filter orders.AdminFilter
	if s := r.URL.Query().Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || strconv.Itoa(n) != s { // one spelling: no sign, no leading zero
			return 0, nil, errs.InvalidField("status", "status must be 0 (pending), 1 (paid), 2 (cancelled or expired) or 3 (refunded)")
		}
		st := orders.Status(n)
		filter.Status = &st
	}
	var err error
	if filter.UserID, err = queryID(r, "user_id"); err != nil {
		return 0, nil, err
	}
	return paged(func(ctx context.Context, offset, limit int) ([]orders.Listed, int, error) {
		return f.Orders.AdminList(ctx, filter, offset, limit)
	}, wireListedOrder)(r, admins.Admin{})
}

func (f *face) order(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	o, items, err := f.Orders.AdminGet(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	pays, err := f.Payments.ForRef(r.Context(), payment.PurposeOrder, strconv.FormatInt(o.ID, 10))
	if err != nil {
		return 0, nil, err
	}
	out := orderDetailBody{orderBody: wireOrder(o), Items: make([]orderItemBody, len(items)), Payments: make([]paymentBody, len(pays))}
	for i, it := range items {
		out.Items[i] = orderItemBody{TicketID: it.TicketID, Name: it.Name, Image: it.Image, Price: it.Price}
	}
	for i, p := range pays {
		out.Payments[i] = wirePayment(p)
	}
	return http.StatusOK, out, nil
}

// ---- exchange orders (internal/market) ----------------------------------

type exchangeProductBody struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Image       string `json:"image"`
	ProductType int    `json:"product_type"`
}

type exchangeOrderBody struct {
	ID          int64               `json:"id"`
	OrderNumber string              `json:"order_number"`
	UserID      int64               `json:"user_id"`
	Product     exchangeProductBody `json:"product"`
	Diamond     int64               `json:"diamond"` // what was paid
	Status      int                 `json:"status"`  // 1 exchanged, 2 refunded
	CreatedAt   string              `json:"created_at"`
	// A refunded order's: when, and the operator's reason.
	RefundedAt   *string `json:"refunded_at"`
	RefundReason string  `json:"refund_reason"`
}

func wireExchangeOrder(o market.Order) exchangeOrderBody {
	p := o.Product
	return exchangeOrderBody{ID: o.ID, OrderNumber: o.Number, UserID: o.UserID,
		Product: exchangeProductBody{ID: p.ID, Name: p.Name, Image: p.Image, ProductType: p.Type},
		Diamond: o.Diamond, Status: o.Status, CreatedAt: ts(o.CreatedAt), RefundedAt: tsOrNull(o.RefundedAt), RefundReason: o.RefundReason}
}

func (f *face) exchangeOrders(r *http.Request, a admins.Admin) (int, any, error) {
	user, err := queryID(r, "user_id")
	if err != nil {
		return 0, nil, err
	}
	return paged(func(ctx context.Context, offset, limit int) ([]market.Order, int, error) {
		return f.Market.AdminOrders(ctx, market.OrderFilter{UserID: user}, offset, limit)
	}, wireExchangeOrder)(r, a)
}

func (f *face) exchangeOrder(r *http.Request, _ admins.Admin) (int, any, error) {
	o, err := f.Market.AdminOrder(r.Context(), r.PathValue("order_number"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wireExchangeOrder(o), nil
}

// ---- payments (internal/payment) ----------------------------------------

type paymentBody struct {
	ID          int64   `json:"id"`
	OutTradeNo  string  `json:"out_trade_no"`
	Method      string  `json:"method"`
	Purpose     string  `json:"purpose"`
	Ref         string  `json:"ref"` // what it pays for: an order's id for purpose order
	UserID      int64   `json:"user_id"`
	Amount      int64   `json:"amount"` // fen
	Subject     string  `json:"subject"`
	Status      string  `json:"status"`
	VendorTxn   string  `json:"vendor_txn"`
	SettleError string  `json:"settle_error"` // why an unsettled payment could not settle
	ExpiresAt   string  `json:"expires_at"`
	PaidAt      *string `json:"paid_at"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

func wirePayment(p payment.Payment) paymentBody {
	return paymentBody{ID: p.ID, OutTradeNo: p.OutTradeNo, Method: p.Method, Purpose: p.Purpose, Ref: p.Ref, UserID: p.UserID,
		Amount: p.Amount, Subject: p.Subject, Status: string(p.Status), VendorTxn: p.VendorTxn, SettleError: p.SettleError,
		ExpiresAt: ts(p.ExpiresAt), PaidAt: tsOrNull(p.PaidAt), CreatedAt: ts(p.CreatedAt), UpdatedAt: ts(p.UpdatedAt)}
}

func (f *face) payments(r *http.Request, a admins.Admin) (int, any, error) {
	q := r.URL.Query()
	filter := payment.AdminFilter{Status: payment.Status(q.Get("status")), Method: q.Get("method")}
	var err error
	if filter.UserID, err = queryID(r, "user_id"); err != nil {
		return 0, nil, err
	}
	return paged(func(ctx context.Context, offset, limit int) ([]payment.Payment, int, error) {
		return f.Payments.AdminList(ctx, filter, offset, limit)
	}, wirePayment)(r, a)
}

func (f *face) payment(r *http.Request, _ admins.Admin) (int, any, error) {
	p, err := f.Payments.AdminGet(r.Context(), r.PathValue("out_trade_no"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wirePayment(p), nil
}
