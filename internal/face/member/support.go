package member

import (
	"net/http"

	"plaza/internal/account"
	"plaza/internal/httpx"
	"plaza/internal/support"
)

type faqData struct {
	ID           int64  `json:"id"`
	AppID        string `json:"app_id"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	Title        string `json:"title"`
	Content      string `json:"content"`
	Category     string `json:"category"`
	ExternalLink string `json:"external_link"`
}

func (f *face) faqData(q support.FAQ) faqData {
	return faqData{ID: q.ID, AppID: f.AppID, CreatedAt: f.time(q.CreatedAt), UpdatedAt: f.time(q.UpdatedAt),
		Title: q.Title, Content: q.Content, Category: q.Category, ExternalLink: q.ExternalLink}
}

func (f *face) faqs(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
	pg, err := pageOf(p)
	if err != nil {
		return nil, err
	}
	items, total, err := f.Support.FAQs(r.Context(), pg.offset(), pg.size)
	if err != nil {
		return nil, err
	}
	return pagedOf(pg, items, total, f.faqData), nil
}

func (f *face) faq(r *http.Request, _ *httpx.Params, _ account.User) (any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	q, err := f.Support.FAQ(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return f.faqData(q), nil
}

type categoryData struct {
	ID          int64  `json:"id"`
	AppID       string `json:"app_id"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (f *face) feedbackCategories(r *http.Request, p *httpx.Params, _ account.User) (any, error) {
	pg, err := pageOf(p)
	if err != nil {
		return nil, err
	}
	items, total, err := f.Support.Categories(r.Context(), pg.offset(), pg.size)
	if err != nil {
		return nil, err
	}
	return pagedOf(pg, items, total, func(c support.Category) categoryData {
		return categoryData{ID: c.ID, AppID: f.AppID, CreatedAt: f.time(c.CreatedAt), UpdatedAt: f.time(c.UpdatedAt),
			Name: c.Name, Description: c.Description}
	}), nil
}

type feedbackData struct {
	ID                 int64  `json:"id"`
	AppID              string `json:"app_id"`
	CreatedAt          string `json:"created_at"`
	UpdatedAt          string `json:"updated_at"`
	FeedbackContent    string `json:"feedback_content"`
	FeedbackStatus     int    `json:"feedback_status"`
	FeedbackCategoryID int64  `json:"feedback_category_id"`
	ContactPhone       string `json:"contact_phone"`
	UserID             int64  `json:"user_id"`
}

func (f *face) feedbackData(b support.Feedback) feedbackData {
	return feedbackData{ID: b.ID, AppID: f.AppID, CreatedAt: f.time(b.CreatedAt), UpdatedAt: f.time(b.UpdatedAt),
		FeedbackContent: b.Content, FeedbackStatus: b.Status, FeedbackCategoryID: b.CategoryID,
		ContactPhone: b.ContactPhone, UserID: b.UserID}
}

func (f *face) createFeedback(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	content, err := required(p, "feedback_content")
	if err != nil {
		return nil, err
	}
	cat, _, err := p.Int("feedback_category_id")
	if err != nil {
		return nil, err
	}
	phone, err := p.Str("contact_phone")
	if err != nil {
		return nil, err
	}
	b, err := f.Support.CreateFeedback(r.Context(), u.ID, support.NewFeedback{Content: content, CategoryID: cat, ContactPhone: phone})
	if err != nil {
		return nil, err
	}
	return f.feedbackData(b), nil
}

func (f *face) feedbackList(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	pg, err := pageOf(p)
	if err != nil {
		return nil, err
	}
	items, total, err := f.Support.UserFeedback(r.Context(), u.ID, pg.offset(), pg.size)
	if err != nil {
		return nil, err
	}
	return pagedOf(pg, items, total, f.feedbackData), nil
}

func (f *face) deleteFeedback(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return nil, f.Support.DeleteFeedback(r.Context(), u.ID, id)
}

type replyData struct {
	ID           int64  `json:"id"`
	AppID        string `json:"app_id"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	ReplyContent string `json:"reply_content"`
	ManagerID    int64  `json:"manager_id"`
	FeedbackID   int64  `json:"feedback_id"`
	IsRead       bool   `json:"is_read"`
}

func (f *face) feedbackReply(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	id, err := httpx.PathID(r, "feedback_id")
	if err != nil {
		return nil, err
	}
	p, err := f.Support.ReadReply(r.Context(), u.ID, id)
	if err != nil {
		return nil, err
	}
	return replyData{ID: p.ID, AppID: f.AppID, CreatedAt: f.time(p.CreatedAt), UpdatedAt: f.time(p.UpdatedAt),
		ReplyContent: p.Content, ManagerID: p.AdminID, FeedbackID: p.FeedbackID, IsRead: p.Read}, nil
}
