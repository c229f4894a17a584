package wallet

import (
	"context"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// Balance is a user's balance of one currency.
type Balance struct {
	Currency string
	Amount   int64
}

// Balance returns a user's balance of currency (0 before the first
// transaction). Unknown currency: Invalid; unknown user: NotFound.
func (s *Service) Balance(ctx context.Context, userID int64, currency string) (int64, error) {
	if _, err := s.currency(ctx, s.db, currency); err != nil {
		return 0, err
	}
	var b int64
	err := s.db.QueryRow(ctx, "SELECT balance FROM wallet_accounts WHERE user_id = ? AND currency = ?", userID, currency).Scan(&b)
	if store.NoRows(err) {
		return 0, s.userExists(ctx, userID)
	}
	return b, errs.Wrap(err, "read balance")
}

// Balances returns a user's balance of every currency, by code.
func (s *Service) Balances(ctx context.Context, userID int64) ([]Balance, error) {
	out, err := store.Collect(ctx, s.db, `SELECT c.code, COALESCE(a.balance, 0) FROM currencies c
		LEFT JOIN wallet_accounts a ON a.currency = c.code AND a.user_id = ? ORDER BY c.code`, []any{userID},
		func(r store.Scanner) (Balance, error) {
			var b Balance
			return b, r.Scan(&b.Currency, &b.Amount)
		})
	if err != nil {
		return nil, errs.Wrap(err, "read balances")
	}
	for _, b := range out {
		if b.Amount != 0 {
			return out, nil
		}
	}
	return out, s.userExists(ctx, userID)
}

func (s *Service) userExists(ctx context.Context, userID int64) error {
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM users WHERE id = ?", userID)
	if err != nil {
		return errs.Wrap(err, "read user")
	}
	if n == 0 {
		return errUnknownUser
	}
	return nil
}

// Entry is one line of a user's ledger: one entry of their account, seen
// from their side.
type Entry struct {
	ID            int64 // the entry's id: newer entries have larger ids
	TransactionID int64
	Kind          Kind
	Currency      string
	Amount        int64 // signed: + came in, - went out
	Balance       int64 // the balance after it
	Counterparty  Party // the other side of the transaction
	Reason        string
	Ref           Ref
	CreatedAt     time.Time
}

// Page is a page of a ledger. Next is the cursor of the following (older)
// page, "" at the end.
type Page struct {
	Entries []Entry
	Next    string
}

// Page sizes.
const (
	DefaultPage = 20
	MaxPage     = 100
)

// Ledger returns a page of a user's ledger in one currency, newest first.
// cursor is "" for the first page, else a Page.Next. A page holds at most
// limit entries (0: DefaultPage; at most MaxPage). Entries written while a
// reader pages are newer than its first page: they never appear in its
// later pages, and no entry is skipped or shown twice.
func (s *Service) Ledger(ctx context.Context, userID int64, currency, cursor string, limit int) (Page, error) {
	if _, err := s.currency(ctx, s.db, currency); err != nil {
		return Page{}, err
	}
	before, err := entryCursor.Decode(cursor)
	if err != nil {
		return Page{}, err
	}
	if limit == 0 {
		limit = DefaultPage
	}
	if limit < 0 || limit > MaxPage {
		return Page{}, errs.InvalidField("limit", "limit must be 1 to 100")
	}
	var account int64
	err = s.db.QueryRow(ctx, "SELECT id FROM wallet_accounts WHERE user_id = ? AND currency = ?", userID, currency).Scan(&account)
	if store.NoRows(err) {
		return Page{Entries: []Entry{}}, s.userExists(ctx, userID)
	}
	if err != nil {
		return Page{}, errs.Wrap(err, "read account")
	}
	// The entries of one account get increasing ids in the order they
	// commit (each is written under the account's row lock, which is held
	// to the commit), so "id below the last one shown" neither skips nor
	// repeats an entry.
	entries, err := s.entries(ctx, currency, "e.account_id = ? AND e.id < ? ORDER BY e.id DESC LIMIT (? + 0)", account, before, limit+1)
	if err != nil {
		return Page{}, err
	}
	p := Page{Entries: entries}
	if len(entries) > limit {
		p.Entries = entries[:limit]
		p.Next = entryCursor.Encode(p.Entries[limit-1].ID)
	}
	return p, nil
}

// cursor pages the entries newest first (store.IDCursor).
const entryCursor = store.IDCursor("l1.")

// MaxOffset caps the offset of LedgerAt: deeper pages are read with the
// cursor of Ledger (an offset reads every entry before it).
const MaxOffset = 10_000

// LedgerAt returns limit entries (1 to MaxPage) of a user's ledger in one
// currency, newest first, from offset (0 to MaxOffset), and how many
// entries the ledger holds: the numbered pages of a face that pages by
// number. Unlike Ledger's cursor, an entry written between two pages moves
// the later pages by one.
func (s *Service) LedgerAt(ctx context.Context, userID int64, currency string, offset, limit int) ([]Entry, int, error) {
	if _, err := s.currency(ctx, s.db, currency); err != nil {
		return nil, 0, err
	}
	if limit < 1 || limit > MaxPage {
		return nil, 0, errs.InvalidField("limit", "limit must be 1 to 100")
	}
	if offset < 0 || offset > MaxOffset {
		return nil, 0, errs.InvalidField("offset", "offset must be 0 to 10000")
	}
	var account int64
	err := s.db.QueryRow(ctx, "SELECT id FROM wallet_accounts WHERE user_id = ? AND currency = ?", userID, currency).Scan(&account)
	if store.NoRows(err) {
		return []Entry{}, 0, s.userExists(ctx, userID)
	}
	if err != nil {
		return nil, 0, errs.Wrap(err, "read account")
	}
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM wallet_entries WHERE account_id = ?", account)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count ledger")
	}
	entries, err := s.entries(ctx, currency, "e.account_id = ? ORDER BY e.id DESC"+store.LimitOffset, account, limit, offset)
	return entries, total, err
}

// entries reads the entries the condition (and order) where picks, each
// with its transaction and the other side's account.
func (s *Service) entries(ctx context.Context, currency, where string, args ...any) ([]Entry, error) {
	entries, err := store.Collect(ctx, s.db, `SELECT e.id, e.transaction_id, t.kind, e.amount, e.balance_after,
			oa.user_id, oa.system, t.reason, t.ref_kind, t.ref_id, e.created_at
		FROM wallet_entries e
		JOIN wallet_transactions t ON t.id = e.transaction_id
		JOIN wallet_entries o ON o.transaction_id = e.transaction_id AND o.id <> e.id
		JOIN wallet_accounts oa ON oa.id = o.account_id
		WHERE `+where, args,
		func(r store.Scanner) (Entry, error) {
			e := Entry{Currency: currency}
			var uid *int64
			var sys *string
			err := r.Scan(&e.ID, &e.TransactionID, &e.Kind, &e.Amount, &e.Balance, &uid, &sys,
				&e.Reason, &e.Ref.Kind, &e.Ref.ID, (*store.Millis)(&e.CreatedAt))
			if uid != nil {
				e.Counterparty.UserID = *uid
			}
			if sys != nil {
				e.Counterparty.System = *sys
			}
			return e, err
		})
	return entries, errs.Wrap(err, "read ledger")
}
