package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/ratelimit"
	"plaza/internal/realtime"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Room chat: the viewers of a live room see each other's comments and
// gifts and how many watch, on whichever node they are connected to.
//
// Every event goes through the realtime bus. A node holds ONE bus
// subscription per room that has viewers on it (topic live.chat.<anchor>)
// and fans each event out to its local viewers, each with a bounded
// buffer: a viewer that falls that far behind is dropped (its Events
// channel closes, Err says so), never holding the others back.
//
// Viewer counts: every node publishes, on topic live.chat:viewers, its
// local count of a room whenever it changes, and all its counts every
// CountEvery; each message carries the node's id and a sequence number
// (a count older than the one held is passed over). A node sums its own
// count and the other nodes' counts heard within CountTTL. After a Gap on
// that topic a node republishes its counts and asks the others to do the
// same; after a Gap on a room's topic its viewers get the room's last
// comments again (ChatEventHistory).

// ChatConfig are the limits of room chat.
type ChatConfig struct {
	MaxComment   int           // characters (runes) in a comment (default 200)
	History      int           // last comments a joining viewer gets (default 50)
	RateCount    int           // comments per user per room within RateWindow (default 5)
	RateWindow   time.Duration // default 10 s
	ViewerBuffer int           // events a viewer may lag behind before it is dropped (default 64)
	CountEvery   time.Duration // how often a node republishes its viewer counts (default 5 s)
	CountTTL     time.Duration // another node's count is forgotten when not heard within (default 3 CountEvery)
	Node         string        // this node's id on the bus (default: random)
}

// DefaultChatConfig is the default limits.
func DefaultChatConfig() ChatConfig {
	return ChatConfig{MaxComment: 200, History: 50, RateCount: 5, RateWindow: 10 * time.Second, ViewerBuffer: 64, CountEvery: 5 * time.Second}
}

func (c ChatConfig) withDefaults() ChatConfig {
	d := DefaultChatConfig()
	if c.MaxComment <= 0 {
		c.MaxComment = d.MaxComment
	}
	if c.History <= 0 {
		c.History = d.History
	}
	if c.RateCount <= 0 {
		c.RateCount = d.RateCount
	}
	if c.RateWindow <= 0 {
		c.RateWindow = d.RateWindow
	}
	if c.ViewerBuffer <= 0 {
		c.ViewerBuffer = d.ViewerBuffer
	}
	if c.CountEvery <= 0 {
		c.CountEvery = d.CountEvery
	}
	if c.CountTTL <= 0 {
		c.CountTTL = 3 * c.CountEvery
	}
	if c.Node == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		c.Node = hex.EncodeToString(b[:])
	}
	return c
}

// ChatDeps are what room chat is built on.
type ChatDeps struct {
	DB      *store.DB
	Clock   clock.Clock
	Bus     realtime.Bus
	Limiter ratelimit.Limiter
	Log     *slog.Logger
	// Rooms says whether an anchor's room is live (nil: no room is, every
	// Join and Comment answers Unavailable).
	Rooms interface {
		IsOpen(ctx context.Context, anchorID int64) (bool, error)
	}
	// Blocks refuses a comment to an anchor who blocked its writer, in the
	// comment's transaction (*social.Service; nil: no check).
	Blocks interface {
		CheckNotBlocked(ctx context.Context, tx *store.Tx, from int64, to ...int64) error
	}
	// Gifts moves gold from a viewer to the anchor and then calls
	// AnnounceGift (live.Gold; nil: SendGift answers Unavailable).
	Gifts interface {
		Send(ctx context.Context, from, anchor, value int64, description string) (Gift, error)
	}
	// Users gives the phone, nickname and avatar shown with a comment
	// (*account.Service).
	Users interface {
		UsersByID(ctx context.Context, ids []int64) (map[int64]account.User, error)
		AvatarURL(avatar string) string
	}
	Config ChatConfig
}

// ChatAuthor is how a user shows in a room's chat.
type ChatAuthor struct {
	ID       int64
	Phone    string // the live face's userId
	Nickname string
	Avatar   string // its URL
}

// Comment is one comment in a room.
type Comment struct {
	ID       int64
	AnchorID int64
	Author   ChatAuthor
	Text     string
	Time     time.Time
}

// ChatGift is a gift sent in a room.
type ChatGift struct {
	From        int64 // the sender's user id
	Value       int64 // gold
	Description string
	Time        time.Time
	Author      ChatAuthor // filled by AnnounceGift
}

// ChatEventKind says what a ChatEvent holds.
type ChatEventKind int

const (
	ChatEventComment ChatEventKind = iota + 1
	ChatEventGift
	// ChatEventHistory: the room's last comments again, sent when this
	// node may have missed some (a Gap on the room's topic).
	ChatEventHistory

	// chatEventEnd: the room closed (RoomClosed); never given to a viewer.
	chatEventEnd ChatEventKind = -1
)

// ChatEvent is one event of a room, as a viewer receives it.
type ChatEvent struct {
	// Seq numbers the events of this node: every viewer given one event
	// gets the same Seq (a face encodes each event once).
	Seq     uint64
	Kind    ChatEventKind
	Comment Comment
	Gift    ChatGift
	History []Comment
}

// Why a viewer's Events channel closed (Err).
var (
	ErrChatSlow   = errs.E(errs.Unavailable, "you fell too far behind the room's chat")
	ErrChatClosed = errs.E(errs.Unavailable, "the room's chat is shutting down")
	ErrChatEnded  = errs.E(errs.Conflict, "the live has ended")
)

var errNoRooms = errs.E(errs.Unavailable, "live rooms are not available")

func errNotLive() error { return errs.E(errs.Conflict, "this room is not live") }

const (
	chatTopicPrefix = "live.chat."
	chatCountTopic  = "live.chat:viewers"
	// chatCountChunk is the rooms in one count message (well under
	// realtime.MaxPayload).
	chatCountChunk   = 150
	chatMaxGiftText  = 200
	chatBusTimeout   = 5 * time.Second
	chatRoomBuffer   = 4096
	chatCountsBuffer = 1024
)

func chatTopic(anchor int64) string { return fmt.Sprintf("%s%d", chatTopicPrefix, anchor) }

// Chat is room chat on this node.
type Chat struct {
	d    ChatDeps
	cfg  ChatConfig
	log  *slog.Logger
	stop chan struct{}
	wg   sync.WaitGroup

	events atomic.Uint64 // ChatEvent.Seq

	mu     sync.Mutex
	closed bool
	seq    int64
	rooms  map[int64]*chatRoom
	remote map[int64]map[string]chatCount // anchor -> node -> its count
	counts *realtime.Subscription
}

type chatCount struct {
	n    int
	seq  int64
	seen time.Time
}

// chatRoom is a room with viewers on this node. viewers changes under both
// Chat.mu and chatRoom.mu; the fan-out reads it under chatRoom.mu.
type chatRoom struct {
	anchor  int64
	sub     *realtime.Subscription
	mu      sync.Mutex
	viewers map[*ChatViewer]struct{}
	shown   int // the count last told to the viewers
}

// NewChat starts room chat: it subscribes to the viewer counts of every
// node and republishes its own every CountEvery until Close.
func NewChat(d ChatDeps) (*Chat, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	c := &Chat{d: d, cfg: d.Config.withDefaults(), log: d.Log, stop: make(chan struct{}),
		rooms: map[int64]*chatRoom{}, remote: map[int64]map[string]chatCount{}}
	sub, err := d.Bus.Subscribe(chatCountTopic, chatCountsBuffer)
	if err != nil {
		return nil, err
	}
	c.counts = sub
	c.wg.Add(2)
	go c.countLoop()
	go c.tickLoop()
	// Ask the nodes already running for their counts.
	c.publishAll(true)
	return c, nil
}

// Config is the chat's limits, defaults filled in.
func (c *Chat) Config() ChatConfig { return c.cfg }

// Close tells the other nodes this node has no viewers any more, ends
// every viewer (Err: ErrChatClosed) and the bus subscriptions.
func (c *Chat) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	rooms := c.rooms
	c.rooms = map[int64]*chatRoom{}
	c.seq++
	seq := c.seq
	c.mu.Unlock()
	close(c.stop)
	zero := make([][2]int64, 0, len(rooms))
	for _, r := range rooms {
		zero = append(zero, [2]int64{r.anchor, 0})
		r.sub.Close()
		r.mu.Lock()
		for v := range r.viewers {
			v.end(ErrChatClosed)
		}
		r.mu.Unlock()
	}
	c.publishCounts(zero, seq, false)
	c.counts.Close()
	c.wg.Wait()
}

// ChatViewer is one viewer joined to a room on this node.
type ChatViewer struct {
	UserID   int64
	AnchorID int64
	// History is the room's last comments at the time of joining, oldest
	// first.
	History []Comment

	chat    *Chat
	room    *chatRoom
	inHist  map[int64]bool
	events  chan ChatEvent
	counts  chan int
	mu      sync.Mutex // guards joining, pending, err, ended and the closing of events
	joining bool       // the history is being read: events wait in pending
	pending []ChatEvent
	err     error
	ended   bool
	leaveMu sync.Once
}

// Events delivers the room's comments and gifts; it closes when the
// viewer leaves, is dropped for falling behind, or the chat closes (Err
// says which).
func (v *ChatViewer) Events() <-chan ChatEvent { return v.events }

// Counts delivers the room's viewer count (every node's) whenever it
// changes; only the latest is kept, so a count is never a reason to drop.
func (v *ChatViewer) Counts() <-chan int { return v.counts }

// Err is why Events closed: nil after Leave, ErrChatSlow, ErrChatClosed,
// ErrChatEnded (the room closed: RoomClosed).
func (v *ChatViewer) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

// Leave takes the viewer out of the room; safe to call more than once.
func (v *ChatViewer) Leave() { v.leaveMu.Do(func() { v.chat.leave(v) }) }

// offer queues ev without blocking, and drops the viewer when its buffer
// is full.
func (v *ChatViewer) offer(ev ChatEvent) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.joining {
		if len(v.pending) < cap(v.events) {
			v.pending = append(v.pending, ev)
			return
		}
		v.joining = false
		v.ended, v.err = true, ErrChatSlow
		close(v.events)
		return
	}
	v.offerLocked(ev)
}

func (v *ChatViewer) offerLocked(ev ChatEvent) {
	if v.ended {
		return
	}
	if ev.Kind == ChatEventComment && v.inHist[ev.Comment.ID] {
		return // already in History (the subscription began before it was read)
	}
	select {
	case v.events <- ev:
	default:
		v.ended, v.err = true, ErrChatSlow
		close(v.events)
	}
}

func (v *ChatViewer) setCount(n int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	select {
	case <-v.counts:
	default:
	}
	v.counts <- n
}

func (v *ChatViewer) end(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.ended {
		v.ended, v.err = true, err
		close(v.events)
	}
}

func (c *Chat) checkOpen(ctx context.Context, anchor int64) error {
	if c.d.Rooms == nil {
		return errNoRooms
	}
	open, err := c.d.Rooms.IsOpen(ctx, anchor)
	if err != nil {
		return err
	}
	if !open {
		return errNotLive()
	}
	return nil
}

// CheckLive refuses as Join does when anchor's room is not live, without
// joining it.
func (c *Chat) CheckLive(ctx context.Context, anchor int64) error { return c.checkOpen(ctx, anchor) }

// Join makes viewer a viewer of anchor's room, which must be live: it
// gets the room's last comments and, until Leave, its events.
func (c *Chat) Join(ctx context.Context, viewer, anchor int64) (*ChatViewer, error) {
	if err := c.checkOpen(ctx, anchor); err != nil {
		return nil, err
	}
	v := &ChatViewer{UserID: viewer, AnchorID: anchor, chat: c,
		events: make(chan ChatEvent, c.cfg.ViewerBuffer), counts: make(chan int, 1)}
	// Subscribe first, then read the history: a comment written between
	// the two is in both, and offer passes over the copy.
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrChatClosed
	}
	r := c.rooms[anchor]
	if r == nil {
		sub, err := c.d.Bus.Subscribe(chatTopic(anchor), chatRoomBuffer)
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		r = &chatRoom{anchor: anchor, sub: sub, viewers: map[*ChatViewer]struct{}{}, shown: -1}
		c.rooms[anchor] = r
		c.wg.Add(1)
		go c.pump(r)
	}
	v.room = r
	v.joining = true // events wait until the history is in place
	r.mu.Lock()
	r.viewers[v] = struct{}{}
	r.mu.Unlock()
	n := len(r.viewers)
	c.seq++
	seq := c.seq
	c.mu.Unlock()

	hist, err := c.history(ctx, anchor)
	if err == nil {
		// Again, now that the subscription is in place: a room closed
		// since the first look ended its chat before this viewer could
		// hear it (RoomClosed); one closed after this look is heard.
		err = c.checkOpen(ctx, anchor)
	}
	v.mu.Lock()
	v.History = hist
	v.inHist = make(map[int64]bool, len(hist))
	for _, h := range hist {
		v.inHist[h.ID] = true
	}
	if v.joining {
		v.joining = false
		for _, ev := range v.pending {
			v.offerLocked(ev)
		}
	}
	v.pending = nil
	v.mu.Unlock()
	if err != nil {
		v.Leave()
		return nil, err
	}
	c.publishCounts([][2]int64{{anchor, int64(n)}}, seq, false)
	c.tellCount(anchor, true)
	return v, nil
}

func (c *Chat) leave(v *ChatViewer) {
	c.mu.Lock()
	r := v.room
	if c.rooms[r.anchor] != r {
		c.mu.Unlock() // the chat closed
		v.end(nil)
		return
	}
	r.mu.Lock()
	delete(r.viewers, v)
	r.mu.Unlock()
	n := len(r.viewers)
	if n == 0 {
		delete(c.rooms, r.anchor)
		r.sub.Close()
	}
	c.seq++
	seq := c.seq
	c.mu.Unlock()
	v.end(nil)
	c.publishCounts([][2]int64{{r.anchor, int64(n)}}, seq, false)
	if n > 0 {
		c.tellCount(r.anchor, false)
	}
}

// pump is the one reader of a room's subscription on this node.
func (c *Chat) pump(r *chatRoom) {
	defer c.wg.Done()
	for m := range r.sub.C {
		var ev ChatEvent
		if m.Gap {
			ctx, cancel := context.WithTimeout(context.Background(), chatBusTimeout)
			hist, err := c.history(ctx, r.anchor)
			cancel()
			if err != nil {
				c.log.Error("room chat: reload history after a gap", "anchor", r.anchor, "err", err)
				continue
			}
			ev = ChatEvent{Kind: ChatEventHistory, History: hist}
		} else {
			var err error
			if ev, err = decodeChatEvent(r.anchor, m.Data); err != nil {
				c.log.Warn("room chat: bad message on the bus", "anchor", r.anchor, "err", err)
				continue
			}
			if ev.Kind == chatEventEnd {
				r.mu.Lock()
				for v := range r.viewers {
					v.end(ErrChatEnded)
				}
				r.mu.Unlock()
				continue
			}
		}
		ev.Seq = c.events.Add(1)
		r.mu.Lock()
		for v := range r.viewers {
			v.offer(ev)
		}
		r.mu.Unlock()
	}
}

// history reads a room's last comments, oldest first.
func (c *Chat) history(ctx context.Context, anchor int64) ([]Comment, error) {
	type row struct {
		id, user int64
		text     string
		at       time.Time
	}
	rows, err := store.Collect(ctx, c.d.DB, "SELECT id, user_id, text, created_at FROM room_comments WHERE anchor_id = ? ORDER BY id DESC LIMIT ?",
		[]any{anchor, c.cfg.History}, func(s store.Scanner) (row, error) {
			var r row
			return r, s.Scan(&r.id, &r.user, &r.text, (*store.Millis)(&r.at))
		})
	if err != nil {
		return nil, errs.Wrap(err, "read room comments")
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		if !slices.Contains(ids, r.user) {
			ids = append(ids, r.user)
		}
	}
	authors, err := c.authors(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Comment, len(rows))
	for i, r := range rows {
		out[len(rows)-1-i] = Comment{ID: r.id, AnchorID: anchor, Author: authors[r.user], Text: r.text, Time: r.at}
	}
	return out, nil
}

// CommentRetention is how long a room's comments are kept beyond the last
// ones a joining viewer reads (ChatConfig.History): the janitor deletes
// the older ones that are not among them.
const CommentRetention = 7 * 24 * time.Hour

// SweepComments deletes the comments older than CommentRetention that are
// not among their room's last History, a few thousand a statement, oldest
// first (the janitor's). A room keeps what a joining viewer is shown,
// however old.
func (c *Chat) SweepComments(ctx context.Context) error {
	cutoff := c.d.Clock.Now().Add(-CommentRetention).UnixMilli()
	return errs.Wrap(c.d.DB.DeleteChunks(ctx, 5000, `DELETE FROM room_comments WHERE id IN (
		SELECT o.id FROM room_comments o WHERE o.created_at < ? AND o.id < (
			SELECT k.id FROM room_comments k WHERE k.anchor_id = o.anchor_id ORDER BY k.id DESC LIMIT 1 OFFSET (? + 0))
		ORDER BY o.id LIMIT (? + 0))`, cutoff, c.cfg.History-1), "sweep room comments")
}

func (c *Chat) authors(ctx context.Context, ids []int64) (map[int64]ChatAuthor, error) {
	users, err := c.d.Users.UsersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ChatAuthor, len(ids))
	for _, id := range ids {
		u, ok := users[id]
		if !ok {
			out[id] = ChatAuthor{ID: id}
			continue
		}
		out[id] = ChatAuthor{ID: id, Phone: u.Username(), Nickname: u.Nickname, Avatar: c.d.Users.AvatarURL(u.Avatar)}
	}
	return out, nil
}

// Comment writes a comment in anchor's live room, which every viewer of
// the room on every node receives. The text is one line of 1 to
// MaxComment characters; a user writes at most RateCount comments per
// room within RateWindow (RateLimited); an anchor who blocked from
// refuses it (Forbidden).
func (c *Chat) Comment(ctx context.Context, from, anchor int64, text string) (Comment, error) {
	if err := valid.RequiredLine("text", text, c.cfg.MaxComment); err != nil {
		return Comment{}, err
	}
	if strings.TrimSpace(text) == "" {
		return Comment{}, errs.InvalidField("text", "text is blank")
	}
	if err := c.checkOpen(ctx, anchor); err != nil {
		return Comment{}, err
	}
	res, err := c.d.Limiter.Hit(ctx, fmt.Sprintf("live.chat:%d:%d", anchor, from), c.cfg.RateCount, c.cfg.RateWindow)
	if err != nil {
		return Comment{}, err
	}
	if !res.Allowed {
		return Comment{}, &errs.Error{Kind: errs.RateLimited, Msg: "you are commenting too often", RetryAfter: res.RetryAfter}
	}
	authors, err := c.authors(ctx, []int64{from})
	if err != nil {
		return Comment{}, err
	}
	if authors[from].Phone == "" && authors[from].Nickname == "" {
		return Comment{}, errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
	}
	cm := Comment{AnchorID: anchor, Author: authors[from], Text: text}
	err = c.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		if c.d.Blocks != nil {
			if err := c.d.Blocks.CheckNotBlocked(ctx, tx, from, anchor); err != nil {
				return err
			}
		}
		cm.Time = tx.Now().Truncate(time.Millisecond)
		err := tx.QueryRow(ctx, "INSERT INTO room_comments (anchor_id, user_id, text, created_at) VALUES (?, ?, ?, ?) RETURNING id",
			anchor, from, text, cm.Time.UnixMilli()).Scan(&cm.ID)
		if err != nil {
			if store.IsForeignKeyViolation(err) {
				return errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
			}
			return errs.Wrap(err, "write room comment")
		}
		return nil
	})
	if err != nil {
		return Comment{}, err
	}
	if err := c.publish(ctx, anchor, encodeComment(cm)); err != nil {
		// Kept, not delivered now: it is in the history of the next join.
		c.log.Error("room chat: publish comment", "anchor", anchor, "err", err)
	}
	return cm, nil
}

// RoomClosed ends the chat of anchor's room on every node (the rooms
// core's OnChange calls it when a room closes): every viewer's Events
// closes with ErrChatEnded; each viewer still calls Leave.
func (c *Chat) RoomClosed(anchor int64) {
	if err := c.publish(context.Background(), anchor, encodeEnd()); err != nil {
		c.log.Error("room chat: publish the end of a room", "anchor", anchor, "err", err)
	}
}

// SendGift sends value gold from a viewer to the anchor (Gifts), which
// announces it in the room.
func (c *Chat) SendGift(ctx context.Context, from, anchor, value int64, description string) error {
	if c.d.Gifts == nil {
		return errs.E(errs.Unavailable, "gifts are not available")
	}
	_, err := c.d.Gifts.Send(ctx, from, anchor, value, description)
	return err
}

// AnnounceGift tells the viewers of anchor's room on every node of a gift
// (after the gold has moved). The description is cut to 200 characters.
func (c *Chat) AnnounceGift(anchor int64, g ChatGift) {
	ctx, cancel := context.WithTimeout(context.Background(), chatBusTimeout)
	defer cancel()
	if g.Author.ID == 0 {
		a, err := c.authors(ctx, []int64{g.From})
		if err != nil {
			c.log.Error("room chat: gift's sender", "anchor", anchor, "err", err)
		}
		g.Author = a[g.From]
		g.Author.ID = g.From
	}
	if g.Time.IsZero() {
		g.Time = c.d.Clock.Now()
	}
	if r := []rune(g.Description); len(r) > chatMaxGiftText {
		g.Description = string(r[:chatMaxGiftText])
	}
	if err := c.publish(ctx, anchor, encodeGift(g)); err != nil {
		c.log.Error("room chat: publish gift", "anchor", anchor, "err", err)
	}
}

func (c *Chat) publish(ctx context.Context, anchor int64, data []byte) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), chatBusTimeout)
	defer cancel()
	return c.d.Bus.Publish(ctx, chatTopic(anchor), data)
}

// Viewers is how many watch anchor's room on every node.
func (c *Chat) Viewers(anchor int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.totalLocked(anchor, c.d.Clock.Now())
}

func (c *Chat) totalLocked(anchor int64, now time.Time) int {
	n := 0
	if r := c.rooms[anchor]; r != nil {
		n = len(r.viewers)
	}
	for _, e := range c.remote[anchor] {
		if now.Sub(e.seen) <= c.cfg.CountTTL {
			n += e.n
		}
	}
	return n
}

// tellCount gives the local viewers of a room its count when it changed
// (always when force).
func (c *Chat) tellCount(anchor int64, force bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rooms[anchor]
	if r == nil {
		return
	}
	n := c.totalLocked(anchor, c.d.Clock.Now())
	if n == r.shown && !force {
		return
	}
	r.shown = n
	for v := range r.viewers {
		v.setCount(n)
	}
}

// chatCountMsg is one node's viewer counts on the bus.
type chatCountMsg struct {
	Node  string     `json:"node"`
	Seq   int64      `json:"seq"`
	Rooms [][2]int64 `json:"rooms,omitempty"` // anchor, count
	Want  bool       `json:"want,omitempty"`  // asks every node for all its counts
}

func (c *Chat) publishCounts(rooms [][2]int64, seq int64, want bool) {
	for len(rooms) > 0 || want {
		part := rooms[:min(len(rooms), chatCountChunk)]
		rooms = rooms[len(part):]
		data, _ := jsonMarshal(chatCountMsg{Node: c.cfg.Node, Seq: seq, Rooms: part, Want: want})
		want = false
		ctx, cancel := context.WithTimeout(context.Background(), chatBusTimeout)
		err := c.d.Bus.Publish(ctx, chatCountTopic, data)
		cancel()
		if err != nil {
			c.log.Error("room chat: publish viewer counts", "err", err)
			return
		}
	}
}

// publishAll publishes every local count (and asks the others for theirs
// when want).
func (c *Chat) publishAll(want bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	rooms := make([][2]int64, 0, len(c.rooms))
	for a, r := range c.rooms {
		rooms = append(rooms, [2]int64{a, int64(len(r.viewers))})
	}
	c.seq++
	seq := c.seq
	c.mu.Unlock()
	c.publishCounts(rooms, seq, want)
}

func (c *Chat) countLoop() {
	defer c.wg.Done()
	for m := range c.counts.C {
		if m.Gap {
			c.publishAll(true)
			continue
		}
		var msg chatCountMsg
		if err := jsonUnmarshal(m.Data, &msg); err != nil {
			c.log.Warn("room chat: bad viewer counts on the bus", "err", err)
			continue
		}
		if msg.Node == c.cfg.Node {
			continue
		}
		if msg.Want {
			c.publishAll(false)
		}
		now := c.d.Clock.Now()
		var changed []int64
		c.mu.Lock()
		for _, rc := range msg.Rooms {
			anchor, n := rc[0], int(rc[1])
			nodes := c.remote[anchor]
			if e, ok := nodes[msg.Node]; ok && e.seq > msg.Seq {
				continue // an older count overtaken by a newer one
			}
			if n <= 0 {
				delete(nodes, msg.Node)
				if len(nodes) == 0 {
					delete(c.remote, anchor)
				}
			} else {
				if nodes == nil {
					nodes = map[string]chatCount{}
					c.remote[anchor] = nodes
				}
				nodes[msg.Node] = chatCount{n: n, seq: msg.Seq, seen: now}
			}
			if c.rooms[anchor] != nil {
				changed = append(changed, anchor)
			}
		}
		c.mu.Unlock()
		for _, a := range changed {
			c.tellCount(a, false)
		}
	}
}

// tickLoop republishes this node's counts and forgets the counts of nodes
// not heard within CountTTL (a node that stopped without saying so).
func (c *Chat) tickLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.CountEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.publishAll(false)
		c.Expire()
	}
}

// Expire forgets the counts of other nodes not heard within CountTTL and
// tells the local viewers of the rooms whose count changed (tickLoop calls
// it every CountEvery).
func (c *Chat) Expire() {
	now := c.d.Clock.Now()
	var changed []int64
	c.mu.Lock()
	for anchor, nodes := range c.remote {
		for node, e := range nodes {
			if now.Sub(e.seen) > c.cfg.CountTTL {
				delete(nodes, node)
				if c.rooms[anchor] != nil {
					changed = append(changed, anchor)
				}
			}
		}
		if len(nodes) == 0 {
			delete(c.remote, anchor)
		}
	}
	c.mu.Unlock()
	for _, a := range changed {
		c.tellCount(a, false)
	}
}
