package groupcommit_test

import (
	"context"
	"errors"
	"sync"
	"testing"

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
