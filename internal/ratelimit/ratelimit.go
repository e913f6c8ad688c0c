// Package ratelimit bounds how often each key — a client address, an
// account — may do something costly, with a token bucket per key. Buckets
// live in a bounded least-recently-used set, so a flood of distinct keys
// costs a fixed amount of memory.
package ratelimit

import (
	"container/list"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter holds a token bucket per key.
type Limiter struct {
	every   rate.Limit
	burst   int
	maxKeys int

	mu   sync.Mutex
	keys map[string]*list.Element // of *bucket
	lru  list.List                // most recently used first
}

type bucket struct {
	key string
	lim *rate.Limiter
}

// New returns a Limiter whose buckets hold burst tokens and regain one
// every interval, keeping at most maxKeys buckets.
func New(every time.Duration, burst, maxKeys int) *Limiter {
	return &Limiter{
		every:   rate.Every(every),
		burst:   burst,
		maxKeys: maxKeys,
		keys:    make(map[string]*list.Element),
	}
}

// Reserve takes a token from key's bucket at now. The reservation's
// DelayFrom(now) is zero when a token was there; otherwise it is the wait,
// and the caller should Cancel the reservation and refuse. Cancelling a
// granted reservation gives its token back: callers do so for attempts that
// succeed, so that only failures count.
func (l *Limiter) Reserve(key string, now time.Time) *rate.Reservation {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*bucket).lim.ReserveN(now, 1)
	}
	if l.lru.Len() >= l.maxKeys {
		// The least recently used key has the fullest bucket of all, or
		// close: forgetting it forgives the least.
		oldest := l.lru.Back()
		l.lru.Remove(oldest)
		delete(l.keys, oldest.Value.(*bucket).key)
	}
	b := &bucket{key: key, lim: rate.NewLimiter(l.every, l.burst)}
	l.keys[key] = l.lru.PushFront(b)
	return b.lim.ReserveN(now, 1)
}

// AddrKey returns the key of a client address ("host:port" or a bare
// host): the IPv4 address, or the /64 of an IPv6 address, since one IPv6
// client commonly holds a whole /64.
func AddrKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
