// Package fakes3 is an in-process S3-compatible server for tests: path-style
// buckets answering the requests minio-go makes to store and read objects
// (bucket location and HEAD, PUT with plain or aws-chunked bodies, GET and
// HEAD with ranges, DELETE). It checks that requests are signed with its
// access key and that plain payloads match their declared SHA-256; it does
// not verify signatures.
package fakes3

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Object is a stored object.
type Object struct {
	Data         []byte
	ContentType  string
	CacheControl string
	ETag         string
	Modified     time.Time
}

// Server is a running fake.
type Server struct {
	srv       *httptest.Server
	bucket    string
	accessKey string

	mu       sync.Mutex
	objects  map[string]Object
	requests []string // "METHOD /path?query"
	failures int      // answer this many next requests with 500
}

// New starts a server holding one empty bucket, accepting requests signed
// with accessKey. It stops when Close is called.
func New(bucket, accessKey string) *Server {
	s := &Server{bucket: bucket, accessKey: accessKey, objects: map[string]Object{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Endpoint is host:port of the server (no scheme).
func (s *Server) Endpoint() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Get returns the object of key.
func (s *Server) Get(key string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[key]
	return o, ok
}

// Len is the number of objects stored.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.objects)
}

// Requests lists the requests served so far, as "METHOD /path?query".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// FailNext makes the next n requests fail with 500 InternalError.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failures = n
	s.mu.Unlock()
}

type errorXML struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

func fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", "fake")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	b, _ := xml.Marshal(errorXML{Code: code, Message: msg, Resource: r.URL.Path, RequestID: "fake"})
	w.Write(append([]byte(xml.Header), b...))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	failing := s.failures > 0
	if failing {
		s.failures--
	}
	s.mu.Unlock()
	if failing {
		fail(w, r, http.StatusInternalServerError, "InternalError", "injected failure")
		return
	}
	if !s.signed(r) {
		fail(w, r, http.StatusForbidden, "AccessDenied", "Access Denied.")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if bucket != s.bucket {
		fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	if key == "" {
		s.bucketOp(w, r)
		return
	}
	switch r.Method {
	case http.MethodPut:
		s.put(w, r, key)
	case http.MethodGet, http.MethodHead:
		s.get(w, r, key)
	case http.MethodDelete:
		s.mu.Lock()
		delete(s.objects, key)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(w, r, http.StatusNotImplemented, "NotImplemented", "not implemented by the fake")
	}
}

// signed checks for a SigV4 authorization with the server's access key.
func (s *Server) signed(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		return false
	}
	return strings.Contains(auth, "Credential="+s.accessKey+"/")
}

func (s *Server) bucketOp(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && q.Has("location"):
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, xml.Header+`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">us-east-1</LocationConstraint>`)
	case r.Method == http.MethodHead:
		w.WriteHeader(http.StatusOK)
	default:
		fail(w, r, http.StatusNotImplemented, "NotImplemented", "not implemented by the fake")
	}
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, key string) {
	if r.Header.Get("x-amz-copy-source") != "" {
		fail(w, r, http.StatusNotImplemented, "NotImplemented", "copy is not implemented by the fake")
		return
	}
	q := r.URL.Query()
	if q.Has("uploadId") || q.Has("uploads") || q.Has("partNumber") {
		fail(w, r, http.StatusNotImplemented, "NotImplemented", "multipart is not implemented by the fake")
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		fail(w, r, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	data := raw
	sum := r.Header.Get("x-amz-content-sha256")
	if strings.HasPrefix(sum, "STREAMING-") || strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		data, err = unchunk(raw)
		if err != nil {
			fail(w, r, http.StatusBadRequest, "InvalidRequest", "aws-chunked body: "+err.Error())
			return
		}
		if dl := r.Header.Get("x-amz-decoded-content-length"); dl != "" && dl != strconv.Itoa(len(data)) {
			fail(w, r, http.StatusBadRequest, "IncompleteBody", "decoded length "+dl+" but got "+strconv.Itoa(len(data)))
			return
		}
	} else if sum != "" && sum != "UNSIGNED-PAYLOAD" {
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			fail(w, r, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "payload hash mismatch")
			return
		}
	}
	m := md5.Sum(data)
	etag := `"` + hex.EncodeToString(m[:]) + `"`
	s.mu.Lock()
	s.objects[key] = Object{
		Data: data, ContentType: r.Header.Get("Content-Type"), CacheControl: r.Header.Get("Cache-Control"),
		ETag: etag, Modified: time.Now().UTC().Truncate(time.Second),
	}
	s.mu.Unlock()
	w.Header().Set("ETag", etag)
	w.WriteHeader(http.StatusOK)
}

// unchunk decodes an aws-chunked body: "<hex size>[;chunk-signature=...]\r\n
// <data>\r\n" repeated, a zero-size chunk, then optional trailers.
func unchunk(raw []byte) ([]byte, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	var out bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("chunk header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		sizeHex, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("chunk size %q", sizeHex)
		}
		if n == 0 {
			return out.Bytes(), nil // trailers, if any, follow
		}
		if _, err := io.CopyN(&out, br, n); err != nil {
			return nil, fmt.Errorf("chunk data: %w", err)
		}
		crlf := make([]byte, 2)
		if _, err := io.ReadFull(br, crlf); err != nil || string(crlf) != "\r\n" {
			return nil, fmt.Errorf("chunk end")
		}
	}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, key string) {
	s.mu.Lock()
	o, ok := s.objects[key]
	s.mu.Unlock()
	if !ok {
		fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	h := w.Header()
	h.Set("ETag", o.ETag)
	h.Set("Content-Type", o.ContentType)
	if o.CacheControl != "" {
		h.Set("Cache-Control", o.CacheControl)
	}
	h.Set("Accept-Ranges", "bytes")
	http.ServeContent(w, r, url.PathEscape(key), o.Modified, bytes.NewReader(o.Data))
}
