package forum

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// DefaultSearchTimeout is how long a search may take unless the
	// configuration says otherwise: ranking the candidates of a common
	// word took up to 160 ms on 1.5 million messages, one search at a
	// time (docs/performance.md); what takes longer is a query to narrow.
	DefaultSearchTimeout = 500 * time.Millisecond
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
	// After, when positive, continues newest-first results after the hit
	// with that ID.
	After int64
	// Through and Skip place a page of relevance results: Through, when
	// positive, leaves out hits with a higher ID, so that every page ranks
	// the candidates the first did (the newest then), and Skip is how many
	// of their ranking earlier pages showed. Ranking by place rather than
	// by score keeps pages whole when scores move: bm25's do with every
	// message posted anywhere.
	Through int64
	Skip    int
	Limit   int
	// Candidates is, for relevance, how many of the newest hits are ranked.
	Candidates int
}

// SearchHits is what a Store finds for a SearchFilter.
type SearchHits struct {
	Hits []Message
	// Capped says, for relevance, that more than Candidates messages
	// matched, and Through is the highest ID of those ranked.
	Capped  bool
	Through int64
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

// SearchRequest is a search as a reader asks for it.
type SearchRequest struct {
	Query  string
	Sort   SearchSort // SortNewest when empty
	Cursor string     // from a previous SearchResult's Next
	Limit  int        // DefaultSearchLimit when 0
}

// SearchResult is a page of hits.
type SearchResult struct {
	Hits []SearchResultHit
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
// field "q"; an author or board that does not exist finds nothing. A
// search waits for its turn (Config.Searches run at once) and is stopped
// at Config.SearchTimeout, both CodeUnavailable: no reader's query can
// keep the engines busy, nor a crowd of them the pages waiting.
//
// Hits are as viewer (nil for nobody signed in) may see them.
func (s *Service) Search(ctx context.Context, viewer *User, req SearchRequest) (*SearchResult, error) {
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
	if !q.HasText() {
		req.Sort = SortNewest // filters alone: nothing to rank by
	}
	f := SearchFilter{Query: q, Sort: req.Sort, Limit: req.Limit + 1, Candidates: RankCandidates}
	if err := parseCursor(req.Cursor, &f); err != nil {
		return nil, err
	}
	res := &SearchResult{}
	// A name or slug no member or board could have is no one's, on every
	// store: it is not looked up (PostgreSQL would refuse a NUL in it).
	if q.Board != "" {
		if ValidateSlug(q.Board) != nil {
			return res, nil
		}
		if f.Board, err = s.store.BoardBySlug(ctx, q.Board); ErrorCode(err) == CodeNotFound {
			return res, nil
		} else if err != nil {
			return nil, err
		}
	}
	if q.Author != "" {
		if ValidateUserName(q.Author) != nil {
			return res, nil
		}
		if f.Author, err = s.store.UserByName(ctx, q.Author); ErrorCode(err) == CodeNotFound {
			return res, nil
		} else if err != nil {
			return nil, err
		}
	}
	page, err := s.runSearch(ctx, f)
	if err != nil {
		return nil, err
	}
	hits := page.Hits
	res.Capped = page.Capped
	if len(hits) > req.Limit {
		hits = hits[:req.Limit]
		if req.Sort == SortRelevance {
			res.Next = strconv.FormatInt(page.Through, 10) + "~" + strconv.Itoa(f.Skip+req.Limit)
		} else {
			res.Next = strconv.FormatInt(hits[req.Limit-1].ID, 10)
		}
	}
	terms := q.Terms()
	res.Hits = make([]SearchResultHit, len(hits))
	for i, h := range hits {
		seenBy(viewer, &h)
		res.Hits[i] = SearchResultHit{Message: h, Snippet: search.Snippet(h.Body, terms)}
	}
	return res, nil
}

// runSearch runs f on the store in its turn, within the search timeout.
func (s *Service) runSearch(ctx context.Context, f SearchFilter) (SearchHits, error) {
	bounded, cancel := context.WithTimeout(ctx, s.cfg.SearchTimeout)
	defer cancel()
	select {
	case s.searching <- struct{}{}:
		defer func() { <-s.searching }()
	case <-bounded.Done():
		if ctx.Err() != nil {
			return SearchHits{}, ctx.Err() // the reader left
		}
		return SearchHits{}, &Error{Code: CodeUnavailable, RetryAfter: time.Second,
			Message: "the server is busy with other searches; try again in a moment"}
	}
	page, err := s.store.Search(bounded, f)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return page, Errorf(CodeUnavailable,
			"this search took longer than %v and was stopped: narrow it with more words, a \"phrase\", board: or author:", s.cfg.SearchTimeout)
	}
	return page, err
}

// parseCursor sets f's place from a cursor Search gave: newest first, the
// last hit's ID; for relevance, the highest ID ranked and how many hits
// were shown, after a '~'.
func parseCursor(c string, f *SearchFilter) error {
	if c == "" {
		return nil
	}
	bad := fieldError(CodeInvalid, "cursor", "cursor is not one this search gave")
	id, skip, ranked := strings.Cut(c, "~")
	if ranked != (f.Sort == SortRelevance) {
		return bad
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return bad
	}
	if !ranked {
		f.After = n
		return nil
	}
	f.Through = n
	if f.Skip, err = strconv.Atoi(skip); err != nil || f.Skip < 1 || f.Skip > RankCandidates {
		return bad
	}
	return nil
}

// IndexBacklog indexes the boards whose messages were written before the
// search index existed, a board at a time, each in a transaction of its
// own: stopped, it resumes at the board it had not finished. The server
// runs it before it serves.
func (s *Service) IndexBacklog(ctx context.Context) error {
	boards, err := s.store.Backlog(ctx)
	if err != nil {
		return fmt.Errorf("read the search backlog: %w", err)
	}
	for _, id := range boards {
		if err := s.store.Reindex(ctx, id, Terms); err != nil && ErrorCode(err) != CodeNotFound {
			return fmt.Errorf("index board %d: %w", id, err)
		}
	}
	return nil
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
		if err := s.store.Reindex(ctx, b.ID, Terms); err != nil {
			return fmt.Errorf("reindex board %s: %w", b.Slug, err)
		}
	}
	return nil
}
