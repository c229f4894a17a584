package admin

import (
	"context"
	"encoding/json"
	"net/http"

	"plaza/internal/admins"
	"plaza/internal/catalog"
	"plaza/internal/errs"
	"plaza/internal/notify"
)

type pushBody struct {
	ID        int64   `json:"id"`
	Title     string  `json:"push_title"`
	Body      string  `json:"push_body"`
	Scope     int     `json:"scope"`
	AdminID   int64   `json:"admin_id"`
	Status    int     `json:"status"`
	UserIDs   []int64 `json:"user_ids,omitempty"`
	CreatedAt string  `json:"created_at"`
	// Deliveries counts its deliveries by state (one push read only).
	Deliveries map[string]int `json:"deliveries,omitempty"`
}

func wirePush(p notify.Push) pushBody {
	return pushBody{ID: p.ID, Title: p.Title, Body: p.Body, Scope: p.Scope, AdminID: p.AdminID, Status: p.Status,
		UserIDs: p.UserIDs, CreatedAt: ts(p.CreatedAt)}
}

// pushFields are the names a push body takes (COMPAT.md's admin table),
// with the earlier ones.
var pushFields = []catalog.Field{
	{Name: "push_title", Aliases: []string{"title"}},
	{Name: "push_body", Aliases: []string{"body"}},
	{Name: "user_ids"},
}

// sendPush takes {"push_title", "push_body", "user_ids": [..]}; no
// user_ids (or null): everyone. The notify core refuses an empty list.
func (f *face) sendPush(r *http.Request, a admins.Admin) (int, any, error) {
	in, err := decode(r)
	if err != nil {
		return 0, nil, err
	}
	if in, err = catalog.Canonical(pushFields, in); err != nil {
		return 0, nil, err
	}
	np := notify.NewPush{Everyone: in["user_ids"] == nil}
	for k, v := range in {
		switch k {
		case "push_title", "push_body":
			s, ok := v.(string)
			if !ok {
				return 0, nil, errs.InvalidField(k, k+" must be a string")
			}
			if k == "push_title" {
				np.Title = s
			} else {
				np.Body = s
			}
		case "user_ids":
			list, ok := v.([]any)
			if !ok && v != nil {
				return 0, nil, errs.InvalidField(k, "user_ids must be a list of user ids")
			}
			for _, it := range list {
				n, ok := it.(json.Number)
				id, err := n.Int64()
				if !ok || err != nil || id < 1 {
					return 0, nil, errs.InvalidField(k, "user_ids must be a list of user ids")
				}
				np.UserIDs = append(np.UserIDs, id)
			}
		default:
			return 0, nil, errs.InvalidField(k, "unknown field "+k)
		}
	}
	p, err := f.Notify.Send(r.Context(), a.ID, np)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, wirePush(p), nil
}

func (f *face) push(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := f.readPush(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// readPush is a push as GET /admin/v1/pushes/{id} answers it: with its
// deliveries counted by state.
func (f *face) readPush(ctx context.Context, id int64) (pushBody, error) {
	p, err := f.Notify.Push(ctx, id)
	if err != nil {
		return pushBody{}, err
	}
	counts, err := f.Notify.Counts(ctx, id)
	if err != nil {
		return pushBody{}, err
	}
	out := wirePush(p)
	out.Deliveries = map[string]int{}
	for state, n := range counts {
		out.Deliveries[notify.DeliveryStates[state]] = n
	}
	return out, nil
}

type deliveryBody struct {
	ID         int64  `json:"id"`
	UserID     int64  `json:"user_id"`
	ClientID   string `json:"client_id"`
	ClientType string `json:"client_type"`
	State      string `json:"state"`
	Attempts   int    `json:"attempts"`
	Channel    string `json:"channel"`
	Detail     string `json:"detail"`
	NextAt     string `json:"next_at"`
	UpdatedAt  string `json:"updated_at"`
}

type deliveriesBody struct {
	Items []deliveryBody `json:"items"`
	Next  string         `json:"next_cursor"` // "" at the end
}

// deliveries is a page of a push's deliveries, newest first: ?state=
// (due, sending, delivered, failed, dead, skipped; absent: all), ?cursor=
// (the next_cursor of the page before), ?limit= (1 to 100, default 20).
func (f *face) deliveries(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	limit, err := limitOf(r, notify.MaxDeliveryPage)
	if err != nil {
		return 0, nil, err
	}
	p, err := f.Notify.Deliveries(r.Context(), id, q.Get("state"), q.Get("cursor"), limit)
	if err != nil {
		return 0, nil, err
	}
	out := deliveriesBody{Items: make([]deliveryBody, len(p.Items)), Next: p.Next}
	for i, d := range p.Items {
		out.Items[i] = deliveryBody{ID: d.ID, UserID: d.UserID, ClientID: d.ClientID, ClientType: d.ClientType,
			State: notify.DeliveryStates[d.State], Attempts: d.Attempts, Channel: d.Channel, Detail: d.Detail,
			NextAt: ts(d.NextAt), UpdatedAt: ts(d.UpdatedAt)}
	}
	return http.StatusOK, out, nil
}

func (f *face) deletePush(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, f.Notify.DeletePush(r.Context(), id)
}
