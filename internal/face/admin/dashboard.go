package admin

import (
	"net/http"
	"strconv"
	"time"

	"plaza/internal/admins"
	"plaza/internal/errs"
	"plaza/internal/orders"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// The dashboard: a few numbers, each read by its core with an index range
// (docs/compat.md, "Admin face: dashboard, user search and profile,
// refunds"); the face only puts them together.

// MaxDashboardDays is the longest window of the dashboard.
const MaxDashboardDays = 90

type dayCountBody struct {
	Day   string `json:"day"` // 2006-01-02 in the server's zone
	Count int64  `json:"count"`
}

type dayOrdersBody struct {
	Day      string `json:"day"`
	Currency string `json:"currency"` // cny (ticket orders, fen) or diamond (exchange orders)
	Count    int64  `json:"count"`
	Revenue  int64  `json:"revenue"` // in the currency's unit: fen, diamonds
}

type dashboardBody struct {
	Days          int             `json:"days"`
	TimeZone      string          `json:"time_zone"`
	UsersTotal    int             `json:"users_total"`
	SignupsPerDay []dayCountBody  `json:"signups_per_day"`
	ActiveRooms   int             `json:"active_rooms"`
	OrdersPerDay  []dayOrdersBody `json:"orders_per_day"`
	OpenFeedback  int             `json:"open_feedback"`
	PushesSent    int             `json:"pushes_sent"` // in the window
}

func (f *face) dashboard(r *http.Request, _ admins.Admin) (int, any, error) {
	n := 30
	if s := r.URL.Query().Get("days"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || strconv.Itoa(v) != s || v < 1 || v > MaxDashboardDays {
			return 0, nil, errs.InvalidField("days", "days must be a whole number from 1 to 90")
		}
		n = v
	}
	ctx := r.Context()
	days := store.LastDays(f.Clock.Now(), f.Location, n)
	out := dashboardBody{Days: n, TimeZone: f.Location.String()}
	var err error
	if out.UsersTotal, err = f.Accounts.UsersTotal(ctx); err != nil {
		return 0, nil, err
	}
	signups, err := f.Accounts.SignupsPerDay(ctx, days)
	if err != nil {
		return 0, nil, err
	}
	if f.Rooms != nil {
		if out.ActiveRooms, err = f.Rooms.OpenCount(ctx); err != nil {
			return 0, nil, err
		}
	}
	paid, err := f.Orders.PaidPerDay(ctx, days)
	if err != nil {
		return 0, nil, err
	}
	exchanged, err := f.Market.ExchangedPerDay(ctx, days)
	if err != nil {
		return 0, nil, err
	}
	if out.OpenFeedback, err = f.Support.OpenFeedback(ctx); err != nil {
		return 0, nil, err
	}
	if out.PushesSent, err = f.Notify.SentSince(ctx, time.UnixMilli(days[0].From)); err != nil {
		return 0, nil, err
	}
	out.SignupsPerDay = make([]dayCountBody, n)
	out.OrdersPerDay = make([]dayOrdersBody, 0, 2*n)
	for i, d := range days {
		out.SignupsPerDay[i] = dayCountBody{Day: d.Date, Count: signups[i]}
		out.OrdersPerDay = append(out.OrdersPerDay,
			dayOrdersBody{Day: d.Date, Currency: orders.Currency, Count: paid[i].Count, Revenue: paid[i].Sum},
			dayOrdersBody{Day: d.Date, Currency: wallet.Diamond, Count: exchanged[i].Count, Revenue: exchanged[i].Sum})
	}
	return http.StatusOK, out, nil
}
