package doge_test

import (
	"fmt"
	"strings"
	"testing"

	"plaza/internal/plazatest"
)

// Garbage on every route is a status of the table, never 0 nor HTTP 500.
func TestGarbageEverywhere(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		p := signUp(t, e, "dev-1", "U")
		call(t, e, "POST", p.q("/api/v1/user/pet/?type=1&character=1&wish=1"), nil, 200, 1)
		huge := "99999999999999999999999"
		vals := []string{huge, "-9223372036854775808", "9223372036854775807", "1e3", "1.5", "-1", "0", "%01", "%00", strings.Repeat("x", 5000), "true", "null", "[1]", "{\"a\":1}", "\"1\"", "\"\\u0000\""}
		paths := []string{"/api/v1/user/", "/api/v1/user/pet/", "/api/v1/pick/", "/api/v1/pet/action/", "/api/v1/goods/", "/api/v1/gifts/", "/api/v1/gift/", "/api/v1/encounters/"}
		keys := []string{"user_id", "type", "sex", "character", "wish", "action", "gid", "page", "male", "nick", "avatar", "age"}
		for _, path := range paths {
			for _, k := range keys {
				for _, v := range vals {
					for _, m := range []string{"GET", "POST"} {
						q := p.q(path) + "&" + k + "=" + v
						res := e.Do(m, q, nil)
						if res.Status >= 500 || strings.Contains(string(res.Body), `"status":0`) {
							t.Errorf("%s %s: %d %s", m, q, res.Status, res.Body)
						}
						j := fmt.Sprintf(`{"%s": %s}`, k, v)
						res = e.Do("POST", p.q(path), j)
						if res.Status >= 500 || strings.Contains(string(res.Body), `"status":0`) {
							t.Errorf("POST %s %s: %d %s", path, j, res.Status, res.Body)
						}
					}
				}
			}
		}
		for _, path := range []string{"/api/v1/goods/" + huge + "/", "/api/v1/goods/-1/", "/api/v1/encounter/" + huge + "/", "/api/v1/encounter/-5/", "/api/v1/encounter/0/"} {
			for _, m := range []string{"GET", "POST"} {
				res := e.Do(m, p.q(path), nil)
				if res.Status >= 500 || strings.Contains(string(res.Body), `"status":0`) {
					t.Errorf("%s %s: %d %s", m, path, res.Status, res.Body)
				}
			}
		}
	})
}
