package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"plaza/internal/errs"
)

// received is what the test server saw of one mail.
type received struct {
	authUser string
	from     string
	rcpt     []string
	data     []byte
}

// testBackend is an in-process SMTP server's backend. With user set it
// offers AUTH PLAIN and refuses MAIL until the client authenticated.
type testBackend struct {
	user, pass string
	rejectRcpt bool
	got        chan received
}

func (b *testBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	s := &testSession{b: b}
	if b.user != "" {
		return &testAuthSession{s}, nil
	}
	return s, nil
}

type testSession struct {
	b   *testBackend
	cur received
}

func (s *testSession) Reset()        { s.cur = received{authUser: s.cur.authUser} }
func (s *testSession) Logout() error { return nil }

func (s *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.b.user != "" && s.cur.authUser == "" {
		return gosmtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.b.rejectRcpt {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.rcpt = append(s.cur.rcpt, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.b.got <- s.cur
	return nil
}

type testAuthSession struct{ *testSession }

func (s *testAuthSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testAuthSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return gosmtp.ErrAuthFailed
		}
		s.cur.authUser = user
		return nil
	}), nil
}

// startSMTP runs a plain-text SMTP server on 127.0.0.1 and returns its address.
func startSMTP(t *testing.T, b *testBackend) string {
	t.Helper()
	b.got = make(chan received, 4)
	srv := gosmtp.NewServer(b)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

func newTestSMTP(t *testing.T, rawURL string) *SMTP {
	t.Helper()
	s, err := NewSMTP(rawURL)
	if err != nil {
		t.Fatalf("NewSMTP(%q): %v", rawURL, err)
	}
	return s
}

var testMail = Message{
	To:      "bob@example.org",
	Subject: "Your plaza code / 验证码",
	Text:    "Your code is 654321.\nIt expires in 10 minutes. 请勿泄露。",
	Code:    "654321",
	Time:    time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
}

// checkMail asserts that r is testMail sent from from.
func checkMail(t *testing.T, r received, from string) {
	t.Helper()
	if r.from != from {
		t.Errorf("MAIL FROM = %q, want %q", r.from, from)
	}
	if len(r.rcpt) != 1 || r.rcpt[0] != testMail.To {
		t.Errorf("RCPT TO = %q, want [%q]", r.rcpt, testMail.To)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(r.data))
	if err != nil {
		t.Fatalf("parse mail: %v\n%s", err, r.data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	if subject != testMail.Subject {
		t.Errorf("Subject = %q, want %q", subject, testMail.Subject)
	}
	if got := msg.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", got)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(testMail.Time) {
		t.Errorf("Date = %v (%v), want %v", d, err, testMail.Time)
	}
	var body io.Reader = msg.Body
	switch cte := strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "", "7bit", "8bit":
	default:
		t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	text := strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	if text != testMail.Text {
		t.Errorf("body = %q, want %q", text, testMail.Text)
	}
}

func wantMailUnavailable(t *testing.T, err error) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *errs.Error", err, err)
	}
	if e.Kind != errs.Unavailable || e.Reason != ReasonUnavailable || e.Msg == "" || e.Err == nil {
		t.Fatalf("err = %#v, want unavailable/%s with Msg and cause", e, ReasonUnavailable)
	}
}

func noMail(t *testing.T, b *testBackend) {
	t.Helper()
	select {
	case r := <-b.got:
		t.Errorf("server received a mail: %+v", r)
	default:
	}
}

func TestSMTPSendPlain(t *testing.T) {
	for _, tls := range []string{"&tls=none", ""} { // "": opportunistic, the server offers no STARTTLS
		b := &testBackend{}
		addr := startSMTP(t, b)
		s := newTestSMTP(t, "smtp://"+addr+"?from=noreply@example.com"+tls)
		if err := s.Send(context.Background(), testMail); err != nil {
			t.Fatalf("tls %q: Send: %v", tls, err)
		}
		checkMail(t, <-b.got, "noreply@example.com")
	}
}

func TestSMTPSendAuth(t *testing.T) {
	b := &testBackend{user: "alice", pass: "p@ss:word"}
	addr := startSMTP(t, b)
	s := newTestSMTP(t, "smtp://alice:p%40ss%3Aword@"+addr+"?from=Plaza+%3Cnoreply@example.com%3E&tls=none")
	if err := s.Send(context.Background(), testMail); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-b.got
	if r.authUser != "alice" {
		t.Errorf("authenticated as %q, want alice", r.authUser)
	}
	checkMail(t, r, "noreply@example.com")
}

func TestSMTPSendAuthFailures(t *testing.T) {
	b := &testBackend{user: "alice", pass: "secret"}
	addr := startSMTP(t, b)
	for name, u := range map[string]string{
		"wrong password": "smtp://alice:nope@" + addr + "?tls=none",
		"no credentials": "smtp://" + addr + "?tls=none",
	} {
		err := newTestSMTP(t, u).Send(context.Background(), testMail)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		wantMailUnavailable(t, err)
		if strings.Contains(err.Error(), "nope") {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
	}
	noMail(t, b)
}

func TestSMTPCredentialsButNoAuthOffered(t *testing.T) {
	b := &testBackend{}
	addr := startSMTP(t, b)
	err := newTestSMTP(t, "smtp://alice:secret@"+addr+"?tls=none").Send(context.Background(), testMail)
	wantMailUnavailable(t, err)
	noMail(t, b)
}

func TestSMTPStartTLSRequired(t *testing.T) {
	b := &testBackend{}
	addr := startSMTP(t, b)
	err := newTestSMTP(t, "smtp://"+addr+"?tls=starttls").Send(context.Background(), testMail)
	wantMailUnavailable(t, err)
	noMail(t, b)
}

func TestSMTPRcptRejected(t *testing.T) {
	b := &testBackend{rejectRcpt: true}
	addr := startSMTP(t, b)
	err := newTestSMTP(t, "smtp://"+addr+"?tls=none").Send(context.Background(), testMail)
	wantMailUnavailable(t, err)
	noMail(t, b)
}

func TestSMTPClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	err = newTestSMTP(t, "smtp://"+addr+"?tls=none").Send(context.Background(), testMail)
	wantMailUnavailable(t, err)
}

func TestSMTPContextCancelled(t *testing.T) {
	// A server that accepts and then says nothing: only the cancellation
	// (not the 15 s command timeout) can end the wait for its greeting.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		cancel()
		_, _ = io.Copy(io.Discard, c) // until the client hangs up
	}()

	err = newTestSMTP(t, "smtp://"+l.Addr().String()+"?tls=none").Send(ctx, testMail)
	wantMailUnavailable(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}

	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		b := &testBackend{}
		addr := startSMTP(t, b)
		err := newTestSMTP(t, "smtp://"+addr+"?tls=none").Send(ctx, testMail)
		wantMailUnavailable(t, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		noMail(t, b)
	})
}

func TestNewSMTP(t *testing.T) {
	good := []struct {
		url, host string
		port      int
		user      string
		pass      string
		from      string
		tls       string
	}{
		{"smtp://mail.example.com", "mail.example.com", 587, "", "", "plaza@mail.example.com", tlsOpportunistic},
		{"smtp://mail.example.com/?from=noreply@example.com", "mail.example.com", 587, "", "", "noreply@example.com", tlsOpportunistic},
		{"smtp://u:hunter2@mail.example.com:2525?from=noreply@example.com&tls=none", "mail.example.com", 2525, "u", "hunter2", "noreply@example.com", tlsNone},
		{"smtp://mail.example.com?tls=starttls", "mail.example.com", 587, "", "", "plaza@mail.example.com", tlsStartTLS},
		{"smtp://mail.example.com?tls=tls", "mail.example.com", 465, "", "", "plaza@mail.example.com", tlsImplicit},
		{"SMTPS://user%40example.com:pa%3Ass@smtp.example.com?from=Plaza%20%3Cno@example.com%3E", "smtp.example.com", 465, "user@example.com", "pa:ss", "Plaza <no@example.com>", tlsImplicit},
		{"smtps://smtp.example.com:2465?tls=tls", "smtp.example.com", 2465, "", "", "plaza@smtp.example.com", tlsImplicit},
		{"smtp://[::1]:25?tls=none&from=a@b.example", "::1", 25, "", "", "a@b.example", tlsNone},
	}
	for _, tc := range good {
		s, err := NewSMTP(tc.url)
		if err != nil {
			t.Errorf("NewSMTP(%q): %v", tc.url, err)
			continue
		}
		if s.host != tc.host || s.port != tc.port || s.user != tc.user || s.pass != tc.pass || s.from != tc.from || s.tlsMode != tc.tls {
			t.Errorf("NewSMTP(%q) = host %q port %d user %q pass %q from %q tls %q, want %q %d %q %q %q %q",
				tc.url, s.host, s.port, s.user, s.pass, s.from, s.tlsMode, tc.host, tc.port, tc.user, tc.pass, tc.from, tc.tls)
		}
		if tc.pass != "" && strings.Contains(s.String(), tc.pass) {
			t.Errorf("String() shows the password: %s", s)
		}
	}

	bad := []string{
		"",
		"mail.example.com",
		"mail.example.com:587",
		"http://mail.example.com",
		"smtp:mail.example.com",
		"smtp://",
		"smtp://:25",
		"smtp://mail.example.com:0",
		"smtp://mail.example.com:70000",
		"smtp://mail.example.com:smtp",
		"smtp://mail.example.com:",
		"smtp://mail.example.com?tls=yes",
		"smtp://mail.example.com?tls=STARTTLS",
		"smtps://mail.example.com?tls=none",
		"smtps://mail.example.com?tls=starttls",
		"smtp://mail.example.com?form=noreply@example.com",
		"smtp://mail.example.com?from=not-an-address",
		"smtp://mail.example.com?from=a@b.example,c@d.example",
		"smtp://mail.example.com/inbox",
		"smtp://mail.example.com#frag",
		"smtp://user@mail.example.com",
		"smtp://user:@mail.example.com",
		"smtp://:pass@mail.example.com",
		"smtp://us er:pa ss@mail.example.com",
		"smtp://mail.example.com?%zz",
		"smtp://u:s3cret@mail example.com",
	}
	for _, u := range bad {
		s, err := NewSMTP(u)
		if err == nil {
			t.Errorf("NewSMTP(%q) = %s, want error", u, s)
			continue
		}
		if !strings.HasPrefix(err.Error(), "mail: invalid SMTP URL: ") {
			t.Errorf("NewSMTP(%q): error %q lacks the prefix", u, err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("NewSMTP(%q): error shows the password: %v", u, err)
		}
	}
}

func TestSMTPIsSender(t *testing.T) {
	var _ Sender = (*SMTP)(nil)
}
