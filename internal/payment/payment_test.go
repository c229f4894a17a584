package payment_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/payment"
	"plaza/internal/provider/pay"
	"plaza/internal/provider/pay/paytest"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

type env struct {
	t       testing.TB
	db      *store.DB
	clk     *clock.Fake
	w       *wallet.Service
	s       *payment.Service
	wx      *paytest.WeChat
	ali     *paytest.Alipay
	settled atomic.Int64 // runs of the "order" settler that committed or not
	refuse  map[string]bool
}

func newEnv(t testing.TB, db *store.DB) *env {
	e := &env{t: t, db: db, clk: clock.NewFake(time.Now()), w: wallet.New(db), wx: paytest.NewWeChat(t), ali: paytest.NewAlipay(t),
		refuse: map[string]bool{}}
	db.SetClock(e.clk)
	e.wx.Config.NotifyURL = "https://plaza.example/pay/notify/wechat"
	e.ali.Config.NotifyURL = "https://plaza.example/pay/notify/alipay"
	wx, err := pay.NewWeChat(context.Background(), e.wx.Config)
	if err != nil {
		t.Fatal(err)
	}
	ali, err := pay.NewAlipay(e.ali.Config)
	if err != nil {
		t.Fatal(err)
	}
	e.s = payment.New(payment.Deps{DB: db, Clock: e.clk, Wallet: e.w, Providers: []pay.Provider{wx, ali}, Sandbox: true})
	// An "order" settler that grants a coin, then refuses the refs it is
	// told to (the order was cancelled): its grant must not stay.
	e.s.Register(payment.PurposeOrder, payment.SettlerFunc(func(ctx context.Context, tx *store.Tx, p payment.Payment) error {
		e.settled.Add(1)
		if _, err := e.w.Grant(ctx, tx, p.UserID, wallet.Coin, 1, wallet.Meta{Reason: "order " + p.Ref}); err != nil {
			return err
		}
		if e.refuse[p.Ref] {
			return errs.E(errs.Conflict, "the order was cancelled")
		}
		return nil
	}))
	return e
}

func (e *env) user() int64 {
	e.t.Helper()
	var id int64
	name := fmt.Sprintf("u%d", time.Now().UnixNano())
	if err := e.db.QueryRowWrite(context.Background(), "INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 1, 1) RETURNING id",
		name, name).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) balance(user int64, cur string) int64 {
	e.t.Helper()
	b, err := e.w.Balance(context.Background(), user, cur)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) status(no string) payment.Payment {
	e.t.Helper()
	p, err := e.s.Get(context.Background(), no)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// vendor is one vendor's fake as the tests drive it.
type vendor struct {
	method string
	notice func(no string, o ...paytest.NoticeOption) paytest.Notice
	pay    func(no string, amount int64, s pay.State) // the payer pays (or the vendor closes)
	calls  func(op string) int
}

func (e *env) vendors() []vendor {
	return []vendor{
		{payment.WeChat, e.wx.Notice, func(no string, amount int64, s pay.State) {
			if _, ok := e.wx.Trade(no); !ok {
				e.wx.Add(paytest.Trade{OutTradeNo: no, Amount: amount})
			}
			e.wx.SetState(no, s)
		}, e.wx.Calls},
		{payment.Alipay, e.ali.Notice, func(no string, amount int64, s pay.State) {
			if _, ok := e.ali.Trade(no); !ok {
				e.ali.Add(paytest.Trade{OutTradeNo: no, Amount: amount})
			}
			e.ali.SetState(no, s)
		}, e.ali.Calls},
	}
}

// post delivers a notification to plaza's endpoint and answers whether
// plaza told the vendor success.
func (e *env) post(method string, n paytest.Notice) bool {
	rec := httptest.NewRecorder()
	e.s.NotifyHandler(method).ServeHTTP(rec, n.Request("https://plaza.example/pay/notify/"+method))
	body := rec.Body.String()
	if method == payment.WeChat {
		ok := rec.Code == 200 && strings.Contains(body, `"SUCCESS"`)
		if !ok && (rec.Code < 400 || !strings.Contains(body, `"FAIL"`)) {
			e.t.Fatalf("wechat answer %d %s", rec.Code, body)
		}
		return ok
	}
	if body != "success" && body != "fail" {
		e.t.Fatalf("alipay answer %q", body)
	}
	return body == "success"
}

func TestSandbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user()
		c, err := e.s.TopUp(context.Background(), u, payment.Sandbox, 1234)
		if err != nil {
			t.Fatal(err)
		}
		if c.Payment.Status != payment.Paid || e.status(c.Payment.OutTradeNo).Status != payment.Paid {
			t.Fatalf("sandbox top-up: %+v", c.Payment)
		}
		if b := e.balance(u, payment.CNY); b != 1234 {
			t.Fatalf("balance %d, want 1234", b)
		}
		// Sandbox order refused by its settler: the caller's unit rolls
		// back, nothing is recorded.
		e.refuse["o1"] = true
		err = db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			_, err := e.s.Start(ctx, tx, payment.Request{UserID: u, Method: payment.Sandbox, Purpose: payment.PurposeOrder, Ref: "o1", Amount: 5})
			return err
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("refused sandbox order: %v", err)
		}
		if ps, _ := e.s.ForRef(context.Background(), payment.PurposeOrder, "o1"); len(ps) != 0 || e.balance(u, wallet.Coin) != 0 {
			t.Fatalf("a refused sandbox payment left %d payments, %d coins", len(ps), e.balance(u, wallet.Coin))
		}
	})
}

func TestRefusedStarts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user()
		off := payment.New(payment.Deps{DB: db, Wallet: e.w})
		for _, c := range []struct {
			name   string
			s      *payment.Service
			user   int64
			method string
			fen    int64
			kind   errs.Kind
			reason errs.Reason
		}{
			{"sandbox off", off, u, payment.Sandbox, 100, errs.Unavailable, payment.ReasonMethodUnavailable},
			{"wechat not configured", off, u, payment.WeChat, 100, errs.Unavailable, payment.ReasonMethodUnavailable},
			{"unknown method", e.s, u, "paypal", 100, errs.Invalid, errs.Reason{}},
			{"zero", e.s, u, payment.WeChat, 0, errs.Invalid, errs.Reason{}},
			{"negative", e.s, u, payment.Alipay, -5, errs.Invalid, errs.Reason{}},
			{"huge", e.s, u, payment.Alipay, payment.MaxAmount + 1, errs.Invalid, errs.Reason{}},
			{"no such user", e.s, u + 1000, payment.WeChat, 100, errs.NotFound, errs.Reason{}},
		} {
			_, err := c.s.TopUp(context.Background(), c.user, c.method, c.fen)
			if !errs.Is(err, c.kind) || (c.reason != errs.Reason{} && errs.ReasonOf(err) != c.reason) {
				t.Errorf("%s: %v, want %s %s", c.name, err, c.kind, c.reason)
			}
		}
		if n, _ := store.Count(context.Background(), db, "SELECT COUNT(*) FROM payments"); n != 0 {
			t.Fatalf("%d payments written by refused starts", n)
		}
		// Prepay inside a unit is refused: the vendor is never called in a
		// transaction.
		err := db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			p, err := e.s.Start(ctx, tx, payment.Request{UserID: u, Method: payment.WeChat, Purpose: payment.PurposeTopUp, Amount: 100})
			if err != nil {
				return err
			}
			_, err = e.s.Prepay(ctx, p.OutTradeNo)
			return err
		})
		if err == nil || e.wx.Calls("prepay") != 0 {
			t.Fatalf("prepay inside a unit: %v, %d calls", err, e.wx.Calls("prepay"))
		}
	})
}

func TestNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, v := range e.vendors() {
			t.Run(v.method, func(t *testing.T) {
				ctx := context.Background()
				u := e.user()
				c, err := e.s.TopUp(ctx, u, v.method, 990)
				if err != nil {
					t.Fatal(err)
				}
				no := c.Payment.OutTradeNo
				switch v.method {
				case payment.WeChat:
					if c.Prepay.Params["prepayid"] == "" || c.Prepay.Params["sign"] == "" || c.Prepay.Params["partnerid"] != e.wx.MchID {
						t.Fatalf("wechat prepay: %+v", c.Prepay)
					}
				case payment.Alipay:
					vals, err := e.ali.VerifyOrderString(c.Prepay.OrderString)
					if err != nil || !strings.Contains(vals.Get("biz_content"), no) || !strings.Contains(vals.Get("biz_content"), `"9.90"`) {
						t.Fatalf("alipay order string: %v %v", err, vals)
					}
				}
				if c.Payment.Status != payment.Pending || e.balance(u, payment.CNY) != 0 {
					t.Fatalf("before the notification: %+v", c.Payment)
				}
				v.pay(no, 990, pay.Paid)

				// Refused, and nothing changes.
				other, _ := e.s.TopUp(ctx, u, v.method, 500)
				for name, n := range map[string]paytest.Notice{
					"forged":       v.notice(no, paytest.Forged()),
					"tampered":     v.notice(no, paytest.Tampered()),
					"wrong amount": v.notice(no, paytest.Amount(991)),
					"unknown":      v.notice(no, paytest.OutTradeNo("P20260101000000000000000000000")),
					"garbage":      {Body: []byte("{not json\x00"), Header: http.Header{"Content-Type": {"application/json"}}},
				} {
					if e.post(v.method, n) {
						t.Errorf("%s notification answered success", name)
					}
				}
				if e.status(no).Status != payment.Pending || e.status(other.Payment.OutTradeNo).Status != payment.Pending || e.balance(u, payment.CNY) != 0 {
					t.Fatalf("a refused notification changed something: %+v", e.status(no))
				}

				n := v.notice(no)
				for i := 0; i < 3; i++ { // the first pays; the repeats change nothing
					if !e.post(v.method, n) {
						t.Fatalf("notification %d refused", i)
					}
				}
				p := e.status(no)
				if p.Status != payment.Paid || p.VendorTxn == "" || p.PaidAt.IsZero() || e.balance(u, payment.CNY) != 990 {
					t.Fatalf("after the notification: %+v, balance %d", p, e.balance(u, payment.CNY))
				}
				if e.status(other.Payment.OutTradeNo).Status != payment.Pending {
					t.Fatal("another payment changed")
				}
			})
		}
	})
}

func TestParallelNotificationsSettleOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, v := range e.vendors() {
			t.Run(v.method, func(t *testing.T) {
				u := e.user()
				var p payment.Payment
				err := db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
					var err error
					p, err = e.s.Start(ctx, tx, payment.Request{UserID: u, Method: v.method, Purpose: payment.PurposeOrder, Ref: "par-" + v.method, Amount: 700})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.s.Prepay(context.Background(), p.OutTradeNo); err != nil {
					t.Fatal(err)
				}
				v.pay(p.OutTradeNo, 700, pay.Paid)
				n := v.notice(p.OutTradeNo)
				before := e.settled.Load()
				fs := make([]func(), 10)
				var ok atomic.Int32
				for i := range fs {
					fs[i] = func() {
						rec := httptest.NewRecorder()
						e.s.NotifyHandler(v.method).ServeHTTP(rec, n.Request("https://plaza.example/"))
						if rec.Code == 200 && !strings.Contains(rec.Body.String(), "fail") && !strings.Contains(rec.Body.String(), "FAIL") {
							ok.Add(1)
						}
					}
				}
				storetest.Race(fs...)
				if e.status(p.OutTradeNo).Status != payment.Paid || e.balance(u, wallet.Coin) != 1 {
					t.Fatalf("status %s, coins %d (want paid, 1)", e.status(p.OutTradeNo).Status, e.balance(u, wallet.Coin))
				}
				if got := e.settled.Load() - before; got < 1 || ok.Load() < 1 {
					t.Fatalf("settler ran %d times, %d successes", got, ok.Load())
				}
				// Settler runs that rolled back (PostgreSQL retries) leave no
				// trace: one coin, once.
			})
		}
	})
}

func TestSettlerRefusalKeepsThePayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, v := range e.vendors() {
			t.Run(v.method, func(t *testing.T) {
				u := e.user()
				ref := "cancelled-" + v.method
				e.refuse[ref] = true
				var p payment.Payment
				err := db.Unit(context.Background(), func(ctx context.Context, tx *store.Tx) error {
					var err error
					p, err = e.s.Start(ctx, tx, payment.Request{UserID: u, Method: v.method, Purpose: payment.PurposeOrder, Ref: ref, Amount: 300})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				v.pay(p.OutTradeNo, 300, pay.Paid)
				if !e.post(v.method, v.notice(p.OutTradeNo)) {
					t.Fatal("a paid payment whose settler refused must still answer success")
				}
				got := e.status(p.OutTradeNo)
				if got.Status != payment.Unsettled || !strings.Contains(got.SettleError, "cancelled") || e.balance(u, wallet.Coin) != 0 {
					t.Fatalf("refused settle: %+v, coins %d", got, e.balance(u, wallet.Coin))
				}
				if !e.post(v.method, v.notice(p.OutTradeNo)) || e.status(p.OutTradeNo).Status != payment.Unsettled {
					t.Fatal("repeat of an unsettled payment's notification")
				}
			})
		}
	})
}

func TestReconcile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, v := range e.vendors() {
			t.Run(v.method, func(t *testing.T) {
				u := e.user()
				start := func(fen int64) string {
					c, err := e.s.TopUp(ctx, u, v.method, fen)
					if err != nil {
						t.Fatal(err)
					}
					return c.Payment.OutTradeNo
				}
				paid, closed, waiting, never := start(100), start(200), start(400), start(800)
				v.pay(paid, 100, pay.Paid)
				v.pay(closed, 200, pay.Closed)
				v.pay(waiting, 400, pay.Pending)

				// Not due yet: nothing is asked.
				if n, err := e.s.Reconcile(ctx); err != nil || n != 0 {
					t.Fatalf("reconcile before due: %d %v", n, err)
				}
				e.clk.Advance(2 * time.Minute)
				if n, err := e.s.Reconcile(ctx); err != nil || n != 4 {
					t.Fatalf("reconcile: %d %v", n, err)
				}
				want := map[string]payment.Status{paid: payment.Paid, closed: payment.Closed, waiting: payment.Pending, never: payment.Pending}
				for no, st := range want {
					if got := e.status(no).Status; got != st {
						t.Errorf("%s: %s, want %s", no, got, st)
					}
				}
				if b := e.balance(u, payment.CNY); b != 100 {
					t.Fatalf("balance %d, want 100", b)
				}
				// Claimed and rescheduled: a second pass now asks nothing.
				if n, _ := e.s.Reconcile(ctx); n != 0 {
					t.Fatalf("second pass claimed %d", n)
				}
				// Past the expiry, the waiting ones are closed at the vendor and here.
				e.clk.Advance(time.Hour)
				if n, err := e.s.Reconcile(ctx); err != nil || n != 2 {
					t.Fatalf("reconcile after expiry: %d %v", n, err)
				}
				if e.status(waiting).Status != payment.Closed || e.status(never).Status != payment.Closed {
					t.Fatalf("expired: %s %s", e.status(waiting).Status, e.status(never).Status)
				}
				if v.calls("close") < 2 {
					t.Fatalf("vendor close called %d times", v.calls("close"))
				}
				// A notification of the paid one after all that: nothing changes.
				if !e.post(v.method, v.notice(paid)) || e.balance(u, payment.CNY) != 100 {
					t.Fatal("notification after reconcile")
				}
			})
		}
	})
}

func TestParallelReconcilers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		u := e.user()
		var nos []string
		for i := 0; i < 6; i++ {
			c, err := e.s.TopUp(ctx, u, payment.WeChat, 10)
			if err != nil {
				t.Fatal(err)
			}
			e.wx.SetState(c.Payment.OutTradeNo, pay.Paid)
			nos = append(nos, c.Payment.OutTradeNo)
		}
		e.clk.Advance(2 * time.Minute)
		var checked atomic.Int64
		fs := make([]func(), 4)
		for i := range fs {
			fs[i] = func() {
				n, err := e.s.Reconcile(ctx)
				if err != nil {
					t.Error(err)
				}
				checked.Add(int64(n))
			}
		}
		storetest.Race(fs...)
		if checked.Load() != 6 || e.wx.Calls("query") != 6 {
			t.Fatalf("checked %d, queried %d; want each payment once", checked.Load(), e.wx.Calls("query"))
		}
		if b := e.balance(u, payment.CNY); b != 60 {
			t.Fatalf("balance %d, want 60", b)
		}
	})
}
