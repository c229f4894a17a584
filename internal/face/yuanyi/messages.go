package yuanyi

import (
	"context"

	"plaza/internal/account"
	"plaza/internal/errs"
	"plaza/internal/message"
	"plaza/internal/valid"
)

// serviceID is the public id of the customer service in messages.
const serviceID = "00000000000000000000000000000000"

func (f *face) messageMethods() map[string]method {
	return map[string]method{
		"send_message_to_user":             {required, f.sendMessageToUser},
		"send_message_to_customer_service": {required, f.sendMessageToService},
		"my_message":                       {required, f.myMessage},
		"my_message_with_customer_service": {required, f.myMessageWithService},
		"my_message_center":                {required, f.myMessageCenter},
		"message_del":                      {required, f.messageDel},
	}
}

func me(c *call) message.Party { return message.Party{Kind: message.KindUser, Ref: c.user.ID} }

func (f *face) sendMessageToUser(c *call) (result, error) {
	u, err := f.toUser(c)
	if err != nil {
		return nil, err
	}
	content, err := c.need("content")
	if err != nil {
		return nil, err
	}
	_, err = f.Messages.Send(c.r.Context(), me(c), message.Party{Kind: message.KindUser, Ref: u.ID}, content)
	return nil, err
}

func (f *face) sendMessageToService(c *call) (result, error) {
	content, err := c.need("content")
	if err != nil {
		return nil, err
	}
	_, err = f.Messages.Send(c.r.Context(), me(c), message.ServiceParty, content)
	return nil, err
}

// peerOf resolves the public id of the other side of a conversation.
func (f *face) peerOf(c *call, id string) (message.Party, error) {
	if id == serviceID {
		return message.ServiceParty, nil
	}
	u, err := f.userByUID(c, id)
	if err != nil {
		return message.Party{}, err
	}
	return message.Party{Kind: message.KindUser, Ref: u.ID}, nil
}

// parties shows message parties by their public ids and profiles.
type parties struct {
	users map[int64]account.User
}

func (f *face) partiesOf(ctx context.Context, ps []message.Party) (parties, error) {
	var ids []int64
	for _, p := range ps {
		if p.Kind == message.KindUser {
			ids = append(ids, p.Ref)
		}
	}
	users, err := f.Accounts.UsersByID(ctx, ids)
	return parties{users: users}, err
}

func (pp parties) id(p message.Party) any {
	switch p.Kind {
	case message.KindUser:
		if u, ok := pp.users[p.Ref]; ok {
			return u.UID
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
	msgs, err := f.Messages.Conversation(ctx, me(c), peer, offset, limit)
	if err != nil {
		return nil, err
	}
	pp, err := f.partiesOf(ctx, []message.Party{me(c), peer})
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
	to, err := c.need("to_id")
	if err != nil {
		return nil, err
	}
	if !valid.IsHexID(to) {
		return nil, errs.InvalidField("to_id", "to_id must be 32 hexadecimal digits")
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
	convs, err := f.Messages.Conversations(ctx, me(c), offset, limit)
	if err != nil {
		return nil, err
	}
	all := []message.Party{me(c)}
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
	return nil, f.Messages.Delete(c.r.Context(), me(c), ids)
}
