package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP URL.
const (
	tlsOpportunistic = "opportunistic" // STARTTLS when offered (smtp:// without tls=)
	tlsNone          = "none"          // plain text only
	tlsStartTLS      = "starttls"      // STARTTLS required
	tlsImplicit      = "tls"           // TLS from the first byte (smtps://)
)

// smtpTimeout bounds the dial and each SMTP command.
const smtpTimeout = 15 * time.Second

// SMTP sends plain-text mail through an SMTP server.
type SMTP struct {
	host       string
	port       int
	user, pass string // empty user: no AUTH
	from       string
	tlsMode    string
	timeout    time.Duration
}

// NewSMTP parses an SMTP URL:
//
//	smtp://[user:pass@]host[:port][?from=addr&tls=none|starttls|tls]
//	smtps://[user:pass@]host[:port][?from=addr]
//
// smtp:// uses port 587 and STARTTLS when the server offers it; tls=starttls
// requires STARTTLS, tls=none never encrypts and tls=tls (like smtps://) is
// TLS from the first byte on port 465. With credentials, password mechanisms
// (PLAIN, LOGIN) run only over TLS, to localhost, or when tls=none says the
// plain link is intended. from defaults to plaza@host. User and password are
// percent-decoded, so a '@' or ':' in them must be written %40 or %3A.
func NewSMTP(rawURL string) (*SMTP, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("mail: invalid SMTP URL: "+format, args...)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // do not echo the URL: it may carry a password
		}
		return nil, bad("%v", err)
	}
	s := &SMTP{timeout: smtpTimeout}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("query: %v", err)
	}
	for k := range q {
		if k != "from" && k != "tls" {
			return nil, bad("unknown parameter %q (want from, tls)", k)
		}
	}
	mode := q.Get("tls")
	switch u.Scheme {
	case "smtp":
		switch mode {
		case "":
			s.tlsMode = tlsOpportunistic
		case tlsNone, tlsStartTLS, tlsImplicit:
			s.tlsMode = mode
		default:
			return nil, bad("tls=%q: want none, starttls or tls", mode)
		}
	case "smtps":
		if mode != "" && mode != tlsImplicit {
			return nil, bad("tls=%q contradicts smtps://", mode)
		}
		s.tlsMode = tlsImplicit
	case "":
		return nil, bad("missing scheme: want smtp://host or smtps://host")
	default:
		return nil, bad("scheme %q: want smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" {
		return nil, bad("want %s://host, not %s:...", u.Scheme, u.Scheme)
	}
	if p := u.Path; p != "" && p != "/" {
		return nil, bad("unexpected path %q", p)
	}
	if u.Fragment != "" {
		return nil, bad("unexpected fragment")
	}

	s.host = u.Hostname()
	if s.host == "" {
		return nil, bad("missing host")
	}
	s.port = 587
	if s.tlsMode == tlsImplicit {
		s.port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("port %q out of range", p)
		}
		s.port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, bad("empty port")
	}

	if u.User != nil {
		s.user = u.User.Username()
		pass, ok := u.User.Password()
		if s.user == "" {
			return nil, bad("empty user name")
		}
		if !ok || pass == "" {
			return nil, bad("user %q has no password", s.user)
		}
		s.pass = pass
	}

	s.from = q.Get("from")
	if s.from == "" {
		s.from = "plaza@" + s.host
	}
	if _, err := netmail.ParseAddress(s.from); err != nil {
		if q.Get("from") == "" {
			return nil, bad("no from= given and %q is not a usable sender address", s.from)
		}
		return nil, bad("from=%q: %v", s.from, err)
	}
	return s, nil
}

// String describes the sender for logs, without the password.
func (s *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.host, strconv.Itoa(s.port))}
	if s.user != "" {
		u.User = url.User(s.user)
	}
	return fmt.Sprintf("%s (tls=%s, from=%s)", u.String(), s.tlsMode, s.from)
}

// Send delivers m as a plain-text mail. Failures are *errs.Error of kind
// Unavailable with reason ReasonMailUnavailable. Cancelling ctx aborts the
// SMTP conversation.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return unavailable(fmt.Errorf("smtp: from: %w", err))
	}
	if err := msg.To(m.To); err != nil {
		return unavailable(fmt.Errorf("smtp: to: %w", err))
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if !m.Time.IsZero() {
		msg.SetDateWithValue(m.Time)
	}

	stop := func() bool { return false }
	defer func() { stop() }()
	client, err := gomail.NewClient(s.host, s.options(func(conn net.Conn) {
		// Dial and every command have timeouts of their own; this makes a
		// cancelled caller end the conversation at once as well.
		stop = context.AfterFunc(ctx, func() { _ = conn.Close() })
	})...)
	if err != nil {
		return unavailable(fmt.Errorf("smtp: client: %w", err))
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if ctx.Err() != nil {
			return unavailable(fmt.Errorf("smtp: %w: %v", ctx.Err(), err))
		}
		return unavailable(fmt.Errorf("smtp %s: %w", net.JoinHostPort(s.host, strconv.Itoa(s.port)), err))
	}
	return nil
}

// options builds the go-mail client options; onConn sees each dialled
// connection.
func (s *SMTP) options(onConn func(net.Conn)) []gomail.Option {
	tlsConf := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	implicit := s.tlsMode == tlsImplicit
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var (
			conn net.Conn
			err  error
		)
		if implicit {
			conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConf}).DialContext(ctx, network, addr)
		} else {
			conn, err = d.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		onConn(conn)
		return conn, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(tlsConf),
		gomail.WithDialContextFunc(dial),
	}
	switch s.tlsMode {
	case tlsNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case tlsOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case tlsStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsImplicit:
		// The dialler speaks TLS; WithSSL keeps go-mail from trying STARTTLS.
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		// Challenge mechanisms first; PLAIN and LOGIN refuse to send the
		// password over a plain link (except to localhost) unless tls=none
		// asked for exactly that.
		plain, login := gomail.SMTPAuthPlain, gomail.SMTPAuthLogin
		if s.tlsMode == tlsNone {
			plain, login = gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc
		}
		opts = append(opts,
			gomail.WithUsername(s.user),
			gomail.WithPassword(s.pass),
			gomail.WithOpportunisticSMTPAuth(
				gomail.SMTPAuthSCRAMSHA256PLUS, gomail.SMTPAuthSCRAMSHA256,
				gomail.SMTPAuthSCRAMSHA1PLUS, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, plain, login,
			),
		)
	}
	return opts
}
