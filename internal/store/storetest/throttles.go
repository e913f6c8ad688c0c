package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"parley/internal/forum"
)

func testThrottle(t *testing.T, open func(t *testing.T) forum.Store) {
	// read returns the times stored for keys at now, storing nothing.
	read := func(t *testing.T, st forum.Store, now time.Time, keys ...string) []time.Time {
		t.Helper()
		var got []time.Time
		if err := throttle(t.Context(), st, now, keys, func(times []time.Time) bool {
			got = slices.Clone(times)
			return false
		}); err != nil {
			t.Fatalf("Throttle(%v): %v", keys, err)
		}
		return got
	}
	set := func(t *testing.T, st forum.Store, now time.Time, keys []string, to []time.Time) {
		t.Helper()
		if err := throttle(t.Context(), st, now, keys, func(times []time.Time) bool {
			copy(times, to)
			return true
		}); err != nil {
			t.Fatalf("Throttle(%v): %v", keys, err)
		}
	}

	t.Run("Stored", func(t *testing.T) {
		st := open(t)
		now := Tick()
		if got := read(t, st, now, "a", "b"); len(got) != 2 || !got[0].IsZero() || !got[1].IsZero() {
			t.Fatalf("keys never stored read %v, want two zero times", got)
		}
		a, b := now.Add(time.Minute+time.Microsecond), now.Add(time.Hour)
		set(t, st, now, []string{"a", "b"}, []time.Time{a, b})
		got := read(t, st, now, "b", "c", "a")
		if !sameTime(got[0], b) || !got[1].IsZero() || !sameTime(got[2], a) {
			t.Fatalf("read back %v, want [%v zero %v] in UTC, in the order asked", got, b, a)
		}
		// Refusing stores nothing.
		if err := throttle(t.Context(), st, now, []string{"a"}, func(times []time.Time) bool {
			times[0] = now.Add(24 * time.Hour)
			return false
		}); err != nil {
			t.Fatal(err)
		}
		if got := read(t, st, now, "a"); !sameTime(got[0], a) {
			t.Fatalf("after a refusal read %v, want %v", got[0], a)
		}
	})

	t.Run("SameKeyTwice", func(t *testing.T) {
		st := open(t)
		now := Tick()
		first, last := now.Add(time.Second), now.Add(time.Minute)
		set(t, st, now, []string{"d", "d"}, []time.Time{first, last})
		if got := read(t, st, now, "d"); !sameTime(got[0], last) {
			t.Fatalf("read %v, want the last time given, %v", got[0], last)
		}
	})

	t.Run("Passed", func(t *testing.T) {
		// A time not after now may be forgotten, and must not come back
		// as a later one.
		st := open(t)
		now := Tick()
		set(t, st, now, []string{"k"}, []time.Time{now.Add(time.Second)})
		later := now.Add(2 * time.Second)
		if got := read(t, st, later, "k"); got[0].After(later) {
			t.Fatalf("read %v at %v, want a time not after it", got[0], later)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Every attempt counts, even when many processes' connections take
		// them at once: a store that let two read the same time would lose
		// one.
		st := open(t)
		now := Tick()
		const goroutines, each = 16, 5
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range each {
					if err := throttle(t.Context(), st, now, []string{"shared", "other"}, func(times []time.Time) bool {
						for i := range times {
							if times[i].Before(now) {
								times[i] = now
							}
							times[i] = times[i].Add(time.Second)
						}
						return true
					}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		want := now.Add(goroutines * each * time.Second)
		if got := read(t, st, now, "shared", "other"); !sameTime(got[0], want) || !sameTime(got[1], want) {
			t.Fatalf("after %d attempts read %v, want %v for both", goroutines*each, got, want)
		}
	})
}
