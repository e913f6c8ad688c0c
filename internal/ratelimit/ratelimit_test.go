package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"parley/internal/ratelimit"
)

func TestLimiter(t *testing.T) {
	l := ratelimit.New(time.Second, 3, 100)
	t0 := time.Date(2007, 8, 10, 13, 42, 12, 0, time.UTC)
	for _, tc := range []struct {
		name string
		key  string
		at   time.Duration
		want bool
	}{
		{"Burst1", "a", 0, true},
		{"Burst2", "a", 0, true},
		{"Burst3", "a", 0, true},
		{"Exhausted", "a", 0, false},
		{"OtherKey", "b", 0, true},
		{"StillExhausted", "a", 500 * time.Millisecond, false},
		{"Refilled", "a", time.Second, true},
		{"RefilledOnlyOne", "a", time.Second, false},
	} {
		if got := l.AllowAt(tc.key, t0.Add(tc.at)); got != tc.want {
			t.Errorf("%s: Allow(%q) at +%v = %v, want %v", tc.name, tc.key, tc.at, got, tc.want)
		}
	}
}

func TestLimiterBounded(t *testing.T) {
	l := ratelimit.New(time.Minute, 2, 10)
	t0 := time.Now()
	l.AllowAt("busy", t0)
	l.AllowAt("busy", t0)
	for i := range 100 {
		l.AllowAt(fmt.Sprint("key", i), t0.Add(time.Duration(i)*time.Minute))
		if n := l.Len(); n > 10 {
			t.Fatalf("%d keys kept, want at most 10", n)
		}
	}
}

func TestExhaustedTake(t *testing.T) {
	l := ratelimit.New(time.Hour, 2, 100)
	for i := range 2 {
		if l.Exhausted("a") {
			t.Fatalf("exhausted after %d takes, want 2", i)
		}
		l.Take("a")
	}
	if !l.Exhausted("a") {
		t.Fatal("not exhausted after 2 takes")
	}
	if l.Exhausted("b") {
		t.Fatal("another key exhausted")
	}
}
