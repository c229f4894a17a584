package admin

import (
	"net/http"
	"time"

	"plaza/internal/catalog"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/httpx"
)

// Routes registers the whole admin face on rt.
func Routes(rt *httpx.Router, d Deps) {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	f := &face{d}
	rt.HandleFunc("POST /admin/v1/login", f.login)
	rt.Handle("POST /admin/v1/logout", f.serve(f.logout))
	rt.Handle("GET /admin/v1/session", f.serve(f.getSession))
	rt.Handle("GET /admin/v1/admins", f.serve(paged(f.Admins.List, wireAdmin)))
	rt.Handle("POST /admin/v1/admins", f.serve(f.createAdmin))
	rt.Handle("PATCH /admin/v1/admins/{id}", f.serve(before(f.adminBefore, f.patchAdmin)))
	rt.Handle("POST /admin/v1/admins/me/password", f.serve(f.changePassword))
	rt.Handle("POST /admin/v1/admins/me/totp", f.serve(f.startTOTP))
	rt.Handle("POST /admin/v1/admins/me/totp/confirm", f.serve(f.confirmTOTP))
	rt.Handle("DELETE /admin/v1/admins/me/totp", f.serve(f.disableTOTP))
	f.docRoutes(rt) // GET /admin/v1/openapi.json, /admin/v1/reference

	rt.Handle("GET /admin/v1/catalog", f.serve(f.catalogSchema))
	rt.Handle("POST /admin/v1/media", f.serve(f.uploadMedia))
	for _, c := range catalog.Collections() {
		f.collection(rt, c)
	}

	rt.Handle("GET /admin/v1/dashboard", f.serve(f.dashboard))
	rt.Handle("GET /admin/v1/users", f.serve(f.users)) // ?q= searches (profile.go)
	rt.Handle("GET /admin/v1/users/{id}/profile", f.serve(f.profile))
	rt.Handle("GET /admin/v1/users/{id}", f.serve(f.user))
	rt.Handle("PATCH /admin/v1/users/{id}", f.serve(before(f.userBefore, f.patchUser)))
	rt.Handle("POST /admin/v1/users/{id}/ban", f.serve(before(f.userBefore, f.setActive(false))))
	rt.Handle("POST /admin/v1/users/{id}/unban", f.serve(before(f.userBefore, f.setActive(true))))
	rt.Handle("POST /admin/v1/users/{id}/wallet", f.serve(before(f.balancesBefore, f.adjustWallet)))
	rt.Handle("GET /admin/v1/users/{id}/ledger", f.serve(f.ledger))

	rt.Handle("GET /admin/v1/orders", f.serve(f.orders))
	rt.Handle("GET /admin/v1/orders/{id}", f.serve(f.order))
	rt.Handle("POST /admin/v1/orders/{id}/refund", f.serve(before(reading(f.order), f.refundOrder)))
	rt.Handle("GET /admin/v1/exchange-orders", f.serve(f.exchangeOrders))
	rt.Handle("GET /admin/v1/exchange-orders/{order_number}", f.serve(f.exchangeOrder))
	rt.Handle("POST /admin/v1/exchange-orders/{order_number}/refund", f.serve(before(reading(f.exchangeOrder), f.refundExchangeOrder)))
	rt.Handle("GET /admin/v1/payments", f.serve(f.payments))
	rt.Handle("GET /admin/v1/payments/{out_trade_no}", f.serve(f.payment))

	rt.Handle("GET /admin/v1/pushes", f.serve(paged(f.Notify.Pushes, wirePush)))
	rt.Handle("POST /admin/v1/pushes", f.serve(f.sendPush))
	rt.Handle("GET /admin/v1/pushes/{id}", f.serve(f.push))
	rt.Handle("GET /admin/v1/pushes/{id}/deliveries", f.serve(f.deliveries))
	rt.Handle("DELETE /admin/v1/pushes/{id}", f.serve(before(f.pushBefore, f.deletePush)))

	rt.Handle("GET /admin/v1/feedback", f.serve(f.feedbackList))
	rt.Handle("GET /admin/v1/feedback/{id}", f.serve(f.feedback))
	rt.Handle("POST /admin/v1/feedback/{id}/replies", f.serve(f.reply))

	rt.Handle("GET /admin/v1/service-conversations", f.serve(f.serviceConversations))
	rt.Handle("GET /admin/v1/service-conversations/{id}/messages", f.serve(f.serviceMessages))
	rt.Handle("POST /admin/v1/service-conversations/{id}/messages", f.serve(f.answerService))

	rt.Handle("GET /admin/v1/audit", f.serve(f.auditLog))

	rt.HandleFunc("/admin/v1/", func(w http.ResponseWriter, r *http.Request) {
		f.fail(w, r, errs.E(errs.NotFound, "no such route: "+r.Method+" "+r.URL.Path))
	})
}
