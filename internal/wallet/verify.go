package wallet

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"plaza/internal/store"
)

// Report is what Verify checked and found.
type Report struct {
	Engine         store.Engine
	Currencies     int
	UserAccounts   int
	SystemAccounts int
	Transactions   int
	Entries        int
	Totals         []Total  // per currency, by code
	Differences    []string // each one names what differs; empty: the ledger holds
	// More counts the differences beyond the ones listed (each check lists
	// at most maxListed).
	More int
}

// Total is one currency's sums.
type Total struct {
	Currency     string
	Transactions int
	Entries      int
	Users        int64            // held by users
	Systems      map[string]int64 // system name -> balance (its shards together)
	Balances     int64            // every account's balance together: 0
	EntrySum     int64            // every entry together: 0
}

// OK tells whether no difference was found.
func (r Report) OK() bool { return len(r.Differences) == 0 && r.More == 0 }

const maxListed = 20

// Verify recomputes the ledger from its entries, on one snapshot of the
// database, and reports every difference:
//   - each account's balance equals the sum of its entries;
//   - each entry's balance_after is the sum of its account's entries up to
//     it (the chain of balances has no gap);
//   - each transaction has two or more entries, all in its currency, that
//     sum to zero;
//   - per currency, all balances together and all entries together sum to
//     zero;
//   - no user balance is negative.
func Verify(ctx context.Context, db *store.DB) (Report, error) {
	r := Report{Engine: db.Engine()}
	err := db.Snapshot(ctx, func(q store.Querier) error { return r.check(ctx, q) })
	return r, err
}

func (r *Report) differ(format string, args ...any) {
	r.Differences = append(r.Differences, fmt.Sprintf(format, args...))
}

// list runs a query of differences, lists the first maxListed through line
// and counts the rest.
func (r *Report) list(ctx context.Context, q store.Querier, query string, n int, line func(v []any) string) error {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	listed := 0
	for rows.Next() {
		v := make([]any, n)
		p := make([]any, n)
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			return err
		}
		if listed < maxListed {
			r.differ("%s", line(v))
			listed++
		} else {
			r.More++
		}
	}
	return rows.Err()
}

// owner names an account from its user_id, system and shard columns.
func owner(user, system, shard any) string {
	if system != nil {
		return fmt.Sprintf("system %s shard %v", str(system), shard)
	}
	return fmt.Sprintf("user %v", user)
}

func str(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

func (r *Report) check(ctx context.Context, q store.Querier) error {
	counts := []struct {
		dst   *int
		query string
	}{
		{&r.Currencies, "SELECT COUNT(*) FROM currencies"},
		{&r.UserAccounts, "SELECT COUNT(*) FROM wallet_accounts WHERE system IS NULL"},
		{&r.SystemAccounts, "SELECT COUNT(*) FROM wallet_accounts WHERE system IS NOT NULL"},
		{&r.Transactions, "SELECT COUNT(*) FROM wallet_transactions"},
		{&r.Entries, "SELECT COUNT(*) FROM wallet_entries"},
	}
	for _, c := range counts {
		n, err := store.Count(ctx, q, c.query)
		if err != nil {
			return fmt.Errorf("count: %w", err)
		}
		*c.dst = n
	}

	// Balances against their entries.
	err := r.list(ctx, q, `SELECT a.id, a.currency, a.user_id, a.system, a.shard, a.balance, CAST(COALESCE(s.total, 0) AS BIGINT)
		FROM wallet_accounts a
		LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM wallet_entries GROUP BY account_id) s ON s.account_id = a.id
		WHERE a.balance <> COALESCE(s.total, 0) ORDER BY a.id`, 7, func(v []any) string {
		return fmt.Sprintf("account %v (%s, %s): balance %v, but its entries sum to %v", v[0], owner(v[2], v[3], v[4]), str(v[1]), v[5], v[6])
	})
	if err != nil {
		return fmt.Errorf("balances: %w", err)
	}
	// The chain of balance_after.
	err = r.list(ctx, q, `SELECT id, account_id, balance_after, running FROM (
			SELECT id, account_id, balance_after,
				CAST(SUM(amount) OVER (PARTITION BY account_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS BIGINT) AS running
			FROM wallet_entries) x
		WHERE running <> balance_after ORDER BY id`, 4, func(v []any) string {
		return fmt.Sprintf("entry %v of account %v: balance after it %v, but the entries up to it sum to %v", v[0], v[1], v[2], v[3])
	})
	if err != nil {
		return fmt.Errorf("entry balances: %w", err)
	}
	// Each transaction balanced, in its currency.
	err = r.list(ctx, q, `SELECT t.id, t.currency, COUNT(e.id), CAST(COALESCE(SUM(e.amount), 0) AS BIGINT),
			COALESCE(SUM(CASE WHEN a.currency <> t.currency THEN 1 ELSE 0 END), 0)
		FROM wallet_transactions t
		LEFT JOIN wallet_entries e ON e.transaction_id = t.id
		LEFT JOIN wallet_accounts a ON a.id = e.account_id
		GROUP BY t.id, t.currency
		HAVING COUNT(e.id) < 2 OR COALESCE(SUM(e.amount), 0) <> 0
			OR COALESCE(SUM(CASE WHEN a.currency <> t.currency THEN 1 ELSE 0 END), 0) > 0
		ORDER BY t.id`, 5, func(v []any) string {
		return fmt.Sprintf("transaction %v (%s): %v entries summing to %v, %v of them in another currency", v[0], str(v[1]), v[2], v[3], v[4])
	})
	if err != nil {
		return fmt.Errorf("transactions: %w", err)
	}
	err = r.list(ctx, q, `SELECT id, currency, user_id, balance FROM wallet_accounts WHERE system IS NULL AND balance < 0 ORDER BY id`, 4,
		func(v []any) string {
			return fmt.Sprintf("account %v (user %v, %s): negative balance %v", v[0], v[2], str(v[1]), v[3])
		})
	if err != nil {
		return fmt.Errorf("negative balances: %w", err)
	}
	return r.totals(ctx, q)
}

// totals sums every currency and checks that its balances and its entries
// each sum to zero.
func (r *Report) totals(ctx context.Context, q store.Querier) error {
	by := map[string]*Total{}
	get := func(c string) *Total {
		if by[c] == nil {
			by[c] = &Total{Currency: c, Systems: map[string]int64{}}
		}
		return by[c]
	}
	cur, err := store.Collect(ctx, q, "SELECT code FROM currencies", nil, func(r store.Scanner) (string, error) {
		var c string
		return c, r.Scan(&c)
	})
	if err != nil {
		return fmt.Errorf("currencies: %w", err)
	}
	for _, c := range cur {
		get(c)
	}
	type row struct {
		currency, system string
		n                int
		sum              int64
	}
	scan := func(r store.Scanner) (row, error) {
		var x row
		return x, r.Scan(&x.currency, &x.system, &x.n, &x.sum)
	}
	accounts, err := store.Collect(ctx, q, `SELECT currency, COALESCE(system, ''), COUNT(*), CAST(SUM(balance) AS BIGINT)
		FROM wallet_accounts GROUP BY currency, COALESCE(system, '')`, nil, scan)
	if err != nil {
		return fmt.Errorf("account totals: %w", err)
	}
	for _, a := range accounts {
		t := get(a.currency)
		if a.system == "" {
			t.Users = a.sum
		} else {
			t.Systems[a.system] = a.sum
		}
		t.Balances += a.sum
	}
	entries, err := store.Collect(ctx, q, `SELECT a.currency, '', COUNT(*), CAST(SUM(e.amount) AS BIGINT)
		FROM wallet_entries e JOIN wallet_accounts a ON a.id = e.account_id GROUP BY a.currency`, nil, scan)
	if err != nil {
		return fmt.Errorf("entry totals: %w", err)
	}
	for _, e := range entries {
		t := get(e.currency)
		t.Entries, t.EntrySum = e.n, e.sum
	}
	txns, err := store.Collect(ctx, q, `SELECT currency, '', COUNT(*), 0 FROM wallet_transactions GROUP BY currency`, nil, scan)
	if err != nil {
		return fmt.Errorf("transaction totals: %w", err)
	}
	for _, x := range txns {
		get(x.currency).Transactions = x.n
	}
	for _, t := range by {
		r.Totals = append(r.Totals, *t)
	}
	sort.Slice(r.Totals, func(i, j int) bool { return r.Totals[i].Currency < r.Totals[j].Currency })
	for _, t := range r.Totals {
		if t.Balances != 0 {
			r.differ("%s: the balances of all accounts sum to %d, not 0", t.Currency, t.Balances)
		}
		if t.EntrySum != 0 {
			r.differ("%s: all entries sum to %d, not 0", t.Currency, t.EntrySum)
		}
	}
	return nil
}

// Write prints the report: what was checked, the totals, and every
// difference.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "ledger verify (%s): %d currencies, %d accounts (%d user, %d system), %d transactions, %d entries\n",
		r.Engine, r.Currencies, r.UserAccounts+r.SystemAccounts, r.UserAccounts, r.SystemAccounts, r.Transactions, r.Entries)
	for _, t := range r.Totals {
		names := make([]string, 0, len(t.Systems))
		for n := range t.Systems {
			names = append(names, n)
		}
		sort.Strings(names)
		var sys []string
		for _, n := range names {
			sys = append(sys, fmt.Sprintf("%s %d", n, t.Systems[n]))
		}
		if len(sys) == 0 {
			sys = []string{"none"}
		}
		fmt.Fprintf(w, "  %s: %d transactions, %d entries; users hold %d; system accounts: %s; balances sum to %d, entries sum to %d\n",
			t.Currency, t.Transactions, t.Entries, t.Users, strings.Join(sys, ", "), t.Balances, t.EntrySum)
	}
	fmt.Fprintf(w, "checked: each account's balance against the sum of its entries (%d accounts), each entry's balance after it against the running sum (%d entries), "+
		"each transaction for 2+ entries in its currency summing to 0 (%d transactions), each currency's balances and entries for a sum of 0 (%d currencies), user balances for none below 0\n",
		r.UserAccounts+r.SystemAccounts, r.Entries, r.Transactions, len(r.Totals))
	for _, d := range r.Differences {
		fmt.Fprintln(w, "DIFFERENCE:", d)
	}
	if r.More > 0 {
		fmt.Fprintf(w, "DIFFERENCE: %d more not listed\n", r.More)
	}
	if r.OK() {
		fmt.Fprintln(w, "ok: no difference")
	}
}
