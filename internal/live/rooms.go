// Package live is the core of the live face (seed 001): live rooms
// (Rooms, this file), room chat and gold (in their own files).
package live

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"plaza/internal/cachesync"
	"strings"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/memo"
	liveprov "plaza/internal/provider/live"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Reasons of the rooms.
var (
	// ReasonRoomNone: the user never opened a room (Get, Leave).
	ReasonRoomNone = errs.NewReason("live.room_none")
	// ReasonRoomClosed: leaving a room that is already closed.
	ReasonRoomClosed = errs.NewReason("live.room_closed")
	// ReasonRoomKey: a publish with a key that is no open room's current
	// key (nginx-rtmp's on_publish is refused).
	ReasonRoomKey = errs.NewReason("live.room_key")
)

// RoomTitleMax is the longest title of a room, in characters;
// RoomDefaultTitle the title of a room opened without one.
const (
	RoomTitleMax     = 64
	RoomDefaultTitle = "直播间"
)

// Room is a user's live room: one per user, opened and reopened. StreamKey
// is secret (the anchor publishes with it; new at every opening, it stops
// working when the room closes); StreamName is the public name viewers
// play (new at every opening too).
type Room struct {
	UserID     int64
	Title      string
	StreamKey  string
	StreamName string
	Open       bool
	Publishing bool // the anchor's stream is on (self-hosted: nginx-rtmp said so)
	OpenedAt   time.Time
	ClosedAt   time.Time // zero while open, or never closed
	UpdatedAt  time.Time
}

// RoomsDeps are what Rooms uses.
type RoomsDeps struct {
	DB       *store.DB
	Clock    clock.Clock
	Provider liveprov.Provider
	Log      *slog.Logger
}

// Rooms is the live rooms core.
type Rooms struct {
	d RoomsDeps
	// OnChange, when set (before serving), is called after the commit
	// with (userID, open) whenever a room opens (also a reopening) or
	// closes (Leave, or the end of the stream).
	OnChange func(userID int64, open bool)
	open     *memo.Table[struct{}, map[int64]Room] // every open room; nil: off
	sync     *cachesync.Sync
	cache    cachesync.Cache // open, as cachesync changes it
}

// WithCache keeps the open rooms in memory for OpenAmong (see package
// memo), dropped by every opening, closing and publish, on every node
// that shares sync (nil: this node alone).
func (r *Rooms) WithCache(sync *cachesync.Sync) *Rooms {
	r.open = memo.New[struct{}, map[int64]Room](1)
	r.cache, r.sync = cachesync.Whole(r.open), sync
	if sync != nil {
		r.open.Gated(sync.Usable)
		sync.Register("rooms", r.cache)
	}
	return r
}

// forget drops the kept open rooms, on every node, once tx commits.
func (r *Rooms) forget(tx *store.Tx) {
	if r.open != nil {
		tx.AfterCommit(func() { r.sync.Changed(r.cache, "rooms", "") })
	}
}

// NewRooms makes the rooms core.
func NewRooms(d RoomsDeps) *Rooms {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &Rooms{d: d}
}

// Provider is the stream provider of the rooms.
func (r *Rooms) Provider() liveprov.Provider { return r.d.Provider }

// Lengths of the random names: the key holds 192 bits, the public name 64.
const (
	roomKeyBytes  = 24
	roomNameBytes = 8
)

// roomKeyLen is the length of a stream key (URL-safe base64, no padding).
var roomKeyLen = base64.RawURLEncoding.EncodedLen(roomKeyBytes)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return b
}

func newRoomKey() string  { return base64.RawURLEncoding.EncodeToString(randomBytes(roomKeyBytes)) }
func newRoomName() string { return hex.EncodeToString(randomBytes(roomNameBytes)) }

// roomKeyShaped tells whether s could be a stream key (what else
// nginx-rtmp sends is refused without a query).
func roomKeyShaped(s string) bool {
	if len(s) != roomKeyLen {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

const roomCols = "user_id, title, stream_key, stream_name, is_open, publishing, opened_at, closed_at, updated_at"

func scanRoom(s store.Scanner) (Room, error) {
	var rm Room
	err := s.Scan(&rm.UserID, &rm.Title, &rm.StreamKey, &rm.StreamName, &rm.Open, &rm.Publishing,
		(*store.Millis)(&rm.OpenedAt), (*store.Millis)(&rm.ClosedAt), (*store.Millis)(&rm.UpdatedAt))
	if !rm.ClosedAt.IsZero() && rm.ClosedAt.UnixMilli() == 0 {
		rm.ClosedAt = time.Time{}
	}
	return rm, err
}

func (rm Room) prov() liveprov.Room {
	return liveprov.Room{UserID: rm.UserID, Title: rm.Title, Key: rm.StreamKey, Name: rm.StreamName, OpenedAt: rm.OpenedAt, UpdatedAt: rm.UpdatedAt}
}

// RoomTitle checks a room's title and gives the default for an empty one.
func RoomTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	if err := valid.Line("title", title, RoomTitleMax); err != nil {
		return "", err
	}
	if title == "" {
		title = RoomDefaultTitle
	}
	return title, nil
}

// Open opens the user's room, or reopens it (also when it is open: the
// earlier key then stops working), with a new secret stream key and a new
// public stream name, and returns it with the provider's description of
// its stream. An empty title is RoomDefaultTitle. A user that does not
// exist is NotFound.
func (r *Rooms) Open(ctx context.Context, userID int64, title string) (Room, liveprov.Stream, error) {
	title, err := RoomTitle(title)
	if err != nil {
		return Room{}, liveprov.Stream{}, err
	}
	rm := Room{UserID: userID, Title: title, StreamKey: newRoomKey(), StreamName: newRoomName(), Open: true}
	// The provider first (a network call for Qiniu, outside the
	// transaction): if it fails the room stays as it was.
	if err := r.d.Provider.Enable(ctx, rm.prov()); err != nil {
		r.d.Log.Error("live: the stream provider did not enable a stream", "provider", r.d.Provider.Kind(), "user", userID, "err", err)
		return Room{}, liveprov.Stream{}, errs.E(errs.Unavailable, "the live stream service is unavailable")
	}
	var prev Room
	err = r.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		prev = Room{}
		p, err := scanRoom(tx.QueryRow(ctx, "SELECT "+roomCols+" FROM live_rooms WHERE user_id = ?"+tx.ForUpdate(), userID))
		if err != nil && !store.NoRows(err) {
			return errs.Wrap(err, "read room")
		}
		if err == nil {
			prev = p
		}
		now := tx.Now()
		rm.OpenedAt, rm.UpdatedAt, rm.ClosedAt, rm.Publishing = now, now, time.Time{}, false
		_, err = tx.Exec(ctx, `INSERT INTO live_rooms (user_id, title, stream_key, stream_name, is_open, publishing, opened_at, closed_at, updated_at)
			VALUES (?, ?, ?, ?, TRUE, FALSE, ?, NULL, ?)
			ON CONFLICT (user_id) DO UPDATE SET title = excluded.title, stream_key = excluded.stream_key, stream_name = excluded.stream_name,
				is_open = TRUE, publishing = FALSE, opened_at = excluded.opened_at, closed_at = NULL, updated_at = excluded.updated_at`,
			userID, title, rm.StreamKey, rm.StreamName, now.UnixMilli(), now.UnixMilli())
		if store.IsForeignKeyViolation(err) {
			return errs.E(errs.NotFound, "no such user")
		}
		if err != nil {
			return errs.Wrap(err, "open room")
		}
		r.changed(tx, userID, true)
		return nil
	})
	if err != nil {
		r.d.Provider.Disable(context.WithoutCancel(ctx), rm.prov())
		return Room{}, liveprov.Stream{}, err
	}
	if prev.Open {
		r.disable(ctx, prev)
	}
	s, err := r.d.Provider.Stream(rm.prov())
	if err != nil {
		return Room{}, liveprov.Stream{}, errs.Wrap(err, "describe stream")
	}
	return rm, s, nil
}

// Stream is the provider's description of an open room's stream.
func (r *Rooms) Stream(rm Room) (liveprov.Stream, error) {
	if !rm.Open {
		return liveprov.Stream{}, errs.R(errs.Conflict, ReasonRoomClosed, "the room is closed")
	}
	return r.d.Provider.Stream(rm.prov())
}

func (r *Rooms) changed(tx *store.Tx, userID int64, open bool) {
	r.forget(tx)
	if f := r.OnChange; f != nil {
		tx.AfterCommit(func() { f(userID, open) })
	}
}

// disable tells the provider a room's stream is over (after the commit;
// a failure is logged: the room is closed in plaza all the same).
func (r *Rooms) disable(ctx context.Context, rm Room) {
	if err := r.d.Provider.Disable(context.WithoutCancel(ctx), rm.prov()); err != nil {
		r.d.Log.Error("live: the stream provider did not disable a stream", "provider", r.d.Provider.Kind(), "user", rm.UserID, "stream", rm.StreamName, "err", err)
	}
}

// Leave closes the user's room: its key stops working at once (a stream
// still going is dropped by nginx-rtmp at its next on_update). Leaving a
// room never opened is NotFound (ReasonRoomNone); leaving a closed room is
// Conflict (ReasonRoomClosed), and changes nothing.
func (r *Rooms) Leave(ctx context.Context, userID int64) error {
	var rm Room
	err := r.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rm, err = r.close(ctx, tx, "user_id = ?", userID)
		if store.NoRows(err) {
			n, cerr := store.Count(ctx, tx, "SELECT COUNT(*) FROM live_rooms WHERE user_id = ?", userID)
			if cerr != nil {
				return errs.Wrap(cerr, "read room")
			}
			if n == 0 {
				return errs.R(errs.NotFound, ReasonRoomNone, "no live room")
			}
			return errs.R(errs.Conflict, ReasonRoomClosed, "the live room is already closed")
		}
		return err
	})
	if err != nil {
		return err
	}
	r.disable(ctx, rm)
	return nil
}

// close closes the open room matched by where (sql.ErrNoRows: none).
func (r *Rooms) close(ctx context.Context, tx *store.Tx, where string, args ...any) (Room, error) {
	now := tx.Now().UnixMilli()
	rm, err := scanRoom(tx.QueryRow(ctx, `UPDATE live_rooms SET is_open = FALSE, publishing = FALSE, closed_at = ?, updated_at = ?
		WHERE `+where+` AND is_open RETURNING `+roomCols, append([]any{now, now}, args...)...))
	if err != nil {
		if store.NoRows(err) {
			return Room{}, err
		}
		return Room{}, errs.Wrap(err, "close room")
	}
	r.changed(tx, rm.UserID, false)
	return rm, nil
}

// Get is the user's room, open or closed (NotFound ReasonRoomNone: never
// opened).
func (r *Rooms) Get(ctx context.Context, userID int64) (Room, error) {
	rm, err := scanRoom(r.d.DB.QueryRow(ctx, "SELECT "+roomCols+" FROM live_rooms WHERE user_id = ?", userID))
	if store.NoRows(err) {
		return Room{}, errs.R(errs.NotFound, ReasonRoomNone, "no live room")
	}
	return rm, errs.Wrap(err, "read room")
}

// roomsAmongChunk bounds the ids of one query of OpenAmong.
const roomsAmongChunk = 512

// OpenAmong is the open rooms of these users, by user id: one query for
// up to 512 users (a friend list), or none while the open rooms are kept
// (WithCache).
func (r *Rooms) OpenAmong(ctx context.Context, ids []int64) (map[int64]Room, error) {
	out := map[int64]Room{}
	if r.open != nil {
		all, err := r.open.Load(struct{}{}, func() (map[int64]Room, error) {
			rooms, err := store.Collect(ctx, r.d.DB, "SELECT "+roomCols+" FROM live_rooms WHERE is_open", nil, scanRoom)
			m := make(map[int64]Room, len(rooms))
			for _, rm := range rooms {
				m[rm.UserID] = rm
			}
			return m, errs.Wrap(err, "read rooms")
		})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if rm, ok := all[id]; ok {
				out[id] = rm
			}
		}
		return out, nil
	}
	for len(ids) > 0 {
		part := ids[:min(len(ids), roomsAmongChunk)]
		ids = ids[len(part):]
		in, args := store.InIDs(part)
		rooms, err := store.Collect(ctx, r.d.DB, "SELECT "+roomCols+" FROM live_rooms WHERE is_open AND user_id IN ("+in+")", args, scanRoom)
		if err != nil {
			return nil, errs.Wrap(err, "read rooms")
		}
		for _, rm := range rooms {
			out[rm.UserID] = rm
		}
	}
	return out, nil
}

// IsOpen tells whether the user's room is open (room chat's check).
func (r *Rooms) IsOpen(ctx context.Context, userID int64) (bool, error) {
	rm, err := r.Get(ctx, userID)
	if errs.ReasonOf(err) == ReasonRoomNone {
		return false, nil
	}
	return rm.Open, err
}

// PlayURL is where viewers play an open room (RTMP); "" when it is
// closed.
func (r *Rooms) PlayURL(rm Room) string {
	if !rm.Open {
		return ""
	}
	return r.d.Provider.PlayURLs(rm.StreamName).RTMP
}

// PlayURLs are all the play addresses of an open room (zero when closed).
func (r *Rooms) PlayURLs(rm Room) liveprov.PlayURLs {
	if !rm.Open {
		return liveprov.PlayURLs{}
	}
	return r.d.Provider.PlayURLs(rm.StreamName)
}

// Publish is nginx-rtmp's on_publish check: only the current key of an
// open room is admitted, and the room is then Publishing; anything else is
// Forbidden (ReasonRoomKey). A room keeps its key while open: a publish
// again (the anchor's app reconnecting) is admitted too.
func (r *Rooms) Publish(ctx context.Context, key string) (Room, error) {
	if !roomKeyShaped(key) {
		return Room{}, errs.R(errs.Forbidden, ReasonRoomKey, "not the key of an open room")
	}
	var rm Room
	err := r.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		r.forget(tx)
		rm, err = scanRoom(tx.QueryRow(ctx, `UPDATE live_rooms SET publishing = TRUE, updated_at = ? WHERE stream_key = ? AND is_open RETURNING `+roomCols,
			tx.Now().UnixMilli(), key))
		if store.NoRows(err) {
			return errs.R(errs.Forbidden, ReasonRoomKey, "not the key of an open room")
		}
		return errs.Wrap(err, "publish")
	})
	return rm, err
}

// PublishDone is nginx-rtmp's on_publish_done: the stream ended, the room
// closes (its key stops working). nginx-rtmp reports the name the anchor
// published with (the key), also after its redirect to the public name;
// a key of no open room changes nothing.
func (r *Rooms) PublishDone(ctx context.Context, key string) error {
	if !roomKeyShaped(key) {
		return nil
	}
	var rm Room
	err := r.d.DB.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rm, err = r.close(ctx, tx, "stream_key = ?", key)
		return err
	})
	if store.NoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	r.disable(ctx, rm)
	return nil
}

// Publishing is nginx-rtmp's on_update of a publisher (it reports the key
// the anchor published with): nil while that key's room is open, Forbidden
// (ReasonRoomKey) once it closed, which makes nginx-rtmp drop the stream.
func (r *Rooms) Publishing(ctx context.Context, key string) error {
	if roomKeyShaped(key) {
		n, err := store.Count(ctx, r.d.DB, "SELECT COUNT(*) FROM live_rooms WHERE stream_key = ? AND is_open", key)
		if err != nil {
			return errs.Wrap(err, "read room")
		}
		if n > 0 {
			return nil
		}
	}
	return errs.R(errs.Forbidden, ReasonRoomKey, "not the stream of an open room")
}
