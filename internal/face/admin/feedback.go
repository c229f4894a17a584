package admin

import (
	"context"
	"net/http"
	"strconv"

	"plaza/internal/admins"
	"plaza/internal/errs"
	"plaza/internal/support"
)

type replyBody struct {
	ID         int64  `json:"id"`
	FeedbackID int64  `json:"feedback_id"`
	AdminID    int64  `json:"admin_id"`
	Content    string `json:"content"`
	IsRead     bool   `json:"is_read"`
	CreatedAt  string `json:"created_at"`
}

type feedbackBody struct {
	ID           int64        `json:"id"`
	UserID       int64        `json:"user_id"`
	CategoryID   int64        `json:"category_id"`
	Content      string       `json:"content"`
	Status       int          `json:"status"`
	ContactPhone string       `json:"contact_phone"`
	CreatedAt    string       `json:"created_at"`
	Replies      *[]replyBody `json:"replies,omitempty"` // in one feedback (always, maybe []), not in lists
}

func wireReply(p support.Reply) replyBody {
	return replyBody{ID: p.ID, FeedbackID: p.FeedbackID, AdminID: p.AdminID, Content: p.Content, IsRead: p.Read, CreatedAt: ts(p.CreatedAt)}
}

func wireFeedback(b support.Feedback) feedbackBody {
	return feedbackBody{ID: b.ID, UserID: b.UserID, CategoryID: b.CategoryID, Content: b.Content, Status: b.Status,
		ContactPhone: b.ContactPhone, CreatedAt: ts(b.CreatedAt)}
}

// feedbackList pages through the feedback, newest first; ?status=0 the
// open ones only (the inbox), ?status=1 the replied ones.
func (f *face) feedbackList(r *http.Request, a admins.Admin) (int, any, error) {
	var state *int
	if s := r.URL.Query().Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, nil, errs.InvalidField("status", "status must be 0 (open) or 1 (replied)")
		}
		state = &n
	}
	return paged(func(ctx context.Context, offset, limit int) ([]support.Feedback, int, error) {
		return f.Support.AllFeedback(ctx, state, offset, limit)
	}, wireFeedback)(r, a)
}

func (f *face) feedback(r *http.Request, _ admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	b, err := f.Support.Feedback(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	replies, err := f.Support.Replies(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	body := wireFeedback(b)
	list := make([]replyBody, len(replies))
	for i, p := range replies {
		list[i] = wireReply(p)
	}
	body.Replies = &list
	return http.StatusOK, body, nil
}

// reply takes {"content": "..."} (also "reply_content").
func (f *face) reply(r *http.Request, a admins.Admin) (int, any, error) {
	id, err := idOf(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decode(r)
	if err != nil {
		return 0, nil, err
	}
	if err := only(in, "content", "reply_content"); err != nil {
		return 0, nil, err
	}
	content, ok := in["content"].(string)
	if !ok {
		content, ok = in["reply_content"].(string)
	}
	if !ok {
		return 0, nil, errs.InvalidField("content", "content is required")
	}
	p, err := f.Support.AddReply(r.Context(), a.ID, id, content)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, wireReply(p), nil
}
