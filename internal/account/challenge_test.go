package account_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/provider/sms"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// codeBox keeps the codes sent, by number.
type codeBox struct {
	mu   sync.Mutex
	last map[string]string
}

func (b *codeBox) Send(_ context.Context, m sms.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last[m.To] = m.Code
	return nil
}

func (b *codeBox) code(to string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last[to]
}

func challengeService(t *testing.T, db *store.DB, clk clock.Clock) (*account.Service, *codeBox) {
	box := &codeBox{last: map[string]string{}}
	cfg := account.DefaultConfig()
	cfg.CodeCooldown = 0
	return account.New(account.Deps{DB: db, Clock: clk, Limiter: ratelimit.NewDB(db, clk), SMS: box,
		Hasher: account.NewHasher(account.Argon2Params{Memory: 64, Time: 1, Threads: 1})}, cfg), box
}

func TestChallengeSignUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
		svc, box := challengeService(t, db, clk)
		a, _ := account.ParsePhone("86", "13800138001")
		reg := account.Registration{Account: a, Password: "abc12345", Strong: true}

		// No code yet: no sign-up.
		if _, err := svc.RegisterVerified(ctx, reg); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("sign-up without a code: %v", err)
		}
		ch, err := svc.SendChallenge(ctx, account.SendCodeRequest{Account: a, Length: 4, MustBeNew: true})
		if err != nil {
			t.Fatal(err)
		}
		code := box.code("8613800138001")
		if len(code) != 4 || len(ch) != account.ChallengeLen || ch == code {
			t.Fatalf("challenge %q code %q", ch, code)
		}
		// Sent but not verified: no sign-up either.
		if _, err := svc.RegisterVerified(ctx, reg); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("sign-up with an unverified code: %v", err)
		}
		wrong := "0000"
		if code == wrong {
			wrong = "1111"
		}
		if err := svc.VerifyChallenge(ctx, ch, wrong); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("wrong code: %v", err)
		}
		if err := svc.VerifyChallenge(ctx, "no-such-challenge", code); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("unknown challenge: %v", err)
		}
		if err := svc.VerifyChallenge(ctx, ch, code); err != nil {
			t.Fatal(err)
		}
		// The password policy of the live face.
		for _, pw := range []string{"abcdefgh", "12345678", "abc1234"} {
			bad := reg
			bad.Password = pw
			if _, err := svc.RegisterVerified(ctx, bad); !errs.Is(err, errs.Invalid) {
				t.Errorf("password %q: %v", pw, err)
			}
		}
		g := 1
		nick := "小明"
		reg.Profile = account.Profile{Gender: &g, Nickname: &nick}
		u, err := svc.RegisterVerified(ctx, reg)
		if err != nil {
			t.Fatal(err)
		}
		if u.Phone != "13800138001" || u.Gender != 1 || u.Nickname != nick {
			t.Fatalf("user %+v", u)
		}
		// The challenge is used up; the phone is registered.
		if _, err := svc.RegisterVerified(ctx, reg); errs.ReasonOf(err) != account.ReasonRegistered {
			t.Fatalf("second sign-up: %v", err)
		}
		if _, err := svc.SendChallenge(ctx, account.SendCodeRequest{Account: a, Length: 4, MustBeNew: true}); errs.ReasonOf(err) != account.ReasonRegistered {
			t.Fatalf("code to a registered phone: %v", err)
		}
		if _, err := svc.Login(ctx, a, "abc12345"); err != nil {
			t.Fatalf("sign-in: %v", err)
		}
	})
}

func TestChallengeTriesAndExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
		svc, box := challengeService(t, db, clk)
		a, _ := account.ParsePhone("86", "13800138002")
		ch, err := svc.SendChallenge(ctx, account.SendCodeRequest{Account: a, Length: 4})
		if err != nil {
			t.Fatal(err)
		}
		code := box.code("8613800138002")
		wrong := "0000"
		if code == wrong {
			wrong = "1111"
		}
		for i := range 5 {
			if err := svc.VerifyChallenge(ctx, ch, wrong); !errs.Is(err, errs.CodeInvalid) {
				t.Fatalf("wrong try %d: %v", i+1, err)
			}
		}
		// After five wrong tries even the right code is refused.
		if err := svc.VerifyChallenge(ctx, ch, code); !errs.Is(err, errs.CodeExhausted) {
			t.Fatalf("after five wrong: %v", err)
		}

		// A verified challenge allows sign-up for ten minutes only.
		ch, err = svc.SendChallenge(ctx, account.SendCodeRequest{Account: a, Length: 4})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.VerifyChallenge(ctx, ch, box.code("8613800138002")); err != nil {
			t.Fatal(err)
		}
		clk.Advance(account.VerifiedFor + time.Second)
		if _, err := svc.RegisterVerified(ctx, account.Registration{Account: a, Password: "abc12345"}); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("sign-up after the window: %v", err)
		}
		// An expired code cannot be verified.
		ch, _ = svc.SendChallenge(ctx, account.SendCodeRequest{Account: a, Length: 4})
		clk.Advance(svc.Config().CodeTTL)
		if err := svc.VerifyChallenge(ctx, ch, box.code("8613800138002")); !errs.Is(err, errs.Expired) {
			t.Fatalf("expired: %v", err)
		}
		// Bad input.
		for _, c := range [][2]string{{"", "1234"}, {ch, ""}, {"a\x00b", "1234"}, {string(make([]byte, 100)), "1"}} {
			if err := svc.VerifyChallenge(ctx, c[0], c[1]); !errs.Is(err, errs.Invalid) {
				t.Errorf("%q: %v", c, err)
			}
		}
		if _, err := svc.SendChallenge(ctx, account.SendCodeRequest{Account: account.Account{Email: "a@b.cn"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("challenge to an e-mail: %v", err)
		}
	})
}

// Five wrong tries racing: exactly five count, and the code is dead after.
func TestChallengeTriesRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, box := challengeService(t, db, clock.Real{})
		a, _ := account.ParsePhone("86", "13800138003")
		ch, err := svc.SendChallenge(ctx, account.SendCodeRequest{Account: a, Length: 4})
		if err != nil {
			t.Fatal(err)
		}
		code := box.code("8613800138003")
		wrong := "0000"
		if code == wrong {
			wrong = "1111"
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[errs.Kind]int{}
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := svc.VerifyChallenge(ctx, ch, wrong)
				mu.Lock()
				got[errs.KindOf(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if got[errs.CodeInvalid] != 5 || got[errs.CodeExhausted] != 7 {
			t.Fatalf("outcomes %v", got)
		}
		if err := svc.VerifyChallenge(ctx, ch, code); !errs.Is(err, errs.CodeExhausted) {
			t.Fatalf("right code after: %v", err)
		}
	})
}
