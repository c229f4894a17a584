package yuanyi_test

import (
	"strings"
	"testing"

	"plaza/internal/plazatest"
)

// commerce are the functions of projects, tickets, the cart and orders.
func commerce(method string) bool {
	for _, p := range []string{"project", "ticket", "shopping_cart", "order", "my_order", "my_ticket", "my_following_masters_"} {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}

// Every parameter of the commerce functions, given a wrong type, a huge or
// negative number, a nested object or a list of 10,000 ids, is refused
// with a code of the document (never the internal -1, never a non-200),
// on both engines.
func TestCommerceBadInput(t *testing.T) {
	plazatest.Each(t, contentEnv("18684444444", "18685555555"), func(t *testing.T, e *plazatest.Env) {
		w := makeWorld(t, e)
		many := make([]any, 10_000)
		manyText := strings.Repeat("1,", 9_999) + "1"
		for i := range many {
			many[i] = i + 1
		}
		bad := map[string]any{
			"negative": -1, "zero": 0, "huge": 9223372036854775807, "past int64": "9223372036854775808", "float": 1.5, "exp": 1e300,
			"true": true, "object": map[string]any{"a": map[string]any{"b": 1}}, "list": []any{[]any{1}}, "ids": many, "ids text": manyText,
			"long text": strings.Repeat("x", 100_000), "minus text": "-5", "empty": "",
		}
		for _, c := range functions(w) {
			if !commerce(c.method) {
				continue
			}
			text := c.text
			if c.paged {
				text = append(append([]string(nil), text...), "limit", "offset")
			}
			for _, name := range text {
				for what, v := range bad {
					params := map[string]any{}
					for k, x := range c.params {
						params[k] = x
					}
					params[name] = v
					res := send(e, c.method, params, c.token)
					if res.Status != 200 {
						t.Errorf("%s %s=%s: HTTP %d %s", c.method, name, what, res.Status, res.Body)
						continue
					}
					if got := code(t, res.JSON()); got == -1 {
						t.Errorf("%s %s=%s: code -1 %s", c.method, name, what, res.Body)
					}
				}
			}
		}
	})
}
