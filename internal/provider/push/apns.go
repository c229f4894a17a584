package push

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sideshow/apns2"
	"github.com/sideshow/apns2/payload"
	"github.com/sideshow/apns2/token"
	"golang.org/x/net/http2"
)

// APNsConfig are the settings of the APNs channel (iOS): token-based
// authentication with a .p8 signing key of the Apple developer account.
type APNsConfig struct {
	KeyFile    string // the .p8 file (PKCS#8 PEM of an ECDSA P-256 key)
	KeyID      string // the key's id (10 characters, on the key's page)
	TeamID     string // the developer account's team id
	Topic      string // the app's bundle id
	Production bool   // api.push.apple.com; false: api.sandbox.push.apple.com
	// Host replaces the host of Production ("https://host:port"), for a
	// test double or a relay.
	Host string
	// CAFile, when set, is a PEM file of certificates the connection to
	// Host trusts besides the system's (a test double's).
	CAFile string
	// Concurrency is how many messages are in flight at once (HTTP/2
	// streams on one connection); 0: 16.
	Concurrency int
}

// APNs sends to iOS devices through Apple's HTTP/2 provider API.
type APNs struct {
	client *apns2.Client
	token  *token.Token
	topic  string
	n      int
}

// NewAPNs reads the signing key and prepares the client; it connects at
// the first message.
func NewAPNs(c APNsConfig) (*APNs, error) {
	for _, f := range []struct{ name, v string }{{"key file", c.KeyFile}, {"key id", c.KeyID}, {"team id", c.TeamID}, {"topic", c.Topic}} {
		if strings.TrimSpace(f.v) == "" {
			return nil, fmt.Errorf("apns: the %s is empty", f.name)
		}
	}
	key, err := token.AuthKeyFromFile(c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("apns: key file %s: %w", c.KeyFile, err)
	}
	tok := &token.Token{AuthKey: key, KeyID: c.KeyID, TeamID: c.TeamID}
	if _, err := tok.Generate(); err != nil {
		return nil, fmt.Errorf("apns: sign a provider token: %w", err)
	}
	client := apns2.NewTokenClient(tok)
	client.HTTPClient.Timeout = sendTimeout
	if c.Production {
		client.Production()
	} else {
		client.Development()
	}
	if c.Host != "" {
		u, err := url.Parse(c.Host)
		if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("apns: host %q: want https://host[:port]", c.Host)
		}
		client.Host = "https://" + u.Host
	}
	if c.CAFile != "" {
		roots, err := rootCAs(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("apns: CA file: %w", err)
		}
		client.HTTPClient.Transport = &http2.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots},
			DialTLS:         apns2.DialTLS,
			ReadIdleTimeout: apns2.ReadIdleTimeout,
		}
	}
	n := c.Concurrency
	if n <= 0 {
		n = 16
	}
	return &APNs{client: client, token: tok, topic: c.Topic, n: n}, nil
}

func (a *APNs) Name() string { return "apns" }

// Send sends every message on its own HTTP/2 stream, 16 at a time.
func (a *APNs) Send(ctx context.Context, msgs []Message) []Result {
	return eachMessage(ctx, msgs, a.n, a.send)
}

func (a *APNs) send(ctx context.Context, m Message) Result {
	p := payload.NewPayload().AlertTitle(m.Title)
	if m.Body != "" {
		p.AlertBody(m.Body)
	}
	n := &apns2.Notification{
		DeviceToken: m.Token,
		Topic:       a.topic,
		CollapseID:  m.CollapseID,
		PushType:    apns2.PushTypeAlert,
		Payload:     p,
	}
	res, err := a.client.PushWithContext(ctx, n)
	if err != nil {
		return netError(ctx, err)
	}
	r := apnsResult(res.StatusCode, res.Reason)
	if res.Reason == apns2.ReasonExpiredProviderToken {
		a.renewToken()
	}
	return r
}

// renewToken makes the next message sign a new provider token.
func (a *APNs) renewToken() {
	a.token.Lock()
	a.token.IssuedAt = 0
	a.token.Unlock()
}

// apnsResult maps an APNs answer (docs/deploy.md, "Push providers").
func apnsResult(status int, reason string) Result {
	detail := fmt.Sprintf("%d %s", status, reason)
	switch {
	case status == http.StatusOK:
		return Result{Outcome: Delivered}
	case status == http.StatusGone, // Unregistered
		status == http.StatusBadRequest && (reason == apns2.ReasonBadDeviceToken || reason == apns2.ReasonDeviceTokenNotForTopic):
		return Result{Outcome: Dead, Detail: detail}
	case status == http.StatusTooManyRequests, status >= 500,
		status == http.StatusForbidden && reason == apns2.ReasonExpiredProviderToken, // renewed for the next try
		status == http.StatusBadRequest && reason == apns2.ReasonIdleTimeout:
		return Result{Outcome: Retry, Detail: detail}
	}
	// 403 InvalidProviderToken (key id, team id or key wrong), BadTopic,
	// PayloadTooLarge, ...: this message will never be taken as it is.
	return Result{Outcome: Rejected, Detail: detail}
}

var _ Provider = (*APNs)(nil)
