package member

import (
	"net/http"

	"plaza/internal/httpx"
)

// Routes registers the whole member face on rt.
func Routes(rt *httpx.Router, d Deps) {
	f := &face{d}
	rt.Handle("POST /api/auth/send_code", f.serve(f.sendCode))
	rt.Handle("POST /api/auth/check_code", f.serve(f.checkCode))
	rt.Handle("POST /api/auth/register", f.serve(f.register))
	rt.Handle("POST /api/auth/access_token", f.serve(f.accessToken))
	rt.Handle("POST /api/auth/refresh_token", f.serve(f.refreshToken))
	rt.Handle("POST /api/auth/destroy_token", f.serve(f.destroyToken))

	rt.Handle("GET /api/personal/info", f.auth(f.personalInfo))
	rt.Handle("PUT /api/personal/info", f.auth(f.updatePersonalInfo))

	rt.Handle("POST /api/push/bind", f.auth(f.pushBind))
	rt.Handle("GET /api/push/switch/{client_id}", f.auth(f.pushSwitch))
	rt.Handle("PUT /api/push/switch/{client_id}", f.auth(f.setPushSwitch))
	rt.Handle("GET /api/push/log", f.auth(f.pushLog))
	rt.Handle("GET /api/push/log/{id}", f.auth(f.pushLogEntry))
	rt.Handle("DELETE /api/push/log/delete", f.auth(f.pushLogDelete))
	rt.Handle("GET /api/message/count", f.auth(f.messageCount))

	rt.Handle("GET /api/faq", f.auth(f.faqs))
	rt.Handle("GET /api/faq/{id}", f.auth(f.faq))
	rt.Handle("GET /api/feedback_category", f.auth(f.feedbackCategories))
	rt.Handle("POST /api/feedback", f.auth(f.createFeedback))
	rt.Handle("GET /api/feedback", f.auth(f.feedbackList))
	rt.Handle("DELETE /api/feedback/{id}", f.auth(f.deleteFeedback))
	rt.Handle("GET /api/feedback/reply/{feedback_id}", f.auth(f.feedbackReply))

	// Anything else under /api/ (a wrong path or method) is code 10002.
	rt.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.answer(w, r, codeNoPath, "no such path or method")
	}))
}
