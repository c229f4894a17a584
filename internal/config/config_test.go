package config_test

import (
	"io"
	"testing"
	"time"

	"plaza/internal/config"
)

// The values wrapped to name their form still parse as before, and a bare
// boolean flag still means true.
func TestDescribedFlagsStillParse(t *testing.T) {
	c, err := config.Load("plaza serve", []string{"-trust-proxy", "-access-ttl", "2h", "-code-max-tries", "7"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.TrustProxy || c.AccessTTL != 2*time.Hour || c.CodeMaxTries != 7 {
		t.Fatalf("got trust-proxy %v, access-ttl %v, code-max-tries %d", c.TrustProxy, c.AccessTTL, c.CodeMaxTries)
	}
}
