package yuanyi

import (
	"context"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
)

func (f *face) accountMethods() map[string]method {
	return map[string]method{
		"send_sms_code":        {open, f.sendSMSCode},
		"user_signup":          {open, f.userSignup},
		"user_login":           {open, f.userLogin},
		"user_password_update": {open, f.userPasswordUpdate},
		"user_logout":          {required, f.userLogout},
		"my_user_info":         {required, f.myUserInfo},
		"my_user_info_update":  {required, f.myUserInfoUpdate},
		"user_info":            {required, f.userInfo}, // signed in: no phone-number lookups by strangers
		"current_time":         {open, f.currentTime},
	}
}

// phone reads "country" (default 86) and "phone".
func (c *call) phone() (account.Account, error) {
	country, err := c.str("country")
	if err != nil {
		return account.Account{}, err
	}
	phone, err := c.need("phone")
	if err != nil {
		return account.Account{}, &errs.Error{Kind: errs.Invalid, Reason: account.ReasonBadPhone, Field: "phone", Msg: "phone is required"}
	}
	return account.ParsePhone(country, phone)
}

// code reads the SMS code, named "code" or "sms_code".
func (c *call) code() (string, error) {
	v, err := c.str("code")
	if err != nil {
		return "", err
	}
	if v == "" {
		if v, err = c.str("sms_code"); err != nil {
			return "", err
		}
	}
	if v == "" {
		return "", errs.InvalidField("code", "code is required")
	}
	return v, nil
}

func (f *face) sendSMSCode(c *call) (result, error) {
	a, err := c.phone()
	if err != nil {
		return nil, err
	}
	return nil, f.Accounts.SendCode(c.r.Context(), account.SendCodeRequest{
		Account: a,
		IP:      httpx.ClientIP(c.r, f.Config.TrustProxy),
		Length:  f.Config.CodeLength,
	})
}

// signedIn is the answer of sign-up and sign-in.
func (f *face) signedIn(ctx context.Context, t account.TokenPair) (result, error) {
	u, err := f.Accounts.User(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	info, err := f.myInfo(ctx, u)
	if err != nil {
		return nil, err
	}
	return result{"token": t.Access, "uid": u.UID, "my_user_info": info}, nil
}

// codeAndPassword reads the phone, its SMS code and a new password, as
// sign-up and password reset take them.
func (c *call) codeAndPassword() (a account.Account, code, password string, err error) {
	if a, err = c.phone(); err != nil {
		return
	}
	if code, err = c.code(); err != nil {
		return
	}
	password, err = c.need("password")
	return
}

func (f *face) userSignup(c *call) (result, error) {
	a, code, password, err := c.codeAndPassword()
	if err != nil {
		return nil, err
	}
	nickname, err := c.str("nickname")
	if err != nil {
		return nil, err
	}
	_, t, err := f.Accounts.RegisterWith(c.r.Context(), a, code, password, nickname)
	if err != nil {
		return nil, err
	}
	return f.signedIn(c.r.Context(), t)
}

func (f *face) userLogin(c *call) (result, error) {
	a, err := c.phone()
	if err != nil {
		return nil, err
	}
	password, err := c.str("password")
	if err != nil {
		return nil, err
	}
	var t account.TokenPair
	if password != "" {
		t, err = f.Accounts.Login(c.r.Context(), a, password)
	} else {
		code, cerr := c.code()
		if cerr != nil {
			return nil, errs.InvalidField("password", "password or code is required")
		}
		t, err = f.Accounts.LoginWithCode(c.r.Context(), a, code)
	}
	if err != nil {
		return nil, err
	}
	return f.signedIn(c.r.Context(), t)
}

func (f *face) userPasswordUpdate(c *call) (result, error) {
	a, code, password, err := c.codeAndPassword()
	if err != nil {
		return nil, err
	}
	return nil, f.Accounts.ResetPassword(c.r.Context(), a, code, password)
}

func (f *face) userLogout(c *call) (result, error) {
	return nil, f.Accounts.Revoke(c.r.Context(), c.tok)
}

func (f *face) currentTime(*call) (result, error) {
	return result{"time": f.Now().UnixMilli()}, nil
}

// birthdayMS shows a stored YYYY-MM-DD birthday as the midnight it
// starts, in milliseconds (null when unset).
func (f *face) birthdayMS(s string) any {
	if s == "" {
		return nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, f.loc())
	if err != nil {
		return nil
	}
	return d.UnixMilli()
}

func (f *face) loc() *time.Location {
	if f.Config.Location != nil {
		return f.Config.Location
	}
	return time.UTC
}

// briefUser is a user in lists (followers, following).
func (f *face) briefUser(u account.User) map[string]any {
	return map[string]any{
		"uid": u.UID, "nickname": u.Nickname, "avatar": orNull(u.Avatar), "gender": u.Gender,
		"country": orNull(u.Area), "province": orNull(u.Province), "city": orNull(u.City),
		"birthday": f.birthdayMS(u.Birthday), "intro": orNull(u.Intro), "created_at": ms(u.CreatedAt),
	}
}

// author is a user as the author of content.
func author(u account.User) map[string]any {
	return map[string]any{"uid": u.UID, "nickname": u.Nickname, "avatar": orNull(u.Avatar)}
}

func (f *face) counts(ctx context.Context, u account.User) (follow, follower, articles int, err error) {
	c, err := f.Social.CountsOf(ctx, u.ID)
	if err != nil {
		return 0, 0, 0, err
	}
	if f.Articles != nil {
		if articles, err = f.Articles.ArticleCount(ctx, u.ID); err != nil {
			return 0, 0, 0, err
		}
	}
	return c.Following, c.Followers, articles, nil
}

// myInfo is the signed-in user's own record.
func (f *face) myInfo(ctx context.Context, u account.User) (map[string]any, error) {
	follow, follower, articles, err := f.counts(ctx, u)
	if err != nil {
		return nil, err
	}
	m := f.briefUser(u)
	m["phone"] = u.Phone
	m["email"] = orNull(u.Email)
	m["category"] = u.Role
	m["status"] = 0
	m["score"], m["level"], m["exp"] = 0, 0, 0
	m["invitation_code"], m["inviter"] = nil, nil
	m["follow_count"], m["follower_count"], m["article_count"] = follow, follower, articles
	return m, nil
}

func (f *face) myUserInfo(c *call) (result, error) {
	info, err := f.myInfo(c.r.Context(), c.user)
	if err != nil {
		return nil, err
	}
	return result{"my_user_info": info}, nil
}

func (f *face) myUserInfoUpdate(c *call) (result, error) {
	var prof account.Profile
	for _, field := range []struct {
		name string
		dst  **string
	}{{"nickname", &prof.Nickname}, {"avatar", &prof.Avatar}, {"province", &prof.Province}, {"city", &prof.City},
		{"email", &prof.Email}, {"intro", &prof.Intro}} {
		v, ok, err := c.p.String(field.name)
		if err != nil {
			return nil, err
		}
		if ok {
			*field.dst = &v
		}
	}
	if g, ok, err := c.p.Int("gender"); err != nil {
		return nil, err
	} else if ok {
		gi := int(g)
		prof.Gender = &gi
	}
	if c.p.Has("birthday") {
		b, err := f.birthdayParam(c)
		if err != nil {
			return nil, err
		}
		prof.Birthday = &b
	}
	_, err := f.Accounts.UpdateProfile(c.r.Context(), c.user.ID, prof)
	return nil, err
}

// birthdayParam reads a birthday given in milliseconds (as the app sends
// it), or as YYYY-MM-DD; null or "" clear it.
func (f *face) birthdayParam(c *call) (string, error) {
	if s, ok, err := c.p.String("birthday"); err == nil && ok {
		if _, perr := time.Parse(time.DateOnly, s); perr == nil || s == "" {
			return s, nil
		}
	} else if err == nil && !ok {
		return "", nil // null
	}
	n, _, err := c.p.Int("birthday")
	if err != nil {
		return "", errs.InvalidField("birthday", "birthday must be milliseconds since 1970 or YYYY-MM-DD")
	}
	return time.UnixMilli(n).In(f.loc()).Format(time.DateOnly), nil
}

// userByUID finds a user by public id (NotFound, ReasonUser).
func (f *face) userByUID(c *call, uid string) (account.User, error) {
	u, err := f.Accounts.UserByUID(c.r.Context(), uid)
	if errs.Is(err, errs.NotFound) {
		return account.User{}, errs.R(errs.NotFound, account.ReasonNoUser, "no such user")
	}
	return u, err
}

// otherUser finds the user of "to_uid" or, failing that, "phone".
func (f *face) otherUser(c *call) (account.User, error) {
	if c.p.Has("to_uid") {
		uid, err := c.hexID("to_uid")
		if err != nil {
			return account.User{}, err
		}
		return f.userByUID(c, uid)
	}
	if c.p.Has("phone") {
		a, err := c.phone()
		if err != nil {
			return account.User{}, err
		}
		return f.Accounts.UserByAccount(c.r.Context(), a)
	}
	return account.User{}, errs.InvalidField("to_uid", "to_uid or phone is required")
}

func (f *face) userInfo(c *call) (result, error) {
	u, err := f.otherUser(c)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	follow, follower, articles, err := f.counts(ctx, u)
	if err != nil {
		return nil, err
	}
	isFollow := false
	if c.user.ID != 0 {
		if isFollow, err = f.Social.IsFollowing(ctx, c.user.ID, u.ID); err != nil {
			return nil, err
		}
	}
	m := f.briefUser(u)
	m["score"], m["level"], m["exp"] = 0, 0, 0
	m["follow_count"], m["follower_count"], m["article_count"] = follow, follower, articles
	m["is_follow"] = isFollow
	return result{"user_info": m}, nil
}
