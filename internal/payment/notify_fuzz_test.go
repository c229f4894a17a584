package payment_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"plaza/internal/payment"
	"plaza/internal/provider/pay"
	"plaza/internal/provider/pay/paytest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// FuzzNotification posts anything to the notification endpoints of WeChat
// Pay (API v3: signed headers, an AES-GCM resource) and Alipay (a signed
// form): no panic, every answer in the vendor's own format, and nothing
// the fuzzer makes marks a payment paid or credits anything. The pending
// payments' genuine notifications are never among the inputs (the
// fuzzer cannot sign); the seeds are the vendors' real notifications of
// another payment, of the wrong amount (signed), forged and tampered ones.
func FuzzNotification(f *testing.F) {
	db, _ := storetest.OpenSQLite(f)
	e := newEnv(f, db)
	ctx := context.Background()
	u := e.user()
	var pending []string
	for _, v := range e.vendors() {
		c, err := e.s.TopUp(ctx, u, v.method, 1234)
		if err != nil {
			f.Fatal(err)
		}
		no := c.Payment.OutTradeNo
		pending = append(pending, no)
		v.pay(no, 1234, pay.Paid) // the payer paid: only the genuine notification may tell plaza so
		for _, n := range []paytest.Notice{
			v.notice(no, paytest.Amount(1233)),
			v.notice(no, paytest.Forged()),
			v.notice(no, paytest.Tampered()),
			v.notice(no, paytest.OutTradeNo("P20260101000000000000000000000")),
			v.notice("P20260101000000000000000000001"),
		} {
			h := n.Header
			f.Add(v.method == payment.WeChat, n.Body, h.Get("Content-Type"), h.Get("Wechatpay-Serial"), h.Get("Wechatpay-Timestamp"),
				h.Get("Wechatpay-Nonce"), h.Get("Wechatpay-Signature"), h.Get("Wechatpay-Signature-Type"))
		}
	}
	f.Add(true, []byte("{not json\x00"), "application/json", "", "", "", "", "")
	f.Add(false, []byte("trade_status=TRADE_SUCCESS&out_trade_no="+pending[1]+"&total_amount=12.34&sign=AAAA&sign_type=RSA2"),
		"application/x-www-form-urlencoded", "", "", "", "", "")
	payments, err := store.Count(ctx, db, "SELECT COUNT(*) FROM payments")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, wechat bool, body []byte, ct, serial, ts, nonce, sig, sigType string) {
		method := payment.Alipay
		if wechat {
			method = payment.WeChat
		}
		r := httptest.NewRequest("POST", "https://plaza.example/pay/notify/"+method, bytes.NewReader(body))
		for k, v := range map[string]string{"Content-Type": ct, "Wechatpay-Serial": serial, "Wechatpay-Timestamp": ts,
			"Wechatpay-Nonce": nonce, "Wechatpay-Signature": sig, "Wechatpay-Signature-Type": sigType} {
			if v != "" {
				r.Header[k] = []string{v}
			}
		}
		rec := httptest.NewRecorder()
		e.s.NotifyHandler(method).ServeHTTP(rec, r)
		answer := rec.Body.String()
		if wechat {
			if !(rec.Code == http.StatusOK && answer == `{"code":"SUCCESS","message":"成功"}` ||
				rec.Code == http.StatusBadRequest && answer == `{"code":"FAIL","message":"失败"}`) {
				t.Fatalf("wechat answer: HTTP %d %s", rec.Code, answer)
			}
		} else if rec.Code != http.StatusOK || (answer != "success" && answer != "fail") {
			t.Fatalf("alipay answer: HTTP %d %q", rec.Code, answer)
		}
		for _, no := range pending {
			if p, err := e.s.Get(ctx, no); err != nil || p.Status != payment.Pending || p.VendorTxn != "" || !p.PaidAt.IsZero() {
				t.Fatalf("a fuzzed notification changed payment %s: %+v %v", no, p, err)
			}
		}
		if b, err := e.w.Balance(ctx, u, payment.CNY); err != nil || b != 0 {
			t.Fatalf("a fuzzed notification credited %d (%v)", b, err)
		}
		if n, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM payments"); n != payments {
			t.Fatalf("a fuzzed notification made %d payments", n-payments)
		}
	})
}
