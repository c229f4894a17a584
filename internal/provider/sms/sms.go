// Package sms sends verification codes by text message. The outbox mode
// appends every message to a JSON-lines file (the default, for local use);
// the webhook mode POSTs the same JSON to an operator's URL; the aliyun and
// tencent modes call the vendors' SendSms through their SDKs with an
// approved template (package smstest has local fakes of both APIs).
package sms

import (
	"context"
	"time"

	"plaza/internal/errs"
	"plaza/internal/provider/outbox"
)

// Message is one text message.
type Message struct {
	To   string    `json:"to"`   // area code and number, digits only: "8613800138000"
	Code string    `json:"code"` // the verification code it carries
	Text string    `json:"text"` // the full text
	Time time.Time `json:"time"`
}

// Sender delivers messages. Failures are *errs.Error of kind Unavailable with
// reason ReasonSMSArrears, ReasonSMSFailed or ReasonSMSUnavailable.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Outbox writes messages to a JSON-lines file.
type Outbox struct{ f *outbox.File }

// NewOutbox returns a sender that appends to path.
func NewOutbox(path string) *Outbox { return &Outbox{f: outbox.New(path)} }

func (o *Outbox) Send(_ context.Context, m Message) error {
	if err := o.f.Append(m); err != nil {
		return &errs.Error{Kind: errs.Unavailable, Reason: ReasonUnavailable, Msg: "SMS service unavailable", Err: err}
	}
	return nil
}

// Reasons of the Unavailable errors of SMS delivery.
var (
	ReasonArrears     = errs.NewReason("sms.arrears")     // the vendor wants money
	ReasonFailed      = errs.NewReason("sms.failed")      // the vendor refused the message
	ReasonUnavailable = errs.NewReason("sms.unavailable") // the vendor cannot be reached
)
