package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"plaza/internal/errs"
)

// DefaultWebhookTimeout bounds each attempt of a Webhook.
const DefaultWebhookTimeout = 5 * time.Second

// defaultWebhookBackoff is the wait before the second and third attempts.
var defaultWebhookBackoff = []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}

// Webhook POSTs each message as JSON ({"to","code","text","time"}) to an
// operator's URL. A 2xx answer means delivered. Network errors, per-attempt
// timeouts and 5xx answers are retried (three attempts by default); 402 means
// the vendor account is in arrears and any other 4xx means the vendor refused
// the message; neither is retried.
type Webhook struct {
	url     string
	client  *http.Client
	timeout time.Duration
	backoff []time.Duration
}

// WebhookOption configures a Webhook.
type WebhookOption func(*Webhook)

// WithTimeout sets the per-attempt timeout (default 5 s). Values <= 0 keep
// the default.
func WithTimeout(d time.Duration) WebhookOption {
	return func(w *Webhook) {
		if d > 0 {
			w.timeout = d
		}
	}
}

// WithBackoff sets the waits between attempts: len(waits)+1 attempts are
// made in all. The default is 200ms, 400ms (three attempts); WithBackoff()
// with no waits makes a single attempt.
func WithBackoff(waits ...time.Duration) WebhookOption {
	return func(w *Webhook) { w.backoff = append([]time.Duration(nil), waits...) }
}

// NewWebhook returns a sender that POSTs to rawURL, which must be an absolute
// http or https URL. A nil client means a fresh http.Client; per-attempt
// timeouts come from the request context, so client.Timeout may stay zero.
func NewWebhook(rawURL string, client *http.Client, opts ...WebhookOption) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // do not echo the URL: it may carry a token
		}
		return nil, fmt.Errorf("sms: invalid webhook URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("sms: invalid webhook URL: scheme must be http or https, not %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("sms: invalid webhook URL: missing host")
	}
	if client == nil {
		client = &http.Client{}
	}
	w := &Webhook{
		url:     rawURL,
		client:  client,
		timeout: DefaultWebhookTimeout,
		backoff: defaultWebhookBackoff,
	}
	for _, o := range opts {
		if o != nil {
			o(w)
		}
	}
	return w, nil
}

// Send delivers m. Failures are *errs.Error of kind Unavailable with reason
// ReasonSMSArrears, ReasonSMSFailed or ReasonSMSUnavailable.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return smsError(ReasonFailed, fmt.Errorf("sms webhook: encode: %w", err))
	}
	attempts := len(w.backoff) + 1
	var last error
	for i := range attempts {
		if i > 0 {
			t := time.NewTimer(w.backoff[i-1])
			select {
			case <-ctx.Done():
				t.Stop()
				return smsError(ReasonUnavailable, fmt.Errorf("sms webhook: %w after %d attempts: %v", ctx.Err(), i, last))
			case <-t.C:
			}
		}
		if err := ctx.Err(); err != nil {
			return smsError(ReasonUnavailable, fmt.Errorf("sms webhook: %w", err))
		}
		retry, err := w.attempt(ctx, body)
		if err == nil {
			return nil
		}
		if !retry {
			return err
		}
		if ctx.Err() != nil {
			// The caller gave up; do not blame the vendor for it and do not retry.
			return smsError(ReasonUnavailable, fmt.Errorf("sms webhook: %w: %v", ctx.Err(), unwrapCause(err)))
		}
		last = unwrapCause(err)
	}
	return smsError(ReasonUnavailable, fmt.Errorf("sms webhook: giving up after %d attempts: %w", attempts, last))
}

// attempt makes one POST. It returns nil on 2xx, else an *errs.Error and
// whether another attempt may help.
func (w *Webhook) attempt(ctx context.Context, body []byte) (retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return false, smsError(ReasonUnavailable, fmt.Errorf("sms webhook: build request: %w", stripURL(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return true, smsError(ReasonUnavailable, fmt.Errorf("sms webhook: post: %w", stripURL(err)))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused

	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return false, nil
	case code == http.StatusPaymentRequired:
		return false, smsError(ReasonArrears, statusErr(resp, snippet))
	case code >= 500:
		return true, smsError(ReasonUnavailable, statusErr(resp, snippet))
	default: // other 4xx, and 1xx/3xx the client did not resolve
		return false, smsError(ReasonFailed, statusErr(resp, snippet))
	}
}

func statusErr(resp *http.Response, snippet []byte) error {
	s := strings.TrimSpace(string(snippet))
	if s == "" {
		return fmt.Errorf("sms webhook: HTTP %s", resp.Status)
	}
	return fmt.Errorf("sms webhook: HTTP %s: %q", resp.Status, s)
}

// stripURL drops the URL from a *url.Error: the webhook URL may carry a
// secret in its query and errors end up in logs.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func unwrapCause(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err
	}
	return err
}

func smsError(reason errs.Reason, cause error) *errs.Error {
	msg := "SMS service unavailable"
	if reason == ReasonFailed {
		msg = "SMS could not be sent"
	}
	return &errs.Error{Kind: errs.Unavailable, Reason: reason, Msg: msg, Err: cause}
}
