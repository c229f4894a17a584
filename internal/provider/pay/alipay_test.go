package pay_test

import (
	"bytes"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"plaza/internal/provider/pay"
	"plaza/internal/provider/pay/paytest"
)

// counting counts the requests a client sends.
type counting struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// A notification naming an Alipay certificate serial number (plaza is in
// public-key mode, and alipay_cert_sn is not part of what Alipay signs)
// makes no call to the gateway: the SDK would download the "certificate"
// of whatever number a stranger posts, holding its verifier lock the
// while, so that every notification and query waits behind strangers.
// The notification is checked against the configured key all the same.
func TestAlipayNotificationCertSN(t *testing.T) {
	f := paytest.NewAlipay(t)
	f.Config.NotifyURL = "https://plaza.example/pay/notify/alipay"
	hc := &counting{next: http.DefaultTransport}
	f.Config.HTTPClient = &http.Client{Transport: hc}
	a, err := pay.NewAlipay(f.Config)
	if err != nil {
		t.Fatal(err)
	}
	f.Add(paytest.Trade{OutTradeNo: "P20260101aaaa", Amount: 990})
	f.SetState("P20260101aaaa", pay.Paid)
	post := func(n paytest.Notice, sn string) (pay.Trade, error) {
		v, err := url.ParseQuery(string(n.Body))
		if err != nil {
			t.Fatal(err)
		}
		v.Set("alipay_cert_sn", sn)
		r, _ := http.NewRequest("POST", "https://plaza.example/pay/notify/alipay", bytes.NewReader([]byte(v.Encode())))
		r.Header = n.Header
		return a.Notification(r)
	}
	for _, sn := range []string{"stranger", "0123456789abcdef0123456789abcdef"} {
		if _, err := post(f.Notice("P20260101aaaa", paytest.Forged()), sn); err == nil {
			t.Fatalf("a forged notification with alipay_cert_sn %q was believed", sn)
		}
	}
	tr, err := post(f.Notice("P20260101aaaa"), "stranger")
	if err != nil || tr.OutTradeNo != "P20260101aaaa" || tr.Amount != 990 || tr.State != pay.Paid {
		t.Fatalf("a genuine notification with an alipay_cert_sn: %+v %v", tr, err)
	}
	if n := hc.n.Load(); n != 0 {
		t.Fatalf("notifications made %d calls to the gateway", n)
	}
}
