package market_test

import (
	"fmt"
	"testing"

	"plaza/internal/plazatest"
)

// The market face's answers, byte for byte but for the order numbers, on
// every engine: the shop, two purchases, the orders, the user's products
// put on, the user info with its props, the diamond records, and DRF's
// refusals (short of diamonds, unknown product, no token, a bad page).
func TestGoldenShop(t *testing.T) {
	plazatest.Each(t, testOTP, func(t *testing.T, e *plazatest.Env) {
		tea := product(t, e, "乌龙茶", 100, "", nil)
		frame := product(t, e, "头像框", 300, "avatar", 5)
		u := newUser(t, e, 1, "U")
		u.grant(t, 450)
		var answers [][]byte
		do := func(path string, auth bool, method ...string) map[string]any {
			m := "GET"
			if len(method) > 0 {
				m = method[0]
			}
			var res plazatest.Response
			if auth {
				res = u.do(m, path)
			} else {
				res = e.Do(m, path, nil)
			}
			// DRF answers with real statuses: each answer is kept with its own.
			answers = append(answers, fmt.Appendf(nil, `{"status":%d,"body":%s}`, res.Status, res.Body))
			return res.JSON()
		}
		do("/market/exchange_products/", false)
		do("/program_face2face/market/exchange_products/?_type=1", false)
		do("/market/exchange_products/"+id(frame)+"/", false)
		do("/market/exchange_products/purchase/"+id(tea)+"/", true)
		do("/market/exchange_products/purchase/"+id(frame)+"/", true)
		do("/market/exchange_products/purchase/"+id(frame)+"/", true) // 50 left: short
		do("/market/exchange_products/purchase/999/", true)
		do("/market/exchange_products/purchase/"+id(tea)+"/", false)
		orders := do("/market/exchange_product_order/", true)
		number := orders["results"].([]any)[0].(map[string]any)["order_number"].(string)
		do("/market/exchange_product_order/"+number+"/", true)
		products := do("/market/user_products/", true)
		pk := products["results"].([]any)[0].(map[string]any)["pk"]
		do("/market/use_product/"+plainNumber(pk)+"/", true, "PUT")
		do("/program_face2face/userinfo/", true)
		do("/userinfo/diamond_records/", true)
		do("/market/exchange_products/?page=9", false)
		plazatest.Golden(t, "shop", answers, "order_number")
	})
}

func plainNumber(v any) string { return id(number(v)) }
