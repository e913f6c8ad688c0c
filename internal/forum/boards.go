package forum

import (
	"context"
)

// NewBoard is what a member gives to open a board.
type NewBoard struct {
	Slug, Title, Description string
}

// CreateBoard opens a board.
func (s *Service) CreateBoard(ctx context.Context, actor *User, in NewBoard) (*Board, error) {
	if err := Can(actor, OpenBoard, Target{}); err != nil {
		return nil, err
	}
	if err := ValidateSlug(in.Slug); err != nil {
		return nil, err
	}
	title, err := ValidateTitle(in.Title)
	if err != nil {
		return nil, err
	}
	desc, err := ValidateDescription(in.Description)
	if err != nil {
		return nil, err
	}
	b := &Board{Slug: in.Slug, Title: title, Description: desc, CreatedAt: s.now(), CreatorID: actor.ID, Creator: actor.Name}
	if err := s.store.CreateBoard(ctx, b); err != nil {
		if ErrorCode(err) == CodeConflict {
			return nil, onField(err, "slug")
		}
		return nil, err
	}
	return b, nil
}

// Board finds a board by slug.
func (s *Service) Board(ctx context.Context, slug string) (*Board, error) {
	if ValidateSlug(slug) != nil {
		return nil, Errorf(CodeNotFound, "no board %q", slug)
	}
	return s.store.BoardBySlug(ctx, slug)
}

// Boards lists every board.
func (s *Service) Boards(ctx context.Context) ([]Board, error) {
	return s.store.Boards(ctx)
}
