package doge

import (
	"net/http"
	"strconv"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/httpx"
	"plaza/internal/pet"
	"plaza/internal/valid"
)

// userBody is the app's user (TTUser), as the encounters' "belong" shows
// it in full.
type userBody struct {
	ID           int64  `json:"id"`
	UserID       string `json:"user_id"`
	Nick         string `json:"nick"`
	Avatar       string `json:"avatar"`
	Male         int    `json:"male"`
	Age          string `json:"age"`
	Sports       string `json:"sports"`
	Foods        string `json:"foods"`
	Province     string `json:"province"`
	City         string `json:"city"`
	Country      string `json:"country"`
	Travel       string `json:"travel"`
	Money        int64  `json:"money"`
	Pick         int    `json:"pick"`
	LastPickTime string `json:"last_pick_time"`
	CreateTime   string `json:"create_time"`
	ModifyTime   string `json:"modify_time"`
	Token        string `json:"token,omitempty"`
}

func (f *face) wireUser(u account.User, p pet.Player) userBody {
	return userBody{ID: u.ID, UserID: u.OpenID, Nick: u.Nickname, Avatar: f.Accounts.AvatarURL(u.Avatar), Male: u.Gender,
		Age: p.Profile.Age, Sports: p.Profile.Sports, Foods: p.Profile.Foods, Province: u.Province, City: u.City,
		Country: p.Profile.Country, Travel: p.Profile.Travel, Money: p.Money, Pick: p.Pick,
		LastPickTime: f.time(p.PickAt), CreateTime: f.time(u.CreatedAt), ModifyTime: f.time(u.UpdatedAt)}
}

// readUser is GET /api/v1/user/?user_id=: a user by open id; the caller's
// own (a valid token, no user_id or its own) shows the token presented.
func (f *face) readUser(r *http.Request, p *httpx.Params) (any, error) {
	me, signed, err := f.user(r, p)
	if err != nil {
		return nil, err
	}
	openID, err := p.Str("user_id")
	if err == nil && openID == "" && !signed {
		err = errs.InvalidField("user_id", "user_id is required")
	}
	if err == nil && openID != "" {
		err = valid.Line("user_id", openID, account.MaxOpenID)
	}
	if err != nil {
		return nil, err
	}
	u := me
	if openID != "" && (!signed || openID != me.OpenID) {
		if u, err = f.Accounts.UserByOpenID(r.Context(), openID); err != nil {
			return nil, err
		}
	}
	pl, err := f.Pets.Player(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	b := f.wireUser(u, pl)
	if signed && u.ID == me.ID {
		b.Token, _ = token(r, p)
	}
	return map[string]any{"user": b}, nil
}

// profile reads the fields of POST /api/v1/user/.
func (f *face) profile(r *http.Request, p *httpx.Params) (account.Profile, pet.ProfileChange, error) {
	var (
		a account.Profile
		g pet.ProfileChange
	)
	str := func(name string) (*string, error) {
		s, ok, err := p.String(name)
		if err != nil || !ok {
			return nil, err
		}
		return &s, nil
	}
	var err error
	for _, f := range []struct {
		name string
		dst  **string
	}{{"nick", &a.Nickname}, {"avatar", &a.Avatar}, {"province", &a.Province}, {"city", &a.City},
		{"age", &g.Age}, {"sports", &g.Sports}, {"foods", &g.Foods}, {"country", &g.Country}, {"travel", &g.Travel}} {
		if *f.dst, err = str(f.name); err != nil {
			return a, g, err
		}
	}
	if m, ok, err := p.Int("male"); err != nil || (ok && (m < 0 || m > 2)) {
		return a, g, errs.InvalidField("male", "male must be 0 (female), 1 (male) or 2 (secret)")
	} else if ok {
		n := int(m)
		a.Gender = &n
	}
	if err := g.Check(); err != nil {
		return a, g, err
	}
	a, err = f.Accounts.PrepareProfile(r.Context(), a)
	return a, g, err
}

// writeUser is POST /api/v1/user/: without a token it creates a user
// (status 6 for a user_id that is taken), with one it updates that user.
func (f *face) writeUser(r *http.Request, p *httpx.Params) (any, error) {
	me, signed, err := f.user(r, p)
	if err != nil {
		return nil, err
	}
	openID, err := p.Str("user_id")
	if err != nil {
		return nil, err
	}
	a, g, err := f.profile(r, p)
	if err != nil {
		return nil, err
	}
	if signed {
		if openID != "" && openID != me.OpenID {
			return nil, errs.InvalidField("user_id", "user_id cannot change")
		}
		u, pl, err := f.Pets.Update(r.Context(), me.ID, a, g)
		if err != nil {
			return nil, err
		}
		b := f.wireUser(u, pl)
		b.Token, _ = token(r, p)
		return map[string]any{"user": b}, nil
	}
	u, pair, pl, err := f.Pets.SignUp(r.Context(), openID, a, g)
	if err != nil {
		return nil, err
	}
	b := f.wireUser(u, pl)
	b.Token = pair.Access
	return map[string]any{"user": b}, nil
}

// petBody is the app's pet with its owner.
type petBody struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Picture    string   `json:"picture"`
	Type       int      `json:"type"`
	Sex        int      `json:"sex"`
	Character  string   `json:"character"`
	Wish       string   `json:"wish"`
	Eated      bool     `json:"eated"`
	Showerd    bool     `json:"showerd"`
	GiftID     *int64   `json:"gift_id"`
	BelongID   int64    `json:"belong_id"`
	Belong     userBody `json:"belong"`
	CreateTime string   `json:"create_time"`
	ModifyTime string   `json:"modify_time"`
}

func (f *face) wirePet(pt pet.Pet, owner userBody) petBody {
	b := petBody{ID: pt.ID, Name: pt.Name, Picture: pt.Picture, Type: pt.Breed, Sex: pt.Sex, Character: strconv.Itoa(pt.Nature),
		Wish: strconv.Itoa(pt.Wish), Eated: pt.Eaten, Showerd: pt.Showered, BelongID: pt.UserID, Belong: owner,
		CreateTime: f.time(pt.CreatedAt), ModifyTime: f.time(pt.UpdatedAt)}
	if pt.GiftID != 0 {
		b.GiftID = &pt.GiftID
	}
	return b
}

func (f *face) heartbeat(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	pt, pl, unread, err := f.Pets.Heartbeat(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"pet": f.wirePet(pt, f.wireUser(u, pl)), "new": unread}, nil
}

// choice reads an integer field; absent is def.
func choice(p *httpx.Params, name string, def int) (int, error) {
	n, ok, err := p.Int(name)
	if err != nil || n < -1<<31 || n > 1<<31 {
		return 0, errs.InvalidField(name, name+" must be a whole number")
	}
	if !ok {
		return def, nil
	}
	return int(n), nil
}

func (f *face) createPet(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	var n pet.NewPet
	var err error
	if n.Breed, err = choice(p, "type", 0); err != nil {
		return nil, err
	}
	if n.Sex, err = choice(p, "sex", 1); err != nil {
		return nil, err
	}
	if n.Nature, err = choice(p, "character", 0); err != nil {
		return nil, err
	}
	if n.Wish, err = choice(p, "wish", 0); err != nil {
		return nil, err
	}
	pt, pl, err := f.Pets.Create(r.Context(), u.ID, u.Nickname, n)
	if err != nil {
		return nil, err
	}
	return map[string]any{"pet": f.wirePet(pt, f.wireUser(u, pl))}, nil
}

func (f *face) pick(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	pl, err := f.Pets.Pick(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": f.wireUser(u, pl)}, nil
}

func (f *face) action(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	a, err := choice(p, "action", 0)
	if err != nil {
		return nil, err
	}
	if _, err := f.Pets.Act(r.Context(), u.ID, a); err != nil {
		return nil, err
	}
	pl, err := f.Pets.Player(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ttuser": f.wireUser(u, pl)}, nil
}

type goodsBody struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Price   int64  `json:"price"`
	Picture string `json:"picture"`
	Desc    string `json:"desc"`
}

func wireGoods(g pet.Goods) goodsBody {
	return goodsBody{ID: g.ID, Name: g.Name, Price: g.Price, Picture: g.Picture, Desc: g.Desc}
}

// goods answers the goods list, the same for every player: kept encoded
// per page while no goods change (Deps.GoodsVersion).
func (f *face) goods(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
	list := func() (any, error) {
		return paged(p, "goods_list", func(offset, limit int) ([]pet.Goods, int, error) {
			return f.Pets.GoodsList(r.Context(), offset, limit)
		}, wireGoods)
	}
	if f.GoodsVersion == nil {
		return list()
	}
	page, err := p.Str("page")
	if err != nil {
		return nil, err
	}
	gen := f.GoodsVersion() // before the read: a change during it makes the entry stale
	b, err := f.goodsPages.Keep(page, gen, func() (any, error) {
		v, err := list()
		if err != nil {
			return nil, err
		}
		return envelope{stOK, "success", v}, nil
	})
	if err != nil {
		return nil, err
	}
	return rawAnswer(b), nil
}

func (f *face) buy(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	id, ok := valid.ID(r.PathValue("gid"))
	if !ok {
		return nil, errs.E(errs.NotFound, "no such goods")
	}
	if _, _, err := f.Pets.Buy(r.Context(), u.ID, id); err != nil {
		return nil, err
	}
	pl, err := f.Pets.Player(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": f.wireUser(u, pl)}, nil
}

type giftBody struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Picture    string `json:"picture"`
	Use        bool   `json:"use"`
	GoodsID    int64  `json:"goods_id"`
	BelongID   int64  `json:"belong_id"`
	CreateTime string `json:"create_time"`
	ModifyTime string `json:"modify_time"`
}

func (f *face) wireGift(g pet.Gift) giftBody {
	return giftBody{ID: g.ID, Name: g.Goods.Name, Picture: g.Goods.Picture, Use: g.Used, GoodsID: g.Goods.ID, BelongID: g.UserID,
		CreateTime: f.time(g.CreatedAt), ModifyTime: f.time(g.UpdatedAt)}
}

func (f *face) gifts(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	return paged(p, "gift_list", func(offset, limit int) ([]pet.Gift, int, error) {
		return f.Pets.Gifts(r.Context(), u.ID, offset, limit)
	}, f.wireGift)
}

// carry is GET /api/v1/gift/?gid=: the pet carries the gift.
func (f *face) carry(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	s, err := p.Str("gid")
	if err != nil {
		return nil, errs.E(errs.NotFound, "no such gift")
	}
	if s == "" {
		return nil, errs.InvalidField("gid", "gid is required")
	}
	id, ok := valid.ID(s)
	if !ok {
		return nil, errs.E(errs.NotFound, "no such gift")
	}
	pt, err := f.Pets.Carry(r.Context(), u.ID, id)
	if err != nil {
		return nil, err
	}
	pl, err := f.Pets.Player(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"pet": f.wirePet(pt, f.wireUser(u, pl))}, nil
}

// belongGift is a gift with its owner in full, as a petship shows it.
type belongGift struct {
	giftBody
	Belong userBody `json:"belong"`
}

// petshipBody is the app's petship: the document's keys (the receiver and
// the gift its pet carried, in full), and the sender and the gift it
// brought in full too.
type petshipBody struct {
	ID             int64       `json:"id"`
	SenderID       int64       `json:"sender_id"`
	ReceiverID     int64       `json:"receiver_id"`
	SenderGiftID   *int64      `json:"sender_gift_id"`
	ReceiverGiftID *int64      `json:"receiver_gift_id"`
	Read           bool        `json:"read"`
	Receiver       *petBody    `json:"receiver"`
	ReceiverGift   *belongGift `json:"receiver_gift"`
	Sender         *petBody    `json:"sender"`
	SenderGift     *belongGift `json:"sender_gift"`
	CreateTime     string      `json:"create_time"`
	ModifyTime     string      `json:"modify_time"`
}

// loader reads what petships show, each pet and user once a request.
type loader struct {
	f     *face
	r     *http.Request
	users map[int64]userBody
	pets  map[int64]*petBody
}

func (f *face) loader(r *http.Request) *loader {
	return &loader{f: f, r: r, users: map[int64]userBody{}, pets: map[int64]*petBody{}}
}

func (l *loader) user(id int64) (userBody, error) {
	if b, ok := l.users[id]; ok {
		return b, nil
	}
	u, err := l.f.Accounts.User(l.r.Context(), id)
	if err != nil {
		return userBody{}, err
	}
	pl, err := l.f.Pets.Player(l.r.Context(), id)
	if err != nil {
		return userBody{}, err
	}
	b := l.f.wireUser(u, pl)
	l.users[id] = b
	return b, nil
}

func (l *loader) pet(id int64) (*petBody, error) {
	if b, ok := l.pets[id]; ok {
		return b, nil
	}
	pt, err := l.f.Pets.Pet(l.r.Context(), id)
	if err != nil {
		return nil, err
	}
	owner, err := l.user(pt.UserID)
	if err != nil {
		return nil, err
	}
	b := l.f.wirePet(pt, owner)
	l.pets[id] = &b
	return &b, nil
}

func (l *loader) gift(id int64) (*belongGift, error) {
	if id == 0 {
		return nil, nil
	}
	g, err := l.f.Pets.Gift(l.r.Context(), id)
	if err != nil {
		return nil, err
	}
	owner, err := l.user(g.UserID)
	if err != nil {
		return nil, err
	}
	return &belongGift{l.f.wireGift(g), owner}, nil
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func (l *loader) petship(e pet.Encounter) (petshipBody, error) {
	b := petshipBody{ID: e.ID, SenderID: e.SenderPetID, ReceiverID: e.ReceiverPetID, SenderGiftID: optID(e.GiftID),
		ReceiverGiftID: optID(e.ReceiverGiftID), Read: e.Read, CreateTime: l.f.time(e.CreatedAt), ModifyTime: l.f.time(e.UpdatedAt)}
	var err error
	if b.Receiver, err = l.pet(e.ReceiverPetID); err != nil {
		return b, err
	}
	if b.Sender, err = l.pet(e.SenderPetID); err != nil {
		return b, err
	}
	if b.ReceiverGift, err = l.gift(e.ReceiverGiftID); err != nil {
		return b, err
	}
	b.SenderGift, err = l.gift(e.GiftID)
	return b, err
}

// encounters is GET /api/v1/encounters/: the petships sent to the user's
// pet, unread first, then newest.
func (f *face) encounters(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	l := f.loader(r)
	var werr error
	out, err := paged(p, "petship_list", func(offset, limit int) ([]pet.Encounter, int, error) {
		return f.Pets.Encounters(r.Context(), u.ID, offset, limit)
	}, func(e pet.Encounter) petshipBody {
		b, err := l.petship(e)
		if err != nil && werr == nil {
			werr = err
		}
		return b
	})
	if err == nil {
		err = werr
	}
	return out, err
}

// encounter is GET /api/v1/encounter/{mid}/: one petship, marked read.
func (f *face) encounter(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	id, ok := valid.ID(r.PathValue("mid"))
	if !ok {
		return nil, errs.E(errs.NotFound, "no such encounter")
	}
	e, err := f.Pets.ReadEncounter(r.Context(), u.ID, id)
	if err != nil {
		return nil, err
	}
	b, err := f.loader(r).petship(e)
	if err != nil {
		return nil, err
	}
	return map[string]any{"petship": b}, nil
}

// uploadFields are the multipart fields a picture may come in (the app's
// avatar and a pet's picture).
var uploadFields = []string{"file", "image", "avatar"}

// upload takes a picture (multipart: file, image or avatar) through the
// media core and answers {"url", "media_id"}: the url is what the app then
// sends as its avatar (POST /api/v1/user/).
func (f *face) upload(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	if r.MultipartForm == nil {
		return nil, errs.InvalidField("file", "send multipart/form-data with the picture in file")
	}
	for _, name := range uploadFields {
		hs := r.MultipartForm.File[name]
		if len(hs) == 0 {
			continue
		}
		file, err := hs[0].Open()
		if err != nil {
			return nil, errs.Wrap(err, "open upload")
		}
		defer file.Close()
		m, err := f.Media.Save(r.Context(), u.ID, file, hs[0].Header.Get("Content-Type"))
		if err != nil {
			return nil, err
		}
		return map[string]any{"url": f.Media.URL(m.ID), "media_id": m.ID}, nil
	}
	return nil, errs.InvalidField("file", "file is required")
}
