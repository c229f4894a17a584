package ws_test

import (
	"testing"

	"plaza/internal/face/live/ws"
	_ "plaza/internal/server" // links every core, so every reason is declared
)

// Every kind and every reason any core declares is mapped on purpose.
func TestErrorTableIsWhole(t *testing.T) {
	for _, m := range ws.Codes.Missing() {
		t.Errorf("the room chat endpoint's error table does not map %s", m)
	}
}
