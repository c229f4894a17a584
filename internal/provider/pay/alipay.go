package pay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/smartwalle/alipay/v3"
)

// AlipayConfig is an app's Alipay settings (public-key mode).
type AlipayConfig struct {
	AppID          string
	PrivateKeyFile string // the app's private key (PEM, PKCS#1 or PKCS#8)
	PublicKeyFile  string // Alipay's public key (PEM)
	NotifyURL      string // where Alipay posts notifications (https://.../pay/notify/alipay)
	GatewayURL     string // empty: https://openapi.alipay.com/gateway.do
	HTTPClient     *http.Client
	Location       *time.Location // of the timestamps Alipay reads; default Asia/Shanghai
}

// AlipayPay is the Alipay provider.
type AlipayPay struct {
	cfg    AlipayConfig
	client *alipay.Client
}

// NewAlipay loads the keys and makes the provider.
func NewAlipay(c AlipayConfig) (*AlipayPay, error) {
	for _, f := range []struct{ name, v string }{{"app-id", c.AppID}, {"private-key-file", c.PrivateKeyFile},
		{"public-key-file", c.PublicKeyFile}, {"notify-url", c.NotifyURL}} {
		if f.v == "" {
			return nil, fmt.Errorf("pay-alipay-%s: empty", f.name)
		}
	}
	priv, err := os.ReadFile(c.PrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("pay-alipay-private-key-file: %w", err)
	}
	pub, err := os.ReadFile(c.PublicKeyFile)
	if err != nil {
		return nil, fmt.Errorf("pay-alipay-public-key-file: %w", err)
	}
	gw := c.GatewayURL
	if gw == "" {
		gw = "https://openapi.alipay.com/gateway.do"
	}
	if u, err := url.Parse(gw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pay-alipay-gateway-url %q: want http(s)://host/path", gw)
	}
	loc := c.Location
	if loc == nil {
		if loc, err = time.LoadLocation("Asia/Shanghai"); err != nil {
			return nil, err
		}
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	client, err := alipay.New(c.AppID, string(priv), true,
		alipay.WithProductionGateway(gw), alipay.WithHTTPClient(hc), alipay.WithTimeLocation(loc))
	if err != nil {
		return nil, fmt.Errorf("pay-alipay-private-key-file: %w", err)
	}
	if err := client.LoadAliPayPublicKey(string(pub)); err != nil {
		return nil, fmt.Errorf("pay-alipay-public-key-file: %w", err)
	}
	return &AlipayPay{cfg: c, client: client}, nil
}

func (a *AlipayPay) Method() string { return Alipay }

func (a *AlipayPay) Prepay(_ context.Context, o Order) (Prepay, error) {
	// The app pay order string is signed here; Alipay sees it when the app
	// passes it to the SDK (no call to the gateway now).
	s, err := a.client.TradeAppPay(alipay.TradeAppPay{Trade: alipay.Trade{
		NotifyURL:   a.cfg.NotifyURL,
		Subject:     o.Subject,
		OutTradeNo:  o.OutTradeNo,
		TotalAmount: Yuan(o.Amount),
		ProductCode: "QUICK_MSECURITY_PAY",
		TimeExpire:  o.ExpireAt.In(a.location()).Format(time.DateTime),
	}})
	if err != nil {
		return Prepay{}, vendorErr("alipay app pay", err)
	}
	return Prepay{OrderString: s}, nil
}

func (a *AlipayPay) location() *time.Location {
	if a.cfg.Location != nil {
		return a.cfg.Location
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return loc
}

// maxNotification bounds a notification's form.
const maxNotification = 64 << 10

func (a *AlipayPay) Notification(r *http.Request) (Trade, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxNotification)
	if err := r.ParseForm(); err != nil {
		return Trade{}, fmt.Errorf("alipay notification: %w", err)
	}
	// plaza is in public-key mode. Given an alipay_cert_sn (which Alipay
	// does not sign) the SDK would look that certificate up at the
	// gateway, a call per stranger's post made under its verifier lock;
	// without it the configured public key checks the signature.
	r.PostForm.Del("alipay_cert_sn")
	n, err := a.client.DecodeNotification(r.PostForm)
	if err != nil {
		return Trade{}, fmt.Errorf("alipay notification: %w", err)
	}
	if n.AppId != a.cfg.AppID {
		return Trade{}, fmt.Errorf("alipay notification: for app %q", n.AppId)
	}
	return alipayTrade(n.OutTradeNo, n.TradeNo, n.TotalAmount, n.TradeStatus)
}

func alipayTrade(outTradeNo, tradeNo, total string, status alipay.TradeStatus) (Trade, error) {
	if outTradeNo == "" {
		return Trade{}, errors.New("alipay: no out_trade_no")
	}
	t := Trade{OutTradeNo: outTradeNo, VendorTxn: tradeNo}
	if total != "" {
		fen, err := ParseYuan(total)
		if err != nil {
			return Trade{}, fmt.Errorf("alipay: total_amount: %w", err)
		}
		t.Amount = fen
	}
	switch status {
	case alipay.TradeStatusSuccess, alipay.TradeStatusFinished:
		t.State = Paid
	case alipay.TradeStatusClosed:
		t.State = Closed
	case alipay.TradeStatusWaitBuyerPay, "":
		t.State = Pending
	default:
		return Trade{}, fmt.Errorf("alipay: unknown trade_status %q", status)
	}
	return t, nil
}

func (a *AlipayPay) Answer(w http.ResponseWriter, ok bool) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if ok {
		w.Write([]byte("success"))
		return
	}
	w.Write([]byte("fail"))
}

// tradeNotExist is Alipay's sub code of a trade it does not know.
const tradeNotExist = "ACQ.TRADE_NOT_EXIST"

func (a *AlipayPay) Query(ctx context.Context, outTradeNo string) (Trade, error) {
	r, err := a.client.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: outTradeNo})
	var ae *alipay.Error
	if errors.As(err, &ae) && ae.SubCode == tradeNotExist {
		return Trade{OutTradeNo: outTradeNo, State: Pending}, nil
	}
	if err != nil {
		return Trade{}, vendorErr("alipay query", err)
	}
	if r.SubCode == tradeNotExist {
		return Trade{OutTradeNo: outTradeNo, State: Pending}, nil
	}
	if !r.IsSuccess() {
		return Trade{}, vendorErr("alipay query", r.Error)
	}
	t, err := alipayTrade(r.OutTradeNo, r.TradeNo, r.TotalAmount, r.TradeStatus)
	if err != nil {
		return Trade{}, vendorErr("alipay query", err)
	}
	if t.OutTradeNo != outTradeNo {
		return Trade{}, vendorErr("alipay query", fmt.Errorf("answered for %q", t.OutTradeNo))
	}
	return t, nil
}

func (a *AlipayPay) Close(ctx context.Context, outTradeNo string) error {
	r, err := a.client.TradeClose(ctx, alipay.TradeClose{OutTradeNo: outTradeNo})
	var ae *alipay.Error
	if errors.As(err, &ae) && ae.SubCode == tradeNotExist {
		return nil
	}
	if err != nil {
		return vendorErr("alipay close", err)
	}
	if !r.IsSuccess() && r.SubCode != tradeNotExist {
		return vendorErr("alipay close", r.Error)
	}
	return nil
}
