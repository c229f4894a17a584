// Package pay speaks the payment vendors' protocols: WeChat Pay (API v3,
// APP payments) and Alipay (app payments). A Provider makes the vendor's
// side of a payment (prepay), checks and reads its asynchronous
// notifications (signature first: nothing unsigned is believed), queries a
// payment whose notification never came, and closes one left unpaid. The
// payment core (internal/payment) owns the rows and the rules; this package
// only talks to the vendor. The sandbox method has no provider: the core
// pays it at once.
package pay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Methods.
const (
	WeChat = "wechat"
	Alipay = "alipay"
)

// Order is what the vendor is asked to collect.
type Order struct {
	OutTradeNo string    // plaza's number of the payment, unique
	Amount     int64     // fen
	Subject    string    // shown to the payer
	ExpireAt   time.Time // the vendor closes the trade unpaid after it
}

// Prepay is what the app passes to the vendor's SDK to pay.
type Prepay struct {
	// Params (WeChat): appid, partnerid, prepayid, package, noncestr,
	// timestamp, sign: the fields of the SDK's PayReq.
	Params map[string]string `json:"params,omitempty"`
	// OrderString (Alipay): the signed order string of the SDK's payV2.
	OrderString string `json:"order_string,omitempty"`
}

// State is a payment's state at the vendor.
type State int

const (
	Pending State = iota // created (or not yet known to the vendor), not paid
	Paid                 // paid
	Closed               // closed unpaid (or revoked)
)

func (s State) String() string {
	switch s {
	case Paid:
		return "paid"
	case Closed:
		return "closed"
	}
	return "pending"
}

// Trade is the vendor's word on a payment, from a verified notification or
// a query.
type Trade struct {
	OutTradeNo string
	VendorTxn  string // the vendor's transaction id
	Amount     int64  // fen, what the vendor says was (or is to be) paid
	State      State
}

// Provider is one vendor.
type Provider interface {
	// Method is the method name (WeChat, Alipay).
	Method() string
	// Prepay asks the vendor to create the payment and returns what the
	// app needs. It calls the network: never inside a database
	// transaction.
	Prepay(ctx context.Context, o Order) (Prepay, error)
	// Notification verifies the vendor's signature on r (and decrypts it,
	// WeChat) and reads the trade it tells of. An unsigned, forged or
	// unreadable notification is an error and tells nothing.
	Notification(r *http.Request) (Trade, error)
	// Answer writes the vendor's required answer to a notification: ok
	// tells the vendor to stop sending it.
	Answer(w http.ResponseWriter, ok bool)
	// Query asks the vendor for the state of a payment. A trade the vendor
	// does not know (the payer never opened it) is Pending.
	Query(ctx context.Context, outTradeNo string) (Trade, error)
	// Close closes an unpaid trade at the vendor, so that it can no longer
	// be paid. A trade the vendor does not know is closed already.
	Close(ctx context.Context, outTradeNo string) error
}

// ErrVendor marks a vendor's refusal or a failure to reach it.
var ErrVendor = errors.New("payment vendor")

func vendorErr(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrVendor, op, err)
}

// Yuan writes fen as yuan with two decimals ("12.34").
func Yuan(fen int64) string {
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// ParseYuan reads "12.34", "12.3" or "12" as fen. Anything else (a sign,
// more than two decimals, spaces) is an error.
func ParseYuan(s string) (int64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 13 || (dot && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("amount %q: want yuan with at most two decimals", s)
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("amount %q: want yuan with at most two decimals", s)
			}
		}
	}
	y, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return y*100 + f, nil
}

// rebase sends every request of a client to base (scheme and host, and a
// path prefix) instead of the host the SDK names: a vendor's test
// environment, or a fake in tests.
type rebase struct {
	base *http.Request // only its URL is used
	next http.RoundTripper
}

func (t rebase) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	b := t.base.URL
	r.URL.Scheme, r.URL.Host = b.Scheme, b.Host
	r.URL.Path = strings.TrimSuffix(b.Path, "/") + r.URL.Path
	if r.URL.RawPath != "" {
		r.URL.RawPath = strings.TrimSuffix(b.Path, "/") + r.URL.RawPath
	}
	r.Host = b.Host
	return t.next.RoundTrip(r)
}
