package yuanyi

import (
	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/message"
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

// speaker is whom the caller speaks as: themselves, or, with "as_master":
// true (plaza's addition), the master their account is linked to (the
// core checks the link), so that a master's messages are read and
// answered by its user.
func speaker(c *call) (message.As, error) {
	asMaster, _, err := c.p.Bool("as_master")
	if err != nil {
		return message.As{}, err
	}
	if asMaster {
		return message.AsMasterOf(c.user.ID), nil
	}
	return message.AsUser(c.user.ID), nil
}

// send writes content (the "content" parameter) from the caller to peer.
// The core decides who may write to whom.
func (f *face) send(c *call, to message.Party) (result, error) {
	content, err := c.need("content")
	if err != nil {
		return nil, err
	}
	as, err := speaker(c)
	if err != nil {
		return nil, err
	}
	_, err = f.Messages.Send(c.r.Context(), as, to, content)
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
	return message.Party{}, errs.R(errs.NotFound, account.ReasonNoUser, "no user, master or merchant has this id")
}

// publicID is a counterpart's public id: a uid, a master_id, a
// merchant_id, serviceID (nil when its profile is gone).
func publicID(cp message.Counterpart) any {
	switch {
	case cp.Kind == message.KindService:
		return serviceID
	case cp.User != nil:
		return cp.User.UID
	case cp.Master != nil:
		return cp.Master.MasterID
	case cp.Merchant != nil:
		return cp.Merchant.MerchantID
	}
	return nil
}

// profile is a counterpart's type (also the key of its profile) and profile.
func (f *face) profile(cp message.Counterpart) (kind string, body map[string]any) {
	switch {
	case cp.Kind == message.KindService:
		return "customer_service", map[string]any{"id": serviceID, "name": message.ServiceName, "avatar": nil}
	case cp.User != nil:
		return "user", f.briefUser(*cp.User)
	case cp.Master != nil:
		return "master", masterBrief(*cp.Master)
	case cp.Merchant != nil:
		return "merchant", merchantProfile(*cp.Merchant)
	}
	return cp.Kind, nil
}

// idKeys name a counterpart's public id in its profile, by type.
var idKeys = map[string]string{"user": "uid", "master": "master_id", "merchant": "merchant_id", "customer_service": "id"}

// asMaster is a counterpart of any kind as the app's message page reads
// every item: {"name", "avatar"} and its public id.
func asMaster(kind string, cp message.Counterpart) map[string]any {
	out := map[string]any{"name": orNull(cp.Name()), "avatar": orNull(cp.Avatar())}
	if k, ok := idKeys[kind]; ok {
		out[k] = publicID(cp)
	}
	return out
}

func wireMessage(self, peer message.Counterpart, m message.Message) map[string]any {
	id := func(p message.Party) any {
		switch p {
		case self.Party:
			return publicID(self)
		case peer.Party:
			return publicID(peer)
		}
		return nil
	}
	return map[string]any{
		"message_id": m.ID, "from_id": id(m.From), "to_id": id(m.To),
		"content": m.Content, "created_at": ms(m.CreatedAt),
	}
}

// conversation answers a page of the conversation with peer under keys.
func (f *face) conversation(c *call, peer message.Party, keys ...string) (result, error) {
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	as, err := speaker(c)
	if err != nil {
		return nil, err
	}
	th, err := f.Messages.Conversation(c.r.Context(), as, peer, offset, limit)
	if err != nil {
		return nil, err
	}
	list := make([]map[string]any, len(th.Messages))
	for i, m := range th.Messages {
		list[i] = wireMessage(th.Self, th.Peer, m)
	}
	_, other := f.profile(th.Peer)
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

// myMessageCenter lists conversations. Every item has a "master" with the
// counterpart's name and avatar, whatever its type: the app's message page
// reads item.master of each.
func (f *face) myMessageCenter(c *call) (result, error) {
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	as, err := speaker(c)
	if err != nil {
		return nil, err
	}
	inbox, err := f.Messages.Conversations(c.r.Context(), as, offset, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(inbox.Conversations))
	for _, cv := range inbox.Conversations {
		kind, body := f.profile(cv.Peer)
		id := publicID(cv.Peer)
		item := map[string]any{"type": kind, kind: body, kind + "_id": id, "last_message": wireMessage(inbox.Self, cv.Peer, cv.Last)}
		if kind == "user" {
			item["uid"] = id
		}
		if kind != "master" || body == nil {
			item["master"] = asMaster(kind, cv.Peer)
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
	as, err := speaker(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Messages.Delete(c.r.Context(), as, ids)
}
