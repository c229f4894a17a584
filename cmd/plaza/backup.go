package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"plaza/internal/config"
	"plaza/internal/datalock"
	"plaza/internal/store"
)

// fileCommand reads the settings and the one FILE argument of plaza backup
// and plaza restore (flags before or after FILE); -force is the commands'
// own flag.
func fileCommand(name string, args []string, getenv func(string) string, environ []string, stderr io.Writer) (cfg config.Config, file string, force bool, err error) {
	fs := config.FlagSet(name, &cfg, stderr)
	forceHelp := "replace FILE when it exists"
	if name == "plaza restore" {
		forceHelp = "replace the store when the data folder or database already holds one"
	}
	fs.BoolVar(&force, "force", false, forceHelp)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s [flags] FILE\n", name)
		fs.PrintDefaults()
	}
	if err := config.ApplyEnv(fs, getenv); err != nil {
		return cfg, "", false, fmt.Errorf("bad settings:\n%w", err)
	}
	for _, w := range config.UnknownEnv(fs, environ) {
		fmt.Fprintln(stderr, "plaza: warning:", w)
	}
	force = false // the command's own flag: not from PLAZA_FORCE
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, "", false, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return cfg, "", false, fmt.Errorf("%s needs one FILE", name)
	}
	cfg.AdminEmail, cfg.AdminPassword = "", "" // only the store settings matter
	if err := cfg.Check(); err != nil {
		return cfg, "", false, fmt.Errorf("bad settings:\n%w", err)
	}
	return cfg, files[0], force, nil
}

// backup writes a consistent copy of the store to FILE. On SQLite it runs
// beside a serving plaza (it takes no lock). On PostgreSQL it runs pg_dump
// (custom format) when pg_dump is on PATH.
func backup(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	cfg, file, force, err := fileCommand("plaza backup", args, getenv, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	// With -force an existing FILE is replaced once the new copy is whole.
	if _, err := os.Lstat(file); err == nil && !force {
		return fmt.Errorf("backup: %s exists; give a new file name, or -force to replace it", file)
	}
	if cfg.DatabaseURL != "" {
		return pgTool(ctx, "backup", "pg_dump", file, cfg.DatabaseURL, false, getenv, environ, stdout, stderr)
	}
	start := time.Now()
	p := newProgress(stderr, "backup")
	size, err := store.BackupSQLite(ctx, cfg.SQLitePath(), file, p.report)
	p.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup: %s written (%s, %s, in %s)\n", file, megabytes(size), cfg.SQLitePath(), time.Since(start).Round(time.Millisecond))
	return nil
}

// restore puts the backup FILE in place of the store: on SQLite into the
// data folder, which no plaza may be serving (the data folder's lock) and
// which must hold no store unless -force; on PostgreSQL with pg_restore.
// Migrations run when plaza next starts, as on every start.
func restore(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	cfg, file, force, err := fileCommand("plaza restore", args, getenv, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if cfg.DatabaseURL != "" {
		if !force {
			has, users, err := pgHasStore(ctx, cfg.DatabaseURL)
			if err != nil {
				return err
			}
			if has {
				return fmt.Errorf("restore: the PostgreSQL database already holds a plaza store (%d users); restore over it with -force (its tables are dropped and replaced)", users)
			}
		}
		return pgTool(ctx, "restore", "pg_restore", file, cfg.DatabaseURL, force, getenv, environ, stdout, stderr)
	}
	lock, err := lockData(cfg)
	if err != nil {
		if datalock.IsHeld(err) {
			return fmt.Errorf("restore: %w", err)
		}
		return err
	}
	defer lock.Release()
	dst := cfg.SQLitePath()
	has, users, err := store.SQLiteHasStore(ctx, dst)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if has && !force {
		return fmt.Errorf("restore: the data folder %s already holds a store (%s, %d users); restore over it with -force (it is replaced)", cfg.Data, dst, users)
	}
	p := newProgress(stderr, "restore")
	size, err := store.RestoreSQLite(ctx, file, dst, p.report)
	p.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restore: %s restored into %s (%s); migrations run when plaza starts\n", file, dst, megabytes(size))
	return nil
}

// pgHasStore tells whether the PostgreSQL database holds plaza's users
// table with rows, and how many.
func pgHasStore(ctx context.Context, dbURL string) (bool, int64, error) {
	db, err := store.OpenNoMigrate(ctx, store.Options{URL: dbURL, MaxConns: 1})
	if err != nil {
		return false, 0, fmt.Errorf("restore: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRow(ctx, "SELECT to_regclass('users') IS NOT NULL").Scan(&exists); err != nil {
		return false, 0, fmt.Errorf("restore: %w", err)
	}
	if !exists {
		return false, 0, nil
	}
	var users int64
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&users); err != nil {
		return false, 0, fmt.Errorf("restore: %w", err)
	}
	return true, users, nil
}

// libpqParams are the URL parameters libpq (pg_dump, pg_restore) knows;
// the others of PLAZA_DATABASE_URL are pgx's own and are left out.
var libpqParams = map[string]bool{
	"application_name": true, "channel_binding": true, "connect_timeout": true, "gssencmode": true,
	"keepalives": true, "keepalives_count": true, "keepalives_idle": true, "keepalives_interval": true,
	"krbsrvname": true, "load_balance_hosts": true, "options": true, "passfile": true, "service": true,
	"sslcert": true, "sslcrl": true, "sslkey": true, "sslmode": true, "sslpassword": true, "sslrootcert": true,
	"sslsni": true, "target_session_attrs": true, "tcp_user_timeout": true, "requirepeer": true,
}

// libpqTarget turns PLAZA_DATABASE_URL into what pg_dump and pg_restore
// take: the URL without the password (given in PGPASSWORD, not on the
// command line) and without pgx's own parameters, and the schema named by
// search_path, if any.
func libpqTarget(dbURL string) (target, password, schema string, err error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", "", "", fmt.Errorf("database-url: %w", err)
	}
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	schema = q.Get("search_path")
	for k := range q {
		if !libpqParams[k] {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), password, schema, nil
}

// pgTool runs pg_dump (backup) or pg_restore (restore) on FILE for the
// PostgreSQL store, or says how when the tool is not on PATH.
func pgTool(ctx context.Context, what, tool, file, dbURL string, force bool, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	path := findOnPath(tool, getenv("PATH"))
	if path == "" {
		how := fmt.Sprintf("pg_dump --format=custom --file=%s \"$PLAZA_DATABASE_URL\"", file)
		if what == "restore" {
			how = fmt.Sprintf("pg_restore --no-owner --single-transaction --exit-on-error --dbname=\"$PLAZA_DATABASE_URL\" %s", file)
		}
		return fmt.Errorf("%s: the store is PostgreSQL: plaza %s runs %s, PostgreSQL's own consistent %s, which is not on PATH; "+
			"install PostgreSQL's client tools (Debian: apt-get install postgresql-client, of the server's major version or newer), or run it yourself: %s",
			what, what, tool, map[string]string{"backup": "dump", "restore": "restore"}[what], how)
	}
	target, password, schema, err := libpqTarget(dbURL)
	if err != nil {
		return err
	}
	var args []string
	switch what {
	case "backup":
		args = []string{"--format=custom", "--no-password", "--file=" + file + ".partial", "--dbname=" + target}
		if schema != "" {
			args = append(args, "--schema="+schema)
		}
	case "restore":
		args = []string{"--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--no-password", "--dbname=" + target}
		if force {
			args = append(args, "--clean", "--if-exists")
		}
		args = append(args, file)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = environ
	if password != "" {
		cmd.Env = append(append([]string{}, environ...), "PGPASSWORD="+password)
	}
	var toolErr strings.Builder
	cmd.Stdout = stderr
	cmd.Stderr = io.MultiWriter(stderr, &toolErr)
	fmt.Fprintf(stderr, "%s: running %s\n", what, strings.Join(append([]string{tool}, args...), " "))
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %s: %w", what, tool, err)
	}
	// pg_dump tells no total: the bar counts the bytes written.
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	p := newProgress(stderr, what)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var werr error
loop:
	for {
		select {
		case werr = <-waited:
			break loop
		case <-tick.C:
			if what == "backup" {
				if st, err := os.Stat(file + ".partial"); err == nil {
					p.report(st.Size(), -1)
				}
			}
		}
	}
	if werr != nil {
		p.finish()
		os.Remove(file + ".partial")
		return fmt.Errorf("%s: %s failed: %w", what, tool, werr)
	}
	if what == "restore" {
		p.finish()
		fmt.Fprintf(stdout, "restore: %s restored into the PostgreSQL database (in %s); migrations run when plaza starts\n", file, time.Since(start).Round(time.Millisecond))
		return nil
	}
	st, err := os.Stat(file + ".partial")
	if err != nil {
		p.finish()
		return fmt.Errorf("backup: %w", err)
	}
	p.report(st.Size(), st.Size())
	p.finish()
	if err := os.Rename(file+".partial", file); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup: %s written by pg_dump (%s, custom format, in %s)\n", file, megabytes(st.Size()), time.Since(start).Round(time.Millisecond))
	return nil
}

// findOnPath is exec.LookPath over the PATH of the command's environment.
func findOnPath(name, path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// progress shows a copy's progress on w: a progress bar on a terminal,
// else a plain line at every tenth ("backup: 45% (12.0/26.0 MB)"), or,
// with no total known, at most one line a second ("backup: 12.0 MB").
type progress struct {
	w    io.Writer
	what string
	tty  bool
	bar  *progressbar.ProgressBar
	last int // the last tenth written, -1 before the first
	done bool
}

func newProgress(w io.Writer, what string) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, what: what, tty: ok && term.IsTerminal(int(f.Fd())), last: -1}
}

// report takes done bytes of total (-1: total unknown).
func (p *progress) report(done, total int64) {
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.what),
				progressbar.OptionShowBytes(true),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
			)
		} else if total != p.bar.GetMax64() && total >= 0 {
			p.bar.ChangeMax64(total)
		}
		p.bar.Set64(done)
		return
	}
	if total < 0 {
		fmt.Fprintf(p.w, "%s: %s\n", p.what, megabytes(done))
		return
	}
	tenth := 10
	if total > 0 {
		tenth = int(done * 10 / total)
	}
	if tenth <= p.last {
		return
	}
	p.last = tenth
	pct := 100
	if total > 0 {
		pct = int(done * 100 / total)
	}
	fmt.Fprintf(p.w, "%s: %d%% (%.1f/%.1f MB)\n", p.what, pct, float64(done)/1e6, float64(total)/1e6)
}

// finish ends the bar on a terminal.
func (p *progress) finish() {
	if p.bar != nil && !p.done {
		p.done = true
		p.bar.Finish()
	}
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
