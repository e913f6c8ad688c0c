package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

const day = 86400 // seconds

// The posting rate over a day (UTC), relative to the mean: two harmonics
// put the peak near 20:00 (1.7×) and the trough near 04:00 (0.3×), rising
// through the day. Their amplitudes sum below 1 so the rate stays
// positive.
const (
	rhythmA1    = 0.6
	rhythmPeak1 = 18 * 3600
	rhythmA2    = 0.2
	rhythmPeak2 = 21 * 3600
)

// rhythm is the cumulative posting "intensity" over one day: at[s] is
// the expected number of posts, in units of the mean rate, between
// midnight and s seconds after it; at[day] = day. Mapping evenly spread
// points through its inverse bunches them in the evening and thins them
// at night.
type rhythm struct{ at []float64 }

func newRhythm() *rhythm {
	w := 2 * math.Pi / day
	at := make([]float64, day+1)
	for s := range at {
		x := float64(s)
		at[s] = x +
			rhythmA1/w*(math.Sin(w*(x-rhythmPeak1))+math.Sin(w*rhythmPeak1)) +
			rhythmA2/(2*w)*(math.Sin(2*w*(x-rhythmPeak2))+math.Sin(2*w*rhythmPeak2))
	}
	return &rhythm{at: at}
}

// intensity maps a Unix time to intensity time: both advance by a day
// per day, but intensity time runs fast in the evening.
func (h *rhythm) intensity(t int64) float64 {
	d := floorDiv(t, day)
	return float64(d*day) + h.at[t-d*day]
}

// time is the inverse of intensity, to the whole second (rounded down, so
// it never decreases as y grows).
func (h *rhythm) time(y float64) int64 {
	d := int64(math.Floor(y / day))
	rest := y - float64(d*day)
	s, found := slices.BinarySearch(h.at, rest)
	if !found {
		s--
	}
	return d*day + int64(min(max(s, 0), day-1))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// clock gives the posting times of one board's n messages, in order: n
// points spread at random over [from, to] in intensity time, drawn one by
// one as order statistics (the next of the m points left after u is the
// smallest of m uniforms on [u, 1]) so that the board exactly fills its
// period without holding the times in memory. Gaps between posts come
// out exponential, as between independent posters.
type clock struct {
	r      *rand.Rand
	h      *rhythm
	left   int64
	u      float64
	y0, y1 float64
}

func newClock(r *rand.Rand, h *rhythm, n int64, from, to time.Time) *clock {
	return &clock{r: r, h: h, left: n, y0: h.intensity(from.Unix()), y1: h.intensity(to.Unix())}
}

func (c *clock) next() time.Time {
	c.u += (1 - c.u) * -math.Expm1(-c.r.ExpFloat64()/float64(c.left))
	c.left--
	return time.Unix(c.h.time(c.y0+c.u*(c.y1-c.y0)), 0).UTC()
}
