package ws_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// A request without the upgrade is answered without joining the room: it
// must not make every viewer's count flicker nor publish on the bus.
func TestPlainRequestDoesNotJoin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, opts{})
		counts, err := e.bus.Subscribe("live.chat:viewers", 64)
		if err != nil {
			t.Fatal(err)
		}
		defer counts.Close()
		for _, c := range []struct{ token, room, result string }{
			{e.tokens[1], phone(1), "0009"},
			{e.tokens[1], phone(2), "0002"}, // not live
			{"nonsense", phone(1), "0011"},
		} {
			res, err := http.Get(e.url + "/room/ws?token=" + c.token + "&room=" + c.room)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !containsResult(b, c.result) {
				t.Fatalf("%s: %d %s", c.room, res.StatusCode, b)
			}
		}
		// The Local bus delivers as it publishes: a join would be here.
		if n := len(counts.C); n != 0 {
			t.Fatalf("%d viewer-count messages published by plain requests", n)
		}
		if n := e.chat.Viewers(1); n != 0 {
			t.Fatalf("viewers %d", n)
		}
	})
}

func containsResult(b []byte, result string) bool {
	return strings.Contains(string(b), `"result":"`+result+`"`)
}
