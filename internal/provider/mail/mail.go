// Package mail sends verification codes by e-mail, through SMTP or to the
// outbox file $PLAZA_DATA/outbox/mail.jsonl.
package mail

import (
	"context"
	"time"

	"plaza/internal/errs"
	"plaza/internal/provider/outbox"
)

// Message is one e-mail.
type Message struct {
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	Code    string    `json:"code"`
	Time    time.Time `json:"time"`
}

// Sender delivers mail. Failures are *errs.Error of kind Unavailable with
// reason ReasonMailUnavailable.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Outbox writes mail to a JSON-lines file.
type Outbox struct{ f *outbox.File }

// NewOutbox returns a sender that appends to path.
func NewOutbox(path string) *Outbox { return &Outbox{f: outbox.New(path)} }

func (o *Outbox) Send(_ context.Context, m Message) error {
	if err := o.f.Append(m); err != nil {
		return unavailable(err)
	}
	return nil
}

func unavailable(err error) error {
	return &errs.Error{Kind: errs.Unavailable, Reason: ReasonUnavailable, Msg: "mail service unavailable", Err: err}
}

// ReasonUnavailable marks the Unavailable error of mail that could not be sent.
var ReasonUnavailable = errs.NewReason("mail.unavailable")
