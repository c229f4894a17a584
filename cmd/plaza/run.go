package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/clock"
	"plaza/internal/config"
	"plaza/internal/datalock"
	"plaza/internal/ratelimit"
	"plaza/internal/server"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

const usage = `plaza: the backend of the plaza apps.

Usage:
  plaza serve [flags]              start the server (plaza serve -h lists every setting)
  plaza migrate [flags]            apply the database migrations and exit
  plaza admin create [flags]       create an admin (-email, -password or PLAZA_ADMIN_PASSWORD)
  plaza ledger verify [flags]      recompute every wallet balance from the ledger; exit 1 on a difference
  plaza backup [flags] FILE        write a consistent copy of the store to FILE, while plaza serves
                                   (SQLite: online backup; PostgreSQL: runs pg_dump -Fc)
  plaza restore [flags] FILE       put the backup FILE in place of the store (into an empty data folder
                                   or database, or over one with -force; SQLite: not while plaza serves)

Every flag can also be set by its PLAZA_* environment variable.
`

// run is the whole program: main only calls it. environ is the process's
// environment ("KEY=value" items, as os.Environ gives them).
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	getenv := lookup(environ)
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[1] {
	case "serve":
		return serve(ctx, args[2:], environ, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[2:], environ, stdout, stderr)
	case "admin":
		if len(args) < 3 || args[2] != "create" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown admin command; want: plaza admin create")
		}
		return adminCreate(ctx, args[3:], getenv, environ, stdout, stderr)
	case "ledger":
		if len(args) < 3 || args[2] != "verify" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown ledger command; want: plaza ledger verify")
		}
		return ledgerVerify(ctx, args[3:], environ, stdout, stderr)
	case "backup":
		return backup(ctx, args[2:], getenv, environ, stdout, stderr)
	case "restore":
		return restore(ctx, args[2:], getenv, environ, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[1])
}

// lockData takes the lock of the SQLite data folder for a command that
// writes the store (serve, migrate, admin create, restore): one SQLite data
// folder, one process. On PostgreSQL, where many nodes share the database,
// it takes none.
func lockData(cfg config.Config) (*datalock.Lock, error) {
	if cfg.DatabaseURL != "" {
		return nil, nil
	}
	return datalock.Acquire(cfg.Data)
}

// lookup is the getenv of an environment list.
func lookup(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// load reads the settings of a command and warns on stderr about PLAZA_*
// variables that are no setting.
func load(name string, args, environ []string, stderr io.Writer) (config.Config, error) {
	cfg, err := config.Load(name, args, lookup(environ), stderr)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, err
	}
	if err != nil {
		return cfg, fmt.Errorf("bad settings:\n%w", err)
	}
	warnUnknown(name, environ, stderr)
	return cfg, nil
}

func warnUnknown(name string, environ []string, stderr io.Writer) {
	var c config.Config
	for _, w := range config.UnknownEnv(config.FlagSet(name, &c, io.Discard), environ) {
		fmt.Fprintln(stderr, "plaza: warning:", w)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func serve(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := load("plaza serve", args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	lock, err := lockData(cfg)
	if err != nil {
		return err
	}
	defer lock.Release()
	log := newLogger(cfg, stderr)
	app, err := server.New(ctx, cfg, server.Options{Clock: clock.Real{}, Log: log})
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(app.ShutdownSockets) // room chat's WebSockets: Shutdown does not wait for hijacked connections
	janitorCtx, stopJanitor := context.WithCancel(context.Background())
	defer stopJanitor()
	go app.RunJanitor(janitorCtx, 10*time.Minute)
	go app.RunOrderExpiry(janitorCtx, server.OrderExpiryInterval)
	go app.RunReconciler(janitorCtx)
	// The push worker ends its batch before the store closes: what it sent
	// is recorded, what it had not is due again at the next start.
	pushCtx, stopPush := context.WithCancel(context.Background())
	pushDone := make(chan struct{})
	go func() { app.RunPushDelivery(pushCtx); close(pushDone) }()
	defer func() { stopPush(); <-pushDone }()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	engine := "sqlite " + cfg.SQLitePath()
	if cfg.DatabaseURL != "" {
		engine = "postgres"
	}
	fmt.Fprintf(stdout, "plaza listening on http://%s (store: %s)\n", ln.Addr(), engine)
	log.Info("listening", "addr", ln.Addr().String(), "store", app.DB.Engine())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	fmt.Fprintln(stdout, "plaza stopped")
	return nil
}

func migrate(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := load("plaza migrate", args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	lock, err := lockData(cfg)
	if err != nil {
		return err
	}
	defer lock.Release()
	db, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", db.Engine())
	return nil
}

// ledgerVerify checks the wallet ledger of the store the settings name
// (the settings of plaza migrate), without changing the schema.
func ledgerVerify(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := load("plaza ledger verify", args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	db, err := store.OpenNoMigrate(ctx, server.StoreOptions(cfg))
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := wallet.Verify(ctx, db)
	if err != nil {
		return fmt.Errorf("ledger verify: %w", err)
	}
	rep.Write(stdout)
	if !rep.OK() {
		return fmt.Errorf("ledger verify: %d difference(s)", len(rep.Differences)+rep.More)
	}
	return nil
}

func adminCreate(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	var cfg config.Config
	fs := config.FlagSet("plaza admin create", &cfg, stderr)
	email := fs.String("email", "", "e-mail of the new admin")
	password := fs.String("password", "", "password of the new admin (or PLAZA_ADMIN_PASSWORD)")
	if err := config.ApplyEnv(fs, getenv); err != nil {
		return fmt.Errorf("bad settings:\n%w", err)
	}
	for _, w := range config.UnknownEnv(fs, environ) {
		fmt.Fprintln(stderr, "plaza: warning:", w)
	}
	// -email and -password are this command's own; do not take them from
	// PLAZA_EMAIL / PLAZA_PASSWORD.
	*email, *password = "", ""
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *email == "" {
		*email = cfg.AdminEmail
	}
	if *password == "" {
		*password = getenv("PLAZA_ADMIN_PASSWORD")
	}
	if *email == "" || *password == "" {
		return errors.New("admin create needs -email and -password (or PLAZA_ADMIN_PASSWORD)")
	}
	// Only the store settings matter here.
	cfg.AdminEmail, cfg.AdminPassword = "", ""
	if err := cfg.Check(); err != nil {
		return fmt.Errorf("bad settings:\n%w", err)
	}
	lock, err := lockData(cfg)
	if err != nil {
		return err
	}
	defer lock.Release()
	db, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := admins.New(db, clock.Real{}, account.NewHasher(cfg.PasswordParams()), ratelimit.NewDB(db, clock.Real{}), cfg.Admins())
	a, err := svc.Create(ctx, strings.TrimSpace(*email), *password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin %d created: %s\n", a.ID, a.Email)
	return nil
}
