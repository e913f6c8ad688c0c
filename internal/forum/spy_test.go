package forum_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/store/sqlite/sqlitetest"
)

// spyStore is a SQLite store that counts the look-ups the Service should
// spare it, and can shorten the walk up a thread.
type spyStore struct {
	forum.Store
	// lookups counts calls of UserByName, UserBySession and DeleteSession.
	lookups atomic.Int64
	// maxSteps, when positive, caps ThreadRoot's walk, as a chain longer
	// than the Service's limit would.
	maxSteps int
}

func (s *spyStore) UserByName(ctx context.Context, name string) (*forum.User, error) {
	s.lookups.Add(1)
	return s.Store.UserByName(ctx, name)
}

func (s *spyStore) UserBySession(ctx context.Context, hash []byte, now time.Time) (*forum.User, error) {
	s.lookups.Add(1)
	return s.Store.UserBySession(ctx, hash, now)
}

func (s *spyStore) DeleteSession(ctx context.Context, hash []byte) error {
	s.lookups.Add(1)
	return s.Store.DeleteSession(ctx, hash)
}

func (s *spyStore) ThreadRoot(ctx context.Context, boardID, number int64, maxSteps int) (int64, error) {
	if s.maxSteps > 0 {
		maxSteps = min(maxSteps, s.maxSteps)
	}
	return s.Store.ThreadRoot(ctx, boardID, number, maxSteps)
}

// testClock is a clock that tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2007, 8, 10, 13, 42, 12, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newSpiedService returns a Service on a fresh SQLite file seen through a
// spyStore, with clock as its clock.
func newSpiedService(t *testing.T, clock *testClock) (*forum.Service, *spyStore) {
	t.Helper()
	spy := &spyStore{Store: sqlitetest.Open(t)}
	return newServiceOn(t, spy, forum.Config{Now: clock.Now}), spy
}
