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
// It is a Keyer: each call carries a cid from JPush's cid pool (GET
// /v3/push/cid), kept with the deliveries before the call is made. JPush
// answers a call made again under the cid of one it took as it answered
// that one, and does not push again: a resend after a crash (or after a
// call that timed out) is not shown twice. A cid lasts a day; a key older
// than KeyTTL is replaced by a new one.
type JPush struct {
	hc     *http.Client
	url    string
	cidURL string
	auth   string // "Basic ..."
	batch  int
	now    func() time.Time
}

// KeyTTL is how long a JPush cid is used (JPush keeps one a day).
const KeyTTL = 20 * time.Hour

// cidBatch is the most cids asked for at once (what JPush gives an app
// that is not VIP).
const cidBatch = 10

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
	return &JPush{hc: hc, url: endpoint + "/v3/push", cidURL: endpoint + "/v3/push/cid", auth: req.Header.Get("Authorization"),
		batch: n, now: time.Now}, nil
}

func (j *JPush) Name() string { return "jpush" }

// jpushGroup is the messages of a batch that make one notification of one
// push, and (with a key) one call.
type jpushGroup struct {
	push        int64
	title, body string
	cid         string // the call's send key ("": none)
}

// jpushGroups groups the messages of msgs that pick takes by push,
// notification and key, in the order of their first message. (Two pushes
// never share a call, even with the same text: a key's deliveries are
// then all of one push, and go with it when it is deleted.)
func jpushGroups(msgs []Message, pick func(Message) bool) ([]jpushGroup, map[jpushGroup][]int) {
	var order []jpushGroup
	groups := map[jpushGroup][]int{}
	for i, m := range msgs {
		if !pick(m) {
			continue
		}
		g := jpushGroup{m.PushID, m.Title, m.Body, m.SendKey}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	return order, groups
}

// Key gives the messages without a key (or with one older than KeyTTL) a
// cid per call: per push, one for each 1000 registration ids. When the
// pool fails, the messages it gave no cid keep theirs (or none).
func (j *JPush) Key(ctx context.Context, msgs []Message) *Result {
	now := j.now()
	order, groups := jpushGroups(msgs, func(m Message) bool {
		return m.SendKey == "" || now.Sub(m.SendKeyAt) >= KeyTTL
	})
	var calls [][]int
	for _, g := range order {
		for idx := groups[g]; len(idx) > 0; {
			var chunk []int
			chunk, idx = j.chunk(msgs, idx)
			calls = append(calls, chunk)
		}
	}
	for len(calls) > 0 {
		n := min(len(calls), cidBatch)
		cids, r := j.cids(ctx, n)
		if r != nil {
			return r
		}
		for i, chunk := range calls[:len(cids)] {
			for _, k := range chunk {
				msgs[k].SendKey, msgs[k].SendKeyAt = cids[i], now
			}
		}
		calls = calls[len(cids):]
	}
	return nil
}

// cids asks JPush's pool for n cids (it may give fewer; at least one).
func (j *JPush) cids(ctx context.Context, n int) ([]string, *Result) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.cidURL+"?type=push&count="+strconv.Itoa(n), nil)
	if err != nil {
		r := netError(ctx, err)
		return nil, &r
	}
	var body struct {
		CIDList []string `json:"cidlist"`
	}
	a := j.do(req, &body)
	if a.err == nil && a.status == http.StatusOK && len(body.CIDList) == 0 {
		a.status, a.message = http.StatusBadGateway, "no cid in the cid pool's answer"
	}
	switch {
	case a.err != nil:
		r := netError(ctx, a.err)
		r.Detail = "cid pool: " + r.Detail
		return nil, &r
	case a.status != http.StatusOK:
		r, _ := a.result()
		if r.Outcome == Rejected && !a.badCredentials() {
			// Only the credentials are refused for good: the push API
			// would refuse them too. Anything else of the pool is tried
			// again.
			r.Outcome = Retry
		}
		r.Detail = "cid pool: " + r.Detail
		return nil, &r
	}
	return body.CIDList[:min(n, len(body.CIDList))], nil
}

// Send groups the messages by notification and key, and sends each group
// in calls of up to 1000 registration ids (a key is one call: Key makes no
// bigger group).
func (j *JPush) Send(ctx context.Context, msgs []Message) []Result {
	res := make([]Result, len(msgs))
	order, groups := jpushGroups(msgs, func(Message) bool { return true })
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
			g.cid = "" // a second call of one key (not made by Key) goes without
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
	case g.cid != "" && a.code == 1003 && strings.Contains(strings.ToLower(a.message), "cid"):
		// The cid is refused (too old, or not this app's): the call goes
		// without one.
		g.cid = ""
		return j.sendChunk(ctx, g, msgs, idx, res)
	case a.deadAudience():
		if len(ids) == 1 {
			fill(res, idx, Result{Outcome: Dead, Detail: a.detail()})
			return nil
		}
		// JPush refused the whole call for its registration ids: none of
		// it was sent. Each id alone tells which are dead, in calls of
		// their own, without the cid (under it, JPush would answer the
		// first of them for all).
		g.cid = ""
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

// badCredentials: the app key or master secret is refused.
func (a jpushAnswer) badCredentials() bool {
	return a.status == http.StatusUnauthorized || a.code == 1004 || a.code == 1008
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
	case a.badCredentials():
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
	CID string `json:"cid,omitempty"`
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
	p.CID = g.cid
	b, _ := json.Marshal(p)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(b))
	if err != nil {
		return jpushAnswer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	return j.do(req, nil)
}

// do makes a call and reads its answer (and, when into is set and the call
// succeeded, its body into into).
func (j *JPush) do(req *http.Request, into any) jpushAnswer {
	req.Header.Set("Authorization", j.auth)
	res, err := j.hc.Do(req)
	if err != nil {
		return jpushAnswer{err: err}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	json.Unmarshal(raw, &body)
	a := jpushAnswer{status: res.StatusCode, code: body.Error.Code, message: body.Error.Message}
	if into != nil && a.status == http.StatusOK {
		if err := json.Unmarshal(raw, into); err != nil {
			a.status, a.message = http.StatusBadGateway, "unreadable answer: "+err.Error()
		}
	}
	if s, err := strconv.Atoi(strings.TrimSpace(res.Header.Get("X-Rate-Limit-Reset"))); err == nil && s > 0 {
		a.reset = time.Duration(s) * time.Second
	}
	a.wait = retryAfter(res.Header.Get("Retry-After"), j.now())
	if a.status != http.StatusOK && a.message == "" {
		a.message = http.StatusText(a.status)
	}
	return a
}

var _ Keyer = (*JPush)(nil)
