package config_test

import (
	"io"
	"testing"
	"time"

	"plaza/internal/config"
)

// admin-session-ttl is the admin sessions' lifetime (12h by default);
// admin-token-ttl, its earlier name, sets it too; it must be positive.
func TestAdminSessionSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := config.Load("plaza serve", nil, env(nil), io.Discard)
	if err != nil || c.AdminTokenTTL != 12*time.Hour || c.Admins().TokenTTL != 12*time.Hour {
		t.Fatalf("default: %v %v", err, c.AdminTokenTTL)
	}
	c, err = config.Load("plaza serve", nil, env(map[string]string{"PLAZA_ADMIN_SESSION_TTL": "30m"}), io.Discard)
	if err != nil || c.Admins().TokenTTL != 30*time.Minute {
		t.Fatalf("PLAZA_ADMIN_SESSION_TTL: %v %v", err, c.AdminTokenTTL)
	}
	c, err = config.Load("plaza serve", []string{"-admin-session-ttl", "2h"}, env(nil), io.Discard)
	if err != nil || c.Admins().TokenTTL != 2*time.Hour {
		t.Fatalf("-admin-session-ttl: %v %v", err, c.AdminTokenTTL)
	}
	c, err = config.Load("plaza serve", nil, env(map[string]string{"PLAZA_ADMIN_TOKEN_TTL": "1h"}), io.Discard)
	if err != nil || c.Admins().TokenTTL != time.Hour {
		t.Fatalf("PLAZA_ADMIN_TOKEN_TTL: %v %v", err, c.AdminTokenTTL)
	}
	for _, bad := range []string{"0s", "-1h", "soon"} {
		if _, err := config.Load("plaza serve", nil, env(map[string]string{"PLAZA_ADMIN_SESSION_TTL": bad}), io.Discard); err == nil {
			t.Errorf("PLAZA_ADMIN_SESSION_TTL=%s accepted", bad)
		}
	}
}
