package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/store/storetest"
	"plaza/internal/wallet"
)

// randomLoad runs a mixed load on the wallet from several goroutines:
// grants and takes (some with repeated keys), purchases, refunds, gifts,
// top-ups, units of two moves whose last step fails, and purchases that
// fail for want of money inside units that commit all the same.
func randomLoad(t *testing.T, db *store.DB, users []int64) {
	t.Helper()
	w := wallet.New(db)
	currencies := []string{wallet.Coin, wallet.Gold, wallet.Diamond}
	boom := errors.New("the last step failed")
	var wg sync.WaitGroup
	errc := make(chan error, 64)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range 60 {
				ctx := context.Background()
				u := users[r.IntN(len(users))]
				v := users[r.IntN(len(users))]
				cur := currencies[r.IntN(len(currencies))]
				amount := int64(1 + r.IntN(50))
				var err error
				switch op := r.IntN(7); op {
				case 0: // an admin's grant, the key sometimes repeated
					_, err = w.Adjust(ctx, u, cur, amount*4, wallet.Meta{Reason: "grant", Key: fmt.Sprint("k", r.IntN(20))})
				case 1:
					_, err = w.Adjust(ctx, u, cur, -amount, wallet.Meta{Reason: "take"})
				default:
					err = db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
						var err error
						switch op {
						case 2:
							_, err = w.Purchase(ctx, tx, u, cur, amount, wallet.Meta{Ref: wallet.Ref{Kind: "order", ID: fmt.Sprint(r.Int())}})
						case 3:
							if _, err = w.Purchase(ctx, tx, u, cur, amount, wallet.Meta{}); err == nil {
								_, err = w.Refund(ctx, tx, u, cur, amount/2+1, wallet.Meta{})
							}
						case 4:
							if u != v {
								_, err = w.Transfer(ctx, tx, u, v, cur, amount, wallet.Meta{Reason: "gift"})
							}
						case 5:
							// a top-up, and half the time a purchase
							// with it whose last step fails
							if _, err = w.TopUp(ctx, tx, u, cur, amount, wallet.Meta{}); err == nil && r.IntN(2) == 0 {
								if _, err = w.Purchase(ctx, tx, u, cur, amount, wallet.Meta{}); err == nil {
									err = boom
								}
							}
						case 6: // a purchase short of money, and the caller commits anyway
							if _, err = w.Purchase(ctx, tx, u, cur, wallet.MaxAmount, wallet.Meta{}); errs.Is(err, errs.InsufficientFunds) {
								err = nil
							}
						}
						return err
					})
				}
				if err != nil && !errors.Is(err, boom) && !errs.Is(err, errs.InsufficientFunds) && !errs.Is(err, errs.Conflict) {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("load: %v", err)
	}
}

// plaza ledger verify passes after a random load and fails, naming the
// account, once a balance row is changed behind the ledger's back.
func TestLedgerVerify(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			vars := map[string]string{"PLAZA_DATA": t.TempDir()}
			o := store.Options{Path: filepath.Join(vars["PLAZA_DATA"], "plaza.db")}
			if eng.Name == "postgres" {
				db, po := eng.Open(t)
				db.Close()
				vars["PLAZA_DATABASE_URL"] = po.URL
				o = po
			}
			verify := func() (string, error) {
				var out bytes.Buffer
				err := run(ctx, []string{"plaza", "ledger", "verify"}, envOf(vars), &out, io.Discard)
				return out.String(), err
			}
			db, err := store.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if out, err := verify(); err != nil || !strings.Contains(out, "0 transactions, 0 entries") || !strings.Contains(out, "ok: no difference") {
				t.Fatalf("empty ledger: %v\n%s", err, out)
			}

			var users []int64
			for i := range 8 {
				var id int64
				if err := db.QueryRowWrite(ctx, "INSERT INTO users (openid, uid, created_at, updated_at) VALUES (?, ?, 1, 1) RETURNING id",
					fmt.Sprint("o", i), fmt.Sprint("u", i)).Scan(&id); err != nil {
					t.Fatal(err)
				}
				users = append(users, id)
			}
			randomLoad(t, db, users)
			txns, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM wallet_transactions")
			entries, _ := store.Count(ctx, db, "SELECT COUNT(*) FROM wallet_entries")
			if txns < 100 {
				t.Fatalf("the load wrote only %d transactions", txns)
			}
			out, err := verify()
			if err != nil || !strings.Contains(out, "ok: no difference") || strings.Contains(out, "DIFFERENCE") {
				t.Fatalf("after the load: %v\n%s", err, out)
			}
			for _, want := range []string{
				fmt.Sprintf("%d transactions, %d entries\n", txns, entries),
				"  coin: ", "  diamond: ", "  gold: ", "balances sum to 0, entries sum to 0", "checked: ",
			} {
				if !strings.Contains(out, want) {
					t.Fatalf("verify output lacks %q:\n%s", want, out)
				}
			}

			var acct, user, bal int64
			if err := db.QueryRow(ctx, "SELECT id, user_id, balance FROM wallet_accounts WHERE user_id IS NOT NULL AND currency = 'gold' ORDER BY id LIMIT 1").
				Scan(&acct, &user, &bal); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, "UPDATE wallet_accounts SET balance = balance + 7 WHERE id = ?", acct); err != nil {
				t.Fatal(err)
			}
			out, err = verify()
			want := fmt.Sprintf("DIFFERENCE: account %d (user %d, gold): balance %d, but its entries sum to %d", acct, user, bal+7, bal)
			if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "DIFFERENCE: gold: the balances of all accounts sum to 7, not 0") ||
				strings.Contains(out, "ok: no difference") {
				t.Fatalf("after the corruption: err %v, want a difference %q:\n%s", err, want, out)
			}
		})
	}
}

func TestLedgerCommand(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"plaza", "ledger"}, nil, io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), "plaza ledger verify") {
		t.Fatalf("plaza ledger: %v\n%s", err, stderr.String())
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"plaza", "ledger", "verify", "-h"}, nil, &out, &stderr); err != nil {
		t.Fatalf("-h: %v", err)
	}
}

// plaza ledger verify of a data directory without a database says so and
// leaves no empty database behind.
func TestLedgerVerifyNoDatabase(t *testing.T) {
	data := filepath.Join(t.TempDir(), "typo")
	var out bytes.Buffer
	err := run(context.Background(), []string{"plaza", "ledger", "verify"}, envOf(map[string]string{"PLAZA_DATA": data}), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Fatalf("verify of a missing database: %v\n%s", err, out.String())
	}
	if _, serr := os.Stat(filepath.Join(data, "plaza.db")); serr == nil {
		t.Fatal("verify made an empty database")
	}
}
