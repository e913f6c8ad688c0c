package forum

import "context"

// ThreadOfAtMost is Thread showing at most limit messages, so that tests
// need not post MaxThread of them to see a thread cut.
func (s *Service) ThreadOfAtMost(ctx context.Context, slug string, n int64, limit int) (*Thread, error) {
	return s.thread(ctx, nil, slug, n, limit)
}
