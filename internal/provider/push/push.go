// Package push delivers notifications to devices. A Provider sends a batch
// of messages, one per device, and says per message whether it was
// delivered, should be tried again, or will never be (the device's token is
// dead). The notify core keeps the deliveries durably and calls the
// provider of each device's channel (Channels); the outbox mode (the
// default) appends every message to $PLAZA_DATA/outbox/push.jsonl.
package push

import (
	"context"
	"errors"
	"fmt"
	"time"

	"plaza/internal/provider/outbox"
)

// Device types, as the member face's client_type gives them.
const (
	IOS     = "ios"
	Android = "android"
)

// Message is one notification to one device.
type Message struct {
	// Token is the device's address at its vendor: the APNs device token,
	// the FCM registration token, the JPush registration id (the member
	// face's client_id).
	Token      string `json:"token"`
	ClientType string `json:"client_type"` // IOS or Android
	UserID     int64  `json:"user_id"`
	PushID     int64  `json:"push_id"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	// CollapseID is the same for every send of one push to one device
	// (a retry, or a resend after a crash): the phone shows it once
	// (APNs apns-collapse-id, FCM collapse_key and the notification's tag;
	// JPush has no such id on Android: a Keyer's SendKey does its work).
	CollapseID string    `json:"collapse_id"`
	Time       time.Time `json:"time"`
	// SendKey, set by a Keyer, names the vendor call this message goes in
	// (JPush: the call's cid); the messages of one key are sent together,
	// in one call. SendKeyAt is when the key was issued.
	SendKey   string    `json:"send_key,omitempty"`
	SendKeyAt time.Time `json:"-"`
}

// Outcome is what became of one message.
type Outcome int

const (
	// Delivered: the vendor took it.
	Delivered Outcome = iota
	// Retry: not taken this time (the vendor was unavailable, throttled,
	// or failed); try again later.
	Retry
	// Dead: the token will never work again (APNs 410 Unregistered, FCM
	// UNREGISTERED, JPush "no such registration id"): forget the device.
	Dead
	// Rejected: the vendor refuses this message for good (bad request,
	// payload too large, wrong credentials for this token's app); not
	// retried, the device is kept.
	Rejected
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Retry:
		return "retry"
	case Dead:
		return "dead"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Result is the outcome of one message of a batch.
type Result struct {
	Outcome Outcome
	// RetryAfter, with Retry, is how long the vendor asked to wait (0:
	// the core's own backoff).
	RetryAfter time.Duration
	// Detail is the vendor's reason, for the delivery's record ("" when
	// delivered).
	Detail string
}

// Provider sends messages of one channel.
type Provider interface {
	// Send sends msgs and answers one Result per message, in order. It
	// returns early with the Results so far only when ctx ends; the
	// messages without a Result count as Retry.
	Send(ctx context.Context, msgs []Message) []Result
	// Name is the channel's name in records and metrics ("apns", "fcm",
	// "jpush", "outbox").
	Name() string
}

// Keyer is a Provider whose calls carry an idempotency key (JPush's cid: a
// call made again under the cid of one the vendor took is answered as the
// first was, and not pushed again). Before a batch is sent, the notify
// core has Key give a SendKey to the messages that need one, keeps the
// keys with the deliveries durably, and only then calls Send; a message
// keeps its key, and is sent again in the same call under the same key,
// until the answer is recorded. So a resend after a crash between the
// vendor's answer and its record is not shown twice.
type Keyer interface {
	Provider
	// Key sets SendKey and SendKeyAt on the messages of msgs that have no
	// key, or one too old to be kept, grouping them into calls; it keeps
	// the others' keys. It answers nil, or, when keys cannot be had (the
	// vendor refused or was not reached), the Result of the messages it
	// left without a key (the others are sent).
	Key(ctx context.Context, msgs []Message) *Result
}

// Channels picks a device's provider by its client_type.
type Channels struct {
	IOS     Provider
	Android Provider
}

// For is the provider of clientType, or nil for a type no channel serves.
func (c Channels) For(clientType string) Provider {
	switch clientType {
	case IOS:
		return c.IOS
	case Android:
		return c.Android
	}
	return nil
}

// ErrNoChannel is the detail of a message whose device type has no channel.
var ErrNoChannel = errors.New("no push channel for this client_type")

// Outbox writes messages to a JSON-lines file: the local, real delivery
// mode. Every message is delivered.
type Outbox struct{ f *outbox.File }

// NewOutbox returns a provider that appends to path.
func NewOutbox(path string) *Outbox { return &Outbox{f: outbox.New(path)} }

func (o *Outbox) Name() string { return "outbox" }

func (o *Outbox) Send(_ context.Context, msgs []Message) []Result {
	res := make([]Result, len(msgs))
	for i, m := range msgs {
		if err := o.f.Append(m); err != nil {
			res[i] = Result{Outcome: Retry, Detail: err.Error()}
		}
	}
	return res
}
