package admin

import (
	"encoding/json"
	"net/http"
	"strconv"

	"plaza/internal/admins"
	"plaza/internal/errs"
	"plaza/internal/wallet"
)

type partyBody struct {
	UserID int64  `json:"user_id,omitempty"`
	System string `json:"system,omitempty"`
}

func wireParty(p wallet.Party) partyBody { return partyBody{UserID: p.UserID, System: p.System} }

type txnBody struct {
	ID             int64     `json:"id"`
	Kind           string    `json:"kind"`
	Currency       string    `json:"currency"`
	Amount         int64     `json:"amount"`
	From           partyBody `json:"from"`
	To             partyBody `json:"to"`
	Reason         string    `json:"reason"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	CreatedAt      string    `json:"created_at"`
}

type adjustBody struct {
	Transaction txnBody `json:"transaction"`
	Balance     int64   `json:"balance"`  // the user's, right after it
	Replayed    bool    `json:"replayed"` // the key named an earlier request: nothing changed now
}

// adjustWallet takes {"currency","amount","reason","idempotency_key"}: a
// positive amount grants, a negative one takes (never below zero: 409,
// nothing written). The same key again answers the first result.
func (f *face) adjustWallet(r *http.Request, a admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decode(r)
	if err == nil {
		err = only(in, "currency", "amount", "reason", "idempotency_key")
	}
	if err != nil {
		return 0, nil, err
	}
	text := func(name string) (string, error) {
		switch v := in[name].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		}
		return "", errs.InvalidField(name, name+" must be a string")
	}
	currency, err := text("currency")
	if err != nil {
		return 0, nil, err
	}
	reason, err := text("reason")
	if err != nil {
		return 0, nil, err
	}
	key, err := text("idempotency_key")
	if err != nil {
		return 0, nil, err
	}
	// A whole number of the currency's unit: no fraction, no exponent
	// rounding, no string.
	num, ok := in["amount"].(json.Number)
	if !ok {
		return 0, nil, errs.InvalidField("amount", "amount must be a whole number (positive grants, negative takes)")
	}
	amount, err := strconv.ParseInt(num.String(), 10, 64)
	if err != nil {
		return 0, nil, errs.InvalidField("amount", "amount must be a whole number from -9007199254740991 to 9007199254740991")
	}
	// The wallet refuses an unknown user (NotFound) itself. The ref names
	// the admin who made the grant or take.
	t, err := f.Wallet.Adjust(r.Context(), id, currency, amount, wallet.Meta{Reason: reason, Key: key,
		Ref: wallet.Ref{Kind: "admin", ID: strconv.FormatInt(a.ID, 10)}})
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusCreated
	if t.Replayed {
		status = http.StatusOK
	}
	return status, adjustBody{Transaction: txnBody{ID: t.ID, Kind: string(t.Kind), Currency: t.Currency, Amount: t.Amount,
		From: wireParty(t.From), To: wireParty(t.To), Reason: t.Meta.Reason, IdempotencyKey: t.Meta.Key, CreatedAt: ts(t.CreatedAt)},
		Balance: t.BalanceOf(id), Replayed: t.Replayed}, nil
}

type entryBody struct {
	ID            int64     `json:"id"`
	TransactionID int64     `json:"transaction_id"`
	Kind          string    `json:"kind"`
	Currency      string    `json:"currency"`
	Amount        int64     `json:"amount"`
	Balance       int64     `json:"balance"`
	Counterparty  partyBody `json:"counterparty"`
	Reason        string    `json:"reason"`
	RefKind       string    `json:"ref_kind"`
	RefID         string    `json:"ref_id"`
	CreatedAt     string    `json:"created_at"`
}

type ledgerBody struct {
	Items []entryBody `json:"items"`
	Next  string      `json:"next_cursor"` // "" at the end
}

// ledger is a page of a user's ledger in one currency, newest first:
// ?currency= (required), ?cursor= (the next_cursor of the page before),
// ?limit= (1 to 100, default 20).
func (f *face) ledger(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	limit, err := limitOf(r, wallet.MaxPage)
	if err != nil {
		return 0, nil, err
	}
	p, err := f.Wallet.Ledger(r.Context(), id, q.Get("currency"), q.Get("cursor"), limit)
	if err != nil {
		return 0, nil, err
	}
	out := ledgerBody{Items: make([]entryBody, len(p.Entries)), Next: p.Next}
	for i, e := range p.Entries {
		out.Items[i] = entryBody{ID: e.ID, TransactionID: e.TransactionID, Kind: string(e.Kind), Currency: e.Currency, Amount: e.Amount,
			Balance: e.Balance, Counterparty: wireParty(e.Counterparty), Reason: e.Reason, RefKind: e.Ref.Kind, RefID: e.Ref.ID,
			CreatedAt: ts(e.CreatedAt)}
	}
	return http.StatusOK, out, nil
}
