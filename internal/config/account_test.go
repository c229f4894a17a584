package config_test

import (
	"testing"
	"time"

	"plaza/internal/account"
)

func TestAccountSecuritySettings(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
	if p := c.PasswordParams(); p != (account.Argon2Params{Memory: 19456, Time: 2, Threads: 1}) || c.Accounts().RefreshReuseInterval != 10*time.Second {
		t.Fatalf("defaults: %v, reuse interval %v", p, c.Accounts().RefreshReuseInterval)
	}
	c, err = load(map[string]string{"PLAZA_PASSWORD_HASH": "m=47104,t=1,p=1", "PLAZA_REFRESH_REUSE_INTERVAL": "0s"})
	if err != nil || c.PasswordParams() != (account.Argon2Params{Memory: 47104, Time: 1, Threads: 1}) || c.Accounts().RefreshReuseInterval != 0 {
		t.Fatalf("set: %v %v %v", c.PasswordParams(), c.Accounts().RefreshReuseInterval, err)
	}
	for _, bad := range []map[string]string{
		{"PLAZA_PASSWORD_HASH": "19456"}, {"PLAZA_PASSWORD_HASH": "m=19456,t=0,p=1"}, {"PLAZA_PASSWORD_HASH": "m=4,t=2,p=1"},
		{"PLAZA_PASSWORD_HASH": "m=19456,t=2,p=0"}, {"PLAZA_PASSWORD_HASH": "m=19456,t=2,p=1,x"}, {"PLAZA_PASSWORD_HASH": "m=9999999,t=2,p=1"},
		{"PLAZA_REFRESH_REUSE_INTERVAL": "-1s"}, {"PLAZA_REFRESH_REUSE_INTERVAL": "1h"},
	} {
		if _, err := load(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
