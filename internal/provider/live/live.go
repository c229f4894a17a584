// Package live holds the stream providers of the live rooms
// (internal/live): where an anchor publishes and viewers play, and the
// description of a stream the live face hands to the anchor's app (shaped
// like the Qiniu Pili stream JSON of the original API document).
//
// Two providers: SelfHosted (the default: an nginx-rtmp server of the
// operator, whose on_publish callback asks plaza about the secret key) and
// Qiniu (Qiniu Pili through its Go SDK).
//
// A room has two names. Key is secret: the anchor publishes with it, and
// it is new at every opening of the room. Name is public: viewers play it
// (it is in the friend list's playUrl), new at every opening too. Knowing
// a play URL thus never lets one publish into the room.
package live

import (
	"context"
	"time"
)

// Room is what a provider knows of a room at its opening.
type Room struct {
	UserID    int64
	Title     string // the room's title (as the anchor gave it)
	Key       string // secret publish key
	Name      string // public stream name
	OpenedAt  time.Time
	UpdatedAt time.Time
}

// Provider is a stream provider.
type Provider interface {
	// Kind is the provider's setting value: "selfhosted" or "qiniu".
	Kind() string
	// Enable readies the stream of a room about to open (Qiniu: lifts
	// any ban of the stream on Pili). An error keeps the room closed.
	Enable(ctx context.Context, r Room) error
	// Disable ends the stream of a room that closed (Qiniu: bans the
	// stream on Pili, so its publish URL stops working there too).
	Disable(ctx context.Context, r Room) error
	// Stream describes the stream of an open room.
	Stream(r Room) (Stream, error)
	// PlayURLs are the play addresses of a stream name.
	PlayURLs(name string) PlayURLs
	// Callbacks tells whether publishing is reported to plaza by the
	// nginx-rtmp callbacks (on_publish, on_publish_done, on_update).
	Callbacks() bool
}

// PlayURLs are the addresses viewers play a stream at.
type PlayURLs struct {
	RTMP string
	HLS  string
	HDL  string // HTTP-FLV; empty when the provider has none
}

// Stream is the description of a stream, in the shape of the Qiniu Pili
// stream JSON of the original document (its field names, and its time
// formats: createdAt/updatedAt with milliseconds, expireAt with
// nanoseconds, in the server's time zone), plus publishUrl (secret: the
// anchor's alone) and playUrl.
type Stream struct {
	ID              string `json:"id"`
	Hub             string `json:"hub"`
	Title           string `json:"title"` // the stream's name, as on Pili (not the room's title)
	PublishKey      string `json:"publishKey"`
	PublishSecurity string `json:"publishSecurity"`
	Nonce           int    `json:"nonce"`
	Disabled        bool   `json:"disabled"`
	DisabledTill    int64  `json:"disabledTill"`
	NropEnable      *bool  `json:"nropEnable"` // always null, as in the document
	Hosts           Hosts  `json:"hosts"`
	CreatedAt       string `json:"createdAt"`
	UpdatedAt       string `json:"updatedAt"`
	ExpireAt        string `json:"expireAt"`
	PublishURL      string `json:"publishUrl"`
	PlayURL         string `json:"playUrl"`
}

// Hosts are the host names of a stream, as in the document.
type Hosts struct {
	Publish  PublishHosts  `json:"publish"`
	Live     LiveHosts     `json:"live"`
	Playback PlaybackHosts `json:"playback"`
	Play     PlayHosts     `json:"play"`
}

type PublishHosts struct {
	RTMP string `json:"rtmp"`
}

type LiveHosts struct {
	Snapshot string `json:"snapshot"`
	HTTP     string `json:"http"`
	HDL      string `json:"hdl"`
	HLS      string `json:"hls"`
	RTMP     string `json:"rtmp"`
}

type PlaybackHosts struct {
	HTTP string `json:"http"`
	HLS  string `json:"hls"`
}

type PlayHosts struct {
	HTTP string `json:"http"`
	RTMP string `json:"rtmp"`
}

// The document's time formats.
const (
	timeLayout   = "2006-01-02T15:04:05.000Z07:00"
	expireLayout = time.RFC3339Nano
)

// StreamLife is the expireAt of a self-hosted stream after its opening
// (Pili's default life of a stream; a self-hosted stream does not expire,
// the field is there for the shape).
const StreamLife = 15 * 24 * time.Hour

func stamp(t time.Time, loc *time.Location, layout string) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(layout)
}
