package yuanyi

import (
	"context"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/message"
	"plaza/internal/showcase"
)

// serviceID is the public id of the customer service in messages.
const serviceID = "00000000000000000000000000000000"

func (f *face) messageMethods() map[string]method {
	return map[string]method{
		"send_message_to_user":             {required, f.sendMessageToUser},
		"send_message_to_customer_service": {required, f.sendMessageToService},
		"send_message_to_master":           {required, f.sendMessageToMaster},
		"send_message_to_merchant":         {required, f.sendMessageToMerchant},
		"my_message":                       {required, f.myMessage},
		"my_message_with_customer_service": {required, f.myMessageWithService},
		"my_message_center":                {required, f.myMessageCenter},
		"message_del":                      {required, f.messageDel},
	}
}

func me(c *call) message.Party { return message.Party{Kind: message.KindUser, Ref: c.user.ID} }

// self is the party the caller speaks as: themselves, or, with
// "as_master": true (plaza's addition), the master their account is linked
// to, so that a master's messages are read and answered by its user.
func (f *face) self(c *call) (message.Party, error) {
	asMaster, _, err := c.p.Bool("as_master")
	if err != nil {
		return message.Party{}, err
	}
	if !asMaster {
		return me(c), nil
	}
	m, err := f.Showcase.MasterOfUser(c.r.Context(), c.user.ID)
	if errs.Is(err, errs.NotFound) {
		return message.Party{}, errs.E(errs.Forbidden, "your account is not linked to a master")
	}
	if err != nil {
		return message.Party{}, err
	}
	return message.Party{Kind: message.KindMaster, Ref: m.ID}, nil
}

// send writes content (the "content" parameter) from the caller to peer.
func (f *face) send(c *call, to message.Party) (result, error) {
	content, err := c.need("content")
	if err != nil {
		return nil, err
	}
	from, err := f.self(c)
	if err != nil {
		return nil, err
	}
	if from.Kind == message.KindMaster && to.Kind == message.KindUser {
		// Speaking as a master does not get past the addressee's block.
		if err := f.Social.CanReach(c.r.Context(), c.user.ID, to.Ref); err != nil {
			return nil, err
		}
	}
	_, err = f.Messages.Send(c.r.Context(), from, to, content)
	return nil, err
}

func (f *face) sendMessageToUser(c *call) (result, error) {
	u, err := f.toUser(c)
	if err != nil {
		return nil, err
	}
	return f.send(c, message.Party{Kind: message.KindUser, Ref: u.ID})
}

func (f *face) sendMessageToService(c *call) (result, error) {
	return f.send(c, message.ServiceParty)
}

func (f *face) sendMessageToMaster(c *call) (result, error) {
	m, err := f.master(c)
	if err != nil {
		return nil, err
	}
	if m.UserID != 0 {
		// A master linked to a user is reached as that user is: not by
		// those the user blocked.
		if err := f.Social.CanReach(c.r.Context(), c.user.ID, m.UserID); err != nil {
			return nil, err
		}
	}
	return f.send(c, message.Party{Kind: message.KindMaster, Ref: m.ID})
}

func (f *face) sendMessageToMerchant(c *call) (result, error) {
	m, err := f.merchant(c)
	if err != nil {
		return nil, err
	}
	return f.send(c, message.Party{Kind: message.KindMerchant, Ref: m.ID})
}

// peerOf resolves the public id of the other side of a conversation.
func (f *face) peerOf(c *call, id string) (message.Party, error) {
	if id == serviceID {
		return message.ServiceParty, nil
	}
	ctx := c.r.Context()
	if u, err := f.Accounts.UserByUID(ctx, id); err == nil {
		return message.Party{Kind: message.KindUser, Ref: u.ID}, nil
	} else if !errs.Is(err, errs.NotFound) {
		return message.Party{}, err
	}
	if m, err := f.Showcase.Master(ctx, id); err == nil {
		return message.Party{Kind: message.KindMaster, Ref: m.ID}, nil
	} else if !errs.Is(err, errs.NotFound) {
		return message.Party{}, err
	}
	if m, err := f.Showcase.Merchant(ctx, id); err == nil {
		return message.Party{Kind: message.KindMerchant, Ref: m.ID}, nil
	} else if !errs.Is(err, errs.NotFound) {
		return message.Party{}, err
	}
	return message.Party{}, errs.R(errs.NotFound, ReasonUser, "no user, master or merchant has this id")
}

// parties shows message parties by their public ids and profiles.
type parties struct {
	users     map[int64]account.User
	masters   map[int64]showcase.Master
	merchants map[int64]showcase.Merchant
}

// partiesOf reads the profiles of ps: one query per kind.
func (f *face) partiesOf(ctx context.Context, ps []message.Party) (pp parties, err error) {
	ids := map[string][]int64{}
	for _, p := range ps {
		ids[p.Kind] = append(ids[p.Kind], p.Ref)
	}
	if pp.users, err = f.Accounts.UsersByID(ctx, ids[message.KindUser]); err != nil {
		return pp, err
	}
	if pp.masters, err = f.Showcase.MastersByID(ctx, ids[message.KindMaster]); err != nil {
		return pp, err
	}
	pp.merchants, err = f.Showcase.MerchantsByID(ctx, ids[message.KindMerchant])
	return pp, err
}

func (pp parties) id(p message.Party) any {
	switch p.Kind {
	case message.KindUser:
		if u, ok := pp.users[p.Ref]; ok {
			return u.UID
		}
	case message.KindMaster:
		if m, ok := pp.masters[p.Ref]; ok {
			return m.MasterID
		}
	case message.KindMerchant:
		if m, ok := pp.merchants[p.Ref]; ok {
			return m.MerchantID
		}
	case message.KindService:
		return serviceID
	}
	return nil
}

func (f *face) profile(pp parties, p message.Party) (kind string, key string, body map[string]any) {
	switch p.Kind {
	case message.KindService:
		return "customer_service", "customer_service", map[string]any{"id": serviceID, "name": "客服", "avatar": nil}
	case message.KindUser:
		if u, ok := pp.users[p.Ref]; ok {
			return "user", "user", f.briefUser(u)
		}
	case message.KindMaster:
		if m, ok := pp.masters[p.Ref]; ok {
			return "master", "master", masterBrief(m)
		}
	case message.KindMerchant:
		if m, ok := pp.merchants[p.Ref]; ok {
			return "merchant", "merchant", merchantProfile(m)
		}
	}
	return p.Kind, p.Kind, nil
}

func wireMessage(pp parties, m message.Message) map[string]any {
	return map[string]any{
		"message_id": m.ID, "from_id": pp.id(m.From), "to_id": pp.id(m.To),
		"content": m.Content, "created_at": ms(m.CreatedAt),
	}
}

// conversation answers a page of the conversation with peer under keys.
func (f *face) conversation(c *call, peer message.Party, keys ...string) (result, error) {
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	self, err := f.self(c)
	if err != nil {
		return nil, err
	}
	msgs, err := f.Messages.Conversation(ctx, self, peer, offset, limit)
	if err != nil {
		return nil, err
	}
	pp, err := f.partiesOf(ctx, []message.Party{self, peer})
	if err != nil {
		return nil, err
	}
	list := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		list[i] = wireMessage(pp, m)
	}
	_, _, other := f.profile(pp, peer)
	res := result{"other_side": other}
	for _, k := range keys {
		res[k] = list
	}
	return res, nil
}

func (f *face) myMessage(c *call) (result, error) {
	to, err := c.hexID("to_id")
	if err != nil {
		return nil, err
	}
	peer, err := f.peerOf(c, to)
	if err != nil {
		return nil, err
	}
	return f.conversation(c, peer, "my_message")
}

func (f *face) myMessageWithService(c *call) (result, error) {
	return f.conversation(c, message.ServiceParty, "my_message_with_customer_service", "my_message")
}

func (f *face) myMessageCenter(c *call) (result, error) {
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	self, err := f.self(c)
	if err != nil {
		return nil, err
	}
	convs, err := f.Messages.Conversations(ctx, self, offset, limit)
	if err != nil {
		return nil, err
	}
	all := []message.Party{self}
	for _, cv := range convs {
		all = append(all, cv.Peer)
	}
	pp, err := f.partiesOf(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(convs))
	for _, cv := range convs {
		kind, key, body := f.profile(pp, cv.Peer)
		item := map[string]any{"type": kind, key: body, "last_message": wireMessage(pp, cv.Last)}
		item[key+"_id"] = pp.id(cv.Peer)
		if kind == "user" {
			item["uid"] = pp.id(cv.Peer)
		}
		out = append(out, item)
	}
	return result{"my_message_center": out}, nil
}

func (f *face) messageDel(c *call) (result, error) {
	ids, err := c.ids("message_id_list", 100)
	if err != nil {
		return nil, err
	}
	self, err := f.self(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Messages.Delete(c.r.Context(), self, ids)
}
