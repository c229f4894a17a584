package deploy

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// compose is the part of a compose file the test reads.
type compose struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		DependsOn   any               `yaml:"depends_on"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func readCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("compose.yaml does not parse: %v", err)
	}
	return c
}

// compose.yaml parses and names its services: two plaza nodes built from
// the Dockerfile on one PostgreSQL and one Redis, the nginx balancer with
// deploy/nginx/balancer.conf, and nginx-rtmp built from deploy/rtmp.
func TestComposeServices(t *testing.T) {
	c := readCompose(t)
	var names []string
	for n := range c.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{"balancer", "plaza1", "plaza2", "postgres", "redis", "rtmp"}; !slices.Equal(names, want) {
		t.Fatalf("services %v, want %v", names, want)
	}
	var dbURL, redisURL string
	for _, n := range []string{"plaza1", "plaza2"} {
		s := c.Services[n]
		if s.Build != "." || s.Image != "plaza:latest" {
			t.Errorf("%s: build %v image %q, want the Dockerfile's image", n, s.Build, s.Image)
		}
		env := s.Environment
		if !strings.Contains(env["PLAZA_DATABASE_URL"], "@postgres:5432/") || env["PLAZA_REDIS_URL"] != "redis://redis:6379/0" {
			t.Errorf("%s: database %q redis %q", n, env["PLAZA_DATABASE_URL"], env["PLAZA_REDIS_URL"])
		}
		if dbURL == "" {
			dbURL, redisURL = env["PLAZA_DATABASE_URL"], env["PLAZA_REDIS_URL"]
		} else if env["PLAZA_DATABASE_URL"] != dbURL || env["PLAZA_REDIS_URL"] != redisURL {
			t.Errorf("%s: not on the same PostgreSQL and Redis as plaza1", n)
		}
		if env["PLAZA_ADDR"] != "0.0.0.0:8080" || env["PLAZA_TRUST_PROXY"] != "true" || env["PLAZA_LIVE_CALLBACK_SECRET"] == "" {
			t.Errorf("%s: environment %v", n, env)
		}
		if !slices.Contains(s.Volumes, n+":/data") || !slices.Contains(s.Volumes, "media:/data/media") {
			t.Errorf("%s: volumes %v, want a data volume of its own and the shared media", n, s.Volumes)
		}
	}
	if b := c.Services["balancer"]; !slices.Contains(b.Volumes, "./deploy/nginx/balancer.conf:/etc/nginx/conf.d/default.conf:ro") || !slices.Contains(b.Ports, "8080:80") {
		t.Errorf("balancer: volumes %v ports %v", b.Volumes, b.Ports)
	}
	if r := c.Services["rtmp"]; r.Build != "./deploy/rtmp" || !slices.Contains(r.Ports, "1935:1935") {
		t.Errorf("rtmp: build %v ports %v", r.Build, r.Ports)
	}
	for _, n := range []string{"postgres", "redis"} {
		if c.Services[n].Healthcheck == nil {
			t.Errorf("%s has no healthcheck (the plaza nodes wait for it)", n)
		}
	}
	// Every named volume a service mounts is declared.
	for n, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") {
				if _, ok := c.Volumes[src]; !ok {
					t.Errorf("%s mounts the undeclared volume %q", n, src)
				}
			}
		}
	}
}

// The balancer sends to both plaza nodes of compose.yaml, passes WebSocket
// upgrades, and nginx-rtmp calls plaza's callbacks with the secret.
func TestNginxConfigs(t *testing.T) {
	b, err := os.ReadFile("nginx/balancer.conf")
	if err != nil {
		t.Fatal(err)
	}
	bal := string(b)
	for _, want := range []string{"server plaza1:8080", "server plaza2:8080", "proxy_set_header Upgrade $http_upgrade", "X-Forwarded-For"} {
		if !strings.Contains(bal, want) {
			t.Errorf("balancer.conf lacks %q", want)
		}
	}
	r, err := os.ReadFile("rtmp/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, cb := range []string{"on_publish", "on_publish_done", "on_update"} {
		re := regexp.MustCompile(`(?m)^\s*` + cb + `\s+http://balancer/live/rtmp/` + cb + `\?secret=\$\{PLAZA_LIVE_CALLBACK_SECRET\};`)
		if !re.Match(r) {
			t.Errorf("rtmp/nginx.conf: no %s callback to plaza with the secret", cb)
		}
	}
}

// The image: built by deploy/build.sh (the build CI runs), on the Go of
// go.mod, run as a user of its own with the /data volume and a health
// check on /readyz.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	d := string(b)
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goVersion == nil {
		t.Fatal("go.mod names no go version")
	}
	for _, want := range []string{
		"FROM golang:" + string(goVersion[1]) + "-",
		"RUN sh deploy/build.sh /out/plaza",
		"USER plaza:plaza",
		`VOLUME ["/data"]`,
		"http://127.0.0.1:8080/readyz",
		"ENV PLAZA_DATA=/data",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^HEALTHCHECK `).MatchString(d) {
		t.Error("Dockerfile has no HEALTHCHECK")
	}
	s, err := os.ReadFile("build.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(s), "CGO_ENABLED=0 go build") {
		t.Error("deploy/build.sh does not build with CGO_ENABLED=0")
	}
}

// The systemd unit runs plaza serve as a user of its own, sandboxed, with
// only its state directory writable.
func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile("plaza.service")
	if err != nil {
		t.Fatal(err)
	}
	u := string(b)
	for _, want := range []string{
		"ExecStart=/usr/local/bin/plaza serve", "User=plaza", "NoNewPrivileges=yes", "ProtectSystem=strict",
		"PrivateTmp=yes", "ReadWritePaths=/var/lib/plaza", "Environment=PLAZA_DATA=/var/lib/plaza", "ProtectHome=yes",
	} {
		if !strings.Contains(u, want) {
			t.Errorf("plaza.service lacks %q", want)
		}
	}
}
