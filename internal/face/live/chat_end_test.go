package live_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"plaza/internal/plazatest"
)

// The anchor's leave=1 ends the room's chat: a viewer's socket is closed
// normally (1000) instead of staying in a room that is gone.
func TestLeaveEndsTheRoomChat(t *testing.T) {
	plazatest.Each(t, env(), func(t *testing.T, e *plazatest.Env) {
		a, b := signUp(t, e, testPhones[0], "A"), signUp(t, e, testPhones[1], "B")
		call(t, e, "/room", url.Values{"token": {a.token}, "live": {"1"}}, "0000")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		u := "ws" + strings.TrimPrefix(e.URL, "http") + "/room/ws?" + url.Values{"token": {b.token}, "room": {a.phone}}.Encode()
		c, _, err := websocket.Dial(ctx, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if _, _, err := c.Read(ctx); err != nil { // the history
			t.Fatal(err)
		}
		call(t, e, "/room", url.Values{"token": {a.token}, "leave": {"1"}}, "0000")
		for {
			_, _, err := c.Read(ctx)
			if err != nil {
				if s := websocket.CloseStatus(err); s != websocket.StatusNormalClosure {
					t.Fatalf("socket ended with %v (%v), want 1000", s, err)
				}
				return
			}
		}
	})
}
