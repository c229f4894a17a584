package push_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"plaza/internal/provider/push"
	"plaza/internal/provider/push/pushtest"
)

func newJPush(t *testing.T, f *pushtest.JPush) *push.JPush {
	t.Helper()
	p, err := push.NewJPush(f.Config())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Every JPush answer maps to its outcome (one call each: a call's answer
// is the answer of all its registration ids).
func TestJPushOutcomes(t *testing.T) {
	f := pushtest.NewJPush(t)
	p := newJPush(t, f)
	for id, a := range map[string]pushtest.JPushAnswer{
		"unknown":   {Unknown: true},
		"malformed": {Status: 400, Code: 1003, Message: "The registration_id malformed is invalid!"},
		"bad-param": {Status: 400, Code: 1003, Message: "Parameter value is invalid"},
		"authen":    {Status: 401, Code: 1004, Message: "Authen failed"},
		"appkey":    {Status: 400, Code: 1008, Message: "app_key is invalid"},
		"rate":      {Status: 429, Code: 2002, Message: "Rate limiting", RateLimitReset: "42"},
		"broadcast": {Status: 429, Code: 2008, Message: "broadcast frequency limit"},
		"internal":  {Status: 500, Code: 1000, Message: "Internal error"},
		"timeout":   {Status: 503, Code: 1030, Message: "internal service timeout"},
		"too-big":   {Status: 400, Code: 1005, Message: "Msg content too long"},
	} {
		f.SetAnswer(id, a)
	}
	for _, c := range []outcomeCase{
		{"ok", push.Delivered, "", 0},
		{"unknown", push.Dead, "400 1011 cannot find user", 0},
		{"malformed", push.Dead, "400 1003 The registration_id", 0},
		{"bad-param", push.Rejected, "400 1003", 0},
		{"authen", push.Rejected, "401 1004", 0},
		{"appkey", push.Rejected, "400 1008", 0},
		{"rate", push.Retry, "429 2002", 42 * time.Second},
		{"broadcast", push.Retry, "429 2008", 60 * time.Second}, // the window's X-Rate-Limit-Reset
		{"internal", push.Retry, "500 1000", 0},
		{"timeout", push.Retry, "503 1030", 0},
		{"too-big", push.Rejected, "400 1005", 0},
	} {
		res := p.Send(context.Background(), []push.Message{androidMsg(c.token, "t "+c.token)})
		checkResults(t, res, []outcomeCase{c})
	}
	noProblems(t, f.Problems())
	d := f.Deliveries()
	if len(d) != 1 || d[0].Token != "ok" || d[0].Title != "t ok" || d[0].Body != "t ok body" || d[0].MsgID == 0 || d[0].CID != "" {
		t.Fatalf("deliveries %+v", d)
	}
}

// A batch goes in calls of up to 1000 registration ids per notification.
func TestJPushBatches(t *testing.T) {
	f := pushtest.NewJPush(t)
	var msgs []push.Message
	for i := range 2500 {
		msgs = append(msgs, androidMsg(fmt.Sprintf("rid-%04d", i), "everyone"))
	}
	// Two other pushes in the same batch: a call each.
	a, b := androidMsg("rid-0001", "other"), androidMsg("rid-0002", "third")
	a.CollapseID, b.CollapseID = "plaza-push-8", "plaza-push-9"
	msgs = append(msgs[:10], append([]push.Message{a, b}, msgs[10:]...)...)
	res := newJPush(t, f).Send(context.Background(), msgs)
	for i, r := range res {
		if r.Outcome != push.Delivered {
			t.Fatalf("message %d: %v %s", i, r.Outcome, r.Detail)
		}
	}
	if got := f.CallSizes(); !reflect.DeepEqual(got, []int{1000, 1000, 500, 1, 1}) {
		t.Fatalf("calls of %v ids", got)
	}
	if n := len(f.Deliveries()); n != 2502 {
		t.Fatalf("%d deliveries", n)
	}
	noProblems(t, f.Problems())
}

// A call refused with 1011 sent nothing: each of its ids alone tells which
// are dead, whether JPush refuses a call for one unknown id (Strict) or
// only when all are.
func TestJPushFindsTheDeadOfABatch(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			f := pushtest.NewJPush(t)
			f.Strict = strict
			ids := []string{"live-1", "dead-1", "live-2", "dead-2", "live-3"}
			f.SetAnswer("dead-1", pushtest.JPushAnswer{Unknown: true})
			f.SetAnswer("dead-2", pushtest.JPushAnswer{Unknown: true})
			var msgs []push.Message
			for _, id := range ids {
				msgs = append(msgs, androidMsg(id, "hello"))
			}
			res := newJPush(t, f).Send(context.Background(), msgs)
			want := []push.Outcome{push.Delivered, push.Delivered, push.Delivered, push.Delivered, push.Delivered}
			calls := []int{5}
			if strict {
				want = []push.Outcome{push.Delivered, push.Dead, push.Delivered, push.Dead, push.Delivered}
				calls = []int{5, 1, 1, 1, 1, 1}
			}
			for i, r := range res {
				if r.Outcome != want[i] {
					t.Errorf("%s: %v %s, want %v", ids[i], r.Outcome, r.Detail, want[i])
				}
			}
			if got := f.CallSizes(); !reflect.DeepEqual(got, calls) {
				t.Errorf("calls of %v ids, want %v", got, calls)
			}
			if n := len(f.Deliveries()); n != 3 {
				t.Errorf("%d deliveries, want one per live id", n)
			}
			noProblems(t, f.Problems())
		})
	}
	// All dead (JPush's 1011 for a call with no known id): all Dead.
	f := pushtest.NewJPush(t)
	var msgs []push.Message
	for i := range 3 {
		id := fmt.Sprintf("gone-%d", i)
		f.SetAnswer(id, pushtest.JPushAnswer{Unknown: true})
		msgs = append(msgs, androidMsg(id, "hello"))
	}
	for i, r := range newJPush(t, f).Send(context.Background(), msgs) {
		if r.Outcome != push.Dead {
			t.Errorf("message %d: %v %s", i, r.Outcome, r.Detail)
		}
	}
}

// A rate limit or refused credentials stand for the rest of the batch: no
// further call.
func TestJPushStopsTheBatch(t *testing.T) {
	f := pushtest.NewJPush(t)
	f.SetAnswer("limited", pushtest.JPushAnswer{Status: 429, Code: 2002, Message: "Rate limiting", RateLimitReset: "17"})
	a, b, c := androidMsg("limited", "one"), androidMsg("x", "two"), androidMsg("y", "three")
	b.CollapseID, c.CollapseID = "plaza-push-8", "plaza-push-9"
	res := newJPush(t, f).Send(context.Background(), []push.Message{a, b, c})
	for i, r := range res {
		if r.Outcome != push.Retry || r.RetryAfter != 17*time.Second {
			t.Errorf("message %d: %+v", i, r)
		}
	}
	if n := f.Calls(); n != 1 {
		t.Errorf("%d calls after a rate limit", n)
	}

	cfg := f.Config()
	cfg.MasterSecret = "wrong"
	wrong, err := push.NewJPush(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res = wrong.Send(context.Background(), []push.Message{b, c})
	for i, r := range res {
		if r.Outcome != push.Rejected || !strings.Contains(r.Detail, "1004") {
			t.Errorf("wrong secret, message %d: %+v", i, r)
		}
	}
	if n := f.Calls(); n != 2 {
		t.Errorf("%d calls after refused credentials", n)
	}
	if p := f.Problems(); len(p) != 1 || !strings.Contains(p[0], "basic auth") {
		t.Errorf("problems %q", p)
	}
}

// Key gives each call a cid of JPush's pool: per notification, one for
// each 1000 registration ids, ten asked for at a time. A key is kept while
// it is young; one older than KeyTTL is replaced.
func TestJPushKeys(t *testing.T) {
	f := pushtest.NewJPush(t)
	p := newJPush(t, f)
	var msgs []push.Message
	for i := range 2500 {
		msgs = append(msgs, androidMsg(fmt.Sprintf("rid-%04d", i), "everyone"))
	}
	for i := range 12 {
		msgs = append(msgs, androidMsg("rid-0001", fmt.Sprint("push ", i)))
	}
	if r := p.Key(context.Background(), msgs); r != nil {
		t.Fatalf("key: %+v", r)
	}
	sizes := map[string]int{}
	for i, m := range msgs {
		if !strings.HasPrefix(m.SendKey, f.AppKey+"-") || time.Since(m.SendKeyAt) > time.Minute {
			t.Fatalf("message %d: key %q at %v", i, m.SendKey, m.SendKeyAt)
		}
		sizes[m.SendKey]++
	}
	if len(sizes) != 3+12 || sizes[msgs[0].SendKey] != 1000 || sizes[msgs[2000].SendKey] != 500 {
		t.Fatalf("calls by key: %v", sizes)
	}
	if n := f.CIDCalls(); n != 2 {
		t.Fatalf("%d calls to the cid pool for 15 cids, want 2", n)
	}
	// Young keys are kept; an old one is replaced.
	old := msgs[2500].SendKey
	msgs[2500].SendKeyAt = time.Now().Add(-push.KeyTTL - time.Minute)
	kept := msgs[0].SendKey
	if r := p.Key(context.Background(), msgs); r != nil {
		t.Fatalf("key: %+v", r)
	}
	if msgs[0].SendKey != kept || msgs[2500].SendKey == old || f.CIDCalls() != 3 {
		t.Fatalf("keys after a second Key: %q (was %q), %q (was %q), %d cid calls", msgs[0].SendKey, kept, msgs[2500].SendKey, old, f.CIDCalls())
	}
	noProblems(t, f.Problems())
}

// Two pushes never share a call, nor a key, even with the same text.
func TestJPushPushesApart(t *testing.T) {
	f := pushtest.NewJPush(t)
	p := newJPush(t, f)
	a, b := androidMsg("rid-1", "same"), androidMsg("rid-2", "same")
	b.PushID, b.CollapseID = 8, "plaza-push-8"
	msgs := []push.Message{a, b}
	if r := p.Key(context.Background(), msgs); r != nil {
		t.Fatalf("key: %+v", r)
	}
	if msgs[0].SendKey == msgs[1].SendKey {
		t.Fatalf("one key for two pushes: %q", msgs[0].SendKey)
	}
	p.Send(context.Background(), msgs)
	if got := f.CallSizes(); !reflect.DeepEqual(got, []int{1, 1}) {
		t.Fatalf("calls of %v ids", got)
	}
}

// A cid pool that fails for anything but the credentials is tried again.
func TestJPushKeyPoolFailsForNow(t *testing.T) {
	pool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":{"code":1003,"message":"type is not allowed here"}}`))
	}))
	defer pool.Close()
	p, err := push.NewJPush(push.JPushConfig{AppKey: "k", MasterSecret: "s", Endpoint: pool.URL})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Key(context.Background(), []push.Message{androidMsg("a", "x")}); r == nil || r.Outcome != push.Retry || !strings.Contains(r.Detail, "cid pool: 403 1003") {
		t.Fatalf("%+v", r)
	}
}

// A call made again under its key (a resend after a crash, or after an
// answer that never came) is answered as the first, and not pushed again.
func TestJPushKeyedResendIsPushedOnce(t *testing.T) {
	f := pushtest.NewJPush(t)
	p := newJPush(t, f)
	var msgs []push.Message
	for i := range 1500 {
		msgs = append(msgs, androidMsg(fmt.Sprintf("rid-%04d", i), "news"))
	}
	if r := p.Key(context.Background(), msgs); r != nil {
		t.Fatalf("key: %+v", r)
	}
	for try := range 3 {
		for i, r := range p.Send(context.Background(), msgs) {
			if r.Outcome != push.Delivered {
				t.Fatalf("try %d, message %d: %+v", try, i, r)
			}
		}
	}
	d := f.Deliveries()
	if len(d) != 1500 || f.Repeats() != 4 || f.Calls() != 6 {
		t.Fatalf("%d deliveries, %d repeats, %d calls: want 1500, 4 (2 calls twice), 6", len(d), f.Repeats(), f.Calls())
	}
	for i, x := range d {
		if x.CID != msgs[i].SendKey {
			t.Fatalf("delivery %d under cid %q, its key is %q", i, x.CID, msgs[i].SendKey)
		}
	}
	noProblems(t, f.Problems())

	// A cid JPush no longer knows (a day later): the call goes without it.
	f.ExpireCIDs()
	for i, r := range p.Send(context.Background(), msgs[:1]) {
		if r.Outcome != push.Delivered {
			t.Fatalf("expired cid, message %d: %+v", i, r)
		}
	}
	if d := f.Deliveries(); len(d) != 1501 || d[1500].CID != "" {
		t.Fatalf("after the cid expired: %d deliveries, last %+v", len(d), d[len(d)-1])
	}
}

// A keyed call refused for a dead id: each id alone goes without the cid
// (under it, JPush would answer the first of them for all).
func TestJPushKeyedDeadAudience(t *testing.T) {
	f := pushtest.NewJPush(t)
	f.Strict = true
	f.SetAnswer("dead", pushtest.JPushAnswer{Unknown: true})
	p := newJPush(t, f)
	msgs := []push.Message{androidMsg("live-1", "hi"), androidMsg("dead", "hi"), androidMsg("live-2", "hi")}
	if r := p.Key(context.Background(), msgs); r != nil {
		t.Fatalf("key: %+v", r)
	}
	want := []push.Outcome{push.Delivered, push.Dead, push.Delivered}
	for i, r := range p.Send(context.Background(), msgs) {
		if r.Outcome != want[i] {
			t.Errorf("message %d: %+v, want %v", i, r, want[i])
		}
	}
	if d := f.Deliveries(); len(d) != 2 || d[0].CID != "" || d[1].CID != "" {
		t.Fatalf("deliveries %+v", d)
	}
	noProblems(t, f.Problems())
}

// When no cid can be had, Key answers the Result of every message: the
// vendor's refusal, or a retry when it cannot be reached.
func TestJPushKeyFails(t *testing.T) {
	f := pushtest.NewJPush(t)
	cfg := f.Config()
	cfg.MasterSecret = "wrong"
	wrong, err := push.NewJPush(cfg)
	if err != nil {
		t.Fatal(err)
	}
	msgs := []push.Message{androidMsg("a", "x")}
	if r := wrong.Key(context.Background(), msgs); r == nil || r.Outcome != push.Rejected || !strings.Contains(r.Detail, "cid pool: 401 1004") {
		t.Fatalf("wrong secret: %+v", r)
	}
	cfg = f.Config()
	cfg.Endpoint = "http://127.0.0.1:1"
	gone, err := push.NewJPush(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r := gone.Key(context.Background(), msgs); r == nil || r.Outcome != push.Retry || !strings.HasPrefix(r.Detail, "cid pool: ") {
		t.Fatalf("unreachable: %+v", r)
	}
	if msgs[0].SendKey != "" {
		t.Fatalf("a key after a failure: %q", msgs[0].SendKey)
	}
}

// An empty body: the title is the alert (an empty alert is not shown).
func TestJPushTitleOnly(t *testing.T) {
	f := pushtest.NewJPush(t)
	m := androidMsg("rid-1", "just a title")
	m.Body = ""
	newJPush(t, f).Send(context.Background(), []push.Message{m})
	if d := f.Deliveries(); len(d) != 1 || d[0].Body != "just a title" || d[0].Title != "" {
		t.Fatalf("%+v", d)
	}
}

func TestJPushCancel(t *testing.T) {
	f := pushtest.NewJPush(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := newJPush(t, f).Send(ctx, []push.Message{androidMsg("a", "x"), androidMsg("b", "y")})
	for i, r := range res {
		if r.Outcome != push.Retry {
			t.Errorf("message %d: %+v", i, r)
		}
	}
	if n := f.Calls(); n != 0 {
		t.Fatalf("%d calls with an ended context", n)
	}
}

func TestNewJPushRefusesBadSettings(t *testing.T) {
	for name, c := range map[string]push.JPushConfig{
		"no key":       {MasterSecret: "s"},
		"no secret":    {AppKey: "k"},
		"bad endpoint": {AppKey: "k", MasterSecret: "s", Endpoint: "api.jpush.cn"},
	} {
		if _, err := push.NewJPush(c); err == nil || !strings.HasPrefix(err.Error(), "jpush: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
