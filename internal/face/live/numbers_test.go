package live_test

import (
	"context"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/wallet"
)

// Numeric parameters are read as every face reads them (httpx.Params.Int):
// a decimal string or a JSON number, as the socket's gift value is.
func TestNumbersAsJSONNumbers(t *testing.T) {
	plazatest.Each(t, env(), func(t *testing.T, e *plazatest.Env) {
		a, b := signUp(t, e, testPhones[0], "A"), signUp(t, e, testPhones[1], "B")
		post := func(body string) string {
			r, _ := e.Do("POST", "/golden", body).JSON()["result"].(string)
			return r
		}
		if r := post(`{"token":"` + a.token + `","refill":1,"money":10}`); r != "0000" {
			t.Fatalf("refill with JSON numbers: %s", r)
		}
		for _, v := range []string{`20`, `"20"`, `20.0`, `" 20 "`} {
			if r := post(`{"token":"` + a.token + `","send_gift":"1","value":` + v + `,"object":"` + b.phone + `","description":"x"}`); r != "0000" {
				t.Errorf("value %s: %s", v, r)
			}
		}
		for _, v := range []string{`20.5`, `"20.5"`, `true`, `[20]`, `-1`, `0`, `""`, `null`} {
			if r := post(`{"token":"` + a.token + `","send_gift":"1","value":` + v + `,"object":"` + b.phone + `","description":"x"}`); r != "0009" {
				t.Errorf("value %s: %s, want 0009", v, r)
			}
		}
		if n, _ := e.App.Wallet.Balance(context.Background(), b.id, wallet.Gold); n != 80 {
			t.Fatalf("anchor has %d", n)
		}
		for v, want := range map[string]string{`86400`: "0000", `86400.0`: "0000", `" 60 "`: "0000", `1.5`: "0009", `0`: "0009", `true`: "0009"} {
			res := e.Do("POST", "/log", `{"userId":"`+a.phone+`","password":"abc12345","expire_in":`+v+`}`)
			if r, _ := res.JSON()["result"].(string); r != want {
				t.Errorf("expire_in %s: %s, want %s", v, res.Body, want)
			}
		}
	})
}
