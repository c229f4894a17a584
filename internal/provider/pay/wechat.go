package pay

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/app"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// WeChatConfig is a merchant's WeChat Pay (API v3) settings.
type WeChatConfig struct {
	MchID          string
	AppID          string // the open-platform app id of the mobile app
	SerialNo       string // serial number of the merchant's API certificate
	PrivateKeyFile string // the merchant's API private key (PEM)
	APIv3Key       string // 32 bytes: decrypts notifications
	// PlatformKeyFile is WeChat Pay's public key (PEM "PUBLIC KEY", with
	// PlatformKeyID, the "PUB_KEY_ID_..." it is known by) or a platform
	// certificate (PEM "CERTIFICATE": its serial number is its id).
	PlatformKeyFile string
	PlatformKeyID   string
	NotifyURL       string // where WeChat Pay posts notifications (https://.../pay/notify/wechat)
	BaseURL         string // API host; empty: https://api.mch.weixin.qq.com
	HTTPClient      *http.Client
}

// WeChatPay is the WeChat Pay provider.
type WeChatPay struct {
	cfg    WeChatConfig
	client *core.Client
	app    app.AppApiService
	notify *notify.Handler
}

// NewWeChat loads the keys and makes the provider. A missing or unreadable
// key is an error that names the setting.
func NewWeChat(ctx context.Context, c WeChatConfig) (*WeChatPay, error) {
	for _, f := range []struct{ name, v string }{{"mch-id", c.MchID}, {"app-id", c.AppID}, {"serial-no", c.SerialNo},
		{"private-key-file", c.PrivateKeyFile}, {"api-v3-key", c.APIv3Key}, {"platform-key-file", c.PlatformKeyFile}, {"notify-url", c.NotifyURL}} {
		if f.v == "" {
			return nil, fmt.Errorf("pay-wechat-%s: empty", f.name)
		}
	}
	if len(c.APIv3Key) != 32 {
		return nil, errors.New("pay-wechat-api-v3-key: must be 32 bytes")
	}
	key, err := utils.LoadPrivateKeyWithPath(c.PrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("pay-wechat-private-key-file: %w", err)
	}
	verifier, err := wechatVerifier(c.PlatformKeyFile, c.PlatformKeyID)
	if err != nil {
		return nil, err
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("pay-wechat-base-url %q: want http(s)://host", c.BaseURL)
		}
		next := hc.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		cp := *hc
		cp.Transport = rebase{base: &http.Request{URL: u}, next: next}
		hc = &cp
	}
	client, err := core.NewClient(ctx,
		option.WithMerchantCredential(c.MchID, c.SerialNo, key),
		option.WithVerifier(verifier),
		option.WithHTTPClient(hc),
	)
	if err != nil {
		return nil, fmt.Errorf("wechat pay client: %w", err)
	}
	h, err := notify.NewRSANotifyHandler(c.APIv3Key, verifier)
	if err != nil {
		return nil, fmt.Errorf("pay-wechat-api-v3-key: %w", err)
	}
	return &WeChatPay{cfg: c, client: client, app: app.AppApiService{Client: client}, notify: h}, nil
}

// wechatVerifier reads WeChat Pay's public key or platform certificate.
func wechatVerifier(path, keyID string) (auth.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pay-wechat-platform-key-file: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("pay-wechat-platform-key-file: no PEM block")
	}
	switch blk.Type {
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pay-wechat-platform-key-file: %w", err)
		}
		return verifiers.NewSHA256WithRSAVerifier(core.NewCertificateMapWithList([]*x509.Certificate{cert})), nil
	case "PUBLIC KEY":
		pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pay-wechat-platform-key-file: %w", err)
		}
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, errors.New("pay-wechat-platform-key-file: not an RSA key")
		}
		if keyID == "" {
			return nil, errors.New("pay-wechat-platform-key-id: a platform public key needs its id (PUB_KEY_ID_...)")
		}
		return verifiers.NewSHA256WithRSAPubkeyVerifier(keyID, *rk), nil
	}
	return nil, fmt.Errorf("pay-wechat-platform-key-file: a %q PEM block, want CERTIFICATE or PUBLIC KEY", blk.Type)
}

func (w *WeChatPay) Method() string { return WeChat }

func (w *WeChatPay) Prepay(ctx context.Context, o Order) (Prepay, error) {
	exp := o.ExpireAt
	resp, _, err := w.app.PrepayWithRequestPayment(ctx, app.PrepayRequest{
		Appid:       core.String(w.cfg.AppID),
		Mchid:       core.String(w.cfg.MchID),
		Description: core.String(o.Subject),
		OutTradeNo:  core.String(o.OutTradeNo),
		TimeExpire:  &exp,
		NotifyUrl:   core.String(w.cfg.NotifyURL),
		Amount:      &app.Amount{Total: core.Int64(o.Amount), Currency: core.String("CNY")},
	})
	if err != nil {
		return Prepay{}, vendorErr("wechat prepay", err)
	}
	return Prepay{Params: map[string]string{
		"appid":     w.cfg.AppID,
		"partnerid": deref(resp.PartnerId),
		"prepayid":  deref(resp.PrepayId),
		"package":   deref(resp.Package),
		"noncestr":  deref(resp.NonceStr),
		"timestamp": deref(resp.TimeStamp),
		"sign":      deref(resp.Sign),
	}}, nil
}

func (w *WeChatPay) Notification(r *http.Request) (Trade, error) {
	var t payments.Transaction
	n, err := w.notify.ParseNotifyRequest(r.Context(), r, &t)
	if err != nil {
		return Trade{}, fmt.Errorf("wechat notification: %w", err)
	}
	if n.EventType != "TRANSACTION.SUCCESS" {
		return Trade{}, fmt.Errorf("wechat notification: event %q", n.EventType)
	}
	if deref(t.Mchid) != w.cfg.MchID || deref(t.Appid) != w.cfg.AppID {
		return Trade{}, fmt.Errorf("wechat notification: for merchant %q app %q", deref(t.Mchid), deref(t.Appid))
	}
	return w.trade(&t)
}

// trade reads a WeChat transaction.
func (w *WeChatPay) trade(t *payments.Transaction) (Trade, error) {
	tr := Trade{OutTradeNo: deref(t.OutTradeNo), VendorTxn: deref(t.TransactionId)}
	if t.Amount != nil && t.Amount.Total != nil {
		tr.Amount = *t.Amount.Total
	}
	switch deref(t.TradeState) {
	case "SUCCESS", "REFUND": // REFUND: paid, then (part) refunded at the vendor
		tr.State = Paid
	case "CLOSED", "REVOKED":
		tr.State = Closed
	case "NOTPAY", "USERPAYING", "PAYERROR", "":
		tr.State = Pending
	default:
		return Trade{}, fmt.Errorf("wechat: unknown trade_state %q", deref(t.TradeState))
	}
	if tr.OutTradeNo == "" {
		return Trade{}, errors.New("wechat: no out_trade_no")
	}
	return tr, nil
}

func (w *WeChatPay) Answer(rw http.ResponseWriter, ok bool) {
	rw.Header().Set("Content-Type", "application/json")
	if ok {
		rw.WriteHeader(http.StatusOK)
		rw.Write([]byte(`{"code":"SUCCESS","message":"成功"}`))
		return
	}
	rw.WriteHeader(http.StatusBadRequest)
	rw.Write([]byte(`{"code":"FAIL","message":"失败"}`))
}

func (w *WeChatPay) Query(ctx context.Context, outTradeNo string) (Trade, error) {
	t, _, err := w.app.QueryOrderByOutTradeNo(ctx, app.QueryOrderByOutTradeNoRequest{
		OutTradeNo: core.String(outTradeNo), Mchid: core.String(w.cfg.MchID),
	})
	if core.IsAPIError(err, "ORDER_NOT_EXIST") {
		return Trade{OutTradeNo: outTradeNo, State: Pending}, nil
	}
	if err != nil {
		return Trade{}, vendorErr("wechat query", err)
	}
	tr, err := w.trade(t)
	if err != nil {
		return Trade{}, vendorErr("wechat query", err)
	}
	if tr.OutTradeNo != outTradeNo {
		return Trade{}, vendorErr("wechat query", fmt.Errorf("answered for %q", tr.OutTradeNo))
	}
	return tr, nil
}

func (w *WeChatPay) Close(ctx context.Context, outTradeNo string) error {
	_, err := w.app.CloseOrder(ctx, app.CloseOrderRequest{OutTradeNo: core.String(outTradeNo), Mchid: core.String(w.cfg.MchID)})
	if err != nil && !core.IsAPIError(err, "ORDER_NOT_EXIST") && !core.IsAPIError(err, "ORDER_CLOSED") {
		return vendorErr("wechat close", err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}
