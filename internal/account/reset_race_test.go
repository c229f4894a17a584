package account_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

// A sign-in with the old password that is in flight when the password is
// reset must not leave a session that outlives the reset: the sign-in
// checks the hash again under the user's row lock, which a reset takes.
func TestSignInRacingReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.Real{}
		cfg := account.DefaultConfig()
		cfg.TestOTP = map[string]string{"8613800138000": "1234"}
		svc := account.New(account.Deps{DB: db, Clock: clk, Limiter: ratelimit.NewDB(db, clk),
			Hasher: account.NewHasher(account.Argon2Params{Memory: 64, Time: 1, Threads: 1})}, cfg)
		a, err := account.ParsePhone("86", "13800138000")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Register(ctx, a, "1234", "old-password"); err != nil {
			t.Fatal(err)
		}
		var (
			mu     sync.Mutex
			tokens []string
			wg     sync.WaitGroup
			stop   = make(chan struct{})
		)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 40 {
					select {
					case <-stop:
						return
					default:
					}
					p, err := svc.Login(ctx, a, "old-password")
					if err == nil {
						mu.Lock()
						tokens = append(tokens, p.Access)
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(100 * time.Millisecond)
		if err := svc.ResetPassword(ctx, a, "1234", "new-password"); err != nil {
			t.Fatal(err)
		}
		close(stop)
		wg.Wait()
		alive := 0
		for _, tok := range tokens {
			if _, err := svc.Authenticate(ctx, tok); err == nil {
				alive++
			}
		}
		if alive > 0 {
			t.Fatalf("%d of %d sessions signed in with the old password outlive the reset", alive, len(tokens))
		}
	})
}
