package member

import (
	"net/http"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// accountOf reads "area" and "account".
func accountOf(p *httpx.Params) (account.Account, error) {
	area, err := p.Str("area")
	if err != nil {
		return account.Account{}, err
	}
	acct, err := p.Str("account")
	if err != nil {
		return account.Account{}, err
	}
	return account.ParseAccount(area, acct)
}

func required(p *httpx.Params, name string) (string, error) {
	v, err := p.Str(name)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", errs.InvalidField(name, name+" is required")
	}
	return v, nil
}

type tokenData struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresAt    string `json:"expires_at"`
	ExpiresIn    int64  `json:"expires_in"`
}

func (f *face) tokens(t account.TokenPair) tokenData {
	return tokenData{
		AccessToken:  t.Access,
		RefreshToken: t.Refresh,
		ExpiresAt:    f.time(t.AccessExpires),
		ExpiresIn:    int64(t.AccessTTL.Seconds()),
	}
}

func (f *face) sendCode(r *http.Request, p *httpx.Params) (any, error) {
	a, err := accountOf(p)
	if err != nil {
		return nil, err
	}
	return nil, f.Accounts.SendCode(r.Context(), account.SendCodeRequest{
		Account: a,
		IP:      httpx.ClientIP(r, f.TrustProxy),
	})
}

func (f *face) checkCode(r *http.Request, p *httpx.Params) (any, error) {
	a, err := accountOf(p)
	if err != nil {
		return nil, err
	}
	code, err := required(p, "code")
	if err != nil {
		return nil, err
	}
	return nil, f.Accounts.CheckCode(r.Context(), a, code)
}

func (f *face) register(r *http.Request, p *httpx.Params) (any, error) {
	a, err := accountOf(p)
	if err != nil {
		return nil, err
	}
	code, err := required(p, "code")
	if err != nil {
		return nil, err
	}
	password, err := required(p, "password")
	if err != nil {
		return nil, err
	}
	_, t, err := f.Accounts.Register(r.Context(), a, code, password)
	if err != nil {
		return nil, err
	}
	return f.tokens(t), nil
}

func (f *face) accessToken(r *http.Request, p *httpx.Params) (any, error) {
	a, err := accountOf(p)
	if err != nil {
		return nil, err
	}
	password, err := required(p, "password")
	if err != nil {
		return nil, err
	}
	t, err := f.Accounts.Login(r.Context(), a, password)
	if err != nil {
		return nil, err
	}
	return f.tokens(t), nil
}

func (f *face) refreshToken(r *http.Request, p *httpx.Params) (any, error) {
	rt, err := required(p, "refresh_token")
	if err != nil {
		return nil, err
	}
	t, err := f.Accounts.Refresh(r.Context(), rt)
	if err != nil {
		return nil, err
	}
	return f.tokens(t), nil
}

func (f *face) destroyToken(r *http.Request, _ *httpx.Params) (any, error) {
	if _, err := f.user(r); err != nil {
		return nil, err
	}
	return nil, f.Accounts.Revoke(r.Context(), httpx.BearerToken(r))
}

type userInfo struct {
	ID        int64  `json:"id"`
	Area      string `json:"area"`
	Phone     string `json:"phone"`
	Email     string `json:"email"`
	OpenID    string `json:"openid"`
	Role      int    `json:"role"`
	Username  string `json:"username"`
	IsActive  bool   `json:"is_active"`
	AppID     string `json:"app_id"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Nickname  string `json:"nickname"`
	Avatar    string `json:"avatar"`
	Gender    int    `json:"gender"`
	Birthday  string `json:"birthday"`
	Address   string `json:"address"`
}

func (f *face) userInfo(u account.User) userInfo {
	return userInfo{
		ID: u.ID, Area: u.Area, Phone: u.Phone, Email: u.Email, OpenID: u.OpenID, Role: u.Role,
		Username: u.Username(), IsActive: u.Active, AppID: f.AppID,
		CreatedAt: f.time(u.CreatedAt), UpdatedAt: f.time(u.UpdatedAt),
		Nickname: u.Nickname, Avatar: f.Accounts.AvatarURL(u.Avatar), Gender: u.Gender, Birthday: u.Birthday, Address: u.Address,
	}
}

func (f *face) personalInfo(_ *http.Request, _ *httpx.Params, u account.User) (any, error) {
	return f.userInfo(u), nil
}

func (f *face) updatePersonalInfo(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	var prof account.Profile
	for _, field := range []struct {
		name string
		dst  **string
	}{{"nickname", &prof.Nickname}, {"avatar", &prof.Avatar}, {"birthday", &prof.Birthday}, {"address", &prof.Address}} {
		v, ok, err := p.String(field.name)
		if err != nil {
			return nil, err
		}
		if ok {
			*field.dst = &v
		}
	}
	if g, ok, err := p.Int("gender"); err != nil {
		return nil, err
	} else if ok {
		if g < 0 || g > 2 {
			return nil, errs.InvalidField("gender", "gender must be 0 (female), 1 (male) or 2 (secret)")
		}
		gi := int(g)
		prof.Gender = &gi
	}
	nu, err := f.Accounts.UpdateProfile(r.Context(), u.ID, prof)
	if err != nil {
		return nil, err
	}
	return f.userInfo(nu), nil
}
