package groupcommit_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/store/groupcommit"
)

// TestVerdicts: each item gets its own verdict, batches never exceed
// their bound, and Close answers every item queued: committed items
// exactly once, the others ErrClosed.
func TestVerdicts(t *testing.T) {
	var (
		mu        sync.Mutex
		committed = map[int]int{}
		largest   int
	)
	refused := errors.New("odd")
	c := groupcommit.New(8, func(batch []int) []error {
		mu.Lock()
		defer mu.Unlock()
		largest = max(largest, len(batch))
		errs := make([]error, len(batch))
		for i, n := range batch {
			if n%2 == 1 {
				errs[i] = refused
				continue
			}
			committed[n]++
		}
		return errs
	})
	const items = 2000
	answers := make([]error, items)
	var wg sync.WaitGroup
	for n := range items {
		wg.Go(func() { answers[n] = c.Do(context.Background(), n) })
		if n == items/2 {
			wg.Go(c.Close)
		}
	}
	wg.Wait()
	c.Close() // twice is fine
	if err := c.Do(context.Background(), 0); !errors.Is(err, groupcommit.ErrClosed) {
		t.Errorf("Do after Close: %v, want ErrClosed", err)
	}
	if largest > 8 {
		t.Errorf("a batch of %d, bound 8", largest)
	}
	for n, err := range answers {
		switch {
		case err == nil:
			if n%2 == 1 || committed[n] != 1 {
				t.Fatalf("item %d acknowledged, committed %d times", n, committed[n])
			}
		case errors.Is(err, refused):
			if n%2 == 0 {
				t.Fatalf("item %d refused by mistake", n)
			}
		case errors.Is(err, groupcommit.ErrClosed):
			if committed[n] != 0 {
				t.Fatalf("item %d committed but answered ErrClosed", n)
			}
		default:
			t.Fatalf("item %d: %v", n, err)
		}
	}
}

// TestBatching: items that queue while a commit runs are committed
// together once it ends, up to the bound, not one by one.
func TestBatching(t *testing.T) {
	const bound, waiting = 8, 20 // the queue holds 4*bound: no Do blocks to queue
	var (
		mu      sync.Mutex
		batches [][]int
	)
	began, release := make(chan struct{}), make(chan struct{})
	c := groupcommit.New(bound, func(batch []int) []error {
		mu.Lock()
		batches = append(batches, slices.Clone(batch))
		first := len(batches) == 1
		mu.Unlock()
		if first {
			close(began)
			<-release // hold the first commit while the others queue
		}
		return make([]error, len(batch))
	})
	var releasing sync.Once
	free := func() { releasing.Do(func() { close(release) }) }
	defer c.Close()
	defer free() // before Close, should the test end early

	answers := make([]error, waiting+1)
	var wg sync.WaitGroup
	wg.Go(func() { answers[0] = c.Do(context.Background(), 0) })
	select {
	case <-began:
	case <-time.After(10 * time.Second):
		t.Fatal("the first item was not committed within 10s")
	}
	var calling atomic.Int32
	for n := 1; n <= waiting; n++ {
		wg.Go(func() {
			calling.Add(1)
			answers[n] = c.Do(context.Background(), n)
		})
	}
	for deadline := time.Now().Add(10 * time.Second); calling.Load() < waiting; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d goroutines called Do within 10s", calling.Load(), waiting)
		}
	}
	// Each has called Do, or is about to; queueing does not block, so a
	// moment lets them all reach the queue.
	time.Sleep(100 * time.Millisecond)
	free()
	wg.Wait()

	for n, err := range answers {
		if err != nil {
			t.Fatalf("item %d: %v", n, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches[0]) != 1 || batches[0][0] != 0 {
		t.Fatalf("first batch %v, want [0]", batches[0])
	}
	seen, largest := map[int]int{}, 0
	for _, batch := range batches {
		if len(batch) > bound {
			t.Errorf("a batch of %d, bound %d: %v", len(batch), bound, batch)
		}
		largest = max(largest, len(batch))
		for _, n := range batch {
			seen[n]++
		}
	}
	for n := range waiting + 1 {
		if seen[n] != 1 {
			t.Errorf("item %d committed %d times", n, seen[n])
		}
	}
	if largest < 2 {
		t.Errorf("%d items queued during a commit were committed one by one: batches %v", waiting, batches)
	}
}
