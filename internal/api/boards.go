package api

import (
	"net/http"
	"time"

	"parley/internal/forum"
)

type boardRequest struct {
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

type boardJSON struct {
	Slug         string     `json:"slug"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	MessageCount int64      `json:"message_count"`
	LastPostedAt *time.Time `json:"last_posted_at"` // null while empty
	CreatedAt    time.Time  `json:"created_at"`
	CreatedBy    string     `json:"created_by"`
}

type boardsJSON struct {
	Boards []boardJSON `json:"boards"`
}

func toBoardJSON(b *forum.Board) boardJSON {
	out := boardJSON{
		Slug:         b.Slug,
		Title:        b.Title,
		Description:  b.Description,
		MessageCount: b.LastNumber, // numbers have no gaps
		CreatedAt:    b.CreatedAt.UTC(),
		CreatedBy:    b.Creator,
	}
	if !b.LastPostedAt.IsZero() {
		t := b.LastPostedAt.UTC()
		out.LastPostedAt = &t
	}
	return out
}

// listBoards is GET /api/v1/boards.
func (s *server) listBoards(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.Boards(r.Context())
	if err != nil {
		return err
	}
	out := boardsJSON{Boards: make([]boardJSON, len(list))}
	for i := range list {
		out.Boards[i] = toBoardJSON(&list[i])
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// createBoard is POST /api/v1/boards.
func (s *server) createBoard(w http.ResponseWriter, r *http.Request, actor *forum.User) error {
	var in boardRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	b, err := s.svc.CreateBoard(r.Context(), actor, forum.NewBoard{Slug: in.Slug, Title: in.Title, Description: in.Description})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/boards/"+b.Slug)
	s.writeJSON(w, r, http.StatusCreated, toBoardJSON(b))
	return nil
}

// getBoard is GET /api/v1/boards/{slug}.
func (s *server) getBoard(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.Board(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, toBoardJSON(b))
	return nil
}
