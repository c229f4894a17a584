package admin

import (
	"net/http"

	"plaza/internal/admins"
	"plaza/internal/errs"
)

// Refunds: an operator gives back what a paid order cost (the cores do it
// in one unit: internal/orders Refund, internal/market Refund). Twice:
// 409, nothing changed.

// refundReason reads {"reason": "..."} (required; the core checks it).
func refundReason(r *http.Request) (string, error) {
	in, err := decode(r)
	if err != nil {
		return "", err
	}
	if err := only(in, "reason"); err != nil {
		return "", err
	}
	reason, ok := in["reason"].(string)
	if !ok {
		return "", errs.InvalidField("reason", "reason is required: a line of text")
	}
	return reason, nil
}

func (f *face) refundOrder(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	reason, err := refundReason(r)
	if err != nil {
		return 0, nil, err
	}
	o, err := f.Orders.Refund(r.Context(), id, reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wireOrder(o), nil
}

func (f *face) refundExchangeOrder(r *http.Request, _ admins.Admin) (int, any, error) {
	reason, err := refundReason(r)
	if err != nil {
		return 0, nil, err
	}
	o, err := f.Market.Refund(r.Context(), r.PathValue("order_number"), reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wireExchangeOrder(o), nil
}
