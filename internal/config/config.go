// Package config reads plaza's settings from flags and PLAZA_* environment
// variables (a flag wins over its variable). Bad settings stop the start
// with a message that names the setting.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones work on machines without tzdata

	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/media"
	"plaza/internal/pet"
	storage "plaza/internal/provider/media"
)

// Config is every setting of the server.
type Config struct {
	Addr        string
	Data        string
	DatabaseURL string
	RedisURL    string
	RedisPrefix string

	SMS           string // outbox | webhook | aliyun | tencent
	SMSWebhookURL string
	SMSTestOTP    string    // "8613800138000=123456,..."
	SMSVendor     SMSVendor // sms-timeout, and the settings of aliyun and tencent (sms.go)
	SMTPURL       string
	Push          PushSettings // the push channels (docs/deploy.md, "Push providers")

	Media            string // local | s3
	MediaMaxSize     ByteSize
	MediaIssueTTL    time.Duration
	MediaPublicURL   string
	MediaCheckType   bool
	MediaS3Endpoint  string
	MediaS3Bucket    string
	MediaS3AccessKey string
	MediaS3SecretKey string
	MediaS3UseSSL    bool
	MediaS3Region    string

	AdminEmail    string
	AdminPassword string
	AdminTokenTTL time.Duration
	// Admin sign-in: wrong passwords per e-mail and per client address
	// within the window before sign-in pauses.
	AdminLoginMaxFailures      int
	AdminLoginMaxFailuresPerIP int
	AdminLoginFailureWindow    time.Duration

	AppID    string
	AppName  string
	TimeZone string

	AccessTTL            time.Duration
	RefreshTTL           time.Duration
	RefreshReuseInterval time.Duration
	PasswordHash         string               // argon2id parameters of new password hashes
	Argon2               account.Argon2Params // PasswordHash, read by Check
	CodeTTL              time.Duration
	CodeCooldown         time.Duration
	CodeMaxTries         int
	CodeMaxPerAccountDay int
	CodeMaxPerIPDay      int
	LoginMaxFailures     int
	LoginFailureWindow   time.Duration

	AuthCache    string // "auto" or a duration
	ContentCache string // "auto" or a number of article rows
	PageCache    string // "auto", "true" or "false"

	YuanyiPath       string
	YuanyiApp        string
	YuanyiSecret     string
	YuanyiCheckSig   bool
	YuanyiCodeLength int
	YuanyiMaxSkew    time.Duration

	OrderTTL time.Duration // how long a pending order holds its tickets

	PushLease time.Duration // how long a node's claim of push deliveries holds

	// The pet game of the doge face (pet.Config).
	DogeStartCoins int64
	DogeStartPoop  int
	DogePoopEvery  time.Duration
	DogePoopMax    int
	DogePickCoins  int64
	DogeFeedCoins  int64
	DogeBathCoins  int64
	// Travel: leaves LeaveMin-LeaveMax after fed and bathed, back
	// BackMin-BackMax after it left.
	DogeLeaveMin, DogeLeaveMax time.Duration
	DogeBackMin, DogeBackMax   time.Duration
	// The live face (seed 001): sign-up codes, tokens, gold.
	LiveEchoCode    bool          // /register answers the code itself (trusted test set-ups only)
	LiveMaxTokenTTL time.Duration // caps expire_in of /log
	LivePayMethod   string        // a refill's payment method when the app names none ("": sandbox if on, else the first vendor)
	GoldPerYuan     int64
	LiveCache       string // auto | true | false
	LiveCacheOn     bool   // derived by Load
	// Payments (docs/payments.md). A vendor is configured when its app id
	// is set; then every setting of it is required.
	PaySandbox           string // auto | true | false
	PayExpire            time.Duration
	PayReconcileInterval time.Duration
	PayWeChatMchID       string
	PayWeChatAppID       string
	PayWeChatSerialNo    string
	PayWeChatPrivateKey  string // file
	PayWeChatAPIv3Key    string
	PayWeChatPlatformKey string // file: public key or certificate
	PayWeChatPlatformID  string
	PayWeChatNotifyURL   string
	PayWeChatBaseURL     string
	PayAlipayAppID       string
	PayAlipayPrivateKey  string // file
	PayAlipayPublicKey   string // file
	PayAlipayNotifyURL   string
	PayAlipayGatewayURL  string

	// Realtime: the bus of the realtime seam (docs/realtime.md).
	Realtime    string        // auto | local | postgres | redis
	RealtimeBus string        // derived by Check: local, postgres or redis
	Live        LiveStreaming // live streaming of the live face's rooms (docs/live.md)

	TrustProxy      bool
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration

	// Derived by Load.
	Location         *time.Location
	TestOTP          map[string]string
	AuthCacheTTL     time.Duration
	ContentCacheRows int
	PageCacheOn      bool
}

// EnvName is the variable of a flag: "sms-webhook-url" -> PLAZA_SMS_WEBHOOK_URL.
func EnvName(flagName string) string {
	return "PLAZA_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// FlagSet defines the server's settings on a new flag set writing to out.
func FlagSet(name string, c *Config, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	d := account.DefaultConfig()
	ad := admins.DefaultConfig()
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.Data, "data", "./data", "directory for the SQLite file, media and outboxes")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "PostgreSQL URL (postgres://...); empty: embedded SQLite under -data")
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis URL (redis://...) for rate-limit counters; empty: the database")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", "plaza:", "prefix of plaza's keys in Redis")
	fs.StringVar(&c.SMS, "sms", "outbox", "SMS provider: outbox ($PLAZA_DATA/outbox/sms.jsonl), webhook, aliyun (Aliyun SMS) or tencent (Tencent Cloud SMS)")
	fs.StringVar(&c.SMSWebhookURL, "sms-webhook-url", "", "URL the webhook SMS provider POSTs each message to")
	fs.StringVar(&c.SMSTestOTP, "sms-test-otp", "", `test numbers with fixed codes: "8613800138000=123456,..."`)
	smsFlags(fs, &c.SMSVendor)
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "SMTP server for mail (smtp://user:pass@host:587?from=a@b.c); empty: $PLAZA_DATA/outbox/mail.jsonl")
	pushFlags(fs, &c.Push)
	c.MediaMaxSize = 10 << 20
	fs.StringVar(&c.Media, "media", "local", "media storage: local ($PLAZA_DATA/media) or s3 (an S3-compatible bucket)")
	fs.Var(&c.MediaMaxSize, "media-max-size", "largest uploaded file (bytes, or with KiB, MiB)")
	fs.DurationVar(&c.MediaIssueTTL, "media-issue-ttl", time.Hour, "how long an issued media id waits for its upload")
	fs.StringVar(&c.MediaPublicURL, "media-public-url", "/media/", "base URL of the media links plaza hands out (a CDN or the bucket's public URL); the media id follows it")
	fs.BoolVar(&c.MediaCheckType, "media-check-type", true, "refuse an upload whose declared Content-Type is not the type of its bytes (false: the bytes alone decide)")
	fs.StringVar(&c.MediaS3Endpoint, "media-s3-endpoint", "", "S3-compatible endpoint, host[:port] without scheme (media=s3)")
	fs.StringVar(&c.MediaS3Bucket, "media-s3-bucket", "", "bucket of the media (media=s3); it must exist")
	fs.StringVar(&c.MediaS3AccessKey, "media-s3-access-key", "", "S3 access key id")
	fs.StringVar(&c.MediaS3SecretKey, "media-s3-secret-key", "", "S3 secret access key")
	fs.BoolVar(&c.MediaS3UseSSL, "media-s3-use-ssl", true, "reach the S3 endpoint over TLS")
	fs.StringVar(&c.MediaS3Region, "media-s3-region", "", "S3 region; empty: asked of the service")
	fs.StringVar(&c.AdminEmail, "admin-email", "", "e-mail of the first admin, created at start if absent")
	fs.StringVar(&c.AdminPassword, "admin-password", "", "password of the first admin")
	// Admin sessions (the console's sign-in): admin-session-ttl is the
	// lifetime of a session, token and cookie; admin-token-ttl is its
	// earlier name (either sets it: set one).
	fs.DurationVar(&c.AdminTokenTTL, "admin-token-ttl", ad.TokenTTL, "earlier name of admin-session-ttl")
	fs.DurationVar(&c.AdminTokenTTL, "admin-session-ttl", ad.TokenTTL, "lifetime of an admin session (its token and the console's cookie) from sign-in")
	fs.IntVar(&c.AdminLoginMaxFailures, "admin-login-max-failures", ad.LoginMaxFailures, "wrong admin passwords per e-mail before admin sign-in pauses (429)")
	fs.IntVar(&c.AdminLoginMaxFailuresPerIP, "admin-login-max-failures-per-ip", ad.LoginMaxFailuresPerIP, "wrong admin passwords per client address before admin sign-in from it pauses (429)")
	fs.DurationVar(&c.AdminLoginFailureWindow, "admin-login-failure-window", ad.LoginFailureWindow, "how long wrong admin passwords count")
	fs.StringVar(&c.AppID, "app-id", "", "app id shown in the member face's objects")
	fs.StringVar(&c.AppName, "app-name", "plaza", "app name used in the text of SMS and mail")
	fs.StringVar(&c.TimeZone, "tz", "Asia/Shanghai", "time zone of displayed times")
	fs.DurationVar(&c.AccessTTL, "access-ttl", d.AccessTTL, "lifetime of an access token")
	fs.DurationVar(&c.RefreshTTL, "refresh-ttl", d.RefreshTTL, "lifetime of a refresh token")
	fs.DurationVar(&c.RefreshReuseInterval, "refresh-reuse-interval", d.RefreshReuseInterval, "a rotated refresh token presented again within this gets the same new pair instead of revoking its sign-in (parallel refreshes); 0: off")
	fs.StringVar(&c.PasswordHash, "password-hash", account.DefaultArgon2.String(), "argon2id parameters of password hashes: m=<KiB>,t=<passes>,p=<lanes> (default: OWASP's 19 MiB, 2 passes, 1 lane); older hashes are re-hashed at the next sign-in")
	fs.DurationVar(&c.CodeTTL, "code-ttl", d.CodeTTL, "lifetime of a verification code (5m to 10m advised)")
	fs.DurationVar(&c.CodeCooldown, "code-cooldown", d.CodeCooldown, "minimum time between two codes to one account")
	fs.IntVar(&c.CodeMaxTries, "code-max-tries", d.CodeMaxTries, "wrong tries before a code is dead")
	fs.IntVar(&c.CodeMaxPerAccountDay, "code-max-per-account-day", d.CodeMaxPerAccountDay, "codes per account per day")
	fs.IntVar(&c.CodeMaxPerIPDay, "code-max-per-ip-day", d.CodeMaxPerIPDay, "codes per client address per day")
	fs.StringVar(&c.AuthCache, "auth-cache-ttl", "auto", "keep token checks in memory this long; auto: 60s where exact (SQLite, or every node on a cross-node realtime bus), else 0")
	fs.StringVar(&c.PageCache, "page-cache", "auto", "keep the encoded pages of admin-made lists (market products, doge goods) in memory while none of their rows changes; auto: on where exact (SQLite, or a cross-node realtime bus)")
	fs.StringVar(&c.ContentCache, "content-cache", "auto", "keep this many article rows in memory; auto: 100000 where exact (SQLite, or a cross-node realtime bus), else 0")
	fs.StringVar(&c.YuanyiPath, "yuanyi-path", "/yuanyiapi/", "URL of the yuanyi face (seed 003)")
	fs.StringVar(&c.YuanyiApp, "yuanyi-app", "yuanyi-app", "app name the yuanyi client signs with")
	fs.StringVar(&c.YuanyiSecret, "yuanyi-secret", "3b57ff81-27ea-45d9-a2e3-6e24920b17ac", "signing secret of the yuanyi client (its own default)")
	fs.BoolVar(&c.YuanyiCheckSig, "yuanyi-check-sig", true, "check the signature of yuanyi calls")
	fs.IntVar(&c.YuanyiCodeLength, "yuanyi-code-length", 4, "digits of the SMS codes the yuanyi face sends (4-8)")
	fs.DurationVar(&c.YuanyiMaxSkew, "yuanyi-max-skew", 15*time.Minute, "refuse a signed yuanyi call whose ts is further than this from the server's clock (0: off)")
	fs.DurationVar(&c.OrderTTL, "order-ttl", 15*time.Minute, "how long a pending order holds its tickets before it expires")
	fs.DurationVar(&c.PushLease, "push-lease", 2*time.Minute, "how long a node's claim of a batch of push deliveries holds: the batch of a node that died while sending it is sent again (under the same collapse id) after this; longer than a batch takes")
	pd := pet.DefaultConfig()
	fs.Int64Var(&c.DogeStartCoins, "doge-start-coins", pd.StartCoins, "coins a new player of the pet game (doge face) is granted")
	fs.IntVar(&c.DogeStartPoop, "doge-start-poop", pd.StartPoop, "pending poop of a new player of the pet game")
	fs.DurationVar(&c.DogePoopEvery, "doge-poop-every", pd.PoopEvery, "the pet game accrues one pending poop per this")
	fs.IntVar(&c.DogePoopMax, "doge-poop-max", pd.PoopMax, "most pending poop in the pet game")
	fs.Int64Var(&c.DogePickCoins, "doge-pick-coins", pd.PickCoins, "coins a picked poop pays")
	fs.Int64Var(&c.DogeFeedCoins, "doge-feed-coins", pd.FeedCoins, "coins feeding the pet costs")
	fs.Int64Var(&c.DogeBathCoins, "doge-bath-coins", pd.BathCoins, "coins bathing the pet costs")
	fs.DurationVar(&c.DogeLeaveMin, "doge-leave-min", pd.LeaveMin, "a fed and bathed pet leaves travelling at the earliest this later")
	fs.DurationVar(&c.DogeLeaveMax, "doge-leave-max", pd.LeaveMax, "a fed and bathed pet leaves travelling at the latest this later")
	fs.DurationVar(&c.DogeBackMin, "doge-back-min", pd.BackMin, "a travelling pet is back at the earliest this after it left")
	fs.DurationVar(&c.DogeBackMax, "doge-back-max", pd.BackMax, "a travelling pet is back at the latest this after it left")
	fs.BoolVar(&c.LiveEchoCode, "live-echo-code", false, "the live face's /register answers the code itself instead of a challenge, as the original app did: for trusted test set-ups only")
	fs.DurationVar(&c.LiveMaxTokenTTL, "live-max-token-ttl", 7*24*time.Hour, "the longest token the live face's /log issues (expire_in is capped at it, and at access-ttl)")
	fs.StringVar(&c.LivePayMethod, "live-pay-method", "", "payment method of a live-face refill when the app names none: sandbox, wechat or alipay (default: sandbox while it is on, else the first vendor configured)")
	fs.Int64Var(&c.GoldPerYuan, "gold-per-yuan", 10, "gold a live-face refill buys per yuan")
	fs.StringVar(&c.LiveCache, "live-cache", "auto", "keep friend lists and the open live rooms in memory; auto: on where exact (SQLite, or a cross-node realtime bus)")
	fs.IntVar(&c.LoginMaxFailures, "login-max-failures", d.LoginMaxFailures, "wrong passwords per account before sign-in by password pauses")
	fs.DurationVar(&c.LoginFailureWindow, "login-failure-window", d.LoginFailureWindow, "how long wrong passwords count")
	fs.StringVar(&c.Realtime, "realtime", "auto", "bus of realtime events between nodes: local (one node), postgres (LISTEN/NOTIFY of database-url), redis (pub/sub of redis-url); auto: redis when redis-url is set, else postgres when the database is PostgreSQL, else local")
	fs.StringVar(&c.PaySandbox, "pay-sandbox", "auto", "sandbox payments (paid at once, no money): auto (on while no vendor is configured), true or false")
	fs.DurationVar(&c.PayExpire, "pay-expire", 30*time.Minute, "how long a WeChat Pay or Alipay payment may wait to be paid")
	fs.DurationVar(&c.PayReconcileInterval, "pay-reconcile-interval", time.Minute, "how often pending payments without a notification are asked of the vendor")
	fs.StringVar(&c.PayWeChatMchID, "pay-wechat-mch-id", "", "WeChat Pay merchant id")
	fs.StringVar(&c.PayWeChatAppID, "pay-wechat-app-id", "", "WeChat open-platform app id of the mobile app (set: WeChat Pay is on)")
	fs.StringVar(&c.PayWeChatSerialNo, "pay-wechat-serial-no", "", "serial number of the merchant API certificate")
	fs.StringVar(&c.PayWeChatPrivateKey, "pay-wechat-private-key-file", "", "merchant API private key (PEM file, apiclient_key.pem)")
	fs.StringVar(&c.PayWeChatAPIv3Key, "pay-wechat-api-v3-key", "", "APIv3 key (32 bytes) that decrypts notifications")
	fs.StringVar(&c.PayWeChatPlatformKey, "pay-wechat-platform-key-file", "", "WeChat Pay public key or platform certificate (PEM file)")
	fs.StringVar(&c.PayWeChatPlatformID, "pay-wechat-platform-key-id", "", "id of the WeChat Pay public key (PUB_KEY_ID_...); not needed with a certificate")
	fs.StringVar(&c.PayWeChatNotifyURL, "pay-wechat-notify-url", "", "public https URL of POST /pay/notify/wechat")
	fs.StringVar(&c.PayWeChatBaseURL, "pay-wechat-base-url", "", "WeChat Pay API base URL (empty: https://api.mch.weixin.qq.com)")
	fs.StringVar(&c.PayAlipayAppID, "pay-alipay-app-id", "", "Alipay app id (set: Alipay is on)")
	fs.StringVar(&c.PayAlipayPrivateKey, "pay-alipay-private-key-file", "", "the app's RSA2 private key (PEM file)")
	fs.StringVar(&c.PayAlipayPublicKey, "pay-alipay-public-key-file", "", "Alipay's public key (PEM file)")
	fs.StringVar(&c.PayAlipayNotifyURL, "pay-alipay-notify-url", "", "public https URL of POST /pay/notify/alipay")
	fs.StringVar(&c.PayAlipayGatewayURL, "pay-alipay-gateway-url", "", "Alipay gateway (empty: https://openapi.alipay.com/gateway.do)")
	liveFlags(fs, &c.Live)
	fs.BoolVar(&c.TrustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "json", "json or text")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests may take at shutdown")
	fs.VisitAll(func(f *flag.Flag) {
		f.Usage += " [" + EnvName(f.Name) + "]"
		describe(f)
	})
	return fs
}

// described is a flag value whose parse error names the form it wants
// (flag's own says only "parse error").
type described struct {
	flag.Value
	want string
}

func (d described) Set(s string) error {
	if err := d.Value.Set(s); err != nil {
		return errors.New(d.want)
	}
	return nil
}

func (d described) Get() any { return d.Value.(flag.Getter).Get() }

// String is the value's; the zero described that flag's help makes (to
// tell a default from the zero value) has none.
func (d described) String() string {
	if d.Value == nil {
		return ""
	}
	return d.Value.String()
}

// IsBoolFlag keeps "-flag" (without "=true") working for booleans.
func (d described) IsBoolFlag() bool {
	b, ok := d.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// describe wraps f's value in a described one when its type has a form to
// name. Values of plaza's own types (ByteSize) name their form themselves.
func describe(f *flag.Flag) {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return
	}
	var want string
	switch g.Get().(type) {
	case time.Duration:
		want = "want a duration such as 168h, 30m or 10s"
	case int, int64, uint, uint64:
		want = "want a whole number such as 10"
	case bool:
		want = "want true or false"
	default:
		return
	}
	f.Value = described{Value: f.Value, want: want}
}

// UnknownEnv names the PLAZA_* variables of environ ("KEY=value" items)
// that set nothing in fs, each with the setting it most likely meant, so a
// misspelt variable is not ignored in silence. PLAZA_TEST_* variables are
// the test suite's own and pass.
func UnknownEnv(fs *flag.FlagSet, environ []string) []string {
	known := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { known[EnvName(f.Name)] = true })
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "PLAZA_") || strings.HasPrefix(k, "PLAZA_TEST_") || known[k] {
			continue
		}
		msg := k + " is not a setting of plaza; it is ignored"
		if near := nearest(k, known); near != "" {
			msg += " (did you mean " + near + "?)"
		}
		out = append(out, msg)
	}
	sort.Strings(out)
	return out
}

// nearest is the name of names closest to s by edit distance, if it is
// close enough to be a likely typo (at most a third of s's length).
func nearest(s string, names map[string]bool) string {
	best, bestD := "", len(s)/3+1
	for n := range names {
		if d := editDistance(s, n); d < bestD || d == bestD && best != "" && n < best {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two ASCII names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Load reads the environment, then the flags in args, then checks the result.
func Load(name string, args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := FlagSet(name, &c, out)
	if err := ApplyEnv(fs, getenv); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return c, c.Check()
}

// ApplyEnv sets every flag of fs whose variable is set.
func ApplyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var errsOut []error
	fs.VisitAll(func(f *flag.Flag) {
		env := EnvName(f.Name)
		if v := getenv(env); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errsOut = append(errsOut, fmt.Errorf("%s=%q: %v", env, v, err))
			}
		}
	})
	return errors.Join(errsOut...)
}

// Check validates the settings and fills in the derived fields.
func (c *Config) Check() error {
	var bad []error
	fail := func(format string, args ...any) { bad = append(bad, fmt.Errorf(format, args...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		fail("addr %q: want host:port", c.Addr)
	}
	if c.Data == "" {
		fail("data: empty directory")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		fail("database-url: want postgres://... or postgresql://...")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		fail("redis-url: want redis://... or rediss://...")
	}
	switch c.SMS {
	case "outbox":
	case "webhook":
		if u, err := url.Parse(c.SMSWebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail("sms-webhook-url: the webhook SMS provider needs an http(s) URL")
		}
	case "aliyun", "tencent":
	default:
		fail("sms %q: want outbox, webhook, aliyun or tencent", c.SMS)
	}
	c.SMSVendor.check(c.SMS, fail)
	c.Push.check(fail)
	switch c.Media {
	case "local":
		if c.MediaS3Endpoint != "" || c.MediaS3Bucket != "" {
			fail("media-s3-endpoint and media-s3-bucket are set but media is local: set media=s3 (or clear them)")
		}
	case "s3":
		if c.MediaS3Endpoint == "" || strings.Contains(c.MediaS3Endpoint, "/") {
			fail("media-s3-endpoint %q: media=s3 needs host[:port], without scheme", c.MediaS3Endpoint)
		}
		if c.MediaS3Bucket == "" {
			fail("media-s3-bucket: media=s3 needs a bucket")
		}
	default:
		fail("media %q: want local or s3", c.Media)
	}
	if c.MediaMaxSize < 1<<10 || c.MediaMaxSize > 100<<20 {
		fail("media-max-size %s: 1KiB to 100MiB", c.MediaMaxSize)
	}
	if c.MediaPublicURL == "" {
		fail("media-public-url: empty (default /media/)")
	} else if u, err := url.Parse(c.MediaPublicURL); err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") ||
		(u.Scheme == "" && !strings.HasPrefix(c.MediaPublicURL, "/")) || u.RawQuery != "" || u.Fragment != "" {
		fail("media-public-url %q: want /path/ or http(s)://host/path/", c.MediaPublicURL)
	}
	otp, err := ParseTestOTP(c.SMSTestOTP)
	if err != nil {
		fail("sms-test-otp: %v", err)
	}
	c.TestOTP = otp
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		fail("admin-email and admin-password go together")
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 8 {
		fail("admin-password: at least 8 characters")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		fail("tz %q: %v", c.TimeZone, err)
	}
	c.Location = loc
	positive := []struct {
		name string
		d    time.Duration
	}{{"access-ttl", c.AccessTTL}, {"refresh-ttl", c.RefreshTTL}, {"code-ttl", c.CodeTTL},
		{"admin-token-ttl", c.AdminTokenTTL}, {"admin-login-failure-window", c.AdminLoginFailureWindow}, {"login-failure-window", c.LoginFailureWindow}, {"shutdown-timeout", c.ShutdownTimeout}, {"media-issue-ttl", c.MediaIssueTTL},
		{"order-ttl", c.OrderTTL}, {"push-lease", c.PushLease}}
	for _, p := range positive {
		if p.d <= 0 {
			fail("%s: must be positive", p.name)
		}
	}
	if c.CodeCooldown < 0 {
		fail("code-cooldown: must not be negative")
	}
	if c.RefreshTTL < c.AccessTTL {
		fail("refresh-ttl: must not be shorter than access-ttl")
	}
	if c.RefreshReuseInterval < 0 || c.RefreshReuseInterval > 10*time.Minute {
		fail("refresh-reuse-interval: 0 (off) to 10m")
	}
	if p, err := account.ParseArgon2Params(c.PasswordHash); err != nil {
		fail("password-hash %q: %v", c.PasswordHash, err)
	} else {
		c.Argon2 = p
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"login-max-failures", c.LoginMaxFailures}, {"code-max-tries", c.CodeMaxTries}, {"code-max-per-account-day", c.CodeMaxPerAccountDay}, {"code-max-per-ip-day", c.CodeMaxPerIPDay},
		{"admin-login-max-failures", c.AdminLoginMaxFailures}, {"admin-login-max-failures-per-ip", c.AdminLoginMaxFailuresPerIP}} {
		if n.v < 1 {
			fail("%s: must be 1 or more", n.name)
		}
	}
	if !strings.HasPrefix(c.YuanyiPath, "/") || !strings.HasSuffix(c.YuanyiPath, "/") || strings.ContainsAny(c.YuanyiPath, "{} ") {
		fail("yuanyi-path %q: want a path like /yuanyiapi/", c.YuanyiPath)
	}
	if c.YuanyiCodeLength < 4 || c.YuanyiCodeLength > 8 {
		fail("yuanyi-code-length: 4 to 8")
	}
	if c.YuanyiMaxSkew < 0 {
		fail("yuanyi-max-skew: must not be negative (0 turns the check off)")
	}
	if c.YuanyiCheckSig && c.YuanyiSecret == "" {
		fail("yuanyi-secret: empty (set yuanyi-check-sig=false to take unsigned calls)")
	}
	c.checkRealtime(fail)
	// The caches are exact where plaza is one node (SQLite) or where every
	// node hears the others' changes (a cross-node realtime bus:
	// internal/cachesync); "auto" turns them on there.
	exact := c.DatabaseURL == "" || c.RealtimeBus != "local"
	switch c.AuthCache {
	case "auto", "":
		c.AuthCacheTTL = 0
		if exact {
			c.AuthCacheTTL = time.Minute
		}
	default:
		d, err := time.ParseDuration(c.AuthCache)
		if err != nil || d < 0 {
			fail("auth-cache-ttl %q: want auto or a duration like 30s (0: off)", c.AuthCache)
		}
		c.AuthCacheTTL = d
	}
	switch c.ContentCache {
	case "auto", "":
		c.ContentCacheRows = 0
		if exact {
			c.ContentCacheRows = 100_000
		}
	default:
		n, err := strconv.Atoi(c.ContentCache)
		if err != nil || n < 0 {
			fail("content-cache %q: want auto or a number of rows (0: off)", c.ContentCache)
		}
		c.ContentCacheRows = n
	}
	c.PageCacheOn = autoBool("page-cache", c.PageCache, exact, fail)
	if c.DogePoopEvery <= 0 {
		fail("doge-poop-every: must be positive")
	}
	if c.DogeLeaveMin < 0 || c.DogeLeaveMax < c.DogeLeaveMin || c.DogeLeaveMax > 24*time.Hour {
		fail("doge-leave-min, doge-leave-max: 0 <= min <= max <= 24h")
	}
	if c.DogeBackMin < 0 || c.DogeBackMax < c.DogeBackMin || c.DogeBackMax > 24*time.Hour {
		fail("doge-back-min, doge-back-max: 0 <= min <= max <= 24h")
	}
	for _, n := range []struct {
		name string
		v    int64
	}{{"doge-start-coins", c.DogeStartCoins}, {"doge-start-poop", int64(c.DogeStartPoop)}, {"doge-poop-max", int64(c.DogePoopMax)},
		{"doge-pick-coins", c.DogePickCoins}, {"doge-feed-coins", c.DogeFeedCoins}, {"doge-bath-coins", c.DogeBathCoins}} {
		if n.v < 0 || n.v > 1_000_000 {
			fail("%s: 0 to 1000000", n.name)
		}
	}
	c.LiveCacheOn = autoBool("live-cache", c.LiveCache, exact, fail)
	if c.LiveMaxTokenTTL < time.Second {
		fail("live-max-token-ttl: at least 1s")
	}
	if c.GoldPerYuan < 1 || c.GoldPerYuan > 1_000_000 {
		fail("gold-per-yuan: 1 to 1000000")
	}
	switch c.LivePayMethod {
	case "", "sandbox", "wechat", "alipay":
	default:
		fail("live-pay-method %q: want sandbox, wechat or alipay", c.LivePayMethod)
	}
	switch c.PaySandbox {
	case "auto", "true", "false":
	default:
		fail("pay-sandbox %q: want auto, true or false", c.PaySandbox)
	}
	if c.PayExpire < time.Minute || c.PayExpire > 24*time.Hour {
		fail("pay-expire: 1m to 24h")
	}
	if c.PayReconcileInterval <= 0 {
		fail("pay-reconcile-interval: must be positive")
	}
	if c.WeChatPayOn() {
		for _, f := range []struct{ name, v string }{{"mch-id", c.PayWeChatMchID}, {"serial-no", c.PayWeChatSerialNo},
			{"private-key-file", c.PayWeChatPrivateKey}, {"api-v3-key", c.PayWeChatAPIv3Key}, {"platform-key-file", c.PayWeChatPlatformKey}, {"notify-url", c.PayWeChatNotifyURL}} {
			if f.v == "" {
				fail("pay-wechat-%s: needed when pay-wechat-app-id is set", f.name)
			}
		}
		if c.PayWeChatAPIv3Key != "" && len(c.PayWeChatAPIv3Key) != 32 {
			fail("pay-wechat-api-v3-key: must be 32 bytes")
		}
		checkURL(fail, "pay-wechat-notify-url", c.PayWeChatNotifyURL)
	} else if c.PayWeChatMchID != "" || c.PayWeChatPrivateKey != "" {
		fail("pay-wechat-app-id: empty while other pay-wechat-* settings are set")
	}
	if c.AlipayOn() {
		for _, f := range []struct{ name, v string }{{"private-key-file", c.PayAlipayPrivateKey}, {"public-key-file", c.PayAlipayPublicKey}, {"notify-url", c.PayAlipayNotifyURL}} {
			if f.v == "" {
				fail("pay-alipay-%s: needed when pay-alipay-app-id is set", f.name)
			}
		}
		checkURL(fail, "pay-alipay-notify-url", c.PayAlipayNotifyURL)
	} else if c.PayAlipayPrivateKey != "" || c.PayAlipayPublicKey != "" {
		fail("pay-alipay-app-id: empty while other pay-alipay-* settings are set")
	}
	c.Live.check(fail)
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		fail("log-format %q: want json or text", c.LogFormat)
	}
	return errors.Join(bad...)
}

// ParseTestOTP reads "8613800138000=123456,8613800138001=4321".
func ParseTestOTP(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		num, code, ok := strings.Cut(item, "=")
		num = strings.TrimPrefix(strings.TrimSpace(num), "+")
		code = strings.TrimSpace(code)
		if !ok || !digits(num) || len(num) < 6 || len(num) > 19 || !digits(code) || len(code) < 4 || len(code) > 8 {
			return nil, fmt.Errorf("%q: want <area><number>=<4 to 8 digits>", item)
		}
		out[num] = code
	}
	return out, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SQLitePath is the database file under Data.
func (c *Config) SQLitePath() string { return filepath.Join(c.Data, "plaza.db") }

// Outbox is the path of an outbox file under Data.
func (c *Config) Outbox(name string) string { return filepath.Join(c.Data, "outbox", name+".jsonl") }

// MediaDir is the directory of local media under Data.
func (c *Config) MediaDir() string { return filepath.Join(c.Data, "media") }

// MediaPolicy is the media policy of these settings.
func (c *Config) MediaPolicy() media.Config {
	m := media.DefaultConfig()
	m.MaxSize = int64(c.MediaMaxSize)
	m.IssueTTL = c.MediaIssueTTL
	m.PublicURL = c.MediaPublicURL
	m.IgnoreDeclaredType = !c.MediaCheckType
	return m
}

// MediaS3 is the bucket of these settings (media=s3).
func (c *Config) MediaS3() storage.S3Config {
	return storage.S3Config{
		Endpoint: c.MediaS3Endpoint, Bucket: c.MediaS3Bucket, AccessKey: c.MediaS3AccessKey,
		SecretKey: c.MediaS3SecretKey, UseSSL: c.MediaS3UseSSL, Region: c.MediaS3Region,
	}
}

// ByteSize is a size setting: bytes, or a number with KiB, MiB or GiB (K,
// M, G, KB, MB and GB are read as the same binary units).
type ByteSize int64

func (b ByteSize) String() string {
	n := int64(b)
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

func (b *ByteSize) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	shift := 0
	for _, u := range []struct {
		suffix string
		shift  int
	}{{"KIB", 10}, {"MIB", 20}, {"GIB", 30}, {"KB", 10}, {"MB", 20}, {"GB", 30}, {"K", 10}, {"M", 20}, {"G", 30}, {"B", 0}} {
		if strings.HasSuffix(t, u.suffix) {
			t, shift = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<40)>>shift {
		return fmt.Errorf("want a size like 10485760, 512KiB or 10MiB")
	}
	*b = ByteSize(n << shift)
	return nil
}

// PasswordParams are the argon2id parameters of new password hashes (the
// default when the settings were not checked).
func (c *Config) PasswordParams() account.Argon2Params {
	if c.Argon2 == (account.Argon2Params{}) {
		return account.DefaultArgon2
	}
	return c.Argon2
}

// Accounts is the account policy of these settings.
func (c *Config) Accounts() account.Config {
	a := account.DefaultConfig()
	a.AccessTTL, a.RefreshTTL, a.RefreshReuseInterval = c.AccessTTL, c.RefreshTTL, c.RefreshReuseInterval
	a.CodeTTL, a.CodeCooldown, a.CodeMaxTries = c.CodeTTL, c.CodeCooldown, c.CodeMaxTries
	a.CodeMaxPerAccountDay, a.CodeMaxPerIPDay = c.CodeMaxPerAccountDay, c.CodeMaxPerIPDay
	a.LoginMaxFailures, a.LoginFailureWindow = c.LoginMaxFailures, c.LoginFailureWindow
	a.TestOTP = c.TestOTP
	a.AppName = c.AppName
	a.AuthCacheTTL = c.AuthCacheTTL
	return a
}

// Admins is the admin accounts' policy of these settings.
func (c *Config) Admins() admins.Config {
	return admins.Config{
		TokenTTL:              c.AdminTokenTTL,
		LoginMaxFailures:      c.AdminLoginMaxFailures,
		LoginMaxFailuresPerIP: c.AdminLoginMaxFailuresPerIP,
		LoginFailureWindow:    c.AdminLoginFailureWindow,
	}
}

// checkURL fails unless v is empty or an http(s) URL with a host.
func checkURL(fail func(string, ...any), name, v string) {
	if v == "" {
		return
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("%s %q: want an http(s) URL", name, v)
	}
}

// WeChatPayOn tells whether WeChat Pay is configured.
func (c *Config) WeChatPayOn() bool { return c.PayWeChatAppID != "" }

// AlipayOn tells whether Alipay is configured.
func (c *Config) AlipayOn() bool { return c.PayAlipayAppID != "" }

// LiveRefillMethod is the payment method of a live-face refill that names
// none.
func (c *Config) LiveRefillMethod() string {
	switch {
	case c.LivePayMethod != "":
		return c.LivePayMethod
	case c.PaySandboxOn():
		return "sandbox"
	case c.WeChatPayOn():
		return "wechat"
	case c.AlipayOn():
		return "alipay"
	}
	return "sandbox"
}

// PaySandboxOn tells whether the sandbox method is available: pay-sandbox
// true, or auto while no vendor is configured.
func (c *Config) PaySandboxOn() bool {
	switch c.PaySandbox {
	case "true":
		return true
	case "false":
		return false
	}
	return !c.WeChatPayOn() && !c.AlipayOn()
}

// Pet is the pet game's rules.
func (c Config) Pet() pet.Config {
	return pet.Config{StartCoins: c.DogeStartCoins, StartPoop: c.DogeStartPoop, PoopEvery: c.DogePoopEvery, PoopMax: c.DogePoopMax,
		PickCoins: c.DogePickCoins, FeedCoins: c.DogeFeedCoins, BathCoins: c.DogeBathCoins,
		LeaveMin: c.DogeLeaveMin, LeaveMax: c.DogeLeaveMax, BackMin: c.DogeBackMin, BackMax: c.DogeBackMax}
}

// Realtime settings (docs/realtime.md).

// autoBool reads the setting name of value auto ("" too), true or false;
// auto stands for the given default.
func autoBool(name, v string, auto bool, fail func(string, ...any)) bool {
	switch v {
	case "auto", "":
		return auto
	case "true", "false":
		return v == "true"
	}
	fail("%s %q: want auto, true or false", name, v)
	return false
}

// checkRealtime resolves realtime into RealtimeBus.
func (c *Config) checkRealtime(fail func(string, ...any)) {
	switch c.Realtime {
	case "auto", "":
		switch {
		case c.RedisURL != "":
			c.RealtimeBus = "redis"
		case c.DatabaseURL != "":
			c.RealtimeBus = "postgres"
		default:
			c.RealtimeBus = "local"
		}
	case "local":
		c.RealtimeBus = "local"
	case "postgres":
		c.RealtimeBus = "postgres"
		if c.DatabaseURL == "" {
			fail("realtime=postgres: needs the PostgreSQL database (database-url); the store is SQLite")
		}
	case "redis":
		c.RealtimeBus = "redis"
		if c.RedisURL == "" {
			fail("realtime=redis: needs redis-url")
		}
	default:
		fail("realtime %q: want auto, local, postgres or redis", c.Realtime)
	}
}

// ---- live streaming (the rooms of the live face; docs/live.md) ----

// LiveStreaming are the settings of the live rooms' stream provider.
type LiveStreaming struct {
	Provider       string // live: selfhosted | qiniu
	Hub            string // hub name shown in the stream description (self-hosted)
	PublishHost    string // self-hosted: host[:port] anchors publish RTMP to
	PlayHost       string // self-hosted: host[:port] of RTMP play (empty: PublishHost)
	HLSURL         string // self-hosted: base URL of the HLS playlists
	CallbackSecret string // the secret of the nginx-rtmp callbacks (query arg "secret")

	QiniuAccessKey      string
	QiniuSecretKey      string
	QiniuHub            string
	QiniuPublishDomain  string
	QiniuRTMPPlayDomain string
	QiniuHLSPlayDomain  string
	QiniuHDLPlayDomain  string
	QiniuAPIHost        string
	QiniuPublishTTL     time.Duration
}

func liveFlags(fs *flag.FlagSet, l *LiveStreaming) {
	fs.StringVar(&l.Provider, "live", "selfhosted", "stream provider of the live rooms: selfhosted (an nginx-rtmp of yours, see docs/live.md) or qiniu (Qiniu Pili)")
	fs.StringVar(&l.Hub, "live-hub", "plaza", "hub name in the stream description of self-hosted rooms")
	fs.StringVar(&l.PublishHost, "live-publish-host", "127.0.0.1:1935", "self-hosted: host[:port] of the nginx-rtmp anchors publish to (rtmp://<host>/live/<key>)")
	fs.StringVar(&l.PlayHost, "live-play-host", "", "self-hosted: host[:port] of RTMP play (rtmp://<host>/live/<name>); empty: live-publish-host")
	fs.StringVar(&l.HLSURL, "live-hls-url", "http://127.0.0.1:8088/hls/", "self-hosted: base URL of the HLS playlists (<url><name>.m3u8)")
	fs.StringVar(&l.CallbackSecret, "live-callback-secret", "", "secret of the nginx-rtmp callbacks (?secret= in on_publish/on_publish_done/on_update URLs), 16 characters or more; empty: every publish is refused")
	fs.StringVar(&l.QiniuAccessKey, "live-qiniu-access-key", "", "Qiniu access key (live=qiniu)")
	fs.StringVar(&l.QiniuSecretKey, "live-qiniu-secret-key", "", "Qiniu secret key (live=qiniu)")
	fs.StringVar(&l.QiniuHub, "live-qiniu-hub", "", "Pili hub (live=qiniu)")
	fs.StringVar(&l.QiniuPublishDomain, "live-qiniu-publish-domain", "", "Pili RTMP publish domain (live=qiniu)")
	fs.StringVar(&l.QiniuRTMPPlayDomain, "live-qiniu-rtmp-play-domain", "", "Pili RTMP play domain (live=qiniu)")
	fs.StringVar(&l.QiniuHLSPlayDomain, "live-qiniu-hls-play-domain", "", "Pili HLS play domain (live=qiniu)")
	fs.StringVar(&l.QiniuHDLPlayDomain, "live-qiniu-hdl-play-domain", "", "Pili HTTP-FLV play domain (live=qiniu; optional)")
	fs.StringVar(&l.QiniuAPIHost, "live-qiniu-api-host", "", "Pili API host (empty: pili.qiniuapi.com over https; http://host:port for a test double)")
	fs.DurationVar(&l.QiniuPublishTTL, "live-qiniu-publish-ttl", 24*time.Hour, "how long a signed Pili publish URL is good for (expiry_sk)")
}

func (l *LiveStreaming) check(fail func(string, ...any)) {
	host := func(name, v string, required bool) {
		if v == "" {
			if required {
				fail("%s: needed when live=%s", name, l.Provider)
			}
			return
		}
		if strings.ContainsAny(v, "/?#@ \t") {
			fail("%s %q: want host[:port], without scheme or path", name, v)
		} else if u, err := url.Parse("rtmp://" + v); err != nil || u.Host != v {
			fail("%s %q: want host[:port]", name, v)
		}
	}
	if l.CallbackSecret != "" && len(l.CallbackSecret) < 16 {
		fail("live-callback-secret: at least 16 characters")
	}
	if strings.ContainsAny(l.CallbackSecret, "&?#= ") {
		fail("live-callback-secret: letters, digits and -_.~ only (it goes in a URL)")
	}
	switch l.Provider {
	case "selfhosted":
		host("live-publish-host", l.PublishHost, true)
		host("live-play-host", l.PlayHost, false)
		if u, err := url.Parse(l.HLSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, "/") || u.RawQuery != "" {
			fail("live-hls-url %q: want http(s)://host/path/", l.HLSURL)
		}
		if l.QiniuAccessKey != "" || l.QiniuHub != "" {
			fail("live-qiniu-* settings are set but live is selfhosted: set live=qiniu (or clear them)")
		}
	case "qiniu":
		for _, f := range []struct{ name, v string }{{"live-qiniu-access-key", l.QiniuAccessKey}, {"live-qiniu-secret-key", l.QiniuSecretKey}, {"live-qiniu-hub", l.QiniuHub}} {
			if f.v == "" {
				fail("%s: needed when live=qiniu", f.name)
			}
		}
		host("live-qiniu-publish-domain", l.QiniuPublishDomain, true)
		host("live-qiniu-rtmp-play-domain", l.QiniuRTMPPlayDomain, true)
		host("live-qiniu-hls-play-domain", l.QiniuHLSPlayDomain, true)
		host("live-qiniu-hdl-play-domain", l.QiniuHDLPlayDomain, false)
		if l.QiniuPublishTTL < time.Minute || l.QiniuPublishTTL > 30*24*time.Hour {
			fail("live-qiniu-publish-ttl: 1m to 720h")
		}
	default:
		fail("live %q: want selfhosted or qiniu", l.Provider)
	}
}

// ---- push providers (docs/deploy.md, "Push providers") ----

// PushSettings are the providers of the two push channels and their
// vendors' settings.
type PushSettings struct {
	IOS     string // outbox | apns
	Android string // outbox | fcm | jpush

	APNsKeyFile     string // the .p8 signing key
	APNsKeyID       string
	APNsTeamID      string
	APNsTopic       string // the app's bundle id
	APNsEnvironment string // production | development
	APNsHost        string // replaces the environment's host (a test double)
	APNsCAFile      string // extra CAs the APNs connection trusts (a test double's)

	FCMCredentialsFile string // the service account's JSON key
	FCMProjectID       string // "": the file's project_id
	FCMEndpoint        string // "": https://fcm.googleapis.com

	JPushAppKey       string
	JPushMasterSecret string
	JPushEndpoint     string // "": https://api.jpush.cn
}

func pushFlags(fs *flag.FlagSet, p *PushSettings) {
	fs.StringVar(&p.IOS, "push-ios", "outbox", "push provider of iOS devices: outbox ($PLAZA_DATA/outbox/push.jsonl) or apns")
	fs.StringVar(&p.Android, "push-android", "outbox", "push provider of Android devices: outbox ($PLAZA_DATA/outbox/push.jsonl), fcm (Firebase, outside mainland China) or jpush (极光推送, mainland China)")
	fs.StringVar(&p.APNsKeyFile, "push-apns-key-file", "", "APNs signing key (the .p8 file of Apple's Keys page; push-ios=apns)")
	fs.StringVar(&p.APNsKeyID, "push-apns-key-id", "", "id of the APNs signing key (10 characters)")
	fs.StringVar(&p.APNsTeamID, "push-apns-team-id", "", "Apple developer team id")
	fs.StringVar(&p.APNsTopic, "push-apns-topic", "", "bundle id of the iOS app (the apns-topic)")
	fs.StringVar(&p.APNsEnvironment, "push-apns-environment", "production", "APNs environment: production (App Store and TestFlight builds) or development (builds run from Xcode)")
	fs.StringVar(&p.APNsHost, "push-apns-host", "", "APNs host replacing the environment's, https://host[:port] (a test double)")
	fs.StringVar(&p.APNsCAFile, "push-apns-ca-file", "", "PEM certificates the APNs connection trusts besides the system's (a test double's)")
	fs.StringVar(&p.FCMCredentialsFile, "push-fcm-credentials-file", "", "JSON key of the Firebase project's service account (push-android=fcm)")
	fs.StringVar(&p.FCMProjectID, "push-fcm-project-id", "", "Firebase project id; empty: the credentials file's project_id")
	fs.StringVar(&p.FCMEndpoint, "push-fcm-endpoint", "", "FCM API base URL (empty: https://fcm.googleapis.com; http://host:port for a test double)")
	fs.StringVar(&p.JPushAppKey, "push-jpush-app-key", "", "JPush AppKey (push-android=jpush)")
	fs.StringVar(&p.JPushMasterSecret, "push-jpush-master-secret", "", "JPush Master Secret")
	fs.StringVar(&p.JPushEndpoint, "push-jpush-endpoint", "", "JPush API base URL (empty: https://api.jpush.cn; https://bjapi.push.jiguang.cn for apps in the Beijing room; http://host:port for a test double)")
}

func (p *PushSettings) check(fail func(string, ...any)) {
	needed := func(side string, fields ...struct{ name, v string }) {
		for _, f := range fields {
			if strings.TrimSpace(f.v) == "" {
				fail("%s: needed when %s", f.name, side)
			}
		}
	}
	type field = struct{ name, v string }
	switch p.IOS {
	case "outbox":
		if p.APNsKeyFile != "" || p.APNsKeyID != "" || p.APNsTeamID != "" || p.APNsTopic != "" {
			fail("push-apns-* settings are set but push-ios is outbox: set push-ios=apns (or clear them)")
		}
	case "apns":
		needed("push-ios=apns", field{"push-apns-key-file", p.APNsKeyFile}, field{"push-apns-key-id", p.APNsKeyID},
			field{"push-apns-team-id", p.APNsTeamID}, field{"push-apns-topic", p.APNsTopic})
		if p.APNsEnvironment != "production" && p.APNsEnvironment != "development" {
			fail("push-apns-environment %q: want production or development", p.APNsEnvironment)
		}
		if p.APNsHost != "" {
			if u, err := url.Parse(p.APNsHost); err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") {
				fail("push-apns-host %q: want https://host[:port]", p.APNsHost)
			}
		}
	default:
		fail("push-ios %q: want outbox or apns", p.IOS)
	}
	switch p.Android {
	case "outbox", "fcm", "jpush":
	default:
		fail("push-android %q: want outbox, fcm or jpush", p.Android)
	}
	if p.Android == "fcm" {
		needed("push-android=fcm", field{"push-fcm-credentials-file", p.FCMCredentialsFile})
		checkURL(fail, "push-fcm-endpoint", p.FCMEndpoint)
	} else if p.FCMCredentialsFile != "" || p.FCMProjectID != "" {
		fail("push-fcm-* settings are set but push-android is %s: set push-android=fcm (or clear them)", p.Android)
	}
	if p.Android == "jpush" {
		needed("push-android=jpush", field{"push-jpush-app-key", p.JPushAppKey}, field{"push-jpush-master-secret", p.JPushMasterSecret})
		checkURL(fail, "push-jpush-endpoint", p.JPushEndpoint)
	} else if p.JPushAppKey != "" || p.JPushMasterSecret != "" {
		fail("push-jpush-* settings are set but push-android is %s: set push-android=jpush (or clear them)", p.Android)
	}
}
