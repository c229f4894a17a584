package ratelimit

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"plaza/internal/errs"
)

// Redis keeps counters in Redis, under prefix+key, expiring with their window.
type Redis struct {
	client *redis.Client
	prefix string
}

// NewRedis returns a limiter on client.
func NewRedis(client *redis.Client, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// hitScript increments the key, starts its window on the first event and
// answers the count and the milliseconds left, in one round trip.
var hitScript = redis.NewScript(`
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`)

func (l *Redis) Hit(ctx context.Context, key string, limit int, window time.Duration) (Result, error) {
	v, err := hitScript.Run(ctx, l.client, []string{l.prefix + key}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return Result{}, errs.Wrap(err, "rate limit (redis)")
	}
	return Result{
		Allowed:    v[0] <= int64(limit),
		Count:      int(v[0]),
		RetryAfter: time.Duration(v[1]) * time.Millisecond,
	}, nil
}

func (l *Redis) Count(ctx context.Context, key string) (int, error) {
	n, err := l.client.Get(ctx, l.prefix+key).Int()
	if err == redis.Nil {
		return 0, nil
	}
	return n, errs.Wrap(err, "rate limit (redis)")
}

func (l *Redis) RetryAfter(ctx context.Context, key string) (time.Duration, error) {
	d, err := l.client.PTTL(ctx, l.prefix+key).Result()
	if err != nil {
		return 0, errs.Wrap(err, "rate limit (redis)")
	}
	if d < 0 { // no key (-2), or one without expiry (-1)
		return 0, nil
	}
	return d, nil
}
