package ratelimit_test

import (
	"testing"
	"time"

	"parley/internal/ratelimit"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// take reserves a token and reports whether it was there, giving it back
// when it was not, as callers do.
func take(l *ratelimit.Limiter, key string, now time.Time) bool {
	r := l.Reserve(key, now)
	if r.DelayFrom(now) > 0 {
		r.CancelAt(now)
		return false
	}
	return true
}

func TestBurstThenRefill(t *testing.T) {
	l := ratelimit.New(time.Second, 3, 10)
	for i := range 3 {
		if !take(l, "a", t0) {
			t.Fatalf("attempt %d within the burst was refused", i+1)
		}
	}
	if take(l, "a", t0) {
		t.Fatal("the attempt after the burst was allowed")
	}
	if !take(l, "b", t0) {
		t.Fatal("another key was refused: buckets must be per key")
	}
	// Refused attempts took nothing: one interval later, one token is back.
	if !take(l, "a", t0.Add(time.Second)) {
		t.Fatal("no token after one interval")
	}
	if take(l, "a", t0.Add(time.Second)) {
		t.Fatal("two tokens after one interval")
	}
}

func TestCancelRefunds(t *testing.T) {
	l := ratelimit.New(time.Hour, 2, 10)
	for range 10 {
		r := l.Reserve("a", t0)
		if r.DelayFrom(t0) > 0 {
			t.Fatal("refunded attempts were counted")
		}
		r.CancelAt(t0) // a success gives its token back
	}
}

func TestBoundedKeys(t *testing.T) {
	l := ratelimit.New(time.Hour, 1, 3)
	take(l, "old", t0)
	take(l, "used", t0)
	take(l, "k0", t0)
	// "old" is used again, so "used" is now the least recently used.
	if take(l, "old", t0) {
		t.Fatal("second attempt allowed")
	}
	take(l, "k1", t0) // evicts "used"
	if !take(l, "used", t0) {
		t.Error("the least recently used key kept its empty bucket")
	}
	// That evicted "k0"; "old", used since, is still held.
	if take(l, "old", t0) {
		t.Error("a recently used key was evicted")
	}
}

func TestAddrKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7:5555", "192.0.2.7"},
		{"192.0.2.7", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := ratelimit.AddrKey(tc.in); got != tc.want {
			t.Errorf("AddrKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
