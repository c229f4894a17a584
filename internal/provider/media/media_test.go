package media_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/provider/media"
	"plaza/internal/provider/media/fakes3"
)

const shortKey = "0123456789abcdef0123456789abcdef.gif"

// conformance is what every Storage must do.
func conformance(t *testing.T, st media.Storage) {
	ctx := context.Background()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	data := make([]byte, 300_000)
	rand.Read(data)
	key := "e4cbdd56-855a-41ee-bcb6-5785abdd6148.png"
	st.Delete(ctx, key) // a real service may keep one from an earlier run
	if _, err := st.Open(ctx, key); !errs.Is(err, errs.NotFound) {
		t.Fatalf("open before put: %v", err)
	}
	if err := st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/png"); err != nil {
		t.Fatalf("put: %v", err)
	}
	o, err := st.Open(ctx, key)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if o.Size != int64(len(data)) {
		t.Fatalf("size %d", o.Size)
	}
	got, err := io.ReadAll(o)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back: %v, %d bytes, equal %v", err, len(got), bytes.Equal(got, data))
	}
	// A range, as http.ServeContent reads one.
	if _, err := o.Seek(1000, io.SeekStart); err != nil {
		t.Fatalf("seek: %v", err)
	}
	part := make([]byte, 500)
	if _, err := io.ReadFull(o, part); err != nil || !bytes.Equal(part, data[1000:1500]) {
		t.Fatalf("ranged read: %v", err)
	}
	if end, err := o.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
		t.Fatalf("seek end: %d %v", end, err)
	}
	o.Close()

	// A short reader is refused.
	if err := st.Put(ctx, shortKey, bytes.NewReader(data[:10]), 20, "image/gif"); err == nil {
		t.Fatalf("put of a short body succeeded")
	}
	st.Delete(ctx, shortKey)

	for _, bad := range []string{"", "../x", "a/b", ".hidden", "a..b", "UPPER.png", strings.Repeat("a", media.MaxKey+1)} {
		if err := st.Put(ctx, bad, bytes.NewReader(nil), 0, "image/png"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("put %q: %v", bad, err)
		}
		if _, err := st.Open(ctx, bad); !errs.Is(err, errs.NotFound) {
			t.Fatalf("open %q: %v", bad, err)
		}
	}

	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := st.Open(ctx, key); !errs.Is(err, errs.NotFound) {
		t.Fatalf("open after delete: %v", err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("delete again: %v", err)
	}
}

func TestLocal(t *testing.T) {
	root := filepath.Join(t.TempDir(), "media")
	st := media.NewLocal(root)
	conformance(t, st)
	ctx := context.Background()
	if err := st.Put(ctx, shortKey, strings.NewReader("short"), 20, "image/gif"); err == nil {
		t.Fatalf("short put succeeded")
	}
	if _, err := st.Open(ctx, shortKey); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a short put left an object: %v", err)
	}
	// Sharded by the first two characters; no temporary files remain.
	if err := st.Put(ctx, "ab12.png", strings.NewReader("x"), 1, "image/png"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "ab", "ab12.png")); err != nil {
		t.Fatalf("layout: %v", err)
	}
	// Only the owner reads the files (plaza serves them itself).
	for p, want := range map[string]os.FileMode{root: 0o700, filepath.Join(root, "ab"): 0o700, filepath.Join(root, "ab", "ab12.png"): 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	var left []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestS3AgainstFake(t *testing.T) {
	srv := fakes3.New("plaza-media", "AKIDPLAZA")
	defer srv.Close()
	st, err := media.NewS3(media.S3Config{Endpoint: srv.Endpoint(), Bucket: "plaza-media", AccessKey: "AKIDPLAZA", SecretKey: "s3cr3t"})
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, st)

	ctx := context.Background()
	key := "f2bf36d8-855a-41ee-bcb6-5785abdd6148.jpeg"
	if err := st.Put(ctx, key, strings.NewReader("jpeg bytes"), 10, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	o, ok := srv.Get(key)
	if !ok || string(o.Data) != "jpeg bytes" || o.ContentType != "image/jpeg" || !strings.Contains(o.CacheControl, "immutable") {
		t.Fatalf("stored object: %+v %v", o, ok)
	}
	obj, err := st.Open(ctx, key)
	if err != nil || obj.ContentType != "image/jpeg" {
		t.Fatalf("open: %v %+v", err, obj)
	}
	obj.Close()

	// Failures of the service are internal errors, not "not found".
	srv.FailNext(10)
	if err := st.Put(ctx, "x.png", strings.NewReader("x"), 1, "image/png"); err == nil || errs.KindOf(err) != errs.Internal {
		t.Fatalf("put while failing: %v", err)
	}
	srv.FailNext(10)
	if _, err := st.Open(ctx, key); err == nil || errs.KindOf(err) != errs.Internal {
		t.Fatalf("open while failing: %v", err)
	}
	srv.FailNext(0)

	// Wrong credentials and a missing bucket show at Ping.
	bad, _ := media.NewS3(media.S3Config{Endpoint: srv.Endpoint(), Bucket: "plaza-media", AccessKey: "OTHER", SecretKey: "x", Region: "us-east-1"})
	if err := bad.Ping(ctx); err == nil {
		t.Fatalf("ping with wrong credentials succeeded")
	}
	missing, _ := media.NewS3(media.S3Config{Endpoint: srv.Endpoint(), Bucket: "no-such-bucket", AccessKey: "AKIDPLAZA", SecretKey: "x", Region: "us-east-1"})
	if err := missing.Ping(ctx); err == nil {
		t.Fatalf("ping of a missing bucket succeeded")
	}
}

func TestNewS3Settings(t *testing.T) {
	for _, c := range []media.S3Config{
		{Endpoint: "", Bucket: "b"},
		{Endpoint: "https://s3.example.com", Bucket: "b"},
		{Endpoint: "s3.example.com/path", Bucket: "b"},
		{Endpoint: "s3.example.com", Bucket: ""},
	} {
		if _, err := media.NewS3(c); err == nil {
			t.Fatalf("NewS3(%+v) accepted", c)
		}
	}
}

// TestS3Real runs the conformance suite against a real S3-compatible
// service when PLAZA_TEST_S3_ENDPOINT (host:port), _BUCKET, _ACCESS_KEY
// and _SECRET_KEY are set (PLAZA_TEST_S3_USE_SSL=true for TLS,
// PLAZA_TEST_S3_CA=file.pem to trust a test certificate).
func TestS3Real(t *testing.T) {
	ep := os.Getenv("PLAZA_TEST_S3_ENDPOINT")
	if ep == "" {
		t.Skip("PLAZA_TEST_S3_ENDPOINT is not set")
	}
	var transport http.RoundTripper
	if ca := os.Getenv("PLAZA_TEST_S3_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		transport = tr
	}
	st, err := media.NewS3(media.S3Config{Transport: transport,
		Endpoint: ep, Bucket: os.Getenv("PLAZA_TEST_S3_BUCKET"),
		AccessKey: os.Getenv("PLAZA_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("PLAZA_TEST_S3_SECRET_KEY"),
		UseSSL: os.Getenv("PLAZA_TEST_S3_USE_SSL") == "true", Region: os.Getenv("PLAZA_TEST_S3_REGION"),
	})
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, st)
}
