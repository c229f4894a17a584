// Package paytest runs local fakes of the payment vendors' HTTP protocols
// for tests: WeChat Pay API v3 (signed answers, AES-GCM notifications) and
// the Alipay gateway (RSA2), with keys made for each test. The fakes check
// plaza's request signatures as the vendors do, keep the trades they were
// told of, and build the notifications the vendor would post, correctly
// signed or forged.
package paytest

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/provider/pay"
)

// Trade is a trade a fake keeps.
type Trade struct {
	OutTradeNo string
	Amount     int64 // fen
	State      pay.State
	VendorTxn  string
}

type book struct {
	mu     sync.Mutex
	trades map[string]*Trade
	calls  map[string]int // by operation
}

func (b *book) get(no string) (Trade, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.trades[no]
	if !ok {
		return Trade{}, false
	}
	return *t, true
}

func (b *book) count(op string) {
	b.mu.Lock()
	b.calls[op]++
	b.mu.Unlock()
}

// Calls tells how many requests of an operation the fake answered
// ("prepay", "query", "close").
func (b *book) Calls(op string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[op]
}

// Trade returns a trade the fake knows.
func (b *book) Trade(no string) (Trade, bool) { return b.get(no) }

// SetState makes the payer pay (pay.Paid) or the vendor close a trade.
func (b *book) SetState(no string, s pay.State) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.trades[no]
	if t == nil {
		panic("paytest: SetState of a trade the fake does not know: " + no)
	}
	t.State = s
	if s == pay.Paid && t.VendorTxn == "" {
		t.VendorTxn = "T" + randHex(12)
	}
}

// Add makes the fake know a trade it was not asked to create (an Alipay
// app payment is only seen by Alipay once the payer opens it).
func (b *book) Add(t Trade) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trades[t.OutTradeNo] = &t
}

func newBook() book { return book{trades: map[string]*Trade{}, calls: map[string]int{}} }

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Key makes an RSA key (2048 bits, as the vendors use).
func Key(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func privateFile(t testing.TB, dir, name string, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PRIVATE KEY", der)
}

func publicFile(t testing.TB, dir, name string, k *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PUBLIC KEY", der)
}

func sign(k *rsa.PrivateKey, msg string) string {
	h := sha256.Sum256([]byte(msg))
	s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(s)
}

func verify(k *rsa.PublicKey, msg, sig string) error {
	b, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return err
	}
	h := sha256.Sum256([]byte(msg))
	return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], b)
}

// ---- WeChat Pay ----

// WeChat is a fake WeChat Pay API v3.
type WeChat struct {
	book
	Server   *httptest.Server
	Config   pay.WeChatConfig // the merchant's settings that reach the fake (NotifyURL: set it)
	MchID    string
	AppID    string
	APIv3Key string
	merchant *rsa.PublicKey
	platform *rsa.PrivateKey
	keyID    string
}

var wechatAuth = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([^"]*)",nonce_str="([^"]*)",timestamp="([^"]*)",serial_no="([^"]*)",signature="([^"]*)"$`)

// NewWeChat starts a fake WeChat Pay with a new merchant key, platform
// key and APIv3 key.
func NewWeChat(t testing.TB) *WeChat {
	t.Helper()
	dir := t.TempDir()
	mk, pk := Key(t), Key(t)
	f := &WeChat{book: newBook(), MchID: "1900000109", AppID: "wxd678efh567hg6787", APIv3Key: randHex(16),
		merchant: &mk.PublicKey, platform: pk, keyID: "PUB_KEY_ID_0114232134912410000000000000"}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	f.Config = pay.WeChatConfig{
		MchID: f.MchID, AppID: f.AppID, SerialNo: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
		PrivateKeyFile: privateFile(t, dir, "apiclient_key.pem", mk), APIv3Key: f.APIv3Key,
		PlatformKeyFile: publicFile(t, dir, "pub_key.pem", &pk.PublicKey), PlatformKeyID: f.keyID,
		BaseURL: f.Server.URL,
	}
	return f
}

func (f *WeChat) answer(w http.ResponseWriter, status int, v any) {
	var body []byte
	if v != nil {
		body, _ = json.Marshal(v)
	}
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), randHex(16)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-ID", randHex(8))
	w.Header().Set("Wechatpay-Serial", f.keyID)
	w.Header().Set("Wechatpay-Timestamp", ts)
	w.Header().Set("Wechatpay-Nonce", nonce)
	w.Header().Set("Wechatpay-Signature", sign(f.platform, ts+"\n"+nonce+"\n"+string(body)+"\n"))
	w.WriteHeader(status)
	w.Write(body)
}

func (f *WeChat) fail(w http.ResponseWriter, status int, code, msg string) {
	f.answer(w, status, map[string]string{"code": code, "message": msg})
}

func (f *WeChat) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m := wechatAuth.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || m[1] != f.MchID {
		f.fail(w, 401, "SIGN_ERROR", "no or bad Authorization")
		return
	}
	msg := r.Method + "\n" + r.URL.RequestURI() + "\n" + m[3] + "\n" + m[2] + "\n" + string(body) + "\n"
	if err := verify(f.merchant, msg, m[5]); err != nil {
		f.fail(w, 401, "SIGN_ERROR", "signature does not verify")
		return
	}
	const byNo = "/v3/pay/transactions/out-trade-no/"
	switch {
	case r.Method == "POST" && r.URL.Path == "/v3/pay/transactions/app":
		f.count("prepay")
		var req struct {
			AppID, MchID, Description, OutTradeNo, NotifyURL string
			Amount                                           struct{ Total int64 }
		}
		var raw map[string]json.RawMessage
		if json.Unmarshal(body, &raw) != nil {
			f.fail(w, 400, "PARAM_ERROR", "bad JSON")
			return
		}
		for k, p := range map[string]*string{"appid": &req.AppID, "mchid": &req.MchID, "description": &req.Description, "out_trade_no": &req.OutTradeNo, "notify_url": &req.NotifyURL} {
			json.Unmarshal(raw[k], p)
		}
		json.Unmarshal(raw["amount"], &req.Amount)
		if req.AppID != f.AppID || req.MchID != f.MchID || req.OutTradeNo == "" || req.Amount.Total <= 0 || req.NotifyURL == "" {
			f.fail(w, 400, "PARAM_ERROR", "bad prepay")
			return
		}
		f.mu.Lock()
		if t, ok := f.trades[req.OutTradeNo]; ok && t.Amount != req.Amount.Total {
			f.mu.Unlock()
			f.fail(w, 400, "INVALID_REQUEST", "out_trade_no used with another amount")
			return
		}
		if _, ok := f.trades[req.OutTradeNo]; !ok {
			f.trades[req.OutTradeNo] = &Trade{OutTradeNo: req.OutTradeNo, Amount: req.Amount.Total}
		}
		f.mu.Unlock()
		f.answer(w, 200, map[string]string{"prepay_id": "wx" + randHex(14)})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, byNo):
		f.count("query")
		no := strings.TrimPrefix(r.URL.Path, byNo)
		t, ok := f.get(no)
		if !ok || r.URL.Query().Get("mchid") != f.MchID {
			f.fail(w, 404, "ORDER_NOT_EXIST", "订单不存在")
			return
		}
		f.answer(w, 200, f.transaction(t, t.Amount))
	case r.Method == "POST" && strings.HasPrefix(r.URL.Path, byNo) && strings.HasSuffix(r.URL.Path, "/close"):
		f.count("close")
		no := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, byNo), "/close")
		f.mu.Lock()
		t, ok := f.trades[no]
		switch {
		case !ok:
			f.mu.Unlock()
			f.fail(w, 404, "ORDER_NOT_EXIST", "订单不存在")
		case t.State == pay.Paid:
			f.mu.Unlock()
			f.fail(w, 400, "ORDERPAID", "订单已支付")
		default:
			t.State = pay.Closed
			f.mu.Unlock()
			f.answer(w, 204, nil)
		}
	default:
		f.fail(w, 404, "NOT_FOUND", "no such API")
	}
}

func (f *WeChat) transaction(t Trade, amount int64) map[string]any {
	state := map[pay.State]string{pay.Pending: "NOTPAY", pay.Paid: "SUCCESS", pay.Closed: "CLOSED"}[t.State]
	m := map[string]any{"appid": f.AppID, "mchid": f.MchID, "out_trade_no": t.OutTradeNo, "trade_state": state,
		"trade_type": "APP", "trade_state_desc": state, "amount": map[string]any{"total": amount, "payer_total": amount, "currency": "CNY"}}
	if t.VendorTxn != "" {
		m["transaction_id"] = t.VendorTxn
		m["success_time"] = time.Now().Format(time.RFC3339)
	}
	return m
}

// Notice is a notification as the vendor would post it.
type Notice struct {
	Body   []byte
	Header http.Header
}

// Request makes the POST of n to url.
func (n Notice) Request(url string) *http.Request {
	r, _ := http.NewRequest("POST", url, bytes.NewReader(n.Body))
	for k, v := range n.Header {
		r.Header[k] = v
	}
	return r
}

// NoticeOption changes a notification before it is signed.
type NoticeOption func(*noticeOpts)

type noticeOpts struct {
	amount int64
	forge  bool
	tamper bool
	appID  string
	no     string
}

// Amount makes the notification tell another amount.
func Amount(fen int64) NoticeOption { return func(o *noticeOpts) { o.amount = fen } }

// Forged signs the notification with a key that is not the vendor's.
func Forged() NoticeOption { return func(o *noticeOpts) { o.forge = true } }

// Tampered changes the body after it was signed.
func Tampered() NoticeOption { return func(o *noticeOpts) { o.tamper = true } }

// OutTradeNo makes the notification tell of another payment number.
func OutTradeNo(no string) NoticeOption { return func(o *noticeOpts) { o.no = no } }

func options(t Trade, opts []NoticeOption) noticeOpts {
	o := noticeOpts{amount: t.Amount, no: t.OutTradeNo}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Notice is the TRANSACTION.SUCCESS notification of a paid trade.
func (f *WeChat) Notice(no string, opts ...NoticeOption) Notice {
	t, ok := f.get(no)
	if !ok {
		t = Trade{OutTradeNo: no, Amount: 1, State: pay.Paid, VendorTxn: "T" + randHex(12)}
	}
	o := options(t, opts)
	t.OutTradeNo = o.no
	plain, _ := json.Marshal(f.transaction(t, o.amount))
	nonce, ad := randHex(6), "transaction"
	blk, _ := aes.NewCipher([]byte(f.APIv3Key))
	gcm, _ := cipher.NewGCM(blk)
	ct := gcm.Seal(nil, []byte(nonce), plain, []byte(ad))
	body, _ := json.Marshal(map[string]any{
		"id": randHex(16), "create_time": time.Now().Format(time.RFC3339), "event_type": "TRANSACTION.SUCCESS",
		"resource_type": "encrypt-resource", "summary": "支付成功",
		"resource": map[string]string{"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.StdEncoding.EncodeToString(ct),
			"associated_data": ad, "nonce": nonce, "original_type": "transaction"},
	})
	key := f.platform
	if o.forge {
		key = forger
	}
	ts, n := strconv.FormatInt(time.Now().Unix(), 10), randHex(16)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Wechatpay-Serial", f.keyID)
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", n)
	h.Set("Wechatpay-Signature", sign(key, ts+"\n"+n+"\n"+string(body)+"\n"))
	h.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	if o.tamper {
		body = bytes.Replace(body, []byte("支付成功"), []byte("支付成功!"), 1)
	}
	return Notice{Body: body, Header: h}
}

// forger is a key that no vendor has.
var forger = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

// ---- Alipay ----

// Alipay is a fake Alipay gateway.
type Alipay struct {
	book
	Server *httptest.Server
	Config pay.AlipayConfig // the app's settings that reach the fake (NotifyURL: set it)
	AppID  string
	app    *rsa.PublicKey
	alipay *rsa.PrivateKey
}

// NewAlipay starts a fake Alipay gateway with a new app key and Alipay key.
func NewAlipay(t testing.TB) *Alipay {
	t.Helper()
	dir := t.TempDir()
	ak, pk := Key(t), Key(t)
	f := &Alipay{book: newBook(), AppID: "2021000000000001", app: &ak.PublicKey, alipay: pk}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	f.Config = pay.AlipayConfig{AppID: f.AppID, PrivateKeyFile: privateFile(t, dir, "app_private_key.pem", ak),
		PublicKeyFile: publicFile(t, dir, "alipay_public_key.pem", &pk.PublicKey), GatewayURL: f.Server.URL + "/gateway.do"}
	return f
}

// content is the text Alipay signs of values: sorted key=value pairs
// joined by &, without sign (and, in notifications, sign_type).
func content(v url.Values, notification bool) string {
	var pairs []string
	for k, vs := range v {
		if k == "sign" || (notification && k == "sign_type") {
			continue
		}
		for _, x := range vs {
			pairs = append(pairs, k+"="+x)
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// VerifyOrderString checks an app pay order string as Alipay's SDK would
// and returns its values.
func (f *Alipay) VerifyOrderString(s string) (url.Values, error) {
	v, err := url.ParseQuery(s)
	if err != nil {
		return nil, err
	}
	if err := verify(f.app, content(v, false), v.Get("sign")); err != nil {
		return nil, fmt.Errorf("order string signature: %w", err)
	}
	return v, nil
}

func (f *Alipay) respond(w http.ResponseWriter, method string, v any) {
	biz, _ := json.Marshal(v)
	field := strings.ReplaceAll(method, ".", "_") + "_response"
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	fmt.Fprintf(w, `{"%s":%s,"sign":"%s"}`, field, biz, sign(f.alipay, string(biz)))
}

func (f *Alipay) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != "POST" {
		http.Error(w, "bad request", 400)
		return
	}
	v := r.PostForm
	method := v.Get("method")
	if v.Get("app_id") != f.AppID || v.Get("sign_type") != "RSA2" || verify(f.app, content(v, false), v.Get("sign")) != nil {
		f.respond(w, method, map[string]string{"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"})
		return
	}
	var biz struct {
		OutTradeNo string `json:"out_trade_no"`
	}
	json.Unmarshal([]byte(v.Get("biz_content")), &biz)
	notExist := map[string]string{"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"}
	switch method {
	case "alipay.trade.query":
		f.count("query")
		t, ok := f.get(biz.OutTradeNo)
		if !ok {
			f.respond(w, method, notExist)
			return
		}
		f.respond(w, method, map[string]string{"code": "10000", "msg": "Success", "out_trade_no": t.OutTradeNo, "trade_no": t.VendorTxn,
			"trade_status": alipayStatus(t.State), "total_amount": pay.Yuan(t.Amount)})
	case "alipay.trade.close":
		f.count("close")
		f.mu.Lock()
		t, ok := f.trades[biz.OutTradeNo]
		switch {
		case !ok:
			f.mu.Unlock()
			f.respond(w, method, notExist)
		case t.State == pay.Paid:
			f.mu.Unlock()
			f.respond(w, method, map[string]string{"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR", "sub_msg": "交易状态不合法"})
		default:
			t.State = pay.Closed
			f.mu.Unlock()
			f.respond(w, method, map[string]string{"code": "10000", "msg": "Success", "out_trade_no": t.OutTradeNo})
		}
	default:
		f.respond(w, method, map[string]string{"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"})
	}
}

func alipayStatus(s pay.State) string {
	return map[pay.State]string{pay.Pending: "WAIT_BUYER_PAY", pay.Paid: "TRADE_SUCCESS", pay.Closed: "TRADE_CLOSED"}[s]
}

// Notice is the trade_status_sync notification of a trade.
func (f *Alipay) Notice(no string, opts ...NoticeOption) Notice {
	t, ok := f.get(no)
	if !ok {
		t = Trade{OutTradeNo: no, Amount: 1, State: pay.Paid, VendorTxn: "T" + randHex(12)}
	}
	o := options(t, opts)
	v := url.Values{
		"notify_time": {time.Now().Format(time.DateTime)}, "notify_type": {"trade_status_sync"}, "notify_id": {randHex(16)},
		"app_id": {f.AppID}, "charset": {"utf-8"}, "version": {"1.0"}, "trade_no": {t.VendorTxn}, "out_trade_no": {o.no},
		"trade_status": {alipayStatus(t.State)}, "total_amount": {pay.Yuan(o.amount)}, "receipt_amount": {pay.Yuan(o.amount)},
		"subject": {"plaza"}, "gmt_payment": {time.Now().Format(time.DateTime)},
	}
	key := f.alipay
	if o.forge {
		key = forger
	}
	v.Set("sign", sign(key, content(v, true)))
	v.Set("sign_type", "RSA2")
	if o.tamper {
		v.Set("subject", "plaza!")
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return Notice{Body: []byte(v.Encode()), Header: h}
}
