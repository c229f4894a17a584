package push

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// What the vendor providers share: sending the messages of a batch a few
// at a time, and reading the vendors' waits.

// sendTimeout bounds one call to a vendor (a message, or a JPush batch).
const sendTimeout = 30 * time.Second

// eachMessage runs send for every message of msgs, at most n at a time,
// and answers their Results in order. When ctx ends it starts no more: the
// messages not sent are Retry (the ones under way end with ctx too, their
// requests carry it).
func eachMessage(ctx context.Context, msgs []Message, n int, send func(context.Context, Message) Result) []Result {
	res := make([]Result, len(msgs))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	i := 0
loop:
	for ; i < len(msgs); i++ {
		select {
		case <-ctx.Done():
			break loop
		case sem <- struct{}{}:
		}
		if ctx.Err() != nil { // both were ready: the end wins
			<-sem
			break
		}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			res[i] = send(ctx, msgs[i])
		}(i)
	}
	for ; i < len(msgs); i++ {
		res[i] = notSent(ctx)
	}
	wg.Wait()
	return res
}

// notSent is the Result of a message left when ctx ended.
func notSent(ctx context.Context) Result {
	return Result{Outcome: Retry, Detail: "not sent: " + context.Cause(ctx).Error()}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date; 0 when
// absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// netError is the Result of a call that got no answer.
func netError(ctx context.Context, err error) Result {
	if ctx.Err() != nil { // perhaps taken: the vendor's collapse makes a resend harmless
		return Result{Outcome: Retry, Detail: "no answer: " + context.Cause(ctx).Error()}
	}
	// Without the URL of a *url.Error: an APNs one holds the device token.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return Result{Outcome: Retry, Detail: "network: " + err.Error()}
}

// rootCAs is the system's roots plus the PEM certificates of file ("":
// the system's alone, nil).
func rootCAs(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", file)
	}
	return pool, nil
}

// httpClient is a client for a vendor's REST API (HTTP/2 over TLS where
// the vendor speaks it).
func httpClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t, Timeout: sendTimeout}
}
