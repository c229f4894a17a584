package market_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"plaza/internal/account"
	"plaza/internal/catalog"
	"plaza/internal/plazatest"
	"plaza/internal/wallet"
)

const testCode = "123456"

// phone is the n-th test number (national part).
func phone(n int) string { return fmt.Sprintf("138%08d", n) }

// testOTP makes the first 40 test numbers test numbers with testCode.
var testOTP = func() map[string]string {
	var list []string
	for i := 0; i < 40; i++ {
		list = append(list, "86"+phone(i)+"="+testCode)
	}
	return map[string]string{"PLAZA_SMS_TEST_OTP": strings.Join(list, ",")}
}()

// user is a signed-in user of the face.
type user struct {
	e     *plazatest.Env
	id    int64
	phone string
	token string
}

// newUser registers test number n, named nickname.
func newUser(t testing.TB, e *plazatest.Env, n int, nickname string) user {
	t.Helper()
	u, tok, err := e.App.Accounts.RegisterWith(context.Background(), account.Account{Area: "86", Phone: phone(n)}, testCode, "secret123", nickname)
	if err != nil {
		t.Fatalf("register %s: %v", phone(n), err)
	}
	return user{e: e, id: u.ID, phone: phone(n), token: tok.Access}
}

// get sends a request with the user's token.
func (u user) do(method, path string) plazatest.Response {
	u.e.T.Helper()
	return u.e.Do(method, path, nil, "Authorization", "Token "+u.token)
}

// grant gives the user diamonds.
func (u user) grant(t testing.TB, n int64) {
	t.Helper()
	if _, err := u.e.App.Wallet.Adjust(context.Background(), u.id, wallet.Diamond, n, wallet.Meta{Reason: "test"}); err != nil {
		t.Fatal(err)
	}
}

func (u user) balance(t testing.TB) int64 {
	t.Helper()
	b, err := u.e.App.Wallet.Balance(context.Background(), u.id, wallet.Diamond)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// product makes an exchange product; virtual ones get a category of action.
func product(t testing.TB, e *plazatest.Env, name string, diamond int64, action string, stock any) int64 {
	t.Helper()
	in := map[string]any{"name": name, "content": name + "饮料", "image": "http://thisisimages/", "diamond": diamond}
	if action != "" {
		in["product_type"] = 1
		in["category"] = map[string]any{"name": "Avatar", "style": action + "_2", "action": action}
	}
	if stock != nil {
		in["stock"] = stock
	}
	rec, err := e.App.Catalog.Create(context.Background(), catalog.ExchangeProducts, in)
	if err != nil {
		t.Fatalf("create product: %v", err)
	}
	return rec.ID()
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// count counts rows straight in the database.
func count(t testing.TB, e *plazatest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// want checks a response's status and returns its JSON object.
func want(t testing.TB, res plazatest.Response, what string, status int) map[string]any {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: HTTP %d, want %d: %s", what, res.Status, status, res.Body)
	}
	m := res.JSON()
	if m == nil {
		t.Fatalf("%s: not a JSON object: %s", what, res.Body)
	}
	return m
}

// wantDetail checks an error answer: status and {"detail": detail}.
func wantDetail(t testing.TB, res plazatest.Response, what string, status int, detail string) {
	t.Helper()
	m := want(t, res, what, status)
	if len(m) != 1 || m["detail"] != detail {
		t.Fatalf("%s: %s, want {\"detail\": %q}", what, res.Body, detail)
	}
}
