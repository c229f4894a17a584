package admin

import (
	"context"
	"net/http"
	"sort"

	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/market"
	"plaza/internal/orders"
	"plaza/internal/wallet"
)

// The user search (GET /admin/v1/users?q=) and a user's profile: what an
// operator looks at when a user writes in.

// ProfileLatest is how many orders and feedback a profile shows.
const ProfileLatest = 20

func (f *face) users(r *http.Request, a admins.Admin) (int, any, error) {
	q := r.URL.Query().Get("q")
	return paged(func(ctx context.Context, offset, limit int) ([]account.User, int, error) {
		return f.Accounts.Search(ctx, q, offset, limit)
	}, wireUser)(r, a)
}

type balanceBody struct {
	Currency string `json:"currency"`
	Balance  int64  `json:"balance"`
}

// wireBalances shows a user's balances, [] for none.
func wireBalances(bs []wallet.Balance) []balanceBody {
	out := make([]balanceBody, 0, len(bs))
	for _, b := range bs {
		out = append(out, balanceBody{Currency: b.Currency, Balance: b.Amount})
	}
	return out
}

type deviceBody struct {
	ID         int64  `json:"id"`
	ClientID   string `json:"client_id"`
	ClientType string `json:"client_type"`
	Switch     bool   `json:"switch"` // pushes on
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

// profileOrderBody is one order of either shop, newest first together.
type profileOrderBody struct {
	Kind        string  `json:"kind"`                   // "order" (tickets, yuanyi) or "exchange_order" (diamonds, market)
	ID          int64   `json:"id"`                     // GET /admin/v1/orders/{id} of an order
	OrderNumber string  `json:"order_number,omitempty"` // GET /admin/v1/exchange-orders/{order_number}
	Currency    string  `json:"currency"`               // cny (fen) or diamond
	Amount      int64   `json:"amount"`
	Status      int     `json:"status"` // the order's own statuses (orders: 0-3, exchange orders: 1-2)
	Title       string  `json:"title"`  // the first ticket's name, the product's name
	PayMethod   string  `json:"pay_method,omitempty"`
	RefundedAt  *string `json:"refunded_at"`
	CreatedAt   string  `json:"created_at"`
	at          int64
}

type profileBody struct {
	User     userBody           `json:"user"`
	Balances []balanceBody      `json:"balances"`
	Devices  []deviceBody       `json:"devices"`
	Orders   []profileOrderBody `json:"orders"`   // the latest 20 of both shops
	Feedback []feedbackBody     `json:"feedback"` // the latest 20
}

func (f *face) profile(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	u, err := f.Accounts.User(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	out := profileBody{User: wireUser(u), Balances: []balanceBody{}, Devices: []deviceBody{}, Orders: []profileOrderBody{}, Feedback: []feedbackBody{}}
	balances, err := f.Wallet.Balances(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	out.Balances = wireBalances(balances)
	devices, err := f.Notify.Devices(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	for _, d := range devices {
		out.Devices = append(out.Devices, deviceBody{ID: d.ID, ClientID: d.ClientID, ClientType: d.ClientType, Switch: d.Switch,
			CreatedAt: ts(d.CreatedAt), UpdatedAt: ts(d.UpdatedAt)})
	}
	tickets, _, err := f.Orders.AdminList(ctx, orders.AdminFilter{UserID: id}, 0, ProfileLatest)
	if err != nil {
		return 0, nil, err
	}
	for _, o := range tickets {
		out.Orders = append(out.Orders, profileOrderBody{Kind: "order", ID: o.ID, Currency: orders.Currency, Amount: o.Price,
			Status: int(o.Status), Title: o.TicketName, PayMethod: o.PayMethod, RefundedAt: tsOrNull(o.RefundedAt),
			CreatedAt: ts(o.CreatedAt), at: o.CreatedAt.UnixMilli()})
	}
	exchanges, _, err := f.Market.AdminOrders(ctx, market.OrderFilter{UserID: id}, 0, ProfileLatest)
	if err != nil {
		return 0, nil, err
	}
	for _, o := range exchanges {
		out.Orders = append(out.Orders, profileOrderBody{Kind: "exchange_order", ID: o.ID, OrderNumber: o.Number, Currency: wallet.Diamond,
			Amount: o.Diamond, Status: o.Status, Title: o.Product.Name, RefundedAt: tsOrNull(o.RefundedAt),
			CreatedAt: ts(o.CreatedAt), at: o.CreatedAt.UnixMilli()})
	}
	sort.SliceStable(out.Orders, func(i, j int) bool { return out.Orders[i].at > out.Orders[j].at })
	if len(out.Orders) > ProfileLatest {
		out.Orders = out.Orders[:ProfileLatest]
	}
	feedback, _, err := f.Support.UserFeedback(ctx, id, 0, ProfileLatest)
	if err != nil {
		return 0, nil, err
	}
	for _, b := range feedback {
		out.Feedback = append(out.Feedback, wireFeedback(b))
	}
	return http.StatusOK, out, nil
}
