package api

import (
	"net/http"
	"time"

	"parley/internal/forum"
	"parley/internal/params"
)

// searchJSON is a page of search results. Next is the cursor of the
// following page, null on the last.
type searchJSON struct {
	Results []hitJSON `json:"results"`
	Next    *string   `json:"next"`
}

// hitJSON is one message found. Snippet is HTML: the words found in
// <mark>, everything else escaped text.
type hitJSON struct {
	Board     string    `json:"board"`
	Number    int64     `json:"number"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	Snippet   string    `json:"snippet"`
}

// search is GET /api/v1/search?q=…&limit=…&sort=newest|relevance&cursor=….
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	var req forum.SearchRequest
	var sort string
	for name, dst := range map[string]*string{"q": &req.Query, "sort": &sort, "cursor": &req.Cursor} {
		if *dst, _, err = params.Single(q, name); err != nil {
			return err
		}
	}
	if req.Query == "" {
		return forum.Errorf(forum.CodeInvalid, "q is required: the words to look for")
	}
	req.Sort = forum.SearchSort(sort)
	if req.Limit, err = params.Limit(q, forum.DefaultSearchLimit, forum.MaxSearchLimit); err != nil {
		return err
	}
	res, err := s.svc.Search(r.Context(), s.viewer(r), req)
	if err != nil {
		return err
	}
	out := searchJSON{Results: make([]hitJSON, len(res.Hits))}
	for i, h := range res.Hits {
		out.Results[i] = hitJSON{Board: h.Board, Number: h.Number, Author: h.Author, CreatedAt: h.CreatedAt.UTC(), Snippet: h.Snippet}
	}
	if res.Next != "" {
		out.Next = &res.Next
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
