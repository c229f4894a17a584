// Package smstest runs local fakes of the SMS vendors' HTTP APIs for
// tests: Aliyun's dysmsapi SendSms (RPC style, ACS3-HMAC-SHA256) and Tencent
// Cloud's SendSms (API 3.0, TC3-HMAC-SHA256), with credentials made for each
// test. Each fake verifies the request's signature with the secret as the
// vendor does, checks the account, sign name and template the request names,
// keeps every message it was asked to send, and answers success or, on
// demand, the failure a test names: a vendor error code, an HTTP status, or
// no answer at all.
package smstest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// Request is one verified request a fake was asked to send, whatever it
// answered.
type Request struct {
	To       string // the number as the request wrote it
	SignName string
	Template string
	Code     string // the code in the template parameters
	Answer   string // the vendor code the fake answered ("OK", "Ok", an error code), or "HTTP <status>", or "hang"
}

// answer is what a fake answers next.
type answer struct {
	code      string // vendor error code; "" success
	perNumber bool   // Tencent: in the number's SendStatus, not the call's Error
	status    int    // raw HTTP status with a non-JSON body
	hang      bool   // no answer until the client hangs up
}

// book is the state both fakes keep.
type book struct {
	mu       sync.Mutex
	next     answer
	requests []Request
	refused  []string // why requests were refused before they were read
	nonces   map[string]bool
	release  chan struct{}
}

func newBook() *book { return &book{nonces: map[string]bool{}, release: make(chan struct{})} }

func (b *book) set(a answer) {
	b.mu.Lock()
	b.next = a
	b.mu.Unlock()
}

func (b *book) answer() answer {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.next
}

func (b *book) refuse(why string) {
	b.mu.Lock()
	b.refused = append(b.refused, why)
	b.mu.Unlock()
}

func (b *book) record(r Request) {
	b.mu.Lock()
	b.requests = append(b.requests, r)
	b.mu.Unlock()
}

// freshNonce reports whether nonce was not seen before, and remembers it.
func (b *book) freshNonce(nonce string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.nonces[nonce] {
		return false
	}
	b.nonces[nonce] = true
	return true
}

// Requests returns the verified requests, oldest first.
func (b *book) Requests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Request(nil), b.requests...)
}

// Last returns the latest verified request.
func (b *book) Last() (Request, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) == 0 {
		return Request{}, false
	}
	return b.requests[len(b.requests)-1], true
}

// Refused returns why requests were refused before they were read: a bad
// signature, an unknown key, a stale timestamp, a used nonce...
func (b *book) Refused() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.refused...)
}

// AnswerOK makes the fake answer success (the default).
func (b *book) AnswerOK() { b.set(answer{}) }

// AnswerHTTP makes the fake answer status with a body that is no JSON, as
// a proxy or a load balancer in trouble does.
func (b *book) AnswerHTTP(status int) { b.set(answer{status: status}) }

// Hang makes the fake read the request and answer nothing until the client
// hangs up (or the test ends).
func (b *book) Hang() { b.set(answer{hang: true}) }

// raw answers a non-JSON status or hangs; it reports whether it did.
func (b *book) raw(w http.ResponseWriter, r *http.Request, a answer) bool {
	switch {
	case a.hang:
		select {
		case <-r.Context().Done():
		case <-b.release:
		case <-time.After(time.Minute):
		}
		return true
	case a.status != 0:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte("<html><body>" + http.StatusText(a.status) + "</body></html>"))
		return true
	}
	return false
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
