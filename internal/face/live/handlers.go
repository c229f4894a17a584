package live

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/friend"
	"plaza/internal/httpx"
	"plaza/internal/media"
	"plaza/internal/payment"
	"plaza/internal/valid"
)

// codeLength is the document's 4-digit code.
const codeLength = 4

// codes is /register without register=1: with code_v or code it checks a
// code, else it sends one to userId (the document's send names it token).
func (f *face) codes(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
	if p.Has("code_v") || p.Has("code") {
		return f.checkCode(r, p)
	}
	name := "userId"
	if !p.Has(name) && p.Has("token") {
		name = "token"
	}
	a, err := phone(p, name)
	if err != nil {
		return nil, err
	}
	req := account.SendCodeRequest{Account: a, IP: httpx.ClientIP(r, f.Config.TrustProxy), Length: codeLength, MustBeNew: true}
	if f.Config.EchoCode {
		return f.Accounts.EchoChallenge(r.Context(), req)
	}
	return f.Accounts.SendChallenge(r.Context(), req)
}

func (f *face) checkCode(r *http.Request, p *httpx.Params) (any, error) {
	challenge, err := p.Str("code_v")
	if err != nil {
		return nil, err
	}
	code, err := p.Str("code")
	if err != nil {
		return nil, err
	}
	if f.Config.EchoCode {
		err = f.Accounts.VerifyEcho(challenge, code)
	} else {
		err = f.Accounts.VerifyChallenge(r.Context(), challenge, code)
	}
	return nil, err
}

// gender reads "0" (female) or "1" (male); absent is secret (2).
func gender(p *httpx.Params) (*int, error) {
	v, err := p.Str("gender")
	if err != nil {
		return nil, err
	}
	g := 2
	switch v {
	case "":
	case "0", "1":
		g = int(v[0] - '0')
	default:
		return nil, errs.InvalidField("gender", `gender must be "0" (female) or "1" (male)`)
	}
	return &g, nil
}

// signUp is register=1: the account of a phone verified by a code in the
// last ten minutes (with code_v: by that challenge).
func (f *face) signUp(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
	a, err := phone(p, "userId")
	if err != nil {
		return nil, err
	}
	reg := account.Registration{Account: a, Strong: true, Echo: f.Config.EchoCode}
	if reg.Password, err = p.Str("password"); err != nil {
		return nil, err
	}
	if !reg.Echo {
		// The app sends none; a client that does signs up only with the
		// challenge it verified.
		if reg.Challenge, err = p.Str("code_v"); err != nil {
			return nil, err
		}
	}
	if reg.Profile.Gender, err = gender(p); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		name string
		dst  **string
	}{{"nickname", &reg.Profile.Nickname}, {"headImage", &reg.Profile.Avatar}} {
		v, err := p.Str(s.name)
		if err != nil {
			return nil, err
		}
		*s.dst = &v
	}
	_, err = f.Accounts.RegisterVerified(r.Context(), reg)
	return nil, err
}

// upload is /upload: the picture in the multipart field img, stored by the
// media core (no token needed: the app uploads the avatar before its
// sign-up); message is its URL path.
func (f *face) upload(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["img"]) == 0 {
		return nil, errs.InvalidField("img", "send multipart/form-data with the picture in img")
	}
	h := r.MultipartForm.File["img"][0]
	file, err := h.Open()
	if err != nil {
		return nil, errs.Wrap(err, "open upload")
	}
	defer file.Close()
	ct := h.Header.Get("Content-Type")
	var saved media.Media
	if t, _ := p.Str("token"); t != "" {
		u, err := f.Accounts.Authenticate(r.Context(), t)
		if err != nil {
			return nil, err
		}
		saved, err = f.Media.Save(r.Context(), u.ID, file, ct)
	} else {
		saved, err = f.Media.SaveAnonymous(r.Context(), httpx.ClientIP(r, f.Config.TrustProxy), file, ct)
	}
	if err != nil {
		return nil, err
	}
	return f.Media.URL(saved.ID), nil
}

// logIn is /log: a token of expire_in seconds (capped) in message.
func (f *face) logIn(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
	a, err := phone(p, "userId")
	if err != nil {
		return nil, err
	}
	password, err := p.Str("password")
	if err != nil {
		return nil, err
	}
	ttl := f.Config.MaxTokenTTL
	if n, ok, err := p.Int("expire_in"); err != nil || ok && n < 1 {
		return nil, errs.InvalidField("expire_in", "expire_in must be a whole number of seconds from 1")
	} else if ok {
		if n < int64(ttl/time.Second) {
			ttl = time.Duration(n) * time.Second
		}
	}
	pair, err := f.Accounts.LoginFor(r.Context(), a, password, ttl)
	if err != nil {
		return nil, err
	}
	return pair.Access, nil
}

// goLive is live=1: the user's room opens with a new stream key; message
// is the stream as a JSON string.
func (f *face) goLive(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	title, err := p.Str("title")
	if err != nil {
		return nil, err
	}
	_, stream, err := f.Rooms.Open(r.Context(), u.ID, title)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(stream)
	if err != nil {
		return nil, errs.Wrap(err, "encode stream")
	}
	return string(b), nil
}

// leave is leave=1: the room closes and its key stops working.
func (f *face) leave(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	return nil, f.Rooms.Leave(r.Context(), u.ID)
}

// friendWire is a friend of the friend list.
type friendWire struct {
	UserID     string `json:"userId"`
	Nickname   string `json:"nickname"`
	HeadImage  string `json:"headImage"`
	Gender     string `json:"gender"`
	LiveStatus string `json:"liveStatus"`
	PlayURL    string `json:"playUrl"`
}

func (f *face) userWire(u account.Author) friendWire {
	return friendWire{UserID: u.Phone, Nickname: u.Nickname, HeadImage: f.Accounts.AvatarURL(u.Avatar),
		Gender: strconv.Itoa(u.Gender), LiveStatus: "off"}
}

// authorOf is the user as the lists show them.
func authorOf(u account.User) account.Author {
	return account.Author{ID: u.ID, UID: u.UID, Nickname: u.Nickname, Avatar: u.Avatar, Phone: u.Phone, Gender: u.Gender}
}

// friendList is friendlist=1: every friend, those live first (then the
// newest friendships), with their play URLs.
func (f *face) friendList(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	ctx := r.Context()
	fs, err := f.Friends.Friends(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(fs))
	for i, fr := range fs {
		ids[i] = fr.UserID
	}
	users, err := f.Accounts.Authors(ctx, ids)
	if err != nil {
		return nil, err
	}
	rooms, err := f.Rooms.OpenAmong(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]friendWire, 0, len(fs))
	for _, id := range ids {
		fu, ok := users[id]
		if !ok {
			continue
		}
		w := f.userWire(fu)
		if room, ok := rooms[id]; ok {
			w.LiveStatus, w.PlayURL = "on", f.Rooms.PlayURL(room)
		}
		out = append(out, w)
	}
	slices.SortStableFunc(out, func(a, b friendWire) int {
		return strings.Compare(b.LiveStatus, a.LiveStatus) // "on" before "off"
	})
	return map[string]any{"count": len(out), "friends": out}, nil
}

// messageWire is a friend-request message. flag, for the addressee: 0
// pending, 1 accepted; for the requester: 2 waiting, 3 agreed.
type messageWire struct {
	Flag     int    `json:"flag"`
	UserID   string `json:"userId"` // the other side
	Nickname string `json:"nickname"`
	VerifyID string `json:"verifyId"`
	ObjectID string `json:"objectId"`
	Time     string `json:"time"`
}

// messageList is messagelist=1: the user's friend-request messages,
// newest first.
func (f *face) messageList(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	ctx := r.Context()
	reqs, err := f.Friends.Requests(ctx, u.ID, 200)
	if err != nil {
		return nil, err
	}
	ids := []int64{u.ID}
	for _, q := range reqs {
		ids = append(ids, q.From, q.To)
	}
	users, err := f.Accounts.Authors(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]messageWire, 0, len(reqs))
	for _, q := range reqs {
		other := users[q.Other(u.ID)]
		w := messageWire{Flag: q.Flag(u.ID), UserID: other.Phone, Nickname: other.Nickname,
			VerifyID: messageID(users[q.From], q), ObjectID: messageID(users[q.To], q), Time: f.time(q.CreatedAt)}
		out = append(out, w)
	}
	return out, nil
}

// messageID names one side's message of a request as the document does,
// "<phone>,<timestamp>": verifyId the requester's phone (the addressee's
// message), objectId the addressee's (the requester's message), both with
// the request's time in milliseconds.
func messageID(u account.Author, q friend.Request) string {
	return u.Phone + "," + strconv.FormatInt(q.CreatedAt.UnixMilli(), 10)
}

// search is search=1: the user of a phone, and flag "1" friend, "0"
// stranger, "-1" oneself.
func (f *face) search(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	other, err := f.userOf(r, p, "userId")
	if err != nil {
		return nil, err
	}
	flag := "0"
	if other.ID == u.ID {
		flag = "-1"
	} else if ok, err := f.Friends.AreFriends(r.Context(), u.ID, other.ID); err != nil {
		return nil, err
	} else if ok {
		flag = "1"
	}
	w := f.userWire(authorOf(other))
	if room, err := f.Rooms.OpenAmong(r.Context(), []int64{other.ID}); err != nil {
		return nil, err
	} else if rm, ok := room[other.ID]; ok {
		w.LiveStatus, w.PlayURL = "on", f.Rooms.PlayURL(rm)
	}
	return envelope{Result: okCode, Message: w, Flag: flag}, nil
}

// userOf is the user of the phone in parameter name (0007 when none).
func (f *face) userOf(r *http.Request, p *httpx.Params, name string) (account.User, error) {
	a, err := phone(p, name)
	if err != nil {
		return account.User{}, err
	}
	return f.Accounts.UserByAccount(r.Context(), a)
}

// add is add=1: a friend request to the user of userId.
func (f *face) add(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	other, err := f.userOf(r, p, "userId")
	if err != nil {
		return nil, err
	}
	_, err = f.Friends.Ask(r.Context(), u.ID, other.ID)
	return nil, err
}

// dealMessage is dealMessage=1: behaviour accept or delete of the request
// named by verifyId or objectId ("<phone>,<timestamp>"), or by userId of
// the requester.
func (f *face) dealMessage(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	behaviour, err := p.Str("behaviour")
	if err != nil {
		return nil, err
	}
	if behaviour != "accept" && behaviour != "delete" {
		return nil, errs.InvalidField("behaviour", `behaviour must be "accept" or "delete"`)
	}
	q, err := f.requestOf(r, p, u)
	if err != nil {
		return nil, err
	}
	if behaviour == "accept" {
		_, err = f.Friends.Accept(r.Context(), u.ID, q.ID)
		return nil, err
	}
	return nil, f.Friends.Delete(r.Context(), u.ID, q.ID)
}

var errNoRequest = errs.R(errs.NotFound, friend.ReasonNoRequest, "no such message")

// requestOf finds the request a dealMessage names: verifyId or objectId
// ("<phone>,<timestamp>": the one with the other party's phone, made at
// that time), else userId of the other party.
func (f *face) requestOf(r *http.Request, p *httpx.Params, u account.User) (friend.Request, error) {
	named := false
	for _, name := range []string{"verifyId", "objectId"} {
		v, err := p.Str(name)
		if err != nil {
			return friend.Request{}, err
		}
		if v == "" {
			continue
		}
		named = true
		if err := valid.Line(name, v, 64); err != nil {
			return friend.Request{}, err
		}
		ph, ts, ok := strings.Cut(v, ",")
		ms, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
		if !ok || err != nil {
			return friend.Request{}, errs.InvalidField(name, name+` must be "<phone>,<timestamp>"`)
		}
		if strings.TrimSpace(ph) == u.Phone {
			continue // the user's own side: the other id names the other party
		}
		q, err := f.requestWith(r, u, strings.TrimSpace(ph))
		if err != nil {
			return friend.Request{}, err
		}
		if q.CreatedAt.UnixMilli() != ms {
			return friend.Request{}, errNoRequest
		}
		return q, nil
	}
	v, err := p.Str("userId")
	if err != nil {
		return friend.Request{}, err
	}
	if v == "" {
		if named {
			return friend.Request{}, errNoRequest
		}
		return friend.Request{}, errs.InvalidField("verifyId", "verifyId, objectId or userId is required")
	}
	return f.requestWith(r, u, v)
}

// requestWith is the request between the user and the user of phone ph.
func (f *face) requestWith(r *http.Request, u account.User, ph string) (friend.Request, error) {
	a, err := account.ParsePhone(account.DefaultArea, ph)
	if err != nil {
		return friend.Request{}, errNoRequest
	}
	other, err := f.Accounts.UserByAccount(r.Context(), a)
	if err != nil || other.ID == u.ID {
		return friend.Request{}, errNoRequest
	}
	return f.Friends.Between(r.Context(), u.ID, other.ID)
}

// unfriend is delete=1: the friendship with userId ends.
func (f *face) unfriend(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	other, err := f.userOf(r, p, "userId")
	if err != nil {
		return nil, err
	}
	return nil, f.Friends.Unfriend(r.Context(), u.ID, other.ID)
}

// refill is refill=1: money yuan (10, 50 or 100) of gold through the
// payment core; pay_method picks a vendor (default: the settings'). A
// vendor's answer carries what the app needs to pay in message.
func (f *face) refill(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	v, err := p.Str("money")
	if err != nil {
		return nil, err
	}
	yuan, err := strconv.ParseInt(strings.TrimSuffix(v, "元"), 10, 64)
	if err != nil {
		return nil, errs.InvalidField("money", "money must be 10, 50 or 100")
	}
	method, err := p.Str("pay_method")
	if err != nil {
		return nil, err
	}
	if method == "" {
		method = f.Config.PayMethod
	}
	c, err := f.Gold.Refill(r.Context(), u.ID, yuan, method)
	if err != nil {
		return nil, err
	}
	if c.Payment.Method == payment.Sandbox {
		return nil, nil
	}
	return map[string]any{"out_trade_no": c.Payment.OutTradeNo, "pay_method": c.Payment.Method, "prepay": c.Prepay}, nil
}

// sendGift is send_gift=1: value gold to the anchor object (a phone), in
// one ledger transaction; 0013 when the sender has less.
func (f *face) sendGift(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	value, ok, err := p.Int("value")
	if err != nil || !ok || value < 1 {
		return nil, errs.InvalidField("value", "value must be a whole number of gold from 1")
	}
	anchor, err := f.userOf(r, p, "object")
	if err != nil {
		return nil, err
	}
	desc, err := p.Str("description")
	if err != nil {
		return nil, err
	}
	_, err = f.Gold.Send(r.Context(), u.ID, anchor.ID, value, desc)
	return nil, err
}
