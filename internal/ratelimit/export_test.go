package ratelimit

import "time"

func (l *Limiter) AllowAt(key string, now time.Time) bool { return l.bucket(key, now).AllowN(now, 1) }

func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
