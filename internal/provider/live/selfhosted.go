package live

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// App is the nginx-rtmp application of self-hosted streams: publish and
// play at rtmp://<host>/live/<name>; the callbacks admit no other.
const App = "live"

// SelfHostedConfig are the addresses of the operator's nginx-rtmp.
type SelfHostedConfig struct {
	Hub         string // shown as the stream's hub (default "plaza")
	PublishHost string // host[:port] anchors publish to (default 127.0.0.1:1935)
	PlayHost    string // host[:port] of RTMP play (default: PublishHost)
	HLSURL      string // base URL of the HLS playlists: <HLSURL><name>.m3u8 (default http://127.0.0.1:8088/hls/)
	Location    *time.Location
}

// SelfHosted is the provider of an nginx-rtmp server run by the operator:
// the anchor publishes rtmp://<publish host>/live/<key>; nginx-rtmp asks
// plaza (on_publish) and, admitted, renames the stream to its public name
// (plaza answers a redirect), which viewers play at rtmp://<play
// host>/live/<name> and <hls url><name>.m3u8.
type SelfHosted struct{ c SelfHostedConfig }

// NewSelfHosted checks c and fills its defaults.
func NewSelfHosted(c SelfHostedConfig) (*SelfHosted, error) {
	if c.Hub == "" {
		c.Hub = "plaza"
	}
	if c.PublishHost == "" {
		c.PublishHost = "127.0.0.1:1935"
	}
	if c.PlayHost == "" {
		c.PlayHost = c.PublishHost
	}
	if c.HLSURL == "" {
		c.HLSURL = "http://127.0.0.1:8088/hls/"
	}
	for _, h := range []string{c.PublishHost, c.PlayHost} {
		if err := CheckHost(h); err != nil {
			return nil, err
		}
	}
	if u, err := url.Parse(c.HLSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("live hls url %q: want http(s)://host/path/", c.HLSURL)
	}
	return &SelfHosted{c: c}, nil
}

// CheckHost refuses what is not a bare host[:port].
func CheckHost(h string) error {
	if h == "" || strings.ContainsAny(h, "/?#@ \t") {
		return fmt.Errorf("live host %q: want host[:port], without scheme or path", h)
	}
	if u, err := url.Parse("rtmp://" + h); err != nil || u.Host != h {
		return fmt.Errorf("live host %q: want host[:port]", h)
	}
	return nil
}

func (p *SelfHosted) Kind() string    { return "selfhosted" }
func (p *SelfHosted) Callbacks() bool { return true }

// Enable and Disable have nothing to do: nginx-rtmp asks plaza at every
// publish (on_publish) and while publishing (on_update).
func (p *SelfHosted) Enable(context.Context, Room) error  { return nil }
func (p *SelfHosted) Disable(context.Context, Room) error { return nil }

// PublishURL is where the anchor publishes: the secret key is the stream
// name.
func (p *SelfHosted) PublishURL(key string) string {
	return "rtmp://" + p.c.PublishHost + "/" + App + "/" + key
}

func (p *SelfHosted) PlayURLs(name string) PlayURLs {
	return PlayURLs{RTMP: "rtmp://" + p.c.PlayHost + "/" + App + "/" + name, HLS: p.c.HLSURL + name + ".m3u8"}
}

func (p *SelfHosted) Stream(r Room) (Stream, error) {
	hls := hostOf(p.c.HLSURL)
	play := p.PlayURLs(r.Name)
	return Stream{
		ID: "selfhosted." + p.c.Hub + "." + r.Name, Hub: p.c.Hub, Title: r.Name,
		PublishKey: r.Key, PublishSecurity: "static",
		Hosts: Hosts{
			Publish:  PublishHosts{RTMP: p.c.PublishHost},
			Live:     LiveHosts{Snapshot: hls, HTTP: hls, HDL: hls, HLS: hls, RTMP: p.c.PlayHost},
			Playback: PlaybackHosts{HTTP: hls, HLS: hls},
			Play:     PlayHosts{HTTP: hls, RTMP: p.c.PlayHost},
		},
		CreatedAt:  stamp(r.OpenedAt, p.c.Location, timeLayout),
		UpdatedAt:  stamp(r.UpdatedAt, p.c.Location, timeLayout),
		ExpireAt:   stamp(r.OpenedAt.Add(StreamLife), p.c.Location, expireLayout),
		PublishURL: p.PublishURL(r.Key),
		PlayURL:    play.RTMP,
	}, nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
