// Package server assembles plaza: it opens the store, builds the core
// services and providers from the settings, and mounts every face.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/audit"
	"plaza/internal/cachesync"
	"plaza/internal/catalog"
	"plaza/internal/clock"
	"plaza/internal/config"
	"plaza/internal/content"
	"plaza/internal/face/admin"
	"plaza/internal/face/console"
	"plaza/internal/face/doge"
	"plaza/internal/face/files"
	liveface "plaza/internal/face/live"
	"plaza/internal/face/live/ws"
	marketface "plaza/internal/face/market"
	"plaza/internal/face/member"
	"plaza/internal/face/yuanyi"
	"plaza/internal/friend"
	"plaza/internal/httpx"
	"plaza/internal/live"
	"plaza/internal/market"
	"plaza/internal/media"
	"plaza/internal/message"
	"plaza/internal/notify"
	"plaza/internal/orders"
	"plaza/internal/payment"
	"plaza/internal/pet"
	liveprov "plaza/internal/provider/live"
	"plaza/internal/provider/mail"
	storage "plaza/internal/provider/media"
	"plaza/internal/provider/pay"
	"plaza/internal/provider/push"
	"plaza/internal/provider/sms"
	"plaza/internal/ratelimit"
	"plaza/internal/realtime"
	"plaza/internal/showcase"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/support"
	"plaza/internal/wallet"
)

// App is an assembled plaza.
type App struct {
	Config   config.Config
	DB       *store.DB
	Accounts *account.Service
	Admins   *admins.Service
	Catalog  *catalog.Service
	Support  *support.Service
	Notify   *notify.Service
	Social   *social.Service
	Messages *message.Service
	Showcase *showcase.Service
	Media    *media.Service
	Content  *content.Service
	Wallet   *wallet.Service // money: callers compose it in a.DB.Unit
	Market   *market.Service
	Orders   *orders.Service
	Payments *payment.Service
	Pets     *pet.Service
	Bus      realtime.Bus // the realtime seam: events to every node (docs/realtime.md)
	caches   *cachesync.Sync
	Rooms    *live.Rooms // live rooms of the live face; set Rooms.OnChange before serving
	Friends  *friend.Service
	Gold     *live.Gold // the live face's gold: refills (payment purpose gold) and gifts
	// Room chat of the live face (docs/live-chat.md) and its WebSocket
	// endpoint, whose sockets ShutdownSockets closes.
	Chat        *live.Chat
	ChatSockets *ws.Handler

	handler http.Handler
	limiter ratelimit.Limiter
	redis   *redis.Client
	log     *slog.Logger
	clock   clock.Clock
}

// Options are what the caller supplies besides the settings.
type Options struct {
	Clock  clock.Clock  // default: the real clock
	Log    *slog.Logger // default: discard
	Hasher *account.Hasher
}

// OpenStore opens the database the settings name.
func OpenStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	return store.Open(ctx, StoreOptions(cfg))
}

// StoreOptions are the store settings of cfg.
func StoreOptions(cfg config.Config) store.Options {
	return store.Options{URL: cfg.DatabaseURL, Path: cfg.SQLitePath()}
}

// New builds plaza from cfg.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Hasher == nil {
		o.Hasher = account.NewHasher(cfg.PasswordParams())
	}
	db, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db.SetClock(o.Clock) // every unit of work's time (store.Tx.Now)
	a := &App{Config: cfg, DB: db, log: o.Log, clock: o.Clock}
	if err := a.build(ctx, o); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, o Options) error {
	cfg := a.Config
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("redis-url: %w", err)
		}
		a.redis = redis.NewClient(opt)
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := a.redis.Ping(pctx).Err(); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		a.limiter = ratelimit.NewRedis(a.redis, cfg.RedisPrefix+"rl:")
	} else {
		a.limiter = ratelimit.NewDB(a.DB, a.clock)
	}
	// The realtime seam's bus (setting realtime, docs/realtime.md).
	switch cfg.RealtimeBus {
	case "postgres":
		b, err := realtime.NewPostgres(ctx, cfg.DatabaseURL, a.log)
		if err != nil {
			return fmt.Errorf("realtime=postgres: %w", err)
		}
		a.Bus = b
	case "redis":
		b, err := realtime.NewRedis(a.redis, cfg.RedisPrefix, a.log)
		if err != nil {
			return fmt.Errorf("realtime=redis: %w", err)
		}
		a.Bus = b
	default:
		a.Bus = realtime.NewLocal()
	}
	// The caches' changes go to every node over the bus (internal/cachesync).
	caches, err := cachesync.New(a.Bus, a.log)
	if err != nil {
		return fmt.Errorf("cache sync: %w", err)
	}
	a.caches = caches

	var smsSender sms.Sender
	switch cfg.SMS {
	case "webhook":
		w, err := sms.NewWebhook(cfg.SMSWebhookURL, nil, sms.WithTimeout(cfg.SMSVendor.Timeout))
		if err != nil {
			return fmt.Errorf("sms-webhook-url: %w", err)
		}
		smsSender = w
	case "aliyun":
		s, err := sms.NewAliyun(cfg.SMSVendor.Aliyun())
		if err != nil {
			return fmt.Errorf("sms=aliyun: %w", err)
		}
		smsSender = s
	case "tencent":
		s, err := sms.NewTencent(cfg.SMSVendor.Tencent())
		if err != nil {
			return fmt.Errorf("sms=tencent: %w", err)
		}
		smsSender = s
	default:
		smsSender = sms.NewOutbox(cfg.Outbox("sms"))
	}
	var mailSender mail.Sender = mail.NewOutbox(cfg.Outbox("mail"))
	if cfg.SMTPURL != "" {
		s, err := mail.NewSMTP(cfg.SMTPURL)
		if err != nil {
			return fmt.Errorf("smtp-url: %w", err)
		}
		mailSender = s
	}
	pushOutbox := push.NewOutbox(cfg.Outbox("push"))
	pushChannels, err := openPush(&cfg, pushOutbox)
	if err != nil {
		return err
	}
	var mediaStore storage.Storage = storage.NewLocal(cfg.MediaDir())
	if cfg.Media == "s3" {
		s3, err := storage.NewS3(cfg.MediaS3())
		if err != nil {
			return fmt.Errorf("media-s3: %w", err)
		}
		mediaStore = s3
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := mediaStore.Ping(pctx); err != nil {
		return fmt.Errorf("media storage (%s): %w", cfg.Media, err)
	}

	a.Media = media.New(a.DB, a.clock, mediaStore, cfg.MediaPolicy()).WithLimiter(a.limiter)
	a.Accounts = account.New(account.Deps{
		DB: a.DB, Clock: a.clock, Limiter: a.limiter, SMS: smsSender, Mail: mailSender, Hasher: o.Hasher, Media: a.Media, Log: a.log,
	}, cfg.Accounts())
	a.Admins = admins.New(a.DB, a.clock, o.Hasher, a.limiter, cfg.Admins())
	a.Accounts.WithSync(a.caches)
	a.Catalog = catalog.New(a.DB, a.clock).WithSync(a.caches)
	a.Support = support.New(a.DB, a.clock)
	a.Notify = notify.New(a.DB, a.clock, pushChannels, a.log)
	delivery := notify.DefaultDeliveryConfig()
	delivery.Lease = cfg.PushLease
	a.Notify.SetDelivery(delivery)
	a.Social = social.New(a.DB, a.clock)
	a.Content = content.New(a.DB, a.clock, a.Media, a.Social).WithCache(cfg.ContentCacheRows).WithSync(a.caches)
	a.Wallet = wallet.New(a.DB)
	if err := a.Wallet.Init(ctx); err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	a.Market = market.New(a.DB, a.Wallet, cfg.Location).WithSync(a.caches)
	a.Catalog.Watch(catalog.ExchangeProducts, a.Market.Changed) // admin edits change what the shop shows
	a.Pets = pet.New(a.DB, a.Wallet, a.Accounts, cfg.Pet())
	if err := a.buildPayments(ctx); err != nil {
		return err
	}
	if err := a.buildRooms(); err != nil {
		return err
	}
	a.Friends = friend.New(a.DB, a.clock, a.Social)
	if cfg.LiveCacheOn {
		a.Friends.WithCache(100_000, a.caches)
		a.Rooms.WithCache(a.caches)
	}
	a.Gold = live.NewGold(live.GoldDeps{DB: a.DB, Wallet: a.Wallet, Payments: a.Payments, Log: a.log}, live.GoldConfig{PerYuan: cfg.GoldPerYuan})
	a.Payments.Register(live.PurposeGold, a.Gold)
	a.Showcase = showcase.New(showcase.Deps{DB: a.DB, Clock: a.clock, Social: a.Social, Articles: a.Content})
	a.Orders = orders.New(orders.Deps{DB: a.DB, Clock: a.clock, Wallet: a.Wallet, Payments: a.Payments, TTL: cfg.OrderTTL, Log: a.log})
	a.Payments.Register(payment.PurposeOrder, a.Orders)
	a.Messages = message.New(message.Deps{DB: a.DB, Clock: a.clock, Social: a.Social, Users: a.Accounts, Profiles: a.Showcase})

	if cfg.AdminEmail != "" {
		created, err := a.Admins.Ensure(ctx, cfg.AdminEmail, cfg.AdminPassword)
		if err != nil {
			return fmt.Errorf("first admin: %w", err)
		}
		if created {
			a.log.Info("created the first admin", "email", cfg.AdminEmail)
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := httpx.NewMetrics(reg)
	a.Notify.Register(reg)

	rt := httpx.NewRouter()
	rt.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	rt.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.DB.Ping(ctx); err != nil {
			a.log.Error("not ready", "err", err)
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unreachable"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	rt.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	member.Routes(rt, member.Deps{
		Accounts: a.Accounts, Support: a.Support, Notify: a.Notify, Log: a.log,
		Location: cfg.Location, AppID: cfg.AppID, TrustProxy: cfg.TrustProxy,
	})
	yuanyi.Routes(rt, yuanyi.Deps{
		Accounts: a.Accounts, Social: a.Social, Messages: a.Messages, Showcase: a.Showcase, Media: a.Media,
		Articles: a.Content, Content: a.Content, Orders: a.Orders, Log: a.log, Now: a.clock.Now,
		Config: yuanyi.Config{
			Path: cfg.YuanyiPath, App: cfg.YuanyiApp, Secret: cfg.YuanyiSecret, CheckSig: cfg.YuanyiCheckSig,
			CodeLength: cfg.YuanyiCodeLength, TrustProxy: cfg.TrustProxy, Location: cfg.Location, MaxSkew: cfg.YuanyiMaxSkew,
		},
	})
	files.Routes(rt, a.Media, a.log)
	marketface.Routes(rt, marketface.Deps{
		Accounts: a.Accounts, Market: a.Market, Wallet: a.Wallet, Log: a.log, Location: cfg.Location, TrustProxy: cfg.TrustProxy,
		Cache: cfg.PageCacheOn,
	})
	dogeDeps := doge.Deps{Accounts: a.Accounts, Pets: a.Pets, Media: a.Media, Log: a.log, Location: cfg.Location}
	if cfg.PageCacheOn {
		dogeDeps.GoodsVersion = func() uint64 { return a.Catalog.Version(catalog.Goods) }
	}
	doge.Routes(rt, dogeDeps)
	// Room chat (docs/live-chat.md).
	chat, err := live.NewChat(live.ChatDeps{
		DB: a.DB, Clock: a.clock, Bus: a.Bus, Limiter: a.limiter, Log: a.log, Blocks: a.Social, Users: a.Accounts,
		Rooms: a.Rooms, Gifts: a.Gold,
	})
	if err != nil {
		return fmt.Errorf("room chat: %w", err)
	}
	a.Chat = chat
	a.Rooms.OnChange = func(anchor int64, open bool) { // a room that closes ends its chat on every node
		if !open {
			chat.RoomClosed(anchor)
		}
	}
	a.Gold.OnGift = func(g live.Gift) { // every gift, sent over HTTP or the socket, is announced in the room
		chat.AnnounceGift(g.Anchor, live.ChatGift{From: g.From, Value: g.Value, Description: g.Description, Time: g.At})
	}
	a.ChatSockets = ws.Routes(rt, ws.Deps{Accounts: a.Accounts, Chat: a.Chat, Log: a.log})
	a.Payments.Routes(rt)
	a.Rooms.Routes(rt, cfg.Live.CallbackSecret) // the nginx-rtmp callbacks, POST /live/rtmp/...
	liveface.Routes(rt, liveface.Deps{
		Accounts: a.Accounts, Friends: a.Friends, Rooms: a.Rooms, Gold: a.Gold, Media: a.Media, Log: a.log,
		Config: liveface.Config{EchoCode: cfg.LiveEchoCode, MaxTokenTTL: cfg.LiveMaxTokenTTL, PayMethod: cfg.LiveRefillMethod(),
			TrustProxy: cfg.TrustProxy, Location: cfg.Location},
	})
	admin.Routes(rt, admin.Deps{
		Audit:  audit.New(a.DB), // the admin audit log
		Admins: a.Admins, Accounts: a.Accounts, Catalog: a.Catalog, Support: a.Support, Notify: a.Notify, Messages: a.Messages, Log: a.log,
		Wallet: a.Wallet, Orders: a.Orders, Market: a.Market, Payments: a.Payments, TrustProxy: cfg.TrustProxy,
		Media: a.Media,
		Rooms: a.Rooms, Clock: a.clock, Location: cfg.Location, // the console's dashboard
	})
	var mediaOrigin string // media links on another site: the console shows images from there too
	if u, err := url.Parse(cfg.MediaPublicURL); err == nil && u.Host != "" {
		mediaOrigin = u.Scheme + "://" + u.Host
	}
	console.Routes(rt, console.Deps{Admins: a.Admins, MediaOrigin: mediaOrigin}) // the operator's console, /admin/ (docs: README "Console")
	a.handler = httpx.Edge(rt, a.log, metrics)
	return nil
}

// buildPayments makes the payment providers the settings configure (their
// keys are read now: a bad one stops the start) and the payment core.
func (a *App) buildPayments(ctx context.Context) error {
	cfg := a.Config
	var provs []pay.Provider
	if cfg.WeChatPayOn() {
		w, err := pay.NewWeChat(ctx, pay.WeChatConfig{
			MchID: cfg.PayWeChatMchID, AppID: cfg.PayWeChatAppID, SerialNo: cfg.PayWeChatSerialNo, PrivateKeyFile: cfg.PayWeChatPrivateKey,
			APIv3Key: cfg.PayWeChatAPIv3Key, PlatformKeyFile: cfg.PayWeChatPlatformKey, PlatformKeyID: cfg.PayWeChatPlatformID,
			NotifyURL: cfg.PayWeChatNotifyURL, BaseURL: cfg.PayWeChatBaseURL,
		})
		if err != nil {
			return err
		}
		provs = append(provs, w)
	}
	if cfg.AlipayOn() {
		al, err := pay.NewAlipay(pay.AlipayConfig{
			AppID: cfg.PayAlipayAppID, PrivateKeyFile: cfg.PayAlipayPrivateKey, PublicKeyFile: cfg.PayAlipayPublicKey,
			NotifyURL: cfg.PayAlipayNotifyURL, GatewayURL: cfg.PayAlipayGatewayURL,
		})
		if err != nil {
			return err
		}
		provs = append(provs, al)
	}
	a.Payments = payment.New(payment.Deps{
		DB: a.DB, Clock: a.clock, Log: a.log, Wallet: a.Wallet, Providers: provs, Sandbox: cfg.PaySandboxOn(), Expire: cfg.PayExpire,
	})
	return nil
}

// buildRooms makes the stream provider the settings name and the live
// rooms core.
func (a *App) buildRooms() error {
	l := a.Config.Live
	var prov liveprov.Provider
	switch l.Provider {
	case "qiniu":
		q, err := liveprov.NewQiniu(liveprov.QiniuConfig{
			AccessKey: l.QiniuAccessKey, SecretKey: l.QiniuSecretKey, Hub: l.QiniuHub, PublishDomain: l.QiniuPublishDomain,
			RTMPPlayDomain: l.QiniuRTMPPlayDomain, HLSPlayDomain: l.QiniuHLSPlayDomain, HDLPlayDomain: l.QiniuHDLPlayDomain,
			APIHost: l.QiniuAPIHost, PublishTTL: l.QiniuPublishTTL, Location: a.Config.Location,
		})
		if err != nil {
			return fmt.Errorf("live: %w", err)
		}
		prov = q
	default:
		sh, err := liveprov.NewSelfHosted(liveprov.SelfHostedConfig{
			Hub: l.Hub, PublishHost: l.PublishHost, PlayHost: l.PlayHost, HLSURL: l.HLSURL, Location: a.Config.Location,
		})
		if err != nil {
			return fmt.Errorf("live: %w", err)
		}
		prov = sh
	}
	a.Rooms = live.NewRooms(live.RoomsDeps{DB: a.DB, Clock: a.clock, Provider: prov, Log: a.log})
	return nil
}

// RunReconciler asks the vendors about pending payments whose notification
// never came, every pay-reconcile-interval, until ctx ends (every node may
// run it).
func (a *App) RunReconciler(ctx context.Context) {
	a.Payments.RunReconciler(ctx, a.Config.PayReconcileInterval)
}

// RunPushDelivery sends the pushes' deliveries until ctx ends
// (notify.Service.RunDelivery; safe on many nodes at once).
func (a *App) RunPushDelivery(ctx context.Context) {
	a.Notify.RunDelivery(ctx)
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// Sweep deletes expired codes, tokens, rate counters and media ids, the
// records of push deliveries settled long ago, and old room comments no
// joining viewer is shown.
func (a *App) Sweep(ctx context.Context) error {
	errsOut := []error{a.Accounts.SweepCodes(ctx), a.Accounts.SweepTokens(ctx), a.Admins.Sweep(ctx), a.Media.Sweep(ctx), a.Notify.SweepDeliveries(ctx)}
	if a.Chat != nil {
		errsOut = append(errsOut, a.Chat.SweepComments(ctx))
	}
	if l, ok := a.limiter.(*ratelimit.DB); ok {
		errsOut = append(errsOut, l.Sweep(ctx))
	}
	return errors.Join(errsOut...)
}

// RunJanitor sweeps every interval until ctx ends.
func (a *App) RunJanitor(ctx context.Context, interval time.Duration) {
	clock.Every(ctx, interval, func() {
		if err := a.Sweep(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("sweep", "err", err)
		}
	})
}

// OrderExpiryInterval is how often RunOrderExpiry closes expired orders.
const OrderExpiryInterval = 30 * time.Second

// RunOrderExpiry closes expired orders every interval until ctx ends
// (orders.Service.RunExpiry; safe on many nodes at once).
func (a *App) RunOrderExpiry(ctx context.Context, interval time.Duration) {
	a.Orders.RunExpiry(ctx, interval)
}

// ShutdownSockets closes every room-chat WebSocket with a going-away
// frame (http.Server.RegisterOnShutdown: Shutdown does not wait for
// hijacked connections).
func (a *App) ShutdownSockets() {
	if a.ChatSockets != nil {
		a.ChatSockets.Shutdown()
	}
}

// Close releases the store and connections.
func (a *App) Close() error {
	var err, busErr error
	if a.Chat != nil {
		a.Chat.Close() // tells the other nodes its viewers are gone, before the bus closes
	}
	a.caches.Close()
	if a.Bus != nil {
		busErr = a.Bus.Close() // before the Redis client it may use
	}
	if a.redis != nil {
		err = a.redis.Close()
	}
	return errors.Join(busErr, err, a.DB.Close())
}
