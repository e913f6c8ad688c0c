package site

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// behindProxies replaces the request's RemoteAddr with the client's
// address when the request comes through a trusted proxy: the rightmost
// address of X-Forwarded-For that is not itself a trusted proxy. Only the
// trusted proxies' own additions are believed; anything a client wrote to
// the left of them is skipped. Rate limits and stream limits key on
// RemoteAddr, so behind a load balancer without this every client would
// share the balancer's allowance.
func behindProxies(trusted proxies, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := trusted.client(r); ok {
			r = r.WithContext(r.Context()) // a shallow copy, to change
			r.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		next.ServeHTTP(w, r)
	})
}

// proxies are the address ranges of trusted proxies.
type proxies []netip.Prefix

func (ps proxies) trust(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// client finds the client's address as described above; ok is false when
// the peer is not a trusted proxy or names no other address.
func (ps proxies) client(r *http.Request) (netip.Addr, bool) {
	peer, err := parseAddr(r.RemoteAddr)
	if err != nil || !ps.trust(peer) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client, found := netip.Addr{}, false
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // not written by a proxy we trust: believe nothing further left
		}
		client, found = a.Unmap(), true
		if !ps.trust(a) {
			break
		}
	}
	return client, found
}

// parseAddr reads an address as proxies write it: bare, or with a port
// ("192.0.2.1:1234", "[2001:db8::1]:1234").
func parseAddr(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), nil
	}
	return netip.ParseAddr(strings.Trim(s, "[]"))
}
