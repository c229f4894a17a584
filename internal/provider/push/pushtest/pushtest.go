// Package pushtest runs local fakes of the push vendors' HTTP protocols for
// tests, with credentials made for each test:
//
//   - APNs: TLS and HTTP/2; it checks the provider token (an ES256 JWT
//     whose kid and iss are the key id and team id, signed by the test's
//     .p8 key), the path /3/device/<token>, apns-topic, apns-push-type,
//     apns-collapse-id and the alert payload.
//   - FCM HTTP v1: the OAuth2 token endpoint of the service account's
//     token_uri (it checks the RS256 JWT assertion with the public half of
//     the test's key, and issues access tokens), and messages:send (it
//     checks the bearer is one it issued, and the message).
//   - JPush Push API v3: HTTP Basic auth with the app key and master
//     secret, the push object, and the cid pool (GET /v3/push/cid): a call
//     made again under the cid of one it took is answered as that one was
//     and not pushed again (Repeats); a cid it did not issue is refused.
//
// Each fake answers per device token as a test sets (SetAnswer): success
// by default, or any failure of the vendor. It records what it took
// (Deliveries) and every request it found wrong (Problems).
package pushtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"plaza/internal/provider/push"
)

// Delivery is a notification a fake took for one device.
type Delivery struct {
	Token      string
	Title      string
	Body       string
	CollapseID string // APNs apns-collapse-id; FCM collapse_key (= the tag)
	MsgID      int64  // JPush: the msg_id of the call
	CID        string // JPush: the call's cid
}

// recorder is what every fake keeps.
type recorder struct {
	mu          sync.Mutex
	deliveries  []Delivery
	problems    []string
	calls       int
	inFlight    int
	maxInFlight int
}

func (r *recorder) begin() func() {
	r.mu.Lock()
	r.calls++
	r.inFlight++
	if r.inFlight > r.maxInFlight {
		r.maxInFlight = r.inFlight
	}
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
	}
}

func (r *recorder) problem(format string, args ...any) {
	r.mu.Lock()
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) took(d Delivery) {
	r.mu.Lock()
	r.deliveries = append(r.deliveries, d)
	r.mu.Unlock()
}

// Deliveries is what the fake took, in order.
func (r *recorder) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.deliveries...)
}

// Problems are the requests the fake found wrong (answered with an error).
func (r *recorder) Problems() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.problems...)
}

// Calls counts the send requests.
func (r *recorder) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// MaxInFlight is the most send requests the fake was answering at once.
func (r *recorder) MaxInFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxInFlight
}

// WaitDeliveries waits up to timeout for n deliveries, and returns those
// there are.
func (r *recorder) WaitDeliveries(n int, timeout time.Duration) []Delivery {
	end := time.Now().Add(timeout)
	for {
		d := r.Deliveries()
		if len(d) >= n || time.Now().After(end) {
			return d
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writeFile writes b to name in dir.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// jwtParts splits and decodes a compact JWS; signed is the signed input.
func jwtParts(s string) (header, claims map[string]any, signed string, sig []byte, err error) {
	p := strings.Split(s, ".")
	if len(p) != 3 {
		return nil, nil, "", nil, fmt.Errorf("a JWT has 3 parts, this %d", len(p))
	}
	dec := func(part string, v any) error {
		b, err := base64.RawURLEncoding.DecodeString(part)
		if err != nil {
			return err
		}
		if v == nil {
			return nil
		}
		return json.Unmarshal(b, v)
	}
	if err := dec(p[0], &header); err != nil {
		return nil, nil, "", nil, fmt.Errorf("header: %v", err)
	}
	if err := dec(p[1], &claims); err != nil {
		return nil, nil, "", nil, fmt.Errorf("claims: %v", err)
	}
	sig, err = base64.RawURLEncoding.DecodeString(p[2])
	if err != nil {
		return nil, nil, "", nil, fmt.Errorf("signature: %v", err)
	}
	return header, claims, p[0] + "." + p[1], sig, nil
}

func jsonAnswer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func numClaim(c map[string]any, k string) int64 {
	f, _ := c[k].(float64)
	return int64(f)
}

// ---- APNs ----------------------------------------------------------------

// APNsAnswer is how the APNs fake answers a device token.
type APNsAnswer struct {
	Status int    // 0: 200
	Reason string // the JSON reason of an error
	Delay  time.Duration
}

// APNs is a fake of Apple's provider API.
type APNs struct {
	recorder
	URL     string // https://127.0.0.1:port
	KeyFile string // the .p8 signing key
	CAFile  string // PEM of the server's certificate, to trust it
	KeyID   string
	TeamID  string
	Topic   string

	pub     *ecdsa.PublicKey
	srv     *httptest.Server
	answers map[string]APNsAnswer
	bearers []string
}

// Bearers are the provider tokens of the requests, in order.
func (f *APNs) Bearers() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bearers...)
}

// NewAPNs starts an APNs fake with a new signing key, closed at the test's
// end.
func NewAPNs(t testing.TB) *APNs {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &APNs{KeyID: "ABC123DEFG", TeamID: "TEAM123456", Topic: "com.example.plaza", pub: &key.PublicKey,
		answers: map[string]APNsAnswer{}}
	f.KeyFile = writeFile(t, dir, "AuthKey_"+f.KeyID+".p8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.EnableHTTP2 = true
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	f.URL = f.srv.URL
	f.CAFile = writeFile(t, dir, "apns-ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw}))
	return f
}

// Config is the provider's settings for this fake.
func (f *APNs) Config() push.APNsConfig {
	return push.APNsConfig{KeyFile: f.KeyFile, KeyID: f.KeyID, TeamID: f.TeamID, Topic: f.Topic, Host: f.URL, CAFile: f.CAFile}
}

// SetAnswer sets how the fake answers token.
func (f *APNs) SetAnswer(token string, a APNsAnswer) {
	f.mu.Lock()
	f.answers[token] = a
	f.mu.Unlock()
}

func (f *APNs) serve(w http.ResponseWriter, r *http.Request) {
	defer f.begin()()
	fail := func(status int, reason, format string, args ...any) {
		f.problem(format, args...)
		jsonAnswer(w, status, map[string]string{"reason": reason})
	}
	if r.ProtoMajor != 2 {
		fail(400, "BadPath", "APNs: %s, not HTTP/2", r.Proto)
		return
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	if r.Method != http.MethodPost || !ok || token == "" || strings.Contains(token, "/") {
		fail(404, "BadPath", "APNs: %s %s", r.Method, r.URL.Path)
		return
	}
	f.mu.Lock()
	f.bearers = append(f.bearers, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if err := f.checkBearer(r.Header.Get("Authorization")); err != nil {
		fail(403, "InvalidProviderToken", "APNs: provider token: %v", err)
		return
	}
	if got := r.Header.Get("apns-topic"); got != f.Topic {
		fail(400, "BadTopic", "APNs: apns-topic %q, want %q", got, f.Topic)
		return
	}
	if got := r.Header.Get("apns-push-type"); got != "alert" {
		fail(400, "InvalidPushType", "APNs: apns-push-type %q, want alert", got)
		return
	}
	collapse := r.Header.Get("apns-collapse-id")
	if collapse == "" || len(collapse) > 64 {
		fail(400, "BadCollapseId", "APNs: apns-collapse-id %q", collapse)
		return
	}
	var p struct {
		APS struct {
			Alert struct {
				Title string `json:"title"`
				Body  string `json:"body"`
			} `json:"alert"`
		} `json:"aps"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.APS.Alert.Title == "" {
		fail(400, "PayloadEmpty", "APNs: payload: %v, alert %+v", err, p.APS.Alert)
		return
	}
	f.mu.Lock()
	a := f.answers[token]
	f.mu.Unlock()
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("apns-id", "00000000-0000-0000-0000-000000000001")
	if a.Status == 0 || a.Status == 200 {
		f.took(Delivery{Token: token, Title: p.APS.Alert.Title, Body: p.APS.Alert.Body, CollapseID: collapse})
		w.WriteHeader(200)
		return
	}
	body := map[string]any{"reason": a.Reason}
	if a.Status == 410 {
		body["timestamp"] = time.Now().UnixMilli()
	}
	jsonAnswer(w, a.Status, body)
}

// checkBearer verifies the provider token as APNs does.
func (f *APNs) checkBearer(h string) error {
	tok, ok := strings.CutPrefix(h, "bearer ")
	if !ok {
		return fmt.Errorf("authorization %q is not a bearer", h)
	}
	header, claims, signed, sig, err := jwtParts(tok)
	if err != nil {
		return err
	}
	if header["alg"] != "ES256" || header["kid"] != f.KeyID {
		return fmt.Errorf("header %v, want alg ES256, kid %s", header, f.KeyID)
	}
	if claims["iss"] != f.TeamID {
		return fmt.Errorf("iss %v, want team id %s", claims["iss"], f.TeamID)
	}
	if iat := numClaim(claims, "iat"); time.Since(time.Unix(iat, 0)).Abs() > time.Hour {
		return fmt.Errorf("iat %d is more than an hour away", iat)
	}
	if len(sig) != 64 {
		return fmt.Errorf("ES256 signature of %d bytes", len(sig))
	}
	h256 := sha256.Sum256([]byte(signed))
	if !ecdsa.Verify(f.pub, h256[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return fmt.Errorf("the signature is not the key's")
	}
	return nil
}

// ---- FCM -----------------------------------------------------------------

// FCMAnswer is how the FCM fake answers a registration token.
type FCMAnswer struct {
	Status     int    // 0: 200
	ErrStatus  string // the google.rpc status: NOT_FOUND, INVALID_ARGUMENT, ...
	ErrorCode  string // the FcmError detail: UNREGISTERED, QUOTA_EXCEEDED, ...
	Message    string
	Field      string // a BadRequest field violation ("message.token")
	RetryAfter string
	Delay      time.Duration
}

// FCM is a fake of the FCM HTTP v1 API and of Google's OAuth2 token
// endpoint.
type FCM struct {
	recorder
	URL             string // the API endpoint (http://127.0.0.1:port)
	CredentialsFile string // the service account's JSON key; token_uri is URL/token
	ProjectID       string
	ClientEmail     string
	KeyID           string

	pub          *rsa.PublicKey
	answers      map[string]FCMAnswer
	issued       map[string]bool
	tokenCalls   int
	refuseTokens bool
}

// NewFCM starts an FCM fake with a new service account, closed at the
// test's end.
func NewFCM(t testing.TB) *FCM {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &FCM{ProjectID: "plaza-test", ClientEmail: "plaza-push@plaza-test.iam.gserviceaccount.com", KeyID: "0123456789abcdef",
		pub: &key.PublicKey, answers: map[string]FCMAnswer{}, issued: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	sa, _ := json.MarshalIndent(map[string]string{
		"type": "service_account", "project_id": f.ProjectID, "private_key_id": f.KeyID,
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": f.ClientEmail, "client_id": "100000000000000000001",
		"auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": f.URL + "/token",
	}, "", "  ")
	f.CredentialsFile = writeFile(t, t.TempDir(), "service-account.json", sa)
	return f
}

// Config is the provider's settings for this fake.
func (f *FCM) Config() push.FCMConfig {
	return push.FCMConfig{CredentialsFile: f.CredentialsFile, Endpoint: f.URL}
}

// SetAnswer sets how the fake answers token.
func (f *FCM) SetAnswer(token string, a FCMAnswer) {
	f.mu.Lock()
	f.answers[token] = a
	f.mu.Unlock()
}

// RefuseTokens makes the token endpoint refuse the assertion (invalid_grant).
func (f *FCM) RefuseTokens(on bool) {
	f.mu.Lock()
	f.refuseTokens = on
	f.mu.Unlock()
}

// RevokeTokens forgets the access tokens issued so far (as if they expired).
func (f *FCM) RevokeTokens() {
	f.mu.Lock()
	f.issued = map[string]bool{}
	f.mu.Unlock()
}

// TokenCalls counts the token requests.
func (f *FCM) TokenCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls
}

func (f *FCM) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		f.token(w, r)
		return
	}
	defer f.begin()()
	fail := func(status int, rpc, format string, args ...any) {
		f.problem(format, args...)
		jsonAnswer(w, status, map[string]any{"error": map[string]any{"code": status, "message": fmt.Sprintf(format, args...), "status": rpc}})
	}
	if want := "/v1/projects/" + f.ProjectID + "/messages:send"; r.Method != http.MethodPost || r.URL.Path != want {
		fail(404, "NOT_FOUND", "FCM: %s %s, want POST %s", r.Method, r.URL.Path, want)
		return
	}
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	ok := f.issued[bearer]
	f.mu.Unlock()
	if !ok {
		// Not a problem of itself: an expired token is answered so too.
		jsonAnswer(w, 401, map[string]any{"error": map[string]any{"code": 401, "status": "UNAUTHENTICATED",
			"message": "Request had invalid authentication credentials."}})
		return
	}
	var body struct {
		Message struct {
			Token        string `json:"token"`
			Notification struct {
				Title string `json:"title"`
				Body  string `json:"body"`
			} `json:"notification"`
			Android struct {
				CollapseKey  string `json:"collapse_key"`
				Notification struct {
					Tag string `json:"tag"`
				} `json:"notification"`
			} `json:"android"`
		} `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(400, "INVALID_ARGUMENT", "FCM: body: %v", err)
		return
	}
	m := body.Message
	if m.Token == "" || m.Notification.Title == "" || m.Android.CollapseKey == "" || m.Android.Notification.Tag != m.Android.CollapseKey {
		fail(400, "INVALID_ARGUMENT", "FCM: message %+v: want a token, a title, and collapse_key = notification tag", m)
		return
	}
	f.mu.Lock()
	a := f.answers[m.Token]
	f.mu.Unlock()
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if a.Status == 0 || a.Status == 200 {
		f.took(Delivery{Token: m.Token, Title: m.Notification.Title, Body: m.Notification.Body, CollapseID: m.Android.CollapseKey})
		jsonAnswer(w, 200, map[string]string{"name": "projects/" + f.ProjectID + "/messages/0:" + strconv.Itoa(f.Calls())})
		return
	}
	var details []any
	if a.ErrorCode != "" {
		details = append(details, map[string]any{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": a.ErrorCode})
	}
	if a.Field != "" {
		details = append(details, map[string]any{"@type": "type.googleapis.com/google.rpc.BadRequest",
			"fieldViolations": []any{map[string]string{"field": a.Field, "description": a.Message}}})
	}
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	jsonAnswer(w, a.Status, map[string]any{"error": map[string]any{"code": a.Status, "message": a.Message, "status": a.ErrStatus, "details": details}})
}

// token is the OAuth2 JWT-bearer grant (RFC 7523) as Google's token
// endpoint serves it.
func (f *FCM) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.tokenCalls++
	refuse := f.refuseTokens
	f.mu.Unlock()
	fail := func(format string, args ...any) {
		f.problem(format, args...)
		jsonAnswer(w, 400, map[string]string{"error": "invalid_grant", "error_description": fmt.Sprintf(format, args...)})
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		fail("token: %s, not a form POST", r.Method)
		return
	}
	if g := r.PostForm.Get("grant_type"); g != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		fail("token: grant_type %q", g)
		return
	}
	header, claims, signed, sig, err := jwtParts(r.PostForm.Get("assertion"))
	if err != nil {
		fail("token: assertion: %v", err)
		return
	}
	h := sha256.Sum256([]byte(signed))
	switch {
	case header["alg"] != "RS256" || header["kid"] != f.KeyID:
		fail("token: header %v, want RS256 and kid %s", header, f.KeyID)
		return
	case rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, h[:], sig) != nil:
		fail("token: the assertion is not signed by the service account's key")
		return
	case claims["iss"] != f.ClientEmail:
		fail("token: iss %v, want %s", claims["iss"], f.ClientEmail)
		return
	case claims["aud"] != f.URL+"/token":
		fail("token: aud %v, want the token_uri", claims["aud"])
		return
	case !strings.Contains(fmt.Sprint(claims["scope"]), "https://www.googleapis.com/auth/firebase.messaging"):
		fail("token: scope %v", claims["scope"])
		return
	case time.Unix(numClaim(claims, "exp"), 0).Before(time.Now()) || numClaim(claims, "exp")-numClaim(claims, "iat") > 3600:
		fail("token: iat %v exp %v", claims["iat"], claims["exp"])
		return
	}
	if refuse {
		jsonAnswer(w, 400, map[string]string{"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
		return
	}
	f.mu.Lock()
	at := fmt.Sprintf("ya29.fake-%d", f.tokenCalls)
	f.issued[at] = true
	f.mu.Unlock()
	jsonAnswer(w, 200, map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 3599})
}

// ---- JPush ---------------------------------------------------------------

// JPushAnswer is how the JPush fake answers a registration id.
type JPushAnswer struct {
	// Unknown: no such registration id. A call whose ids are all unknown
	// is answered 400 1011; the others are pushed to the known ones (or,
	// with Strict, refused with 1011 too).
	Unknown bool
	// Status, when set, answers every call with this id so (Code,
	// Message in the error object; RateLimitReset in X-Rate-Limit-Reset).
	Status         int
	Code           int
	Message        string
	RateLimitReset string
}

// JPush is a fake of JPush's Push API v3.
type JPush struct {
	recorder
	URL          string
	AppKey       string
	MasterSecret string
	// Strict refuses a call with any unknown registration id (1011): the
	// stricter of the readings of JPush's documentation.
	Strict bool
	// Pushed, when set, is called for each call that pushes (with the
	// number of such calls so far) once it is taken, before it is
	// answered, with the fake's lock held: a test may kill its client
	// there, between the vendor's taking a call and the answer's record.
	Pushed func(n int)

	answers  map[string]JPushAnswer
	nextID   int64
	sizes    []int
	issued   map[string]bool       // the cids given out
	firsts   map[string]jpushFirst // the call each used cid was first taken in
	repeats  int
	repeated map[string]int // by cid
	pushed   int
	cidCalls int
	lastCID  int
}

// jpushFirst is the call a cid was first taken in.
type jpushFirst struct {
	msgID    int64
	audience map[string]bool
}

// NewJPush starts a JPush fake, closed at the test's end.
func NewJPush(t testing.TB) *JPush {
	t.Helper()
	f := &JPush{AppKey: "0123456789abcdef01234567", MasterSecret: "fedcba9876543210fedcba98",
		answers: map[string]JPushAnswer{}, nextID: 18100000000000000,
		issued: map[string]bool{}, firsts: map[string]jpushFirst{}, repeated: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Config is the provider's settings for this fake.
func (f *JPush) Config() push.JPushConfig {
	return push.JPushConfig{AppKey: f.AppKey, MasterSecret: f.MasterSecret, Endpoint: f.URL}
}

// SetAnswer sets how the fake answers a registration id.
func (f *JPush) SetAnswer(id string, a JPushAnswer) {
	f.mu.Lock()
	f.answers[id] = a
	f.mu.Unlock()
}

// ExpireCIDs forgets the cids issued so far (older than a day): a call
// under one of them is refused.
func (f *JPush) ExpireCIDs() {
	f.mu.Lock()
	f.issued, f.firsts = map[string]bool{}, map[string]jpushFirst{}
	f.mu.Unlock()
}

// Repeats counts the calls made again under a cid JPush had taken: answered
// as the first, not pushed.
func (f *JPush) Repeats() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.repeats
}

// Repeated counts the calls made again under each cid.
func (f *JPush) Repeated() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.repeated)
}

// CIDCalls counts the calls to the cid pool.
func (f *JPush) CIDCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cidCalls
}

// CallSizes are the numbers of registration ids of the calls, in order.
func (f *JPush) CallSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.sizes...)
}

func jpushError(w http.ResponseWriter, status, code int, msg string, msgID int64) {
	body := map[string]any{"error": map[string]any{"code": code, "message": msg}}
	if msgID != 0 {
		body["msg_id"] = strconv.FormatInt(msgID, 10)
	}
	jsonAnswer(w, status, body)
}

func (f *JPush) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/v3/push/cid" {
		f.cids(w, r)
		return
	}
	defer f.begin()()
	w.Header().Set("X-Rate-Limit-Limit", "600")
	w.Header().Set("X-Rate-Limit-Remaining", "599")
	w.Header().Set("X-Rate-Limit-Reset", "60")
	fail := func(status, code int, format string, args ...any) {
		f.problem(format, args...)
		jpushError(w, status, code, fmt.Sprintf(format, args...), 0)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v3/push" {
		fail(404, 1001, "JPush: %s %s", r.Method, r.URL.Path)
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != f.AppKey || pass != f.MasterSecret {
		f.problem("JPush: basic auth %q (ok %v)", user, ok)
		jpushError(w, 401, 1004, "Authen failed", 0)
		return
	}
	var p struct {
		Platform any `json:"platform"`
		Audience struct {
			RegistrationID []string `json:"registration_id"`
		} `json:"audience"`
		Notification struct {
			Android *struct {
				Alert string `json:"alert"`
				Title string `json:"title"`
			} `json:"android"`
		} `json:"notification"`
		CID string `json:"cid"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		fail(400, 1003, "JPush: body: %v", err)
		return
	}
	ids := p.Audience.RegistrationID
	f.mu.Lock()
	f.sizes = append(f.sizes, len(ids))
	f.mu.Unlock()
	switch {
	case p.Platform != "android":
		fail(400, 1003, "JPush: platform %v, want android", p.Platform)
		return
	case len(ids) == 0 || len(ids) > 1000:
		fail(400, 1003, "JPush: %d registration ids (1 to 1000)", len(ids))
		return
	case p.Notification.Android == nil || p.Notification.Android.Alert == "":
		fail(400, 1003, "JPush: no android alert")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.push(w, p.Notification.Android.Title, p.Notification.Android.Alert, ids, p.CID)
}

// push takes and answers a call, with f.mu held.
func (f *JPush) push(w http.ResponseWriter, title, alert string, ids []string, cid string) {
	if cid != "" {
		if !f.issued[cid] {
			jpushError(w, 400, 1003, "cid is invalid", 0)
			return
		}
		if first, ok := f.firsts[cid]; ok {
			// JPush answers the first call's result, and pushes nothing.
			f.repeats++
			f.repeated[cid]++
			for _, id := range ids {
				if !first.audience[id] {
					f.problems = append(f.problems, fmt.Sprintf("JPush: cid %s used again with %s, not in its first call: never pushed", cid, id))
				}
			}
			jsonAnswer(w, 200, map[string]string{"sendno": "0", "msg_id": strconv.FormatInt(first.msgID, 10)})
			return
		}
	}
	var known []string
	for _, id := range ids {
		a := f.answers[id]
		if a.Status != 0 {
			if a.RateLimitReset != "" {
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				w.Header().Set("X-Rate-Limit-Reset", a.RateLimitReset)
			}
			jpushError(w, a.Status, a.Code, a.Message, 0)
			return
		}
		if !a.Unknown {
			known = append(known, id)
		}
	}
	f.nextID++
	id := f.nextID
	if len(known) == 0 || f.Strict && len(known) < len(ids) {
		jpushError(w, 400, 1011, "cannot find user by this audience or has been inactive for more than 255 days", id)
		return
	}
	if cid != "" {
		audience := map[string]bool{}
		for _, k := range ids {
			audience[k] = true
		}
		f.firsts[cid] = jpushFirst{msgID: id, audience: audience}
	}
	for _, k := range known {
		f.deliveries = append(f.deliveries, Delivery{Token: k, Title: title, Body: alert, MsgID: id, CID: cid})
	}
	f.pushed++
	if f.Pushed != nil {
		f.Pushed(f.pushed)
	}
	jsonAnswer(w, 200, map[string]string{"sendno": "0", "msg_id": strconv.FormatInt(id, 10)})
}

// cids answers GET /v3/push/cid: count cids (1 when not given, at most 10,
// as for an app that is not VIP), {appkey}-{uuid}.
func (f *JPush) cids(w http.ResponseWriter, r *http.Request) {
	if user, pass, ok := r.BasicAuth(); !ok || user != f.AppKey || pass != f.MasterSecret {
		f.problem("JPush: cid pool: basic auth %q (ok %v)", user, ok)
		jpushError(w, 401, 1004, "Authen failed", 0)
		return
	}
	q := r.URL.Query()
	if t := q.Get("type"); t != "" && t != "push" {
		f.problem("JPush: cid type %q", t)
		jpushError(w, 400, 1003, "type is invalid", 0)
		return
	}
	n := 1
	if c := q.Get("count"); c != "" {
		v, err := strconv.Atoi(c)
		if err != nil || v < 1 {
			f.problem("JPush: cid count %q", c)
			jpushError(w, 400, 1003, "count is invalid", 0)
			return
		}
		n = min(v, 10)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cidCalls++
	list := make([]string, n)
	for i := range list {
		f.lastCID++
		list[i] = fmt.Sprintf("%s-%08x-0000-4000-8000-%012x", f.AppKey, f.lastCID, f.lastCID)
		f.issued[list[i]] = true
	}
	jsonAnswer(w, 200, map[string]any{"cidlist": list})
}
