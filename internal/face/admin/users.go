package admin

import (
	"net/http"

	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/errs"
)

type userBody struct {
	ID        int64  `json:"id"`
	Area      string `json:"area"`
	Phone     string `json:"phone"`
	Email     string `json:"email"`
	OpenID    string `json:"openid"`
	UID       string `json:"uid"` // the public id of the yuanyi face
	Nickname  string `json:"nickname"`
	Avatar    string `json:"avatar"`
	Gender    int    `json:"gender"`
	Birthday  string `json:"birthday"`
	Address   string `json:"address"`
	Role      int    `json:"role"`
	IsActive  bool   `json:"is_active"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func wireUser(u account.User) userBody {
	return userBody{ID: u.ID, Area: u.Area, Phone: u.Phone, Email: u.Email, OpenID: u.OpenID, UID: u.UID, Nickname: u.Nickname,
		Avatar: u.Avatar, Gender: u.Gender, Birthday: u.Birthday, Address: u.Address, Role: u.Role, IsActive: u.Active,
		CreatedAt: ts(u.CreatedAt), UpdatedAt: ts(u.UpdatedAt)}
}

func (f *face) user(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	u, err := f.Accounts.User(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wireUser(u), nil
}

// patchUser takes {"is_active": bool}: false bans the user.
func (f *face) patchUser(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decode(r)
	if err != nil {
		return 0, nil, err
	}
	for k := range in {
		if k != "is_active" {
			return 0, nil, errs.InvalidField(k, "only is_active can be changed here")
		}
	}
	active, ok := in["is_active"].(bool)
	if !ok {
		return 0, nil, errs.InvalidField("is_active", "is_active must be true or false")
	}
	u, err := f.Accounts.SetActive(r.Context(), id, active)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, wireUser(u), nil
}

func (f *face) setActive(active bool) handler {
	return func(r *http.Request, _ admins.Admin) (int, any, error) {
		id, err := idOf(r)
		if err != nil {
			return 0, nil, err
		}
		u, err := f.Accounts.SetActive(r.Context(), id, active)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, wireUser(u), nil
	}
}
