package admin

import (
	"net/http"

	"plaza/internal/admins"
	"plaza/internal/errs"
	"plaza/internal/message"
)

// The customer service's inbox: users' conversations with the service,
// which admins read and answer.

type serviceMessageBody struct {
	ID        int64  `json:"id"`
	FromUser  bool   `json:"from_user"` // false: the service wrote it
	Content   string `json:"content"`
	CreatedAt string `json:"created_at"`
}

func wireServiceMessage(m message.Message) serviceMessageBody {
	return serviceMessageBody{ID: m.ID, FromUser: m.From.Kind == message.KindUser, Content: m.Content, CreatedAt: ts(m.CreatedAt)}
}

type serviceConversationBody struct {
	UserID      int64              `json:"user_id"`
	LastMessage serviceMessageBody `json:"last_message"`
}

func (f *face) serviceConversations(r *http.Request, _ admins.Admin) (int, any, error) {
	no, size, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	inbox, err := f.Messages.Conversations(r.Context(), message.AsService, (no-1)*size, size)
	if err != nil {
		return 0, nil, err
	}
	total, err := f.Messages.ConversationCount(r.Context(), message.AsService)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, listOf(inbox.Conversations, total, no, size, func(c message.Conversation) serviceConversationBody {
		return serviceConversationBody{UserID: c.Peer.Ref, LastMessage: wireServiceMessage(c.Last)}
	}), nil
}

// serviceUser reads the user of a conversation from the path.
func (f *face) serviceUser(r *http.Request) (message.Party, error) {
	id, err := idOf(r)
	if err != nil {
		return message.Party{}, err
	}
	if _, err := f.Accounts.User(r.Context(), id); err != nil {
		return message.Party{}, err
	}
	return message.Party{Kind: message.KindUser, Ref: id}, nil
}

func (f *face) serviceMessages(r *http.Request, _ admins.Admin) (int, any, error) {
	user, err := f.serviceUser(r)
	if err != nil {
		return 0, nil, err
	}
	no, size, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	thread, err := f.Messages.Conversation(r.Context(), message.AsService, user, (no-1)*size, size)
	if err != nil {
		return 0, nil, err
	}
	total, err := f.Messages.MessageCount(r.Context(), message.AsService, user)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, listOf(thread.Messages, total, no, size, wireServiceMessage), nil
}

// answerService takes {"content"} and writes it to the user as the service.
func (f *face) answerService(r *http.Request, _ admins.Admin) (int, any, error) {
	user, err := f.serviceUser(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decode(r)
	if err != nil {
		return 0, nil, err
	}
	if err := only(in, "content"); err != nil {
		return 0, nil, err
	}
	content, ok := in["content"].(string)
	if !ok {
		return 0, nil, errs.InvalidField("content", "content must be a string")
	}
	m, err := f.Messages.Send(r.Context(), message.AsService, user, content)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, wireServiceMessage(m), nil
}
