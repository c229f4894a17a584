package ws

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/coder/websocket"

	"plaza/internal/live"
)

// The server's frames (docs/live-chat.md). Times are milliseconds since
// the epoch; userId is the live face's userId (the 11-digit phone).

type commentFrame struct {
	Type      string `json:"type"` // "comment"
	UserID    string `json:"userId"`
	Nickname  string `json:"nickname"`
	HeadImage string `json:"headImage"`
	Text      string `json:"text"`
	Time      int64  `json:"time"`
}

type historyFrame struct {
	Type     string         `json:"type"` // "history"
	Comments []commentFrame `json:"comments"`
}

type giftFrame struct {
	Type        string `json:"type"` // "gift"
	UserID      string `json:"userId"`
	Nickname    string `json:"nickname"`
	HeadImage   string `json:"headImage"`
	Value       int64  `json:"value"`
	Description string `json:"description"`
	Time        int64  `json:"time"`
}

type viewersFrame struct {
	Type  string `json:"type"` // "viewers"
	Count int    `json:"count"`
}

type errFrame struct {
	Type    string `json:"type"` // "error"
	Result  string `json:"result"`
	Message string `json:"message"`
}

func toCommentFrame(c live.Comment) commentFrame {
	return commentFrame{Type: "comment", UserID: c.Author.Phone, Nickname: c.Author.Nickname, HeadImage: c.Author.Avatar,
		Text: c.Text, Time: c.Time.UnixMilli()}
}

func toHistoryFrame(cs []live.Comment) historyFrame {
	f := historyFrame{Type: "history", Comments: make([]commentFrame, len(cs))}
	for i, c := range cs {
		f.Comments[i] = toCommentFrame(c)
	}
	return f
}

func eventFrame(ev live.ChatEvent) any {
	switch ev.Kind {
	case live.ChatEventGift:
		g := ev.Gift
		return giftFrame{Type: "gift", UserID: g.Author.Phone, Nickname: g.Author.Nickname, HeadImage: g.Author.Avatar,
			Value: g.Value, Description: g.Description, Time: g.Time.UnixMilli()}
	case live.ChatEventHistory:
		return toHistoryFrame(ev.History)
	}
	return toCommentFrame(ev.Comment)
}

func errorFrame(a answer) errFrame {
	return errFrame{Type: "error", Result: a.Result, Message: a.Message}
}

func writeFrame(ctx context.Context, c *websocket.Conn, f any) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return c.Write(ctx, websocket.MessageText, b)
}

// frameCache keeps the encoded frames of the last events, so that an
// event fanned out to every viewer of a room is encoded once per node.
type frameCache struct {
	mu    sync.Mutex
	bySeq map[uint64][]byte
	ring  [256]uint64
	next  int
}

func (fc *frameCache) encode(ev live.ChatEvent) ([]byte, error) {
	fc.mu.Lock()
	b, ok := fc.bySeq[ev.Seq]
	fc.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := json.Marshal(eventFrame(ev))
	if err != nil || ev.Seq == 0 {
		return b, err
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.bySeq == nil {
		fc.bySeq = make(map[uint64][]byte, len(fc.ring))
	}
	if _, ok := fc.bySeq[ev.Seq]; !ok {
		delete(fc.bySeq, fc.ring[fc.next])
		fc.ring[fc.next] = ev.Seq
		fc.next = (fc.next + 1) % len(fc.ring)
		fc.bySeq[ev.Seq] = b
	}
	return b, nil
}
