package yuanyi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"plaza/internal/payment"
	"plaza/internal/plazatest"
	"plaza/internal/provider/pay"
	"plaza/internal/provider/pay/paytest"
)

// vendorEnv is contentEnv with WeChat Pay and Alipay configured against
// local fakes of their APIs (keys made here); the sandbox is then off.
func vendorEnv(t *testing.T, phones ...string) (map[string]string, *paytest.WeChat, *paytest.Alipay) {
	wx, ali := paytest.NewWeChat(t), paytest.NewAlipay(t)
	env := contentEnv(phones...)
	for k, v := range map[string]string{
		"PLAZA_PAY_WECHAT_MCH_ID": wx.Config.MchID, "PLAZA_PAY_WECHAT_APP_ID": wx.Config.AppID,
		"PLAZA_PAY_WECHAT_SERIAL_NO": wx.Config.SerialNo, "PLAZA_PAY_WECHAT_PRIVATE_KEY_FILE": wx.Config.PrivateKeyFile,
		"PLAZA_PAY_WECHAT_API_V3_KEY": wx.Config.APIv3Key, "PLAZA_PAY_WECHAT_PLATFORM_KEY_FILE": wx.Config.PlatformKeyFile,
		"PLAZA_PAY_WECHAT_PLATFORM_KEY_ID": wx.Config.PlatformKeyID, "PLAZA_PAY_WECHAT_BASE_URL": wx.Config.BaseURL,
		"PLAZA_PAY_WECHAT_NOTIFY_URL": "https://plaza.example/pay/notify/wechat",
		"PLAZA_PAY_ALIPAY_APP_ID":     ali.Config.AppID, "PLAZA_PAY_ALIPAY_PRIVATE_KEY_FILE": ali.Config.PrivateKeyFile,
		"PLAZA_PAY_ALIPAY_PUBLIC_KEY_FILE": ali.Config.PublicKeyFile, "PLAZA_PAY_ALIPAY_GATEWAY_URL": ali.Config.GatewayURL,
		"PLAZA_PAY_ALIPAY_NOTIFY_URL": "https://plaza.example/pay/notify/alipay",
	} {
		env[k] = v
	}
	return env, wx, ali
}

// notify posts a vendor's notification to plaza and answers whether plaza
// told the vendor success.
func notify(t *testing.T, e *plazatest.Env, method string, n paytest.Notice) bool {
	t.Helper()
	res, err := http.DefaultClient.Do(n.Request(e.URL + "/pay/notify/" + method))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if method == payment.WeChat {
		return res.StatusCode == 200 && strings.Contains(string(b), "SUCCESS")
	}
	return string(b) == "success"
}

// order_pay through the vendors: the app gets what their SDKs take, the
// vendor's signed notification pays the order once, a second order_pay
// while the payment waits asks for the same payment, a payment arriving
// for an order cancelled meanwhile is kept as owed back and sells
// nothing, a missed notification is made good by the reconcile job, a
// vendor payment never outlives its order, and one notified after the
// order's deadline (paid before it) pays the order.
func TestOrderPayThroughVendors(t *testing.T) {
	env, wx, ali := vendorEnv(t)
	plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		a, _ := signup(t, e, "18682222222")
		s := makeShop(t, e, 4)
		order := func(ticket string) string {
			return fmt.Sprint(ok(t, e, "order_create", map[string]any{"ticket_id_list": []any{ticket}}, a)["order_id"])
		}
		payVia := func(o, method string) map[string]any {
			return ok(t, e, "order_pay", map[string]any{"order_id": o, "pay_method": method}, a)["order_pay"].(map[string]any)
		}

		// The sandbox is off while vendors are configured.
		fails(t, e, "order_pay", map[string]any{"order_id": order(s.tickets[3]), "pay_method": "sandbox"}, a, 110)

		// WeChat: paid by its notification, once.
		o1 := order(s.tickets[0])
		p := payVia(o1, "wechat")
		no, _ := p["out_trade_no"].(string)
		params, _ := p["params"].(map[string]any)
		if no == "" || p["paid"] != false || params["prepayid"] == nil || params["sign"] == nil || params["partnerid"] != wx.MchID {
			t.Fatalf("wechat order_pay: %v", p)
		}
		if again := payVia(o1, "wechat"); again["out_trade_no"] != no {
			t.Fatalf("a second order_pay started another payment: %v", again)
		}
		if pm, _ := e.App.Payments.Get(ctx, no); pm.Amount != 1999 || pm.ExpiresAt.After(e.Clock.Now().Add(15*time.Minute)) {
			t.Fatalf("payment %+v: the order's price, expiring with the order", pm)
		}
		if statusOf(t, e, a, o1) != "0" {
			t.Fatal("paid before the vendor said so")
		}
		wx.SetState(no, pay.Paid)
		if notify(t, e, payment.WeChat, wx.Notice(no, paytest.Forged())) || statusOf(t, e, a, o1) != "0" {
			t.Fatal("a forged notification paid")
		}
		n := wx.Notice(no)
		for range 2 {
			if !notify(t, e, payment.WeChat, n) {
				t.Fatal("notification refused")
			}
		}
		if statusOf(t, e, a, o1) != "1" || len(list(t, ok(t, e, "my_ticket_list", nil, a), "my_ticket_list")) != 1 {
			t.Fatal("the notification did not pay the order")
		}
		fails(t, e, "order_pay", map[string]any{"order_id": o1, "pay_method": "wechat"}, a, 400) // paid already

		// Alipay: the order is cancelled before the money comes.
		o2 := order(s.tickets[1])
		p = payVia(o2, "alipay")
		no2, _ := p["out_trade_no"].(string)
		if _, err := ali.VerifyOrderString(fmt.Sprint(p["order_string"])); err != nil || no2 == "" {
			t.Fatalf("alipay order_pay: %v %v", p, err)
		}
		ok(t, e, "order_cancel", map[string]any{"order_id": o2}, a)
		ali.Add(paytest.Trade{OutTradeNo: no2, Amount: 2999}) // an app payment reaches Alipay from the app, not from plaza
		ali.SetState(no2, pay.Paid)
		if !notify(t, e, payment.Alipay, ali.Notice(no2)) {
			t.Fatal("the vendor must hear success: the money is in")
		}
		if pm, _ := e.App.Payments.Get(ctx, no2); pm.Status != payment.Unsettled || statusOf(t, e, a, o2) != "2" {
			t.Fatalf("payment for a cancelled order: %+v, order %s", pm, statusOf(t, e, a, o2))
		}
		if len(list(t, ok(t, e, "my_ticket_list", nil, a), "my_ticket_list")) != 1 {
			t.Fatal("a cancelled order sold its ticket")
		}

		// WeChat again: the notification never comes; the reconcile job asks.
		o3 := order(s.tickets[2])
		no3, _ := payVia(o3, "wechat")["out_trade_no"].(string)
		wx.SetState(no3, pay.Paid)
		e.Clock.Advance(2 * time.Minute)
		if _, err := e.App.Payments.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		if statusOf(t, e, a, o3) != "1" {
			t.Fatal("reconcile did not pay the order")
		}

		// Paid just before the deadline, notified just after it (before
		// any sweep): the vendor took the money in time, the order is paid.
		late := makeShop(t, e, 1)
		o4 := order(late.tickets[0])
		no4, _ := payVia(o4, "wechat")["out_trade_no"].(string)
		wx.SetState(no4, pay.Paid)
		e.Clock.Advance(15*time.Minute + 30*time.Second)
		if !notify(t, e, payment.WeChat, wx.Notice(no4)) || statusOf(t, e, a, o4) != "1" {
			t.Fatalf("a late notification of a payment made in time: order %s", statusOf(t, e, a, o4))
		}
		verifyLedger(t, e)
	})
}
