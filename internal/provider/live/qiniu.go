package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/qiniu/go-sdk/v7/client"
	"github.com/qiniu/go-sdk/v7/pili"
)

// QiniuConfig are the settings of Qiniu Pili.
type QiniuConfig struct {
	AccessKey, SecretKey string
	Hub                  string // the Pili hub (直播空间)
	PublishDomain        string // RTMP publish domain of the hub
	RTMPPlayDomain       string // RTMP play domain
	HLSPlayDomain        string // HLS play domain (https)
	HDLPlayDomain        string // HTTP-FLV play domain (https); empty: none
	SnapshotDomain       string // empty: the HLS domain
	// APIHost is the Pili API (default pili.qiniuapi.com, over https); a
	// value with a scheme (http://127.0.0.1:9000) is taken as it is (tests).
	APIHost string
	// PublishTTL is how long a signed publish URL is good for (expiry_sk).
	PublishTTL time.Duration
	Location   *time.Location
	Transport  http.RoundTripper // default http.DefaultTransport
}

// Qiniu is the provider of Qiniu Pili (https://developer.qiniu.com/pili).
// Pili v2 makes a stream at its first publish; the stream of a room is
// named by the room's public name (new at every opening). Open lifts any
// ban of that stream, Leave bans it for good (POST
// /v2/hubs/<hub>/streams/<name>/disabled, disabledTill -1), so a publish
// URL of a closed room stops working on Pili too. Publish URLs are signed
// with the hub's "expiry_sk" publish security (set it so on the Pili
// console): the access key and an HMAC of the path and the expiry, as
// pili.SignPublishURL does. Pili does not call plaza back: a Qiniu room is
// open from Open to Leave, and never marked publishing.
type Qiniu struct {
	c   QiniuConfig
	api *pili.Manager
}

// NewQiniu checks c and makes the Pili client.
func NewQiniu(c QiniuConfig) (*Qiniu, error) {
	var missing []string
	for _, f := range []struct{ name, v string }{{"access key", c.AccessKey}, {"secret key", c.SecretKey}, {"hub", c.Hub},
		{"publish domain", c.PublishDomain}, {"rtmp play domain", c.RTMPPlayDomain}, {"hls play domain", c.HLSPlayDomain}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("qiniu live: %s needed", strings.Join(missing, ", "))
	}
	for _, d := range []string{c.PublishDomain, c.RTMPPlayDomain, c.HLSPlayDomain, c.HDLPlayDomain, c.SnapshotDomain} {
		if d != "" {
			if err := CheckHost(d); err != nil {
				return nil, err
			}
		}
	}
	if c.SnapshotDomain == "" {
		c.SnapshotDomain = c.HLSPlayDomain
	}
	if c.PublishTTL <= 0 {
		c.PublishTTL = 24 * time.Hour
	}
	host, scheme := c.APIHost, pili.APIHTTPSScheme
	switch {
	case host == "":
		host = pili.APIHost
	case strings.HasPrefix(host, "http://"):
		host, scheme = strings.TrimPrefix(host, "http://"), pili.APIHTTPScheme
	case strings.HasPrefix(host, "https://"):
		host = strings.TrimPrefix(host, "https://")
	}
	host = strings.TrimSuffix(host, "/")
	if err := CheckHost(host); err != nil {
		return nil, fmt.Errorf("qiniu live api host: %w", err)
	}
	tr := c.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	api := pili.NewManager(pili.ManagerConfig{
		AppName: "plaza", APIHost: host, APIHTTPScheme: scheme, AccessKey: c.AccessKey, SecretKey: c.SecretKey, Transport: tr,
	})
	return &Qiniu{c: c, api: api}, nil
}

func (p *Qiniu) Kind() string    { return "qiniu" }
func (p *Qiniu) Callbacks() bool { return false }

// Enable lifts any ban of the stream; a stream Pili does not know yet
// (it makes it at the first publish) is fine.
func (p *Qiniu) Enable(ctx context.Context, r Room) error {
	err := p.api.StreamDisable(ctx, pili.StreamDisabledRequest{Hub: p.c.Hub, Stream: r.Name, DisabledTill: 0})
	if notFound(err) {
		return nil
	}
	return wrap("enable stream", err)
}

// Disable bans the stream for good (its name is never used again); a
// stream never published (unknown to Pili) is fine.
func (p *Qiniu) Disable(ctx context.Context, r Room) error {
	err := p.api.StreamDisable(ctx, pili.StreamDisabledRequest{Hub: p.c.Hub, Stream: r.Name, DisabledTill: -1})
	if notFound(err) {
		return nil
	}
	return wrap("disable stream", err)
}

// notFound tells a Pili "no such stream" answer (HTTP 404, or Pili's
// code 612).
func notFound(err error) bool {
	var e *client.ErrorInfo
	return errors.As(err, &e) && (e.Code == http.StatusNotFound || e.Code == 612)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("qiniu pili: %s: %w", op, err)
}

// PublishURL signs the publish URL of a stream name, good until expire.
func (p *Qiniu) PublishURL(name string, expire time.Time) (string, error) {
	return pili.SignPublishURL(pili.RTMPPublishURL(p.c.Hub, p.c.PublishDomain, name), pili.SignPublishURLArgs{
		SecurityType: pili.SecurityTypeExpirySK, AccessKey: p.c.AccessKey, SecretKey: p.c.SecretKey, ExpireAt: expire.Unix(),
	})
}

func (p *Qiniu) PlayURLs(name string) PlayURLs {
	u := PlayURLs{RTMP: pili.RTMPPlayURL(p.c.Hub, p.c.RTMPPlayDomain, name), HLS: pili.HLSPlayURL(p.c.Hub, p.c.HLSPlayDomain, name)}
	if p.c.HDLPlayDomain != "" {
		u.HDL = pili.HDLPlayURL(p.c.Hub, p.c.HDLPlayDomain, name)
	}
	return u
}

func (p *Qiniu) Stream(r Room) (Stream, error) {
	expire := r.OpenedAt.Add(p.c.PublishTTL)
	pub, err := p.PublishURL(r.Name, expire)
	if err != nil {
		return Stream{}, wrap("sign publish url", err)
	}
	hdl := p.c.HDLPlayDomain
	if hdl == "" {
		hdl = p.c.HLSPlayDomain
	}
	return Stream{
		ID: "z1." + p.c.Hub + "." + r.Name, Hub: p.c.Hub, Title: r.Name,
		PublishKey: r.Key, PublishSecurity: pili.SecurityTypeExpirySK,
		Hosts: Hosts{
			Publish:  PublishHosts{RTMP: p.c.PublishDomain},
			Live:     LiveHosts{Snapshot: p.c.SnapshotDomain, HTTP: p.c.HLSPlayDomain, HDL: hdl, HLS: p.c.HLSPlayDomain, RTMP: p.c.RTMPPlayDomain},
			Playback: PlaybackHosts{HTTP: p.c.HLSPlayDomain, HLS: p.c.HLSPlayDomain},
			Play:     PlayHosts{HTTP: p.c.HLSPlayDomain, RTMP: p.c.RTMPPlayDomain},
		},
		CreatedAt:  stamp(r.OpenedAt, p.c.Location, timeLayout),
		UpdatedAt:  stamp(r.UpdatedAt, p.c.Location, timeLayout),
		ExpireAt:   stamp(expire, p.c.Location, expireLayout),
		PublishURL: pub,
		PlayURL:    p.PlayURLs(r.Name).RTMP,
	}, nil
}
