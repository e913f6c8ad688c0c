// Package ratelimit keeps one token bucket per key (an account, an address)
// in memory, bounded in size, so that guessing passwords or flooding
// sign-ups costs an attacker time instead of costing the server its CPU.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows events per key at a sustained rate with bursts.
type Limiter struct {
	every time.Duration
	burst int
	max   int // keys kept before idle ones are dropped

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// New returns a Limiter allowing burst events at once per key, refilled at
// one per every. It keeps at most max keys: past that it forgets the buckets
// that have refilled, which forgets nothing that still limits anyone.
func New(every time.Duration, burst, max int) *Limiter {
	return &Limiter{every: every, burst: burst, max: max, buckets: make(map[string]*rate.Limiter)}
}

// Allow reports whether one more event for key may happen now, and takes it.
func (l *Limiter) Allow(key string) bool {
	return l.bucket(key, time.Now()).Allow()
}

// Exhausted reports whether key has no event left now, without taking one:
// with Take, it limits only the events that turn out to count, such as
// failed sign-ins.
func (l *Limiter) Exhausted(key string) bool {
	now := time.Now()
	return l.bucket(key, now).TokensAt(now) < 1
}

// Take takes one event for key, allowed or not.
func (l *Limiter) Take(key string) {
	l.bucket(key, time.Now()).Allow()
}

func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.prune(now)
		}
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	return b
}

// prune drops full buckets: a key seen again later starts full anyway. If
// every bucket is in use the map is cleared, trading a brief lapse in
// limiting for bounded memory under a flood of distinct keys.
func (l *Limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.max {
		clear(l.buckets)
	}
}
