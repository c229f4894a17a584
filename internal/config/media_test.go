package config_test

import (
	"io"
	"strings"
	"testing"

	"plaza/internal/config"
)

func load(env map[string]string) (config.Config, error) {
	return config.Load("plaza serve", nil, func(k string) string { return env[k] }, io.Discard)
}

func TestMediaSettings(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := c.MediaPolicy()
	if c.Media != "local" || p.IgnoreDeclaredType || p.MaxSize != 10<<20 || p.IssueTTL.Hours() != 1 || p.PublicURL != "/media/" || c.MediaDir() != "data/media" {
		t.Fatalf("defaults: %+v %+v %s", c.Media, p, c.MediaDir())
	}
	if c, _ := load(map[string]string{"PLAZA_MEDIA_CHECK_TYPE": "false"}); !c.MediaPolicy().IgnoreDeclaredType {
		t.Fatalf("media-check-type=false not applied")
	}
	for in, want := range map[string]int64{"2048": 2048, "512KiB": 512 << 10, "10MiB": 10 << 20, "3 mb": 3 << 20, "64k": 64 << 10, "4096B": 4096} {
		c, err := load(map[string]string{"PLAZA_MEDIA_MAX_SIZE": in})
		if err != nil || int64(c.MediaMaxSize) != want {
			t.Fatalf("media-max-size %q: %d %v", in, c.MediaMaxSize, err)
		}
	}
	c, err = load(map[string]string{"PLAZA_MEDIA": "s3", "PLAZA_MEDIA_S3_ENDPOINT": "s3.example.com:9000", "PLAZA_MEDIA_S3_BUCKET": "media",
		"PLAZA_MEDIA_S3_USE_SSL": "false", "PLAZA_MEDIA_PUBLIC_URL": "https://cdn.example.com/media/"})
	if err != nil {
		t.Fatal(err)
	}
	if s3 := c.MediaS3(); s3.Endpoint != "s3.example.com:9000" || s3.Bucket != "media" || s3.UseSSL {
		t.Fatalf("s3: %+v", s3)
	}
	for _, bad := range []map[string]string{
		{"PLAZA_MEDIA": "ftp"},
		{"PLAZA_MEDIA": "s3"},
		{"PLAZA_MEDIA": "s3", "PLAZA_MEDIA_S3_ENDPOINT": "https://s3.example.com", "PLAZA_MEDIA_S3_BUCKET": "b"},
		{"PLAZA_MEDIA": "s3", "PLAZA_MEDIA_S3_ENDPOINT": "s3.example.com"},
		{"PLAZA_MEDIA_S3_ENDPOINT": "s3.example.com", "PLAZA_MEDIA_S3_BUCKET": "b"}, // media still local
		{"PLAZA_MEDIA_MAX_SIZE": "10"},
		{"PLAZA_MEDIA_MAX_SIZE": "1GiB"},
		{"PLAZA_MEDIA_MAX_SIZE": "ten"},
		{"PLAZA_MEDIA_ISSUE_TTL": "0s"},
		{"PLAZA_MEDIA_PUBLIC_URL": "cdn.example.com"},
		{"PLAZA_MEDIA_PUBLIC_URL": "ftp://cdn.example.com/"},
	} {
		if _, err := load(bad); err == nil {
			t.Fatalf("accepted %v", bad)
		} else if !strings.Contains(strings.ToLower(err.Error()), "media") {
			t.Fatalf("%v: the error does not name the setting: %v", bad, err)
		}
	}
}
