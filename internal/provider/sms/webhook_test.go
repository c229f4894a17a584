package sms

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"plaza/internal/errs"
)

var testMsg = Message{
	To:   "8613800138000",
	Code: "123456",
	Text: "Your code is 123456",
	Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
}

const testJSON = `{"to":"8613800138000","code":"123456","text":"Your code is 123456","time":"2024-01-02T03:04:05Z"}`

// fastWebhook returns a Webhook for srv with tiny backoffs.
func fastWebhook(t *testing.T, url string, opts ...WebhookOption) *Webhook {
	t.Helper()
	opts = append([]WebhookOption{WithBackoff(time.Millisecond, time.Millisecond)}, opts...)
	w, err := NewWebhook(url, nil, opts...)
	if err != nil {
		t.Fatalf("NewWebhook: %v", err)
	}
	return w
}

// statusServer answers each request with the next status of codes (the last
// one repeats) and counts requests.
func statusServer(t *testing.T, codes ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(codes[min(i, len(codes)-1)])
		_, _ = io.WriteString(w, "vendor says no")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func wantSMSErr(t *testing.T, err error, reason errs.Reason) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *errs.Error", err, err)
	}
	if e.Kind != errs.Unavailable || e.Reason != reason {
		t.Fatalf("err = %v, want kind unavailable, reason %s", err, reason)
	}
	if e.Msg == "" || e.Err == nil {
		t.Fatalf("err = %#v, want Msg and cause", e)
	}
}

func TestWebhookSuccess(t *testing.T) {
	type got struct {
		method, ctype, body string
	}
	ch := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- got{r.Method, r.Header.Get("Content-Type"), string(b)}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	if err := fastWebhook(t, srv.URL+"/sms?token=x").Send(context.Background(), testMsg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	g := <-ch
	if g.method != http.MethodPost {
		t.Errorf("method = %s", g.method)
	}
	if g.ctype != "application/json" {
		t.Errorf("Content-Type = %q", g.ctype)
	}
	if g.body != testJSON {
		t.Errorf("body =\n%s\nwant\n%s", g.body, testJSON)
	}
}

func TestWebhookStatusMapping(t *testing.T) {
	for _, tc := range []struct {
		code     int
		reason   errs.Reason
		requests int32
	}{
		{http.StatusPaymentRequired, ReasonArrears, 1},
		{http.StatusBadRequest, ReasonFailed, 1},
		{http.StatusForbidden, ReasonFailed, 1},
		{http.StatusInternalServerError, ReasonUnavailable, 3},
		{http.StatusBadGateway, ReasonUnavailable, 3},
	} {
		t.Run(http.StatusText(tc.code), func(t *testing.T) {
			srv, n := statusServer(t, tc.code)
			err := fastWebhook(t, srv.URL).Send(context.Background(), testMsg)
			wantSMSErr(t, err, tc.reason)
			if got := n.Load(); got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
		})
	}
}

func TestWebhookRetryThenSuccess(t *testing.T) {
	srv, n := statusServer(t, http.StatusInternalServerError, http.StatusOK)
	if err := fastWebhook(t, srv.URL).Send(context.Background(), testMsg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
}

func TestWebhookSingleAttempt(t *testing.T) {
	srv, n := statusServer(t, http.StatusServiceUnavailable)
	w, err := NewWebhook(srv.URL, srv.Client(), WithBackoff())
	if err != nil {
		t.Fatal(err)
	}
	wantSMSErr(t, w.Send(context.Background(), testMsg), ReasonUnavailable)
	if got := n.Load(); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
}

func TestWebhookTimeout(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		// Far longer than the per-attempt timeout; the client hangs up first.
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	defer srv.Close()

	err := fastWebhook(t, srv.URL, WithTimeout(100*time.Millisecond)).Send(context.Background(), testMsg)
	wantSMSErr(t, err, ReasonUnavailable)
	if errors.Is(err, context.Canceled) {
		t.Errorf("err = %v: a per-attempt timeout is not a cancellation", err)
	}
	// Every attempt times out; on a very slow machine one might do so before
	// its request reaches the handler, so only the upper bound is certain.
	if got := n.Load(); got > 3 {
		t.Errorf("requests = %d, want at most 3", got)
	}
}

func TestWebhookNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more

	err := fastWebhook(t, url).Send(context.Background(), testMsg)
	wantSMSErr(t, err, ReasonUnavailable)
}

func TestWebhookContextCancelled(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		srv, n := statusServer(t, http.StatusOK)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := fastWebhook(t, srv.URL).Send(ctx, testMsg)
		wantSMSErr(t, err, ReasonUnavailable)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if got := n.Load(); got != 0 {
			t.Errorf("requests = %d, want 0", got)
		}
	})

	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
			// The caller gives up while the vendor is thinking.
			cancel()
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
		}))
		defer srv.Close()

		err := fastWebhook(t, srv.URL).Send(ctx, testMsg)
		wantSMSErr(t, err, ReasonUnavailable)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if got := n.Load(); got != 1 {
			t.Errorf("requests = %d, want 1 (no retry after cancellation)", got)
		}
	})

	t.Run("in backoff", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var n atomic.Int32
		answered := make(chan struct{}, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			answered <- struct{}{}
		}))
		defer srv.Close()
		go func() {
			<-answered
			cancel()
		}()

		// A long backoff: only the cancellation can end the wait.
		w, err := NewWebhook(srv.URL, nil, WithBackoff(time.Hour, time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		err = w.Send(ctx, testMsg)
		wantSMSErr(t, err, ReasonUnavailable)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if got := n.Load(); got != 1 {
			t.Errorf("requests = %d, want 1", got)
		}
	})
}

func TestNewWebhookBadURL(t *testing.T) {
	for _, u := range []string{"", "example.com/sms", "ftp://example.com/sms", "http://", "http://exa mple.com/", "://x"} {
		if _, err := NewWebhook(u, nil); err == nil {
			t.Errorf("NewWebhook(%q): no error", u)
		}
	}
	if _, err := NewWebhook("https://sms.example.com/send?key=s3cret", nil); err != nil {
		t.Errorf("good URL: %v", err)
	}
}

func TestWebhookIsSender(t *testing.T) {
	var _ Sender = (*Webhook)(nil)
}
