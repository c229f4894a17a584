package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"plaza/internal/errs"
)

// S3Config names a bucket of an S3-compatible service (AWS S3, MinIO,
// Aliyun OSS, Tencent COS, Cloudflare R2, ...).
type S3Config struct {
	Endpoint  string // host[:port], no scheme
	Bucket    string
	AccessKey string
	SecretKey string
	UseSSL    bool
	Region    string // optional; empty: asked of the service once

	Transport http.RoundTripper // optional: a custom CA, tests
}

// S3 keeps objects in a bucket.
type S3 struct {
	c      *minio.Client
	bucket string
}

// cacheControl is sent with every object: media never change.
const cacheControl = "public, max-age=31536000, immutable"

// NewS3 returns storage in the bucket of cfg. It does not reach the
// service; Ping does.
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || strings.Contains(cfg.Endpoint, "://") || strings.Contains(cfg.Endpoint, "/") {
		return nil, fmt.Errorf("S3 endpoint %q: want host[:port]", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("S3 bucket: empty")
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.UseSSL,
		Region:    cfg.Region,
		Transport: cfg.Transport,
		// A request waits for the upload: retry briefly, not ten times.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 client: %w", err)
	}
	return &S3{c: c, bucket: cfg.Bucket}, nil
}

// Put uploads the object in one request.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !ValidKey(key) {
		return badKey(key)
	}
	_, err := s.c.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{
		ContentType:  contentType,
		CacheControl: cacheControl,
	})
	return errs.Wrap(err, "media: S3 put "+key)
}

// Open starts reading the object; Seek and Read fetch ranges of it.
func (s *S3) Open(ctx context.Context, key string) (*Object, error) {
	if !ValidKey(key) {
		return nil, errNoObject
	}
	obj, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s3Err(err, key)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, s3Err(err, key)
	}
	return &Object{ReadSeekCloser: obj, Size: info.Size, ContentType: info.ContentType, ModTime: info.LastModified}, nil
}

// Delete removes the object.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return badKey(key)
	}
	err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && notFound(err) {
		return nil
	}
	return errs.Wrap(err, "media: S3 delete "+key)
}

// Ping checks that the bucket exists and the credentials reach it.
func (s *S3) Ping(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return errs.Wrap(err, "media: S3 bucket "+s.bucket)
	}
	if !ok {
		return errs.Wrap(fmt.Errorf("bucket %q does not exist", s.bucket), "media: S3")
	}
	return nil
}

func notFound(err error) bool {
	r := minio.ToErrorResponse(err)
	return r.Code == "NoSuchKey" || r.StatusCode == http.StatusNotFound && r.Code != "NoSuchBucket"
}

func s3Err(err error, key string) error {
	if notFound(err) {
		return errNoObject
	}
	return errs.Wrap(err, "media: S3 get "+key)
}
