package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
)

// The benchmarks every store runs, so that their figures compare.

// post600 is a body of the median length on a large board.
var post600 = strings.Repeat("A reply with some *emphasis*, a [link](https://example.com/a) and plain words. ", 8)

func benchService(b *testing.B, st forum.Store) *forum.Service {
	b.Helper()
	svc, err := forum.NewService(st, forum.Config{Render: markup.Render, Password: password.Fast})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchPost measures posting through the Service, durability on, by
// posters goroutines spread over the stores given (one per server process
// sharing a database; all open on one empty database) and over boards
// boards, each goroutine a member of its own, each post a ~600-byte
// Markdown reply. It reports posts/s.
func BenchPost(b *testing.B, stores []forum.Store, boards, posters int) {
	ctx := context.Background()
	svcs := make([]*forum.Service, len(stores))
	for i, st := range stores {
		svcs[i] = benchService(b, st)
	}
	// Names of this run's own, so that it can post into a database that
	// holds an earlier run's.
	run := strings.ToLower(rand.Text()[:8])
	members := make([]*forum.User, posters)
	for i := range members {
		u, err := svcs[0].AddUser(ctx, fmt.Sprintf("poster%d-%s", i, run), "benchmark-password", forum.RoleMember)
		if err != nil {
			b.Fatal(err)
		}
		members[i] = u
	}
	slugs := make([]string, boards)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("bench%d-%s", i, run)
		if _, err := svcs[0].CreateBoard(ctx, members[0], forum.NewBoard{Slug: slugs[i], Title: "Bench"}); err != nil {
			b.Fatal(err)
		}
	}
	// Exactly posters goroutines, unlike RunParallel's multiples of
	// GOMAXPROCS; together they post b.N messages.
	var last, left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	start := time.Now()
	for g := range posters {
		svc, slug, u := svcs[g%len(svcs)], slugs[g%boards], members[g]
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				replyTo := int64(0)
				if boards == 1 {
					replyTo = max(0, last.Load()-3)
				}
				m, err := svc.Post(ctx, u, slug, forum.NewMessage{Body: post600, ReplyTo: replyTo})
				if err != nil {
					b.Error(err)
					return
				}
				last.Store(m.Number)
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "posts/s")
}

// BenchWindows reads 50-message windows through the Service at the start,
// middle and end of the board slug, which holds size messages, and the
// newest and those before the middle: keyset reads should cost the same
// at each. Then readers=16 reads windows at random positions from 16
// goroutines at once, for the throughput of the whole machine (windows/s).
func BenchWindows(b *testing.B, st forum.Store, slug string, size int64) {
	ctx := context.Background()
	svc := benchService(b, st)
	for _, bc := range []struct {
		name string
		w    forum.Window
	}{
		{"start", forum.Window{From: 1, Limit: 50}},
		{"middle", forum.Window{From: size / 2, Limit: 50}},
		{"end", forum.Window{From: size - 49, Limit: 50}},
		{"newest", forum.Window{Limit: 50}},
		{"before-middle", forum.Window{Before: size / 2, Limit: 50}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := svc.Messages(ctx, nil, slug, bc.w)
				if err != nil || len(p.Messages) != 50 {
					b.Fatalf("window: %d messages, %v", len(p.Messages), err)
				}
			}
		})
	}
	b.Run("readers=16", func(b *testing.B) {
		b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p, err := svc.Messages(ctx, nil, slug, forum.Window{From: 1 + mrand.Int64N(size-50), Limit: 50})
				if err != nil || len(p.Messages) != 50 {
					b.Errorf("window: %d messages, %v", len(p.Messages), err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "windows/s")
	})
}

// FillBoard makes sure that st holds the board "big" with size messages,
// for window benchmarks: stores keep it between runs, since building it
// takes a while. fill appends n messages to a board, in bulk.
func FillBoard(b *testing.B, st forum.Store, size int64, fill func(ctx context.Context, boardID, authorID int64, n int) error) {
	b.Helper()
	ctx := context.Background()
	svc := benchService(b, st)
	brd, err := svc.Board(ctx, "big")
	if err == nil && brd.LastNumber == size {
		return
	}
	if err == nil {
		b.Fatalf("the store holds a partial board of %d messages; remove it", brd.LastNumber)
	}
	u, err := svc.AddUser(ctx, "author", "benchmark-password", forum.RoleMember)
	if err != nil {
		b.Fatal(err)
	}
	brd, err = svc.CreateBoard(ctx, u, forum.NewBoard{Slug: "big", Title: "A board of a million"})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	const chunk = 100_000
	for filled := int64(0); filled < size; filled += chunk {
		if err := fill(ctx, brd.ID, u.ID, int(min(chunk, size-filled))); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built a board of %d messages in %v", size, time.Since(start).Round(time.Second))
}
