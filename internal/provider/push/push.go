// Package push delivers notifications to devices. The outbox mode (the
// default) appends every delivery to $PLAZA_DATA/outbox/push.jsonl.
package push

import (
	"context"
	"time"

	"plaza/internal/provider/outbox"
)

// Device is where a notification goes.
type Device struct {
	ClientID   string `json:"client_id"`
	ClientType string `json:"client_type"` // android | ios
	UserID     int64  `json:"user_id"`
}

// Notification is one push to a set of devices.
type Notification struct {
	PushID  int64     `json:"push_id"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Devices []Device  `json:"devices"`
	Time    time.Time `json:"time"`
}

// Sender delivers notifications.
type Sender interface {
	Send(ctx context.Context, n Notification) error
}

// Outbox writes notifications to a JSON-lines file.
type Outbox struct{ f *outbox.File }

// NewOutbox returns a sender that appends to path.
func NewOutbox(path string) *Outbox { return &Outbox{f: outbox.New(path)} }

func (o *Outbox) Send(_ context.Context, n Notification) error { return o.f.Append(n) }
