package forum

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"sync"
	"time"

	"parley/internal/password"
	"parley/internal/ratelimit"
)

// Config holds what the Service needs from its surroundings.
type Config struct {
	// Render turns Markdown into safe HTML; it runs once per message, when
	// the message is written.
	Render func(markdown string) string
	// Now is the clock; tests set it. Defaults to time.Now.
	Now func() time.Time
	// RegistrationClosed refuses self-registration; admins still add users.
	RegistrationClosed bool
	// Password sets the cost of password hashing; defaults to
	// password.Default.
	Password password.Params
	// SearchTimeout bounds the time one search may take, waiting for its
	// turn included; DefaultSearchTimeout when 0.
	SearchTimeout time.Duration
	// Searches is how many searches may run at once; the rest wait their
	// turn. Default: half the processors, at least one, so that however
	// many search, pages are served by the rest.
	Searches int
}

// Service holds every rule of the forum: validation, permissions, limits.
// Transports call it; it calls the Store.
type Service struct {
	store Store
	cfg   Config
	// hashing bounds concurrent password hashing: each costs ~19 MiB and
	// ~150 ms of a core, so a burst of sign-ins must queue, not swap.
	hashing chan struct{}
	// dummyHash is verified against when a name is unknown, so that a
	// failed sign-in takes as long whether or not the name exists.
	dummyHash string
	// hub tells watchers of a board about its new messages, which Relay
	// hears of.
	hub hub
	// searching holds a place for each search running.
	searching chan struct{}
	// previews limits each member's previews, by user ID.
	previews *ratelimit.Local[int64]
	// deviceKeyBytes signs device tokens; read from the store when first
	// needed, under deviceMu.
	deviceMu       sync.Mutex
	deviceKeyBytes []byte
}

// NewService returns a Service over store.
func NewService(store Store, cfg Config) (*Service, error) {
	if cfg.Render == nil {
		return nil, fmt.Errorf("forum: Config.Render is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Password == (password.Params{}) {
		cfg.Password = password.Default
	}
	if cfg.SearchTimeout <= 0 {
		cfg.SearchTimeout = DefaultSearchTimeout
	}
	if cfg.Searches <= 0 {
		cfg.Searches = max(1, runtime.GOMAXPROCS(0)/2)
	}
	dummy, err := password.Hash(rand.Text(), cfg.Password)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:     store,
		cfg:       cfg,
		hashing:   make(chan struct{}, runtime.GOMAXPROCS(0)),
		dummyHash: dummy,
		searching: make(chan struct{}, cfg.Searches),
		previews:  ratelimit.NewLocal[int64](previewLimit),
	}
	return s, nil
}

// now returns the current time at the precision every store keeps.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if err := s.acquireHashing(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return password.Hash(pw, s.cfg.Password)
}

func (s *Service) acquireHashing(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return WrapError(CodeUnavailable, ctx.Err(), "the server is busy; try again")
	}
}
