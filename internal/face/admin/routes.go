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

	for _, c := range catalog.Collections() {
		f.collection(rt, c)
	}

	rt.Handle("GET /admin/v1/dashboard", f.serve(f.dashboard))
	rt.Handle("GET /admin/v1/users", f.serve(f.users)) // ?q= searches (profile.go)
	rt.Handle("GET /admin/v1/users/{id}/profile", f.serve(f.profile))
	rt.Handle("GET /admin/v1/users/{id}", f.serve(f.user))
	rt.Handle("PATCH /admin/v1/users/{id}", f.serve(f.patchUser))
	rt.Handle("POST /admin/v1/users/{id}/ban", f.serve(f.setActive(false)))
	rt.Handle("POST /admin/v1/users/{id}/unban", f.serve(f.setActive(true)))
	rt.Handle("POST /admin/v1/users/{id}/wallet", f.serve(f.adjustWallet))
	rt.Handle("GET /admin/v1/users/{id}/ledger", f.serve(f.ledger))

	rt.Handle("GET /admin/v1/orders", f.serve(f.orders))
	rt.Handle("GET /admin/v1/orders/{id}", f.serve(f.order))
	rt.Handle("POST /admin/v1/orders/{id}/refund", f.serve(f.refundOrder))
	rt.Handle("GET /admin/v1/exchange-orders", f.serve(f.exchangeOrders))
	rt.Handle("GET /admin/v1/exchange-orders/{order_number}", f.serve(f.exchangeOrder))
	rt.Handle("POST /admin/v1/exchange-orders/{order_number}/refund", f.serve(f.refundExchangeOrder))
	rt.Handle("GET /admin/v1/payments", f.serve(f.payments))
	rt.Handle("GET /admin/v1/payments/{out_trade_no}", f.serve(f.payment))

	rt.Handle("GET /admin/v1/pushes", f.serve(paged(f.Notify.Pushes, wirePush)))
	rt.Handle("POST /admin/v1/pushes", f.serve(f.sendPush))
	rt.Handle("GET /admin/v1/pushes/{id}", f.serve(f.push))
	rt.Handle("DELETE /admin/v1/pushes/{id}", f.serve(f.deletePush))

	rt.Handle("GET /admin/v1/feedback", f.serve(paged(f.Support.AllFeedback, wireFeedback)))
	rt.Handle("GET /admin/v1/feedback/{id}", f.serve(f.feedback))
	rt.Handle("POST /admin/v1/feedback/{id}/replies", f.serve(f.reply))

	rt.Handle("GET /admin/v1/service-conversations", f.serve(f.serviceConversations))
	rt.Handle("GET /admin/v1/service-conversations/{id}/messages", f.serve(f.serviceMessages))
	rt.Handle("POST /admin/v1/service-conversations/{id}/messages", f.serve(f.answerService))

	rt.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		f.fail(w, r, errs.E(errs.NotFound, "no such route: "+r.Method+" "+r.URL.Path))
	})
}
