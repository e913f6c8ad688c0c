package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/store/sqlite"
	"parley/internal/store/storetest"
)

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
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{MaxBatch: bc.maxBatch})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			storetest.BenchPost(b, []forum.Store{st}, 1, bc.posters)
		})
	}
}

// BenchmarkWindow reads 50-message windows in a board of a million
// messages. The board is built once per machine and kept in the temp dir
// (about 1.3 GB) because building it takes a while.
func BenchmarkWindow(b *testing.B) {
	const size = 1_000_000
	storetest.BenchWindows(b, openMillionBoard(b, size), "big", size)
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
