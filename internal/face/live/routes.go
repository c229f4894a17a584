package live

import "plaza/internal/httpx"

// Routes registers the whole live face on rt.
func Routes(rt *httpx.Router, d Deps) {
	f := &face{Deps: d}
	handle := func(path string, h handler) { rt.Handle(path, f.route(h)) }
	handle("/register", dispatch(f.codes, op{"register", f.signUp}))
	handle("/upload", dispatch(f.upload))
	handle("/log", dispatch(f.logIn))
	handle("/room", dispatch(nil, op{"live", f.auth(f.goLive)}, op{"leave", f.auth(f.leave)}))
	handle("/list", dispatch(nil, op{"friendlist", f.auth(f.friendList)}, op{"messagelist", f.auth(f.messageList)}))
	handle("/friend", dispatch(nil, op{"search", f.auth(f.search)}, op{"add", f.auth(f.add)},
		op{"dealMessage", f.auth(f.dealMessage)}, op{"delete", f.auth(f.unfriend)}))
	handle("/golden", dispatch(nil, op{"refill", f.auth(f.refill)}, op{"send_gift", f.auth(f.sendGift)}))
}
