package member

import (
	"net/http"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/notify"
)

type deviceData struct {
	ID         int64  `json:"id"`
	AppID      string `json:"app_id"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	UserID     int64  `json:"user_id"`
	ClientID   string `json:"client_id"`
	ClientType string `json:"client_type"`
	Switch     bool   `json:"switch"`
}

func (f *face) device(d notify.Device) deviceData {
	return deviceData{ID: d.ID, AppID: f.AppID, CreatedAt: f.time(d.CreatedAt), UpdatedAt: f.time(d.UpdatedAt),
		UserID: d.UserID, ClientID: d.ClientID, ClientType: d.ClientType, Switch: d.Switch}
}

func (f *face) pushBind(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	clientID, err := required(p, "client_id")
	if err != nil {
		return nil, err
	}
	clientType, err := required(p, "client_type")
	if err != nil {
		return nil, err
	}
	d, err := f.Notify.Bind(r.Context(), u.ID, clientID, clientType)
	if err != nil {
		return nil, err
	}
	return f.device(d), nil
}

func (f *face) pushSwitch(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	d, err := f.Notify.Device(r.Context(), u.ID, r.PathValue("client_id"))
	if err != nil {
		return nil, err
	}
	return f.device(d), nil
}

func (f *face) setPushSwitch(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	on, ok, err := p.Bool("switch")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.InvalidField("switch", "switch is required")
	}
	_, err = f.Notify.SetSwitch(r.Context(), u.ID, r.PathValue("client_id"), on)
	return nil, err
}

type pushData struct {
	ID         int64  `json:"id"`
	AppID      string `json:"app_id"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	PushTitle  string `json:"push_title"`
	PushBody   string `json:"push_body"`
	PushScope  int    `json:"push_scope"`
	ManagerID  int64  `json:"manager_id"`
	PushStatus *int   `json:"push_status,omitempty"` // in the log list, not in one entry (as the document shows)
}

func (f *face) push(p notify.Push) pushData {
	return pushData{ID: p.ID, AppID: f.AppID, CreatedAt: f.time(p.CreatedAt), UpdatedAt: f.time(p.UpdatedAt),
		PushTitle: p.Title, PushBody: p.Body, PushScope: p.Scope, ManagerID: p.AdminID}
}

func (f *face) pushLog(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	pg, err := pageOf(p)
	if err != nil {
		return nil, err
	}
	items, total, err := f.Notify.Log(r.Context(), u.ID, u.CreatedAt, pg.offset(), pg.size)
	if err != nil {
		return nil, err
	}
	return pagedOf(pg, items, total, func(p notify.Push) pushData {
		d := f.push(p)
		d.PushStatus = &p.Status
		return d
	}), nil
}

func (f *face) pushLogEntry(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	p, err := f.Notify.LogEntry(r.Context(), u.ID, u.CreatedAt, id)
	if err != nil {
		return nil, err
	}
	return f.push(p), nil
}

// maxIDs caps id lists in requests.
const maxIDs = 1000

func (f *face) pushLogDelete(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	ids, ok, err := p.IntList("ids", maxIDs)
	if err != nil {
		return nil, err
	}
	if !ok {
		ids = nil // all of them
	}
	return nil, f.Notify.Hide(r.Context(), u.ID, u.CreatedAt, ids)
}

type countData struct {
	PushCount     int `json:"push_count"`
	FeedbackCount int `json:"feedback_count"`
}

func (f *face) messageCount(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	read, _, err := p.IntList("push_ids", maxIDs)
	if err != nil {
		return nil, err
	}
	pushes, err := f.Notify.Unread(r.Context(), u.ID, u.CreatedAt, read)
	if err != nil {
		return nil, err
	}
	replies, err := f.Support.UnreadReplies(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return countData{PushCount: pushes, FeedbackCount: replies}, nil
}
