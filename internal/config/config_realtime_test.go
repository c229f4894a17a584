package config_test

import (
	"io"
	"strings"
	"testing"

	"plaza/internal/config"
)

func TestRealtimeSetting(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	const pg, rd = "postgres://u@h/db", "redis://h:6379/0"
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "local"},
		{map[string]string{"PLAZA_DATABASE_URL": pg}, nil, "postgres"},
		{map[string]string{"PLAZA_REDIS_URL": rd}, nil, "redis"},
		{map[string]string{"PLAZA_DATABASE_URL": pg, "PLAZA_REDIS_URL": rd}, nil, "redis"},
		{map[string]string{"PLAZA_DATABASE_URL": pg, "PLAZA_REDIS_URL": rd, "PLAZA_REALTIME": "postgres"}, nil, "postgres"},
		{map[string]string{"PLAZA_DATABASE_URL": pg, "PLAZA_REALTIME": "local"}, nil, "local"},
		{map[string]string{"PLAZA_REDIS_URL": rd, "PLAZA_REALTIME": "redis"}, nil, "redis"},
		{map[string]string{"PLAZA_REALTIME": "redis", "PLAZA_REDIS_URL": rd}, []string{"-realtime=local"}, "local"},
	} {
		got, err := config.Load("plaza serve", c.args, env(c.env), io.Discard)
		if err != nil || got.RealtimeBus != c.want {
			t.Errorf("%v %v: bus %q (%v), want %q", c.env, c.args, got.RealtimeBus, err, c.want)
		}
	}
	for _, bad := range []map[string]string{
		{"PLAZA_REALTIME": "postgres"},
		{"PLAZA_REALTIME": "redis", "PLAZA_DATABASE_URL": pg},
		{"PLAZA_REALTIME": "nats"},
	} {
		_, err := config.Load("plaza serve", nil, env(bad), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "realtime") {
			t.Errorf("%v: %v, want an error naming realtime", bad, err)
		}
	}
}
