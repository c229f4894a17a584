package live

import (
	"encoding/json"
	"fmt"
	"time"
)

// chatWire is a room event on the bus (topic live.chat.<anchor>).
type chatWire struct {
	T        string `json:"t"` // "c" comment, "g" gift, "e" the room closed
	ID       int64  `json:"id,omitempty"`
	User     int64  `json:"u"`
	Phone    string `json:"p,omitempty"`
	Nickname string `json:"n,omitempty"`
	Avatar   string `json:"a,omitempty"`
	Text     string `json:"x,omitempty"`
	Value    int64  `json:"v,omitempty"`
	At       int64  `json:"at"` // milliseconds
}

func jsonMarshal(v any) ([]byte, error)   { return json.Marshal(v) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
func wireAuthor(a ChatAuthor) (int64, string, string, string) {
	return a.ID, a.Phone, a.Nickname, a.Avatar
}

func encodeComment(c Comment) []byte {
	w := chatWire{T: "c", ID: c.ID, Text: c.Text, At: c.Time.UnixMilli()}
	w.User, w.Phone, w.Nickname, w.Avatar = wireAuthor(c.Author)
	b, _ := json.Marshal(w)
	return b
}

func encodeGift(g ChatGift) []byte {
	w := chatWire{T: "g", Text: g.Description, Value: g.Value, At: g.Time.UnixMilli()}
	w.User, w.Phone, w.Nickname, w.Avatar = wireAuthor(g.Author)
	b, _ := json.Marshal(w)
	return b
}

func encodeEnd() []byte {
	b, _ := json.Marshal(chatWire{T: "e"})
	return b
}

func decodeChatEvent(anchor int64, data []byte) (ChatEvent, error) {
	var w chatWire
	if err := json.Unmarshal(data, &w); err != nil {
		return ChatEvent{}, err
	}
	a := ChatAuthor{ID: w.User, Phone: w.Phone, Nickname: w.Nickname, Avatar: w.Avatar}
	at := time.UnixMilli(w.At)
	switch w.T {
	case "c":
		return ChatEvent{Kind: ChatEventComment, Comment: Comment{ID: w.ID, AnchorID: anchor, Author: a, Text: w.Text, Time: at}}, nil
	case "e":
		return ChatEvent{Kind: chatEventEnd}, nil
	case "g":
		return ChatEvent{Kind: ChatEventGift, Gift: ChatGift{From: w.User, Value: w.Value, Description: w.Text, Time: at, Author: a}}, nil
	}
	return ChatEvent{}, fmt.Errorf("unknown event type %q", w.T)
}
