package forum

import "context"

// Profile is a member's page: who they are and their latest messages.
type Profile struct {
	User     *User
	Messages []Message // newest first
	// Next is the Before of the following (older) page; 0 when none.
	Next int64
}

// Profile returns a member's page: the member, found by name ignoring
// case, and up to limit of their messages across every board, newest first,
// those with an ID below before when before is positive, as viewer may
// see them.
func (s *Service) Profile(ctx context.Context, viewer *User, name string, before int64, limit int) (*Profile, error) {
	if limit < 1 || limit > MaxWindow {
		return nil, Errorf(CodeInvalid, "limit must be between 1 and %d", MaxWindow)
	}
	if before < 0 {
		return nil, Errorf(CodeInvalid, "before must be a positive integer")
	}
	u, err := s.User(ctx, name)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = "" // a profile is shown to anyone
	// One more than asked tells whether an older page follows.
	msgs, err := s.store.MessagesByAuthor(ctx, u.ID, before, limit+1)
	if err != nil {
		return nil, err
	}
	p := &Profile{User: u, Messages: msgs}
	if len(msgs) > limit {
		p.Messages = msgs[:limit]
		p.Next = p.Messages[limit-1].ID // before is exclusive
	}
	for i := range p.Messages {
		seenBy(viewer, &p.Messages[i])
	}
	return p, nil
}
