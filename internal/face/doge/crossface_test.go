package doge_test

import (
	"context"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/wallet"
)

// A doge player is an ordinary plaza user: its token is accepted by the
// member face, and its coins are its wallet's, in the one ledger (no face
// binds a phone yet; one that does changes the same user row).
func TestPlayerIsAPlazaUser(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "device-cross", "阿黄")
		res := e.Do("GET", "/api/personal/info", nil, "Authorization", "Token "+p.token)
		if m := res.JSON(); res.Status != 200 || m == nil || m["code"] == nil || m["code"].(interface{ String() string }).String() != "0" {
			t.Fatalf("member face with a doge token: %d %s", res.Status, res.Body)
		}
		if b, err := e.App.Wallet.Balance(context.Background(), p.id, wallet.Coin); err != nil || b != 30 {
			t.Fatalf("wallet coins %d, %v", b, err)
		}
		page, err := e.App.Wallet.Ledger(context.Background(), p.id, wallet.Coin, "", 10)
		if err != nil || len(page.Entries) != 1 {
			t.Fatalf("ledger %+v %v", page, err)
		}
	})
}
