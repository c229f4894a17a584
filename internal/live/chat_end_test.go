package live_test

import (
	"testing"
	"time"

	"plaza/internal/live"
	"plaza/internal/realtime"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// A room that closes ends its chat on every node: the viewers' Events
// close with ErrChatEnded, and the room can be joined again once it
// reopens.
func TestChatEndsWhenTheRoomCloses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bus := realtime.NewLocal()
		e := newChat(t, db, bus, live.ChatConfig{})
		other := e.node(t, bus, live.ChatConfig{})
		a := join(t, e.chat, 2, 1)
		b := join(t, other, 3, 1)
		waitCount(t, a, 2)
		waitCount(t, b, 2)
		e.rooms.set(1, false)
		e.chat.RoomClosed(1)
		for _, v := range []*live.ChatViewer{a, b} {
			for ev := range v.Events() {
				if ev.Kind != live.ChatEventComment && ev.Kind != live.ChatEventGift {
					t.Fatalf("viewer %d: event %+v", v.UserID, ev)
				}
			}
			if v.Err() != live.ErrChatEnded {
				t.Fatalf("viewer %d: %v, want ErrChatEnded", v.UserID, v.Err())
			}
		}
		a.Leave()
		b.Leave()
		deadline := time.Now().Add(5 * time.Second)
		for e.chat.Viewers(1) != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("viewers after the end %d", e.chat.Viewers(1))
			}
			time.Sleep(5 * time.Millisecond)
		}
		e.rooms.set(1, true)
		c := join(t, other, 4, 1)
		if _, err := e.chat.Comment(t.Context(), 4, 1, "again"); err != nil {
			t.Fatal(err)
		}
		if ev := next(t, c); ev.Comment.Text != "again" {
			t.Fatalf("%+v", ev)
		}
	})
}
