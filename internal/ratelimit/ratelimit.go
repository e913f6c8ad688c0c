// Package ratelimit bounds how often each key — a client address, an
// account — may do something costly. Each key has a token bucket, kept as
// one time (the generic cell rate algorithm): the moment the bucket will be
// full again. A bucket full now needs no record at all, so buckets can live
// in a database that every server process shares, and vanish once they
// refill.
package ratelimit

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// Limit lets Burst attempts through at once and one more each Every.
type Limit struct {
	Every time.Duration
	Burst int
}

// Take takes one attempt at now from each bucket, all or none. full[i] is
// when the bucket of limits[i] will be full (the zero time, or any time not
// after now: full already). When every bucket holds an attempt, Take moves
// each full time on by its limit's Every and returns 0; otherwise it
// changes nothing and returns how long until every bucket holds one.
func Take(now time.Time, limits []Limit, full []time.Time) time.Duration {
	if wait := Wait(now, limits, full); wait > 0 {
		return wait
	}
	Charge(now, limits, full)
	return 0
}

// Wait returns how long until every bucket holds an attempt, 0 when each
// holds one now; it takes none.
func Wait(now time.Time, limits []Limit, full []time.Time) time.Duration {
	var wait time.Duration
	for i, l := range limits {
		// A bucket holds Burst attempts: it may be full at most Burst
		// intervals from now.
		next := later(full[i], now).Add(l.Every)
		wait = max(wait, next.Sub(now)-time.Duration(l.Burst)*l.Every)
	}
	return wait
}

// Charge takes one attempt at now from each bucket, even from one that
// holds none: an attempt that was let through and turned out to count
// (a failed sign-in, checked with Wait before its password was) is
// counted, and the bucket takes longer to fill again.
func Charge(now time.Time, limits []Limit, full []time.Time) {
	for i, l := range limits {
		full[i] = later(full[i], now).Add(l.Every)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// AddrKey returns the key of a client address ("host:port" or a bare
// host): the IPv4 address, or the /64 of an IPv6 address, since one IPv6
// client commonly holds a whole /64.
func AddrKey(remoteAddr string) string { return AddrKeys(remoteAddr)[0] }

// AddrKeys returns the keys a client address counts under, narrowest
// first: an IPv4 address alone; an IPv6 address's /64, which one client
// commonly holds whole, and its /48, which one site commonly holds (RFC
// 6177), so that a host taking addresses across a /48 still counts as
// one there. Something that is no address is its own key.
func AddrKeys(remoteAddr string) []string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return []string{host}
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p64, _ := ip.Prefix(64)
		p48, _ := ip.Prefix(48)
		return []string{p64.String(), p48.String()}
	}
	return []string{ip.String()}
}

// Local keeps buckets in this process's memory, for limits on what costs
// this process alone, such as rendering: no other process need count it.
// Buckets that are full again are forgotten, so that it holds only keys
// active in the last Burst × Every. Safe for concurrent use.
type Local[K comparable] struct {
	limit Limit
	mu    sync.Mutex
	full  map[K]time.Time
	swept time.Time
}

// NewLocal returns buckets of limit kept in memory.
func NewLocal[K comparable](limit Limit) *Local[K] {
	return &Local[K]{limit: limit, full: map[K]time.Time{}}
}

// Take takes one attempt at now from key's bucket and returns 0, or how
// long until one is there, taking none.
func (l *Local[K]) Take(key K, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forgetting the full buckets now and then keeps the map as small as
	// the keys lately active, at a cost spread over the attempts.
	if window := time.Duration(l.limit.Burst) * l.limit.Every; now.Sub(l.swept) > window {
		for k, t := range l.full {
			if !t.After(now) {
				delete(l.full, k)
			}
		}
		l.swept = now
	}
	full := []time.Time{l.full[key]}
	if wait := Take(now, []Limit{l.limit}, full); wait > 0 {
		return wait
	}
	l.full[key] = full[0]
	return 0
}
