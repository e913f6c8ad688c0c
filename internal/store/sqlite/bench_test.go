package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/store/sqlite"
)

// post600 is a body of the median length on a large board.
var post600 = strings.Repeat("A reply with some *emphasis*, a [link](https://example.com/a) and plain words. ", 8)

// BenchmarkPost measures posting through the Service with durability on
// (WAL, synchronous=FULL), one poster and 32, with group commit and without.
func BenchmarkPost(b *testing.B) {
	for _, bc := range []struct {
		name     string
		maxBatch int
		posters  int
	}{
		{"posters=1/group", 0, 1},
		{"posters=32/group", 0, 32},
		{"posters=1/single", 1, 1},
		{"posters=32/single", 1, 32},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{MaxBatch: bc.maxBatch})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			svc, err := forum.NewService(st, forum.Config{Render: markup.Render, Password: password.Fast})
			if err != nil {
				b.Fatal(err)
			}
			u, err := svc.AddUser(ctx, "poster", "benchmark-password", forum.RoleMember)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.CreateBoard(ctx, u, forum.NewBoard{Slug: "bench", Title: "Bench"}); err != nil {
				b.Fatal(err)
			}
			var last atomic.Int64
			b.SetParallelism((bc.posters + 1) / 2) // ×GOMAXPROCS goroutines
			if bc.posters == 1 {
				b.SetParallelism(1)
			}
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					m, err := svc.Post(ctx, u, "bench", forum.NewMessage{Body: post600, ReplyTo: max(0, last.Load()-3)})
					if err != nil {
						b.Error(err)
						return
					}
					last.Store(m.Number)
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "posts/s")
		})
	}
}

// BenchmarkWindow reads 50-message windows at the start, middle and end of
// a board of a million messages; keyset reads should cost the same at each.
// The board is built once per machine and kept in the temp dir (about 1.3
// GB) because building it takes a while.
func BenchmarkWindow(b *testing.B) {
	const size = 1_000_000
	ctx := context.Background()
	st := openMillionBoard(b, size)
	svc, err := forum.NewService(st, forum.Config{Render: markup.Render, Password: password.Fast})
	if err != nil {
		b.Fatal(err)
	}
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
				p, err := svc.Messages(ctx, "big", bc.w)
				if err != nil || len(p.Messages) != 50 {
					b.Fatalf("window: %d messages, %v", len(p.Messages), err)
				}
			}
		})
	}
}

func openMillionBoard(b *testing.B, size int) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("parley-bench-window-%d-v1.db", size))
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc, err := forum.NewService(st, forum.Config{Render: markup.Render, Password: password.Fast})
	if err != nil {
		b.Fatal(err)
	}
	brd, err := svc.Board(ctx, "big")
	if err == nil && brd.LastNumber == int64(size) {
		return st
	}
	if err == nil {
		b.Fatalf("%s holds a partial board; delete it", path)
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
	for filled := 0; filled < size; filled += 100_000 {
		if err := sqlite.BulkFill(ctx, st, brd.ID, u.ID, 100_000, 600); err != nil {
			os.Remove(path)
			b.Fatal(err)
		}
	}
	b.Logf("built a board of %d messages in %v", size, time.Since(start).Round(time.Second))
	return st
}
