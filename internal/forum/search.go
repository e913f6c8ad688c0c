package forum

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"parley/internal/search"
)

// Search limits.
const (
	// DefaultSearchLimit is the number of hits a page of results holds
	// when the request names none; MaxSearchLimit the most it may ask.
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	// RankCandidates is how many of the newest hits relevance ranks: the
	// engines' ranking costs time in proportion to the hits ranked (a
	// word in a tenth of 1.5 million messages would take seconds). On that
	// many, ranking 10,000 took 96–183 ms a query on SQLite, 5,000 took
	// 75–143 ms (docs/performance.md).
	RankCandidates = 5_000
)

// SearchSort orders search results.
type SearchSort string

// The orders of results.
const (
	SortNewest    SearchSort = "newest"
	SortRelevance SearchSort = "relevance"
)

// SearchFilter is a search as a Store runs it: the parsed query, with its
// author and board found.
type SearchFilter struct {
	// Query holds the words and phrases, the dates and the numbers; its
	// Author and Board are resolved into the fields below.
	Query search.Query
	// Board and Author, when not nil, narrow the search to them. Their
	// counters (LastNumber, MessageCount) tell the store how many
	// messages that leaves, to choose how to search.
	Board  *Board
	Author *User
	Sort   SearchSort
	// After, when its ID is positive, continues the results after that
	// hit: older for newest first, lower ranked for relevance.
	After SearchKey
	Limit int
	// Candidates is, for relevance, how many of the newest hits are ranked.
	Candidates int
}

// ThroughBoard reports whether a search without words is best read
// through its board's messages (by number) rather than its author's (by
// ID): when it has a board, and the board is the smaller or the search
// asks for replies or numbers in it.
func (f SearchFilter) ThroughBoard() bool {
	q := f.Query
	return f.Board != nil && (f.Author == nil || f.Board.LastNumber <= f.Author.MessageCount ||
		q.ReplyTo > 0 || q.From > 0 || q.To > 0)
}

// SearchKey places a hit in the results: by ID (newest first), or by rank
// and then ID (relevance).
type SearchKey struct {
	ID   int64
	Rank float64
}

// SearchHit is one message found, with its place in the results. Rank is
// higher for better matches; only relevance sets it.
type SearchHit struct {
	Message
	Rank float64
}

// SearchRequest is a search as a reader asks for it.
type SearchRequest struct {
	Query  string
	Sort   SearchSort // SortNewest when empty
	Cursor string     // from a previous SearchResult's Next
	Limit  int        // DefaultSearchLimit when 0
}

// SearchResult is a page of hits.
type SearchResult struct {
	Query search.Query
	Hits  []SearchResultHit
	// Next is the Cursor of the following page; empty on the last.
	Next string
	// Capped says that relevance ranked only the newest RankCandidates
	// hits, because there were more.
	Capped bool
}

// SearchResultHit is a message found, with its excerpt: HTML in which the
// words found are in <mark> and everything else is escaped text.
type SearchResultHit struct {
	Message
	Snippet string
}

// Search runs a query. A query that cannot be run is CodeInvalid about
// field "q"; an author or board that does not exist finds nothing.
func (s *Service) Search(ctx context.Context, req SearchRequest) (*SearchResult, error) {
	if req.Sort == "" {
		req.Sort = SortNewest
	}
	if req.Sort != SortNewest && req.Sort != SortRelevance {
		return nil, fieldError(CodeInvalid, "sort", "sort must be newest or relevance")
	}
	if req.Limit == 0 {
		req.Limit = DefaultSearchLimit
	}
	if req.Limit < 1 || req.Limit > MaxSearchLimit {
		return nil, fieldError(CodeInvalid, "limit", "limit must be between 1 and %d", MaxSearchLimit)
	}
	q, err := search.Parse(req.Query)
	if perr, ok := errors.AsType[*search.Error](err); ok {
		return nil, fieldError(CodeInvalid, "q", "%s", perr.Message)
	}
	if err != nil {
		return nil, err
	}
	after, err := parseCursor(req.Cursor, req.Sort)
	if err != nil {
		return nil, err
	}
	f := SearchFilter{Query: q, Sort: req.Sort, After: after, Limit: req.Limit + 1, Candidates: RankCandidates}
	res := &SearchResult{Query: q}
	if q.Board != "" {
		if f.Board, err = s.store.BoardBySlug(ctx, q.Board); ErrorCode(err) == CodeNotFound {
			return res, nil
		} else if err != nil {
			return nil, err
		}
	}
	if q.Author != "" {
		if f.Author, err = s.store.UserByName(ctx, q.Author); ErrorCode(err) == CodeNotFound {
			return res, nil
		} else if err != nil {
			return nil, err
		}
	}
	hits, capped, err := s.store.Search(ctx, f)
	if err != nil {
		return nil, err
	}
	res.Capped = capped
	if len(hits) > req.Limit {
		hits = hits[:req.Limit]
		res.Next = formatCursor(hits[req.Limit-1], req.Sort)
	}
	terms := q.Terms()
	res.Hits = make([]SearchResultHit, len(hits))
	for i, h := range hits {
		res.Hits[i] = SearchResultHit{Message: h.Message, Snippet: search.Snippet(h.Body, terms)}
	}
	return res, nil
}

// A cursor is the last hit's ID, and for relevance its rank after a '~'.
// Ranks are printed exactly, so a page continues where the last ended.
func formatCursor(h SearchHit, sort SearchSort) string {
	c := strconv.FormatInt(h.ID, 10)
	if sort == SortRelevance {
		c += "~" + strconv.FormatFloat(h.Rank, 'g', -1, 64)
	}
	return c
}

func parseCursor(c string, sort SearchSort) (SearchKey, error) {
	if c == "" {
		return SearchKey{}, nil
	}
	bad := fieldError(CodeInvalid, "cursor", "cursor is not one this search gave")
	id, rank, ranked := strings.Cut(c, "~")
	if ranked != (sort == SortRelevance) {
		return SearchKey{}, bad
	}
	var k SearchKey
	var err error
	if k.ID, err = strconv.ParseInt(id, 10, 64); err != nil || k.ID < 1 {
		return SearchKey{}, bad
	}
	if ranked {
		if k.Rank, err = strconv.ParseFloat(rank, 64); err != nil || k.Rank != k.Rank {
			return SearchKey{}, bad
		}
	}
	return k, nil
}

// Reindex rebuilds the search index of one board, or of every board when
// slug is empty, from the messages.
func (s *Service) Reindex(ctx context.Context, slug string) error {
	var boards []Board
	if slug != "" {
		b, err := s.store.BoardBySlug(ctx, slug)
		if err != nil {
			return err
		}
		boards = []Board{*b}
	} else {
		var err error
		if boards, err = s.store.Boards(ctx); err != nil {
			return err
		}
	}
	for _, b := range boards {
		if err := s.store.Reindex(ctx, b.ID); err != nil {
			return fmt.Errorf("reindex board %s: %w", b.Slug, err)
		}
	}
	return nil
}
