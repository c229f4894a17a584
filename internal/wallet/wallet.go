// Package wallet is the money of plaza: balances of users in every currency
// (coin, gold, diamond, and any an operator adds), changed only by balanced
// double-entry transactions between a user's account and a system account
// (mint, shop, payment) or another user's, each with a kind, a reason, a
// reference and an optional idempotency key. docs/wallet.md tells the
// design: accounts, entries, the CHECKs, the locking order, idempotency,
// the cursor and ledger verify.
//
// Every write function takes the caller's unit of work (ctx and *store.Tx
// from store.DB.Unit), so a purchase debits the wallet in the same
// transaction as it takes stock and writes the order. Adjust is the one
// write that opens its own unit: an admin's grant or take is a whole
// request by itself.
package wallet

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// The currencies of the apps (rows of the currencies table; an operator may
// add more with AddCurrency).
const (
	Coin    = "coin"    // the doge face's pet coins
	Gold    = "gold"    // the live face's gold
	Diamond = "diamond" // the market face's diamonds
	CNY     = "cny"     // yuan in fen (2 decimals): what the yuanyi orders cost, topped up by payments
)

// System accounts: the other side of every transaction that is not between
// two users.
const (
	Mint    = "mint"    // issues money (grants) and takes it back; goes negative
	Shop    = "shop"    // receives purchases, pays refunds
	Payment = "payment" // pays out top-ups bought with real money
)

// Kind says what a transaction is.
type Kind string

const (
	KindGrant    Kind = "grant"    // mint -> user (an admin's grant, a reward)
	KindTake     Kind = "take"     // user -> mint (an admin's take)
	KindPurchase Kind = "purchase" // user -> shop
	KindRefund   Kind = "refund"   // shop -> user
	KindTransfer Kind = "transfer" // user -> user (a gift)
	KindPayment  Kind = "payment"  // payment -> user (a top-up paid with real money)
)

// MaxAmount is the largest amount of one transaction and the largest
// balance: 2^53-1, the largest integer a JSON client reading numbers as
// doubles keeps exact.
const MaxAmount int64 = 1<<53 - 1

// Limits of the texts of a transaction.
const (
	MaxReason = 200 // characters
	MaxRefID  = 64  // bytes
	MaxKey    = 128 // bytes
	MaxRef    = 32  // bytes of a reference kind
)

// Reasons of the wallet's errors, for the faces' tables. An unknown user is
// the account core's account.ReasonNoUser.
var (
	ReasonUnknownCurrency = errs.NewReason("wallet.unknown_currency") // Invalid (field "currency")
	ReasonKeyReused       = errs.NewReason("wallet.key_reused")       // Conflict: the key was used for another transaction
	ReasonBalanceLimit    = errs.NewReason("wallet.balance_limit")    // Invalid: the balance would pass MaxAmount
)

// shards is how many accounts each system account has per currency; a
// transaction of user u uses shard u % shards.
const shards = 16

// Currency is a currency.
type Currency struct {
	Code      string
	Name      string
	Decimals  int // one display unit is 10^Decimals of the amounts' unit
	CreatedAt time.Time
}

// Party is one side of a transaction: a user or a system account.
type Party struct {
	UserID int64  // 0 for a system account
	System string // "" for a user
}

// User is the party of a user.
func User(id int64) Party { return Party{UserID: id} }

// System is the party of a system account.
func System(name string) Party { return Party{System: name} }

func (p Party) isUser() bool { return p.System == "" }

// Ref names what a transaction pays for: Kind "order", "gift", "grant",
// "refund", "payment", ... and the id of that thing. Both empty: none.
type Ref struct {
	Kind string
	ID   string
}

// Meta is what a transaction carries besides the money.
type Meta struct {
	Reason string // shown in the ledger
	Ref    Ref
	// Key is the idempotency key: a transaction with the same key for the
	// same user is applied once; again, it answers the first result
	// (Txn.Replayed), or Conflict if its content differs. Optional.
	Key string
}

// Leg is one entry of a transaction.
type Leg struct {
	Party   Party
	Amount  int64 // signed: negative leaves the account
	Balance int64 // the account's balance after the entry (a system account's: its shard's)
}

// Txn is a transaction as applied.
type Txn struct {
	ID        int64
	Kind      Kind
	Currency  string
	Amount    int64 // what moved, > 0
	From, To  Party
	Meta      Meta
	Legs      []Leg // From's, then To's
	CreatedAt time.Time
	// Replayed is true when the key named an earlier transaction: nothing
	// was applied now, and this is that transaction's result.
	Replayed bool
}

// BalanceOf is the balance of user id right after the transaction (0 when
// the user is not a side of it).
func (t Txn) BalanceOf(id int64) int64 {
	for _, l := range t.Legs {
		if l.Party.isUser() && l.Party.UserID == id {
			return l.Balance
		}
	}
	return 0
}

// Service is the wallet core.
type Service struct {
	db *store.DB

	mu         sync.RWMutex
	currencies map[string]Currency // rows read, never removed
	system     map[sysKey]int64    // ids of committed system accounts (Init, AddCurrency)
}

type sysKey struct {
	name, currency string
	shard          int64
}

// New returns the wallet service.
func New(db *store.DB) *Service {
	return &Service{db: db, currencies: map[string]Currency{}, system: map[sysKey]int64{}}
}

func scanCurrency(r store.Scanner) (Currency, error) {
	var c Currency
	return c, r.Scan(&c.Code, &c.Name, &c.Decimals, (*store.Millis)(&c.CreatedAt))
}

// Currencies lists the currencies by code.
func (s *Service) Currencies(ctx context.Context) ([]Currency, error) {
	out, err := store.Collect(ctx, s.db, "SELECT code, name, decimals, created_at FROM currencies ORDER BY code", nil, scanCurrency)
	return out, errs.Wrap(err, "list currencies")
}

// currency returns a currency that exists, or Invalid. q is the unit's tx
// inside a unit (never the pool: on PostgreSQL a unit waiting for a second
// connection can starve the pool), else the database. What it reads is
// kept: a currency row is only ever added by a unit of its own
// (AddCurrency), so one that a unit sees is committed.
func (s *Service) currency(ctx context.Context, q store.Querier, code string) (Currency, error) {
	s.mu.RLock()
	c, ok := s.currencies[code]
	s.mu.RUnlock()
	if ok {
		return c, nil
	}
	if code == "" {
		return Currency{}, errs.InvalidField("currency", "currency is required")
	}
	// No currency has another code (AddCurrency): such a one is unknown
	// without a query, which PostgreSQL would fail on invalid UTF-8 or NUL.
	if !isToken(code, 16) {
		return Currency{}, &errs.Error{Kind: errs.Invalid, Reason: ReasonUnknownCurrency, Field: "currency", Msg: "unknown currency"}
	}
	c, err := scanCurrency(q.QueryRow(ctx, "SELECT code, name, decimals, created_at FROM currencies WHERE code = ?", code))
	if store.NoRows(err) {
		return Currency{}, &errs.Error{Kind: errs.Invalid, Reason: ReasonUnknownCurrency, Field: "currency", Msg: "unknown currency"}
	}
	if err != nil {
		return Currency{}, errs.Wrap(err, "read currency")
	}
	s.mu.Lock()
	s.currencies[code] = c
	s.mu.Unlock()
	return c, nil
}

// Init makes the system accounts (every shard) of every currency, in a unit
// of its own, and keeps their ids, so that no purchase has to look for
// them. server.New calls it at start. Without it the wallet works all the
// same: a unit then reads, or makes, the system account it needs.
func (s *Service) Init(ctx context.Context) error {
	cs, err := s.Currencies(ctx)
	if err != nil {
		return err
	}
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM wallet_accounts WHERE system IS NOT NULL")
	if err != nil {
		return errs.Wrap(err, "count system accounts")
	}
	if n == len(cs)*3*shards { // all there
		return s.keepSystem(ctx)
	}
	err = s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		for _, c := range cs {
			if err := makeSystem(ctx, tx, c.Code); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.keepSystem(ctx)
}

// makeSystem makes the missing system accounts of a currency, every shard
// of each, in one statement.
func makeSystem(ctx context.Context, tx *store.Tx, currency string) error {
	now := tx.Now().UnixMilli()
	shardList := make([]string, shards)
	for i := range shardList {
		shardList[i] = fmt.Sprintf("(%d)", i)
	}
	// "WHERE true": SQLite reads the ON of ON CONFLICT after a bare join
	// as the join's.
	_, err := tx.Exec(ctx, `INSERT INTO wallet_accounts (currency, system, shard, balance, created_at, updated_at)
		SELECT ?, s.column1, h.column1, 0, CAST(? AS BIGINT), CAST(? AS BIGINT)
		FROM (VALUES ('`+Mint+`'), ('`+Shop+`'), ('`+Payment+`')) s CROSS JOIN (VALUES `+strings.Join(shardList, ", ")+`) h
		WHERE true
		ON CONFLICT (system, currency, shard) DO NOTHING`, currency, now, now)
	return errs.Wrap(err, "make system accounts")
}

// keepSystem keeps the ids of every committed system account.
func (s *Service) keepSystem(ctx context.Context) error {
	type row struct {
		k  sysKey
		id int64
	}
	rows, err := store.Collect(ctx, s.db, "SELECT id, system, currency, shard FROM wallet_accounts WHERE system IS NOT NULL", nil,
		func(r store.Scanner) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.k.name, &x.k.currency, &x.k.shard)
		})
	if err != nil {
		return errs.Wrap(err, "read system accounts")
	}
	s.mu.Lock()
	for _, x := range rows {
		s.system[x.k] = x.id
	}
	s.mu.Unlock()
	return nil
}

// AddCurrency adds a currency (an operator's act, in a unit of its own).
// Code: 1 to 16 lowercase letters, digits or '_', starting with a letter.
func (s *Service) AddCurrency(ctx context.Context, c Currency) (Currency, error) {
	if !isToken(c.Code, 16) {
		return Currency{}, errs.InvalidField("code", "code must be 1 to 16 lowercase letters, digits or _, starting with a letter")
	}
	if err := valid.Line("name", c.Name, 64); err != nil {
		return Currency{}, err
	}
	if c.Decimals < 0 || c.Decimals > 6 {
		return Currency{}, errs.InvalidField("decimals", "decimals must be 0 to 6")
	}
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		c.CreatedAt = tx.Now()
		_, err := tx.Exec(ctx, "INSERT INTO currencies (code, name, decimals, created_at) VALUES (?, ?, ?, ?)",
			c.Code, c.Name, c.Decimals, c.CreatedAt.UnixMilli())
		if store.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "the currency exists")
		}
		if err != nil {
			return errs.Wrap(err, "add currency")
		}
		return makeSystem(ctx, tx, c.Code)
	})
	if err != nil {
		return Currency{}, err
	}
	return c, s.keepSystem(ctx)
}

// isToken tells whether s is 1 to max bytes of [a-z0-9_] starting with a
// letter.
func isToken(s string, max int) bool {
	if s == "" || len(s) > max || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// printable tells whether s is 1 to max bytes of printable ASCII without
// spaces (keys and reference ids).
func printable(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

func (m Meta) check() error {
	// One line, no control character (none belongs in a ledger).
	if err := valid.Line("reason", m.Reason, MaxReason); err != nil {
		return err
	}
	if (m.Ref.Kind == "") != (m.Ref.ID == "") {
		return errs.InvalidField("ref", "a reference has both a kind and an id")
	}
	if m.Ref.Kind != "" && !isToken(m.Ref.Kind, MaxRef) {
		return errs.InvalidField("ref", "a reference kind is lowercase letters, digits or _")
	}
	if m.Ref.ID != "" && !printable(m.Ref.ID, MaxRefID) {
		return errs.InvalidField("ref", "a reference id is 1 to 64 printable characters")
	}
	if m.Key != "" && !printable(m.Key, MaxKey) {
		return errs.InvalidField("idempotency_key", "an idempotency key is 1 to 128 printable characters without spaces")
	}
	return nil
}

func checkAmount(amount int64) error {
	if amount <= 0 {
		return errs.InvalidField("amount", "the amount must be positive")
	}
	if amount > MaxAmount {
		return errs.InvalidField("amount", "the amount is too large")
	}
	return nil
}
