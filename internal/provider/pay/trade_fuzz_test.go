package pay

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/smartwalle/alipay/v3"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments"
)

// FuzzTrade: what a vendor's verified word says is read without a panic
// and only as it says: a trade is paid only for the vendor's paid states
// (Alipay TRADE_SUCCESS, TRADE_FINISHED; WeChat SUCCESS, REFUND), names a
// payment, and its amount is the vendor's, in fen (Alipay's yuan read
// exactly: ParseYuan and Yuan agree).
func FuzzTrade(f *testing.F) {
	for _, c := range []struct{ no, txn, total, status, wx string }{
		{"P20260301100000abc", "2026030122001", "12.34", "TRADE_SUCCESS", `{"out_trade_no":"P1","transaction_id":"T1","trade_state":"SUCCESS","amount":{"total":1234}}`},
		{"P1", "", "12.3", "TRADE_FINISHED", `{"out_trade_no":" P1 ","trade_state":"REFUND","amount":{"total":-1}}`},
		{"P1", "", "12", "WAIT_BUYER_PAY", `{"out_trade_no":"P1","trade_state":"NOTPAY"}`},
		{"P1", "", "", "TRADE_CLOSED", `{"out_trade_no":"P1","trade_state":"CLOSED","amount":{}}`},
		{"", "", "0.01", "", `{"trade_state":"SUCCESS"}`},
		{"P1", "", "-1.00", "TRADE_SUCCESS", `{"out_trade_no":"P1","trade_state":"success"}`},
		{"P1", "", "1.234", "trade_success", `{"out_trade_no":"P1","trade_state":"PAYERROR","amount":{"total":9223372036854775807}}`},
		{"P1", "", "9999999999999.99", "TRADE_SUCCESS", `{"out_trade_no":"P1","trade_state":"REVOKED"}`},
		{"P1", "", " 1.00", "TRADE_SUCCESS", `[]`},
	} {
		f.Add(c.no, c.txn, c.total, c.status, []byte(c.wx))
	}
	f.Fuzz(func(t *testing.T, no, txn, total, status string, wx []byte) {
		if fen, err := ParseYuan(total); err == nil {
			if fen < 0 {
				t.Fatalf("ParseYuan(%q) = %d", total, fen)
			}
			if back, err := ParseYuan(Yuan(fen)); err != nil || back != fen {
				t.Fatalf("ParseYuan(%q) = %d, but %q reads back as %d (%v)", total, fen, Yuan(fen), back, err)
			}
		}
		if tr, err := alipayTrade(no, txn, total, alipay.TradeStatus(status)); err == nil {
			paid := status == string(alipay.TradeStatusSuccess) || status == string(alipay.TradeStatusFinished)
			if (tr.State == Paid) != paid || tr.OutTradeNo != no || no == "" || tr.VendorTxn != txn {
				t.Fatalf("alipay %q %q %q %q: %+v", no, txn, total, status, tr)
			}
			if fen, err := ParseYuan(total); total != "" && (err != nil || fen != tr.Amount) || total == "" && tr.Amount != 0 {
				t.Fatalf("alipay total %q read as %d", total, tr.Amount)
			}
		}
		var tx payments.Transaction
		if json.Unmarshal(wx, &tx) != nil {
			return
		}
		tr, err := (&WeChatPay{}).trade(&tx)
		if err != nil {
			return
		}
		state := ""
		if tx.TradeState != nil {
			state = strings.TrimSpace(*tx.TradeState)
		}
		if (tr.State == Paid) != (state == "SUCCESS" || state == "REFUND") || tr.OutTradeNo == "" || tr.OutTradeNo != deref(tx.OutTradeNo) {
			t.Fatalf("wechat %s: %+v", wx, tr)
		}
		if tx.Amount != nil && tx.Amount.Total != nil && tr.Amount != *tx.Amount.Total || (tx.Amount == nil || tx.Amount.Total == nil) && tr.Amount != 0 {
			t.Fatalf("wechat %s: amount %d", wx, tr.Amount)
		}
	})
}
