package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// JPushConfig are the settings of the JPush channel (Android in mainland
// China): Push API v3 with the app's key and master secret.
type JPushConfig struct {
	AppKey       string
	MasterSecret string
	// Endpoint replaces https://api.jpush.cn (the Beijing room's
	// https://bjapi.push.jiguang.cn, or a test double).
	Endpoint string
	// BatchSize is the most registration ids of one call (JPush takes
	// 1000); 0: 1000.
	BatchSize int
	// HTTPClient, when set, makes every call (tests).
	HTTPClient *http.Client
}

// JPush sends to Android devices through JPush (极光推送). The messages of
// a batch that carry the same notification go in one call, up to 1000
// registration ids each.
//
// A resend of a message JPush took (same CollapseID, same device) within
// a day carries options.override_msg_id, the msg_id JPush gave the first
// call, so that on the phone it replaces the first notification if still
// shown (or offline) instead of showing a second one. The msg_ids are
// remembered by this process only (a restarted node sends a resend as a
// new notification).
type JPush struct {
	hc    *http.Client
	url   string
	auth  string // "Basic ..."
	batch int
	sent  *sentIDs
	now   func() time.Time
}

// NewJPush checks the settings.
func NewJPush(c JPushConfig) (*JPush, error) {
	if strings.TrimSpace(c.AppKey) == "" || strings.TrimSpace(c.MasterSecret) == "" {
		return nil, errors.New("jpush: the app key and the master secret are needed")
	}
	endpoint := strings.TrimRight(c.Endpoint, "/")
	if endpoint == "" {
		endpoint = "https://api.jpush.cn"
	}
	if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("jpush: endpoint %q: want http(s)://host[:port]", c.Endpoint)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = httpClient()
	}
	n := c.BatchSize
	if n <= 0 || n > 1000 {
		n = 1000
	}
	req, _ := http.NewRequest(http.MethodPost, endpoint, nil)
	req.SetBasicAuth(c.AppKey, c.MasterSecret)
	return &JPush{hc: hc, url: endpoint + "/v3/push", auth: req.Header.Get("Authorization"), batch: n,
		sent: newSentIDs(100_000, 23*time.Hour), now: time.Now}, nil
}

func (j *JPush) Name() string { return "jpush" }

// jpushGroup is the messages of a batch that make one notification.
type jpushGroup struct {
	title, body, collapseID string
	override                int64 // the msg_id a resend replaces (0: none)
}

// Send groups the messages by notification, and sends each group in calls
// of up to 1000 registration ids.
func (j *JPush) Send(ctx context.Context, msgs []Message) []Result {
	res := make([]Result, len(msgs))
	var order []jpushGroup
	groups := map[jpushGroup][]int{}
	for i, m := range msgs {
		g := jpushGroup{m.Title, m.Body, m.CollapseID, j.sent.get(m.CollapseID, m.Token, j.now())}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	var stop *Result // an answer that stands for every call of the batch
	for _, g := range order {
		idx := groups[g]
		for len(idx) > 0 {
			chunk, rest := j.chunk(msgs, idx)
			idx = rest
			switch {
			case stop != nil:
				fill(res, chunk, *stop)
			case ctx.Err() != nil:
				fill(res, chunk, notSent(ctx))
			default:
				stop = j.sendChunk(ctx, g, msgs, chunk, res)
			}
		}
	}
	return res
}

// chunk takes from idx the messages of at most j.batch distinct tokens.
func (j *JPush) chunk(msgs []Message, idx []int) (chunk, rest []int) {
	seen := map[string]bool{}
	for i, k := range idx {
		if !seen[msgs[k].Token] {
			if len(seen) == j.batch {
				return idx[:i], idx[i:]
			}
			seen[msgs[k].Token] = true
		}
	}
	return idx, nil
}

func fill(res []Result, idx []int, r Result) {
	for _, k := range idx {
		res[k] = r
	}
}

// sendChunk sends one call and writes the Results of its messages; it
// answers the Result every further call of the batch gets (a rate limit,
// refused credentials), or nil.
func (j *JPush) sendChunk(ctx context.Context, g jpushGroup, msgs []Message, idx []int, res []Result) *Result {
	var ids []string
	seen := map[string]bool{}
	for _, k := range idx {
		if t := msgs[k].Token; !seen[t] {
			seen[t] = true
			ids = append(ids, t)
		}
	}
	a := j.call(ctx, g, ids)
	switch {
	case a.err != nil:
		fill(res, idx, netError(ctx, a.err))
	case a.status == http.StatusOK:
		fill(res, idx, Result{Outcome: Delivered})
		if a.msgID != 0 {
			now := j.now()
			for _, t := range ids {
				j.sent.put(g.collapseID, t, a.msgID, now)
			}
		}
	case g.override != 0 && a.code == 1003:
		// The msg_id to replace is gone (older than a day): send it as new.
		for _, t := range ids {
			j.sent.forget(g.collapseID, t)
		}
		g.override = 0
		return j.sendChunk(ctx, g, msgs, idx, res)
	case a.deadAudience():
		if len(ids) == 1 {
			fill(res, idx, Result{Outcome: Dead, Detail: a.detail()})
			return nil
		}
		// JPush refused the whole call for its registration ids: none of
		// it was sent. Each id alone tells which are dead.
		byToken := map[string][]int{}
		for _, k := range idx {
			byToken[msgs[k].Token] = append(byToken[msgs[k].Token], k)
		}
		for n, t := range ids {
			if ctx.Err() != nil {
				fill(res, byToken[t], notSent(ctx))
				continue
			}
			if stop := j.sendChunk(ctx, g, msgs, byToken[t], res); stop != nil {
				for _, t2 := range ids[n+1:] {
					fill(res, byToken[t2], *stop)
				}
				return stop
			}
		}
	default:
		r, forAll := a.result()
		fill(res, idx, r)
		if forAll {
			return &r
		}
	}
	return nil
}

// jpushAnswer is what a call came back with.
type jpushAnswer struct {
	err     error
	status  int
	code    int
	message string
	msgID   int64
	reset   time.Duration // X-Rate-Limit-Reset: the rate window's rest
	wait    time.Duration // Retry-After
}

func (a jpushAnswer) detail() string {
	return fmt.Sprintf("%d %d %s", a.status, a.code, a.message)
}

// deadAudience: 1011 (no device with these registration ids, or none
// active for 255 days), or 1003 about a registration id (malformed).
func (a jpushAnswer) deadAudience() bool {
	return a.code == 1011 || a.code == 1003 && strings.Contains(strings.ToLower(a.message), "registration_id")
}

// result maps the other answers (docs/deploy.md, "Push providers"); forAll
// tells that every call of the batch would get the same.
func (a jpushAnswer) result() (r Result, forAll bool) {
	d := a.detail()
	switch {
	case a.status == http.StatusTooManyRequests || a.code == 2002 || a.code == 2008:
		wait := a.reset
		if wait == 0 {
			wait = a.wait
		}
		return Result{Outcome: Retry, RetryAfter: wait, Detail: d}, true
	case a.status == http.StatusUnauthorized || a.code == 1004 || a.code == 1008:
		return Result{Outcome: Rejected, Detail: d}, true
	case a.status >= 500 || a.code == 1000 || a.code == 1030:
		return Result{Outcome: Retry, RetryAfter: a.wait, Detail: d}, false
	}
	return Result{Outcome: Rejected, Detail: d}, false
}

type jpushPush struct {
	Platform string `json:"platform"`
	Audience struct {
		RegistrationID []string `json:"registration_id"`
	} `json:"audience"`
	Notification struct {
		Android struct {
			Alert string `json:"alert"`
			Title string `json:"title,omitempty"`
		} `json:"android"`
	} `json:"notification"`
	Options *struct {
		OverrideMsgID int64 `json:"override_msg_id"`
	} `json:"options,omitempty"`
}

func (j *JPush) call(ctx context.Context, g jpushGroup, ids []string) jpushAnswer {
	var p jpushPush
	p.Platform = "android"
	p.Audience.RegistrationID = ids
	if g.body != "" {
		p.Notification.Android.Alert, p.Notification.Android.Title = g.body, g.title
	} else {
		p.Notification.Android.Alert = g.title // an empty alert is not shown
	}
	if g.override != 0 {
		p.Options = &struct {
			OverrideMsgID int64 `json:"override_msg_id"`
		}{g.override}
	}
	b, _ := json.Marshal(p)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(b))
	if err != nil {
		return jpushAnswer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", j.auth)
	res, err := j.hc.Do(req)
	if err != nil {
		return jpushAnswer{err: err}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var body struct {
		MsgID json.RawMessage `json:"msg_id"`
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	json.Unmarshal(raw, &body)
	a := jpushAnswer{status: res.StatusCode, code: body.Error.Code, message: body.Error.Message}
	a.msgID, _ = strconv.ParseInt(strings.Trim(string(body.MsgID), `"`), 10, 64)
	if s, err := strconv.Atoi(strings.TrimSpace(res.Header.Get("X-Rate-Limit-Reset"))); err == nil && s > 0 {
		a.reset = time.Duration(s) * time.Second
	}
	a.wait = retryAfter(res.Header.Get("Retry-After"), j.now())
	if a.status != http.StatusOK && a.message == "" {
		a.message = http.StatusText(a.status)
	}
	return a
}

// sentIDs remembers, for a while, the msg_id of the call that delivered a
// message to a device (by CollapseID and token), at most max of them.
type sentIDs struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	m     map[string]sentID
	queue []string // keys, oldest first (a key may be in it more than once)
}

type sentID struct {
	id int64
	at time.Time
}

func newSentIDs(max int, ttl time.Duration) *sentIDs {
	return &sentIDs{ttl: ttl, max: max, m: map[string]sentID{}}
}

func sentKey(collapseID, token string) string { return collapseID + "\x00" + token }

func (s *sentIDs) get(collapseID, token string, now time.Time) int64 {
	if collapseID == "" {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[sentKey(collapseID, token)]
	if !ok || now.Sub(e.at) > s.ttl {
		return 0
	}
	return e.id
}

func (s *sentIDs) put(collapseID, token string, id int64, now time.Time) {
	if collapseID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sentKey(collapseID, token)
	s.m[k] = sentID{id, now}
	s.queue = append(s.queue, k)
	for len(s.m) > s.max || len(s.queue) > 2*s.max {
		old := s.queue[0]
		s.queue = s.queue[1:]
		if e, ok := s.m[old]; ok && (len(s.m) > s.max || now.Sub(e.at) > s.ttl) {
			delete(s.m, old)
		}
	}
}

func (s *sentIDs) forget(collapseID, token string) {
	s.mu.Lock()
	delete(s.m, sentKey(collapseID, token))
	s.mu.Unlock()
}

var _ Provider = (*JPush)(nil)
