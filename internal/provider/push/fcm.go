package push

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
)

// FCMConfig are the settings of the FCM channel (Android outside mainland
// China): the HTTP v1 API with a service account's key.
type FCMConfig struct {
	// CredentialsFile is the service account's JSON key (Firebase
	// console, Project settings, Service accounts, "Generate new private
	// key"). Its token_uri is where the OAuth2 token is asked for.
	CredentialsFile string
	ProjectID       string // "": the file's project_id
	// Endpoint replaces https://fcm.googleapis.com (a test double).
	Endpoint    string
	Concurrency int // messages in flight at once; 0: 16
	// HTTPClient, when set, makes every call (tests).
	HTTPClient *http.Client
}

// fcmScope is the OAuth2 scope of the send API.
const fcmScope = "https://www.googleapis.com/auth/firebase.messaging"

// FCM sends to Android devices through Firebase Cloud Messaging.
type FCM struct {
	hc   *http.Client
	url  string // .../v1/projects/<id>/messages:send
	conf *jwt.Config
	n    int

	mu sync.Mutex
	ts oauth2.TokenSource
}

// serviceAccount is what plaza reads of the key file.
type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// NewFCM reads the service account's key; the first message asks for an
// access token.
func NewFCM(c FCMConfig) (*FCM, error) {
	if c.CredentialsFile == "" {
		return nil, errors.New("fcm: the service account file is empty")
	}
	b, err := os.ReadFile(c.CredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	var sa serviceAccount
	if err := json.Unmarshal(b, &sa); err != nil {
		return nil, fmt.Errorf("fcm: %s is not a service account's JSON key: %v", c.CredentialsFile, err)
	}
	if sa.Type != "service_account" {
		return nil, fmt.Errorf("fcm: %s: type %q, want service_account (a key of the project's service account)", c.CredentialsFile, sa.Type)
	}
	if sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, fmt.Errorf("fcm: %s: client_email or private_key missing", c.CredentialsFile)
	}
	if err := checkRSAKey(sa.PrivateKey); err != nil {
		return nil, fmt.Errorf("fcm: %s: private_key: %v", c.CredentialsFile, err)
	}
	if sa.TokenURI == "" {
		sa.TokenURI = "https://oauth2.googleapis.com/token"
	}
	if u, err := url.Parse(sa.TokenURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("fcm: %s: token_uri %q is not a URL", c.CredentialsFile, sa.TokenURI)
	}
	project := c.ProjectID
	if project == "" {
		project = sa.ProjectID
	}
	if project == "" {
		return nil, fmt.Errorf("fcm: no project id (%s has no project_id)", c.CredentialsFile)
	}
	endpoint := strings.TrimRight(c.Endpoint, "/")
	if endpoint == "" {
		endpoint = "https://fcm.googleapis.com"
	}
	if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("fcm: endpoint %q: want http(s)://host[:port]", c.Endpoint)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = httpClient()
	}
	n := c.Concurrency
	if n <= 0 {
		n = 16
	}
	f := &FCM{
		hc:  hc,
		url: endpoint + "/v1/projects/" + url.PathEscape(project) + "/messages:send",
		conf: &jwt.Config{
			Email: sa.ClientEmail, PrivateKey: []byte(sa.PrivateKey), PrivateKeyID: sa.PrivateKeyID,
			Scopes: []string{fcmScope}, TokenURL: sa.TokenURI,
		},
		n: n,
	}
	f.ts = f.newTokenSource()
	return f, nil
}

func checkRSAKey(p string) error {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return errors.New("not PEM")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if _, ok := k.(*rsa.PrivateKey); !ok {
			return errors.New("not an RSA key")
		}
		return nil
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		return errors.New("not an RSA private key")
	}
	return nil
}

func (f *FCM) newTokenSource() oauth2.TokenSource {
	return f.conf.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, f.hc))
}

func (f *FCM) Name() string { return "fcm" }

// Send sends every message on its own call, 16 at a time.
func (f *FCM) Send(ctx context.Context, msgs []Message) []Result {
	return eachMessage(ctx, msgs, f.n, f.send)
}

// token is the access token (cached until a few seconds before its
// expiry); ctx ending stops the wait, not the exchange.
func (f *FCM) token(ctx context.Context) (*oauth2.Token, error) {
	f.mu.Lock()
	ts := f.ts
	f.mu.Unlock()
	type answer struct {
		t   *oauth2.Token
		err error
	}
	ch := make(chan answer, 1)
	go func() { t, err := ts.Token(); ch <- answer{t, err} }()
	select {
	case a := <-ch:
		return a.t, a.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// dropToken makes the next message ask for a new access token.
func (f *FCM) dropToken() {
	f.mu.Lock()
	f.ts = f.newTokenSource()
	f.mu.Unlock()
}

type fcmMessage struct {
	Message struct {
		Token        string `json:"token"`
		Notification struct {
			Title string `json:"title,omitempty"`
			Body  string `json:"body,omitempty"`
		} `json:"notification"`
		Android struct {
			CollapseKey  string `json:"collapse_key,omitempty"`
			Notification struct {
				Tag string `json:"tag,omitempty"`
			} `json:"notification"`
		} `json:"android"`
	} `json:"message"`
}

func (f *FCM) send(ctx context.Context, m Message) Result {
	tok, err := f.token(ctx)
	if err != nil {
		return tokenError(ctx, err)
	}
	var body fcmMessage
	body.Message.Token = m.Token
	body.Message.Notification.Title, body.Message.Notification.Body = m.Title, m.Body
	body.Message.Android.CollapseKey = m.CollapseID
	body.Message.Android.Notification.Tag = m.CollapseID
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(b))
	if err != nil {
		return Result{Outcome: Rejected, Detail: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	tok.SetAuthHeader(req)
	res, err := f.hc.Do(req)
	if err != nil {
		return netError(ctx, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	r := fcmResult(res.StatusCode, raw, retryAfter(res.Header.Get("Retry-After"), time.Now()))
	if res.StatusCode == http.StatusUnauthorized && r.Outcome == Retry {
		f.dropToken()
	}
	return r
}

// tokenError is the Result of a message whose access token could not be
// had: refused credentials are for good, the rest for now.
func tokenError(ctx context.Context, err error) Result {
	if ctx.Err() != nil {
		return notSent(ctx)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 &&
		re.Response.StatusCode != http.StatusTooManyRequests {
		return Result{Outcome: Rejected, Detail: fmt.Sprintf("oauth2 token: %d %s", re.Response.StatusCode, oauthErrorCode(re))}
	}
	return Result{Outcome: Retry, Detail: "oauth2 token: " + err.Error()}
}

func oauthErrorCode(re *oauth2.RetrieveError) string {
	if re.ErrorCode != "" {
		return re.ErrorCode
	}
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(re.Body, &e)
	return e.Error
}

// fcmError is the error answer of the v1 API.
type fcmError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type            string `json:"@type"`
			ErrorCode       string `json:"errorCode"`
			FieldViolations []struct {
				Field       string `json:"field"`
				Description string `json:"description"`
			} `json:"fieldViolations"`
		} `json:"details"`
	} `json:"error"`
}

// fcmResult maps an FCM answer (docs/deploy.md, "Push providers").
func fcmResult(status int, body []byte, wait time.Duration) Result {
	if status == http.StatusOK {
		return Result{Outcome: Delivered}
	}
	var e fcmError
	json.Unmarshal(body, &e)
	code := e.Error.Status
	aboutToken := false
	for _, d := range e.Error.Details {
		if d.ErrorCode != "" {
			code = d.ErrorCode
		}
		for _, v := range d.FieldViolations {
			if strings.Contains(v.Field, "token") {
				aboutToken = true
			}
		}
	}
	if strings.Contains(strings.ToLower(e.Error.Message), "registration token") {
		aboutToken = true
	}
	detail := fmt.Sprintf("%d %s", status, code)
	if e.Error.Message != "" {
		detail += ": " + e.Error.Message
	}
	switch code {
	case "UNREGISTERED":
		return Result{Outcome: Dead, Detail: detail}
	case "INVALID_ARGUMENT":
		if aboutToken {
			return Result{Outcome: Dead, Detail: detail}
		}
		return Result{Outcome: Rejected, Detail: detail}
	case "SENDER_ID_MISMATCH", "THIRD_PARTY_AUTH_ERROR":
		return Result{Outcome: Rejected, Detail: detail}
	case "QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL":
		return Result{Outcome: Retry, RetryAfter: wait, Detail: detail}
	}
	switch {
	case status == http.StatusTooManyRequests, status >= 500,
		status == http.StatusUnauthorized: // our access token: a new one is asked for
		return Result{Outcome: Retry, RetryAfter: wait, Detail: detail}
	}
	return Result{Outcome: Rejected, Detail: detail}
}

var _ Provider = (*FCM)(nil)
