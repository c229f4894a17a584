package httpx

import (
	"net"
	"net/http"
	"strings"
)

// BearerToken returns the token of an "Authorization: Token x" or
// "Authorization: Bearer x" header, or "".
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok {
		return ""
	}
	switch strings.ToLower(scheme) {
	case "token", "bearer":
		return strings.TrimSpace(tok)
	}
	return ""
}

// ClientIP returns the address of the client. When trustProxy is set, it
// is read from X-Forwarded-For, to which every proxy appends the address it
// saw: the list is walked from the right past the operator's own proxies
// (loopback and private addresses), and the first other address is the
// client's. The entries left of it were written by the client and prove
// nothing (the leftmost would let a client pick its address per request,
// and so escape every per-address limit). When every entry is private (an
// intranet), the leftmost of them is taken.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if ip := forwardedFor(r.Header.Values("X-Forwarded-For")); ip != "" {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func forwardedFor(headers []string) string {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	found := ""
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break // not written by a proxy of ours: stop at what we have
		}
		found = ip.String()
		if !ip.IsLoopback() && !ip.IsPrivate() {
			break
		}
	}
	return found
}
