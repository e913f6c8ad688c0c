package ratelimit_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/ratelimit"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func TestTake(t *testing.T) {
	limits := []ratelimit.Limit{{Every: time.Second, Burst: 3}}
	full := []time.Time{{}} // never used: full
	for i := range 3 {
		if wait := ratelimit.Take(t0, limits, full); wait != 0 {
			t.Fatalf("attempt %d within the burst: wait %v", i+1, wait)
		}
	}
	if !full[0].Equal(t0.Add(3 * time.Second)) {
		t.Fatalf("after three attempts the bucket is full at %v, want %v", full[0], t0.Add(3*time.Second))
	}
	if wait := ratelimit.Take(t0, limits, full); wait != time.Second {
		t.Fatalf("the attempt after the burst: wait %v, want 1s", wait)
	}
	// The refused attempt took nothing: one interval later, one is back.
	if wait := ratelimit.Take(t0.Add(time.Second), limits, full); wait != 0 {
		t.Fatalf("one interval later: wait %v", wait)
	}
	if wait := ratelimit.Take(t0.Add(time.Second), limits, full); wait != time.Second {
		t.Fatalf("two attempts after one interval: wait %v, want 1s", wait)
	}
	// A bucket full long ago is as full as a new one, no fuller.
	if wait := ratelimit.Take(t0.Add(time.Hour), limits, full); wait != 0 || !full[0].Equal(t0.Add(time.Hour+time.Second)) {
		t.Fatalf("an hour later: wait %v, full at %v", wait, full[0])
	}
}

func TestTakeAllOrNone(t *testing.T) {
	limits := []ratelimit.Limit{{Every: time.Second, Burst: 10}, {Every: time.Minute, Burst: 1}}
	full := []time.Time{{}, t0.Add(time.Minute)} // the second is empty
	before := slices.Clone(full)
	if wait := ratelimit.Take(t0, limits, full); wait != time.Minute {
		t.Fatalf("wait %v, want the empty bucket's minute", wait)
	}
	if !slices.Equal(full, before) {
		t.Fatalf("a refused attempt changed the buckets: %v, want %v", full, before)
	}
}

func TestWaitAndCharge(t *testing.T) {
	limits := []ratelimit.Limit{{Every: time.Minute, Burst: 2}}
	full := []time.Time{{}}
	for range 10 {
		if wait := ratelimit.Wait(t0, limits, full); wait != 0 {
			t.Fatal("Wait took an attempt")
		}
	}
	// Three charged at once, one more than the burst: the bucket holds an
	// attempt again only after two intervals, not one.
	for range 3 {
		ratelimit.Charge(t0, limits, full)
	}
	if wait := ratelimit.Wait(t0, limits, full); wait != 2*time.Minute {
		t.Fatalf("after three charged into a burst of two: wait %v, want 2m", wait)
	}
}

func TestAddrKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7:5555", "192.0.2.7"},
		{"192.0.2.7", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64 2001:db8:1::/48"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64 2001:db8:1::/48"},
		{"[2001:db8:1:ff02::9]:443", "2001:db8:1:ff02::/64 2001:db8:1::/48"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := strings.Join(ratelimit.AddrKeys(tc.in), " "); got != tc.want {
			t.Errorf("AddrKeys(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if first := ratelimit.AddrKeys(tc.in)[0]; ratelimit.AddrKey(tc.in) != first {
			t.Errorf("AddrKey(%q) = %q, want %q", tc.in, ratelimit.AddrKey(tc.in), first)
		}
	}
}

func TestLocal(t *testing.T) {
	l := ratelimit.NewLocal[int](ratelimit.Limit{Every: time.Second, Burst: 2})
	for i := range 2 {
		if wait := l.Take(1, t0); wait != 0 {
			t.Fatalf("attempt %d within the burst: wait %v", i+1, wait)
		}
	}
	if wait := l.Take(1, t0); wait != time.Second {
		t.Fatalf("past the burst: wait %v, want 1s", wait)
	}
	if wait := l.Take(2, t0); wait != 0 {
		t.Fatalf("another key shares the first's bucket: wait %v", wait)
	}
	if wait := l.Take(1, t0.Add(time.Second)); wait != 0 {
		t.Fatalf("one interval later: wait %v", wait)
	}
	// Much later every bucket is full again; the key starts afresh.
	for i := range 2 {
		if wait := l.Take(1, t0.Add(time.Hour)); wait != 0 {
			t.Fatalf("an hour later, attempt %d: wait %v", i+1, wait)
		}
	}
}
