package push_test

import (
	"context"
	"fmt"
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
	if len(d) != 1 || d[0].Token != "ok" || d[0].Title != "t ok" || d[0].Body != "t ok body" || d[0].MsgID == 0 || d[0].Override != 0 {
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

// A resend of a delivered message replaces the first on the phone: it
// carries override_msg_id, the first call's msg_id; when JPush no longer
// knows that msg_id (a day later) the message goes as a new one.
func TestJPushResendOverridesTheFirst(t *testing.T) {
	f := pushtest.NewJPush(t)
	p := newJPush(t, f)
	m := androidMsg("rid-1", "news")
	send := func() {
		t.Helper()
		if r := p.Send(context.Background(), []push.Message{m}); r[0].Outcome != push.Delivered {
			t.Fatalf("%+v", r[0])
		}
	}
	send()
	send()
	d := f.Deliveries()
	if len(d) != 2 || d[0].Override != 0 || d[1].Override != d[0].MsgID {
		t.Fatalf("deliveries %+v: want the resend to override the first msg_id", d)
	}
	// Another push to the same device is a notification of its own.
	other := androidMsg("rid-1", "other news")
	other.CollapseID = "plaza-push-8"
	p.Send(context.Background(), []push.Message{other})
	if d := f.Deliveries(); d[2].Override != 0 {
		t.Fatalf("another push overrides: %+v", d[2])
	}
	f.ExpireMsgIDs()
	send()
	d = f.Deliveries()
	if len(d) != 4 || d[3].Override != 0 || f.Calls() != 5 {
		t.Fatalf("after the msg_id expired: %+v, %d calls", d, f.Calls())
	}
	noProblems(t, f.Problems())
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
