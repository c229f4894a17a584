package wallet

import (
	"context"
	"errors"
	"fmt"
	"plaza/internal/account"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// Grant issues amount to a user: mint -> user.
func (s *Service) Grant(ctx context.Context, tx *store.Tx, userID int64, currency string, amount int64, m Meta) (Txn, error) {
	return s.apply(ctx, tx, move{KindGrant, currency, System(Mint), User(userID), amount, m, userID})
}

// Take takes amount back from a user: user -> mint. Not enough money:
// InsufficientFunds.
func (s *Service) Take(ctx context.Context, tx *store.Tx, userID int64, currency string, amount int64, m Meta) (Txn, error) {
	return s.apply(ctx, tx, move{KindTake, currency, User(userID), System(Mint), amount, m, userID})
}

// Adjust is an admin's grant (delta > 0) or take (delta < 0) as a whole
// request: it runs in a unit of its own. The reason is required; the key
// makes a repeated request change nothing and answer the first result.
func (s *Service) Adjust(ctx context.Context, userID int64, currency string, delta int64, m Meta) (Txn, error) {
	if delta == 0 {
		return Txn{}, errs.InvalidField("amount", "the amount must not be zero")
	}
	if delta < -MaxAmount || delta > MaxAmount {
		return Txn{}, errs.InvalidField("amount", "the amount is too large")
	}
	if m.Reason == "" {
		return Txn{}, errs.InvalidField("reason", "reason is required")
	}
	var t Txn
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if delta > 0 {
			t, err = s.Grant(ctx, tx, userID, currency, delta, m)
		} else {
			t, err = s.Take(ctx, tx, userID, currency, -delta, m)
		}
		return err
	})
	return t, err
}

// Purchase debits a user for what they buy: user -> shop. It runs in the
// caller's unit, beside the stock and the order. Not enough money:
// InsufficientFunds (and the caller's unit rolls back).
func (s *Service) Purchase(ctx context.Context, tx *store.Tx, userID int64, currency string, amount int64, m Meta) (Txn, error) {
	return s.apply(ctx, tx, move{KindPurchase, currency, User(userID), System(Shop), amount, m, userID})
}

// Refund gives a user back what they paid for a purchase: shop -> user.
func (s *Service) Refund(ctx context.Context, tx *store.Tx, userID int64, currency string, amount int64, m Meta) (Txn, error) {
	return s.apply(ctx, tx, move{KindRefund, currency, System(Shop), User(userID), amount, m, userID})
}

// Transfer moves amount from one user to another (a gift). The key is the
// sender's.
func (s *Service) Transfer(ctx context.Context, tx *store.Tx, from, to int64, currency string, amount int64, m Meta) (Txn, error) {
	if from == to {
		return Txn{}, errs.InvalidField("to", "a transfer goes to another user")
	}
	return s.apply(ctx, tx, move{KindTransfer, currency, User(from), User(to), amount, m, from})
}

// TopUp credits a user with what a payment bought: payment -> user. Its
// reference names the payment; its key makes a repeated notification of
// the same payment credit once.
func (s *Service) TopUp(ctx context.Context, tx *store.Tx, userID int64, currency string, amount int64, m Meta) (Txn, error) {
	return s.apply(ctx, tx, move{KindPayment, currency, System(Payment), User(userID), amount, m, userID})
}

// move is one transaction to apply.
type move struct {
	kind     Kind
	currency string
	from, to Party
	amount   int64
	meta     Meta
	user     int64 // the user it is for: its key's scope and its system shard
}

// apply applies m in tx: it claims the idempotency key (or answers the
// transaction that holds it), changes both accounts in the order of their
// ids, and writes the two entries. Every row gets the unit's time.
func (s *Service) apply(ctx context.Context, tx *store.Tx, m move) (Txn, error) {
	if tx == nil {
		return Txn{}, errs.Wrap(errors.New("no transaction given"), "wallet")
	}
	if err := checkAmount(m.amount); err != nil {
		return Txn{}, err
	}
	if err := m.meta.check(); err != nil {
		return Txn{}, err
	}
	if _, err := s.currency(ctx, tx, m.currency); err != nil {
		return Txn{}, err
	}
	now := tx.Now()
	var key any
	if m.meta.Key != "" {
		key = m.meta.Key
	}
	t := Txn{Kind: m.kind, Currency: m.currency, Amount: m.amount, From: m.from, To: m.to, Meta: m.meta, CreatedAt: now}

	// The key is claimed first, before any balance moves: a concurrent
	// request with the same key waits here for this one's unit to end, then
	// finds its transaction (PostgreSQL's ON CONFLICT waits for the holder;
	// SQLite's writers are serialized anyway).
	// The row is selected from users, so that an unknown user gives no row
	// rather than a foreign-key failure, which on PostgreSQL would abort the
	// caller's unit: every refusal of the wallet leaves the unit usable.
	err := tx.QueryRow(ctx, `INSERT INTO wallet_transactions (currency, kind, user_id, reason, ref_kind, ref_id, idempotency_key, created_at)
		SELECT ?, ?, id, ?, ?, ?, ?, CAST(? AS BIGINT) FROM users WHERE id = ?
		ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id`,
		m.currency, string(m.kind), m.meta.Reason, m.meta.Ref.Kind, m.meta.Ref.ID, key, now.UnixMilli(), m.user).Scan(&t.ID)
	if store.NoRows(err) {
		if m.meta.Key != "" {
			return s.replay(ctx, tx, m)
		}
		return Txn{}, errUnknownUser
	}
	if err != nil {
		return Txn{}, errs.Wrap(err, "write transaction")
	}

	fromID, err := s.account(ctx, tx, m.from, m.currency, m.user)
	if err != nil {
		return Txn{}, s.abandon(ctx, tx, t.ID, err)
	}
	toID, err := s.account(ctx, tx, m.to, m.currency, m.user)
	if err != nil {
		return Txn{}, s.abandon(ctx, tx, t.ID, err)
	}
	// Lock order: the smaller account id first, so that two transactions
	// over the same two accounts (two users paying each other) never wait
	// for each other on PostgreSQL. The UPDATE takes the row lock, checks the
	// bounds and changes the balance in one statement.
	ids := [2]int64{fromID, toID}
	deltas := [2]int64{-m.amount, m.amount}
	var after [2]int64
	first := 0
	if toID < fromID {
		first = 1
	}
	for n, i := range [2]int{first, 1 - first} {
		if after[i], err = s.change(ctx, tx, ids[i], deltas[i], m.currency, now.UnixMilli()); err != nil {
			if n == 1 { // undo the first change
				if _, uerr := s.change(ctx, tx, ids[first], -deltas[first], m.currency, now.UnixMilli()); uerr != nil {
					return Txn{}, errs.Wrap(errors.Join(err, uerr), "undo a failed transaction")
				}
			}
			err = s.shortFirst(ctx, tx, m, fromID, err)
			return Txn{}, s.abandon(ctx, tx, t.ID, err)
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO wallet_entries (transaction_id, account_id, amount, balance_after, created_at)
		VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)`,
		t.ID, fromID, deltas[0], after[0], now.UnixMilli(), t.ID, toID, deltas[1], after[1], now.UnixMilli())
	if err != nil {
		return Txn{}, errs.Wrap(err, "write entries")
	}
	t.Legs = []Leg{{m.from, deltas[0], after[0]}, {m.to, deltas[1], after[1]}}
	return t, nil
}

// shortFirst is the refusal of a move that failed with err: a payer who
// has not the amount is told so (InsufficientFunds) whichever account's
// change failed first in lock order, so the answer does not depend on
// which account id is smaller.
func (s *Service) shortFirst(ctx context.Context, tx *store.Tx, m move, fromID int64, err error) error {
	if !m.from.isUser() || errs.KindOf(err) == errs.Internal || errs.Is(err, errs.InsufficientFunds) {
		return err
	}
	var bal int64
	if qerr := tx.QueryRow(ctx, "SELECT balance FROM wallet_accounts WHERE id = ?", fromID).Scan(&bal); qerr != nil {
		return errs.Wrap(qerr, "read balance")
	}
	if bal < m.amount {
		return errs.Ef(errs.InsufficientFunds, "not enough %s", m.currency)
	}
	return err
}

// abandon removes the claimed transaction row of a move refused with err
// (an unknown user, not enough money, the limit), so that a caller who goes
// on after the refusal and commits its unit leaves no trace of it. After
// an internal error it does nothing: the unit must roll back (on
// PostgreSQL the failed statement has aborted it anyway).
func (s *Service) abandon(ctx context.Context, tx *store.Tx, id int64, err error) error {
	if errs.KindOf(err) == errs.Internal {
		return err
	}
	if _, derr := tx.Exec(ctx, "DELETE FROM wallet_transactions WHERE id = ?", id); derr != nil {
		return errs.Wrap(derr, "abandon a refused transaction")
	}
	return err
}

var errUnknownUser = errs.R(errs.NotFound, account.ReasonNoUser, "no such user")

// account returns the id of p's account of currency, making it when it is
// missing (in tx: it is rolled back with the unit).
func (s *Service) account(ctx context.Context, tx *store.Tx, p Party, currency string, user int64) (int64, error) {
	if p.isUser() {
		return s.userAccount(ctx, tx, p.UserID, currency)
	}
	return s.systemAccount(ctx, tx, sysKey{p.System, currency, user % shards})
}

func (s *Service) userAccount(ctx context.Context, tx *store.Tx, userID int64, currency string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM wallet_accounts WHERE user_id = ? AND currency = ?", userID, currency).Scan(&id)
	if err == nil || !store.NoRows(err) {
		return id, errs.Wrap(err, "read account")
	}
	// Selected from users: an unknown user gives no row, not a foreign-key
	// failure (which would abort the unit on PostgreSQL).
	now := tx.Now().UnixMilli()
	err = tx.QueryRow(ctx, `INSERT INTO wallet_accounts (currency, user_id, shard, balance, created_at, updated_at)
		SELECT ?, id, 0, 0, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM users WHERE id = ?
		ON CONFLICT (user_id, currency) DO NOTHING RETURNING id`, currency, now, now, userID).Scan(&id)
	if store.NoRows(err) { // no such user, or made meanwhile by another unit, now committed
		err = tx.QueryRow(ctx, "SELECT id FROM wallet_accounts WHERE user_id = ? AND currency = ?", userID, currency).Scan(&id)
		if store.NoRows(err) {
			return 0, errUnknownUser
		}
	}
	return id, errs.Wrap(err, "make account")
}

// systemAccount returns the id of a system account's shard: kept from
// Init, else read or made in tx (and not kept: tx may roll back).
func (s *Service) systemAccount(ctx context.Context, tx *store.Tx, k sysKey) (int64, error) {
	s.mu.RLock()
	id, ok := s.system[k]
	s.mu.RUnlock()
	if ok {
		return id, nil
	}
	const sel = "SELECT id FROM wallet_accounts WHERE system = ? AND currency = ? AND shard = ?"
	err := tx.QueryRow(ctx, sel, k.name, k.currency, k.shard).Scan(&id)
	if err == nil || !store.NoRows(err) {
		return id, errs.Wrap(err, "read system account")
	}
	now := tx.Now().UnixMilli()
	err = tx.QueryRow(ctx, `INSERT INTO wallet_accounts (currency, system, shard, balance, created_at, updated_at)
		VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (system, currency, shard) DO NOTHING RETURNING id`,
		k.currency, k.name, k.shard, now, now).Scan(&id)
	if store.NoRows(err) {
		err = tx.QueryRow(ctx, sel, k.name, k.currency, k.shard).Scan(&id)
	}
	return id, errs.Wrap(err, "make system account")
}

// change adds delta to an account's balance and returns the new balance.
// The WHERE clause is the code's check: a user's balance stays in
// [0, MaxAmount], a system account's in [-MaxAmount, MaxAmount]; the CHECKs
// of the table say the same to anything that bypasses this code.
func (s *Service) change(ctx context.Context, tx *store.Tx, id, delta int64, currency string, now int64) (int64, error) {
	var bal int64
	err := tx.QueryRow(ctx, `UPDATE wallet_accounts SET balance = balance + ?, updated_at = ?
		WHERE id = ? AND balance + ? BETWEEN (CASE WHEN system IS NULL THEN 0 ELSE -9007199254740991 END) AND 9007199254740991
		RETURNING balance`, delta, now, id, delta).Scan(&bal)
	if err == nil {
		return bal, nil
	}
	if !store.NoRows(err) {
		return 0, errs.Wrap(err, "change balance")
	}
	// The UPDATE matched nothing: the bounds refused it, as the balance
	// stood when it ran. On PostgreSQL another unit may have changed the
	// balance since (read committed), so the row is locked and read again
	// before the answer: a change that now fits is made, under the lock.
	var system *string
	if err := tx.QueryRow(ctx, "SELECT balance, system FROM wallet_accounts WHERE id = ?"+tx.ForUpdate(), id).Scan(&bal, &system); err != nil {
		return 0, errs.Wrap(err, "read balance")
	}
	switch next := bal + delta; {
	case system == nil && next < 0:
		return 0, errs.Ef(errs.InsufficientFunds, "not enough %s", currency)
	case next < -MaxAmount || next > MaxAmount:
		return 0, &errs.Error{Kind: errs.Invalid, Reason: ReasonBalanceLimit, Field: "amount",
			Msg: fmt.Sprintf("the balance would pass the largest %s balance", currency)}
	}
	err = tx.QueryRow(ctx, "UPDATE wallet_accounts SET balance = balance + ?, updated_at = ? WHERE id = ? RETURNING balance", delta, now, id).Scan(&bal)
	return bal, errs.Wrap(err, "change balance")
}

// replay answers the transaction that already holds m's key, or Conflict
// when it is not the same transaction.
func (s *Service) replay(ctx context.Context, tx *store.Tx, m move) (Txn, error) {
	t, err := s.load(ctx, tx, "t.user_id = ? AND t.idempotency_key = ?", m.user, m.meta.Key)
	if errs.Is(err, errs.NotFound) { // no row claimed, none holding the key: no such user
		return Txn{}, errUnknownUser
	}
	if err != nil {
		return Txn{}, err
	}
	if t.Kind != m.kind || t.Currency != m.currency || t.Amount != m.amount || t.From != m.from || t.To != m.to ||
		t.Meta.Reason != m.meta.Reason || t.Meta.Ref != m.meta.Ref {
		return Txn{}, errs.R(errs.Conflict, ReasonKeyReused, "the idempotency key was used for another transaction")
	}
	t.Replayed = true
	return t, nil
}

// load reads one transaction with its legs.
func (s *Service) load(ctx context.Context, q store.Querier, where string, args ...any) (Txn, error) {
	var t Txn
	var key *string
	err := q.QueryRow(ctx, `SELECT t.id, t.kind, t.currency, t.reason, t.ref_kind, t.ref_id, t.idempotency_key, t.created_at
		FROM wallet_transactions t WHERE `+where, args...).Scan(
		&t.ID, &t.Kind, &t.Currency, &t.Meta.Reason, &t.Meta.Ref.Kind, &t.Meta.Ref.ID, &key, (*store.Millis)(&t.CreatedAt))
	if store.NoRows(err) {
		return Txn{}, errs.E(errs.NotFound, "no such transaction")
	}
	if err != nil {
		return Txn{}, errs.Wrap(err, "read transaction")
	}
	if key != nil {
		t.Meta.Key = *key
	}
	t.Legs, err = store.Collect(ctx, q, `SELECT a.user_id, a.system, e.amount, e.balance_after
		FROM wallet_entries e JOIN wallet_accounts a ON a.id = e.account_id WHERE e.transaction_id = ? ORDER BY e.id`,
		[]any{t.ID}, func(r store.Scanner) (Leg, error) {
			var l Leg
			var uid *int64
			var sys *string
			err := r.Scan(&uid, &sys, &l.Amount, &l.Balance)
			if uid != nil {
				l.Party.UserID = *uid
			}
			if sys != nil {
				l.Party.System = *sys
			}
			return l, err
		})
	if err != nil {
		return Txn{}, errs.Wrap(err, "read entries")
	}
	for _, l := range t.Legs {
		if l.Amount < 0 {
			t.From, t.Amount = l.Party, -l.Amount
		} else {
			t.To = l.Party
		}
	}
	return t, nil
}

// Transaction reads one transaction.
func (s *Service) Transaction(ctx context.Context, id int64) (Txn, error) {
	return s.load(ctx, s.db, "t.id = ?", id)
}
