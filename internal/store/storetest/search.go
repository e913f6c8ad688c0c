package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/password"
	"parley/internal/search"
)

// testSearch is the search language's conformance table: every store
// finds the same messages, in the same order, for every operator.
func testSearch(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	var now time.Time
	svc, err := forum.NewService(st, forum.Config{Render: Render, Now: func() time.Time { return now }, Password: password.Fast})
	if err != nil {
		t.Fatal(err)
	}
	ann := MustCreateUser(t, st, "ann")
	bob := MustCreateUser(t, st, "bob")
	for _, slug := range []string{"general", "other", "ranks"} {
		MustCreateBoard(t, st, ann, slug)
	}
	post := func(author *forum.User, slug, day, body string, replyTo int64) {
		t.Helper()
		at, err := time.Parse(time.DateOnly, day)
		if err != nil {
			t.Fatal(err)
		}
		now = at.Add(12 * time.Hour)
		if _, err := svc.Post(ctx, author, slug, forum.NewMessage{Body: body, ReplyTo: replyTo}); err != nil {
			t.Fatal(err)
		}
	}
	// Posted in time order, as a forum is: newest first is by ID.
	post(ann, "general", "2020-01-01", "The troops marched at dawn", 0)                    // general/1
	post(ann, "other", "2020-01-15", "Troops in another board", 0)                         // other/1
	post(bob, "other", "2020-01-16", "CAFÉ in another board, NEAR(x) col:y ^z *w", 0)      // other/2
	post(bob, "general", "2020-02-01", "A troop of scouts met at the Café", 1)             // general/2
	post(ann, "general", "2020-03-01", "Coffee at the cafe again, said the scout", 2)      // general/3
	post(bob, "general", "2020-04-01", "Exact phrase here: the quick brown fox", 0)        // general/4
	post(ann, "general", "2020-05-01", "brown quick fox, not in order", 4)                 // general/5
	post(bob, "general", "2020-06-01", "troops: a secret to be removed", 0)                // general/6
	post(ann, "general", "2020-07-01", `<script>alert("x")</script> troops & "quotes"`, 1) // general/7
	post(ann, "ranks", "2021-01-01", "vixen", 0)                                           // ranks/1
	post(ann, "ranks", "2021-01-02", "vixen vixen vixen vixen", 0)                         // ranks/2
	post(ann, "ranks", "2021-01-03", "vixen vixen", 0)                                     // ranks/3
	post(ann, "ranks", "2021-01-04", "vixen", 0)                                           // ranks/4
	for n := 8; n <= 19; n++ {
		post(bob, "general", "2021-02-01", fmt.Sprintf("filler text, line %d", n), 0) // general/8–19
	}
	mod := MustCreateUser(t, st, "mod")
	mod.Role = forum.RoleModerator
	if err := svc.Remove(ctx, mod, "general", 6); err != nil {
		t.Fatal(err)
	}

	g := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, fmt.Sprintf("general/%d", n))
		}
		return out
	}
	fillers := g(19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8)
	for _, tc := range []struct {
		q    string
		sort forum.SearchSort
		want []string
	}{
		{"troops", "", []string{"general/7", "general/2", "other/1", "general/1"}},
		{"TROOP", "", []string{"general/7", "general/2", "other/1", "general/1"}},
		{"cafe", "", []string{"general/3", "general/2", "other/2"}},
		{"café", "", []string{"general/3", "general/2", "other/2"}},
		{`"quick brown fox"`, "", g(4)},
		{"quick brown fox", "", g(5, 4)},
		{`fox -"quick brown"`, "", g(5)},
		{"fox -exact", "", g(5)},
		{"scout OR coffee", "", g(3, 2)},
		{"marched OR alert", "", g(7, 1)},
		{"troops author:bob", "", g(2)},
		{"troops author:BOB", "", g(2)},
		{"troops board:other", "", []string{"other/1"}},
		{"cafe after:2020-02-01 before:2020-03-01", "", g(2)},
		{"cafe after:2020-02-02", "", []string{"general/3"}},
		{"cafe before:2020-02-01", "", []string{"other/2"}},
		{"board:general replyto:1", "", g(7, 2)},
		{"board:general replyto:1 troops", "", g(7, 2)},
		{"board:general number:2..4", "", g(4, 3, 2)},
		{"board:general number:2..4 cafe", "", g(3, 2)},
		{"board:general number:18..", "", g(19, 18)},
		{"author:ann board:general", "", g(7, 5, 3, 1)},
		{"author:ann troops OR vixen -alert", "", []string{"ranks/4", "ranks/3", "ranks/2", "ranks/1", "other/1", "general/1"}},
		{"near col", "", []string{"other/2"}},
		{"secret", "", nil},
		{"board:general number:6", "", nil},
		{"author:nobody troops", "", nil},
		{"board:nowhere troops", "", nil},
		{"filler", "", fillers},
		{"vixen", forum.SortRelevance, []string{"ranks/2", "ranks/3", "ranks/4", "ranks/1"}},
		{"board:ranks vixen", forum.SortRelevance, []string{"ranks/2", "ranks/3", "ranks/4", "ranks/1"}},
		{"author:ann board:ranks", forum.SortRelevance, []string{"ranks/4", "ranks/3", "ranks/2", "ranks/1"}},
		{"vixen", forum.SortNewest, []string{"ranks/4", "ranks/3", "ranks/2", "ranks/1"}},
		{"author:ann vixen", forum.SortRelevance, []string{"ranks/2", "ranks/3", "ranks/4", "ranks/1"}},
		{"vixen after:2021-01-02", forum.SortRelevance, []string{"ranks/2", "ranks/3", "ranks/4"}},
		{"board:general number:2..4 cafe", forum.SortRelevance, g(3, 2)}, // a tie: newest first
		{"board:general replyto:1 troops", forum.SortRelevance, g(7, 2)},
	} {
		// Every query again in pages of 3, which must make the same list.
		for _, limit := range []int{100, 3} {
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				res, err := svc.Search(ctx, nil, forum.SearchRequest{Query: tc.q, Sort: tc.sort, Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatalf("Search(%q): %v", tc.q, err)
				}
				for _, h := range res.Hits {
					got = append(got, fmt.Sprintf("%s/%d", h.Board, h.Number))
				}
				if res.Next == "" || pages > 10 {
					break
				}
				cursor = res.Next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q, %s) by %d = %q, want %q", tc.q, tc.sort, limit, got, tc.want)
			}
		}
	}

	t.Run("Hits", func(t *testing.T) {
		res, err := svc.Search(ctx, nil, forum.SearchRequest{Query: "alert troops"})
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("Search = %+v, %v", res, err)
		}
		h := res.Hits[0]
		if h.Author != "ann" || h.Board != "general" || h.Number != 7 || h.ReplyTo != 1 || !h.CreatedAt.Equal(time.Date(2020, 7, 1, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("hit = %+v", h.Message)
		}
		want := `&lt;script&gt;<mark>alert</mark>(&#34;x&#34;)&lt;/script&gt; <mark>troops</mark> &amp; &#34;quotes&#34;`
		if h.Snippet != want {
			t.Errorf("snippet = %q, want %q", h.Snippet, want)
		}
		if res.Next != "" || res.Capped {
			t.Errorf("Next %q, Capped %v on the only page", res.Next, res.Capped)
		}
	})

	t.Run("Capped", func(t *testing.T) {
		q, err := search.Parse("vixen")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			candidates int
			want       []int64
			capped     bool
		}{
			{2, []int64{3, 4}, true}, // the newest two, ranked: two vixens above one
			{4, []int64{2, 3, 4, 1}, false},
		} {
			page, err := st.Search(ctx, forum.SearchFilter{Query: q, Sort: forum.SortRelevance, Limit: 10, Candidates: tc.candidates})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, h := range page.Hits {
				got = append(got, h.Number)
			}
			if page.Capped != tc.capped || !slices.Equal(got, tc.want) {
				t.Errorf("candidates %d: hits %v, capped %v; want %v, %v", tc.candidates, got, page.Capped, tc.want, tc.capped)
			}
		}
	})

	// Pages of relevance results rank the candidates of the first page,
	// by place: what is posted meanwhile, which moves bm25's scores and
	// adds hits, neither drops nor repeats any.
	t.Run("RelevancePagesHold", func(t *testing.T) {
		var got []string
		res, err := svc.Search(ctx, nil, forum.SearchRequest{Query: "vixen", Sort: forum.SortRelevance, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		for page := 0; ; page++ {
			for _, h := range res.Hits {
				got = append(got, fmt.Sprintf("%s/%d", h.Board, h.Number))
			}
			if res.Next == "" || page > 5 {
				break
			}
			if page == 0 {
				for n := range 30 {
					post(bob, "other", "2022-01-01", fmt.Sprintf("unrelated words %d", n), 0)
				}
				post(bob, "ranks", "2022-01-02", "vixen vixen vixen vixen vixen", 0)
			}
			if res, err = svc.Search(ctx, nil, forum.SearchRequest{Query: "vixen", Sort: forum.SortRelevance, Limit: 1, Cursor: res.Next}); err != nil {
				t.Fatal(err)
			}
		}
		if want := []string{"ranks/2", "ranks/3", "ranks/4", "ranks/1"}; !slices.Equal(got, want) {
			t.Errorf("pages with posts between them held %q, want %q", got, want)
		}
	})

	t.Run("Reindex", func(t *testing.T) {
		if err := svc.Reindex(ctx, ""); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Search(ctx, nil, forum.SearchRequest{Query: "troops OR secret"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, fmt.Sprintf("%s/%d", h.Board, h.Number))
		}
		if want := []string{"general/7", "general/2", "other/1", "general/1"}; !slices.Equal(got, want) {
			t.Errorf("after Reindex: %q, want %q", got, want)
		}
		if err := svc.Reindex(ctx, "nowhere"); forum.ErrorCode(err) != forum.CodeNotFound {
			t.Errorf("Reindex(nowhere) = %v, want not found", err)
		}
	})

	// A board whose messages were never indexed is found once reindexed:
	// Reindex builds the index, not only mends it.
	t.Run("ReindexFromNothing", func(t *testing.T) {
		var msgs []*forum.Message
		for n, body := range []string{"a quagga here", "no such animal", "a removed quagga"} {
			m := newMessage(&forum.Board{}, ann, body, 0)
			m.Number, m.Terms = int64(n+1), ""
			if n == 2 {
				m.Removed, m.RemovedAt = forum.RemovedByModerator, Tick()
			}
			msgs = append(msgs, m)
		}
		loadBoard(t, st, ann, "unindexed", msgs...)
		const q = "quagga board:unindexed"
		if got := hitsOf(t, svc, q); len(got) != 0 {
			t.Fatalf("before Reindex: %q, want nothing (the messages were loaded without terms)", got)
		}
		if err := svc.Reindex(ctx, "unindexed"); err != nil {
			t.Fatal(err)
		}
		if got, want := hitsOf(t, svc, q), []string{"unindexed/1"}; !slices.Equal(got, want) {
			t.Errorf("after Reindex: %q, want %q", got, want)
		}
	})

	t.Run("Loaded", func(t *testing.T) {
		var msgs []*forum.Message
		for n, body := range []string{
			"a loaded zebra",
			// More places of one word than PostgreSQL keeps: the last are
			// not indexed, on either store.
			strings.Repeat("zebra crossing ", 300) + "at last",
			"a removed zebra",
		} {
			m := newMessage(&forum.Board{}, ann, body, 0)
			m.Number = int64(n + 1)
			if n == 2 {
				m.Removed, m.RemovedAt = forum.RemovedByModerator, Tick()
				m.Terms = ""
			}
			msgs = append(msgs, m)
		}
		loadBoard(t, st, ann, "loaded", msgs...)
		for q, want := range map[string][]string{
			"zebra":                    {"loaded/2", "loaded/1"},
			`"zebra crossing at last"`: nil,
			`"crossing at last"`:       nil,
			`"at last"`:                {"loaded/2"},
			"crossing board:loaded":    {"loaded/2"},
		} {
			if got := hitsOf(t, svc, q); !slices.Equal(got, want) {
				t.Errorf("after a load, %s found %q, want %q", q, got, want)
			}
		}
	})

	// Posts and removals made while a board is reindexed wait for it or
	// come after it: none is indexed twice, none removed comes back.
	t.Run("ReindexWhilePosting", func(t *testing.T) {
		const loaded = 5000
		msgs := make([]*forum.Message, loaded)
		for i := range msgs {
			msgs[i] = newMessage(&forum.Board{}, ann, fmt.Sprintf("okapi number %d", i+1), 0)
			msgs[i].Number = int64(i + 1)
		}
		loadBoard(t, st, ann, "busy", msgs...)
		done := make(chan error, 1)
		go func() { done <- svc.Reindex(ctx, "busy") }()
		mod := &forum.User{ID: ann.ID, Name: ann.Name, Role: forum.RoleModerator}
		if err := svc.Remove(ctx, mod, "busy", 10); err != nil {
			t.Fatal(err)
		}
		posted := 0
		for reindexing := true; reindexing; posted++ {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Reindex while posting: %v", err)
				}
				reindexing = false
			default:
			}
			if _, err := svc.Post(ctx, bob, "busy", forum.NewMessage{Body: "okapi posted meanwhile"}); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{"okapi 10": 0, `"okapi posted"`: posted, "okapi": loaded - 1 + posted} {
			var got int
			var err error
			res := &forum.SearchResult{Next: "start"}
			for cursor := ""; res.Next != ""; cursor = res.Next {
				if res, err = svc.Search(ctx, nil, forum.SearchRequest{Query: "board:busy " + q, Limit: forum.MaxSearchLimit, Cursor: cursor}); err != nil {
					t.Fatal(err)
				}
				got += len(res.Hits)
			}
			if got != want {
				t.Errorf("after reindexing while %d were posted, %s found %d, want %d", posted, q, got, want)
			}
		}
	})

	t.Run("Refused", func(t *testing.T) {
		for _, req := range []forum.SearchRequest{
			{Query: ""},
			{Query: "before:2020-13-01 x"},
			{Query: "x", Sort: "best"},
			{Query: "x", Limit: forum.MaxSearchLimit + 1},
			{Query: "x", Cursor: "12~5"},
			{Query: "x", Sort: forum.SortRelevance, Cursor: "12"},
			{Query: "x", Sort: forum.SortRelevance, Cursor: "12~0"},
			{Query: "x", Sort: forum.SortRelevance, Cursor: "12~0.5"},
			{Query: "x", Cursor: "abc"},
			{Query: strings.Repeat("x ", 600)},
			{Query: "author:ann -troops"},
			{Query: "board:general after:2020-01-01"},
			{Query: "-the -a -to after:2015-01-01"},
			{Query: "x -a -b -c -d -e -f -g -h -i"},
		} {
			if _, err := svc.Search(ctx, nil, req); forum.ErrorCode(err) != forum.CodeInvalid {
				t.Errorf("Search(%+v) = %v, want invalid", req, err)
			}
		}
	})
}

// testSearchTimeout: a search stops at its context's deadline — the engine
// itself, not only the caller's wait for it — and says so. On a board
// where the engine must check every message for a phrase, the whole search
// is timed first, newest first (its first hit comes at once, the rest
// only after every message is read) and by relevance; with a deadline at
// a tenth of that, it must end in under half, with an error that wraps
// context.DeadlineExceeded. Ratios of one run, not times: machines differ.
func testSearchTimeout(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	f := CommonWordsBoard(t, st, 20_000)
	for _, sort := range []forum.SearchSort{forum.SortNewest, forum.SortRelevance} {
		t.Run(string(sort), func(t *testing.T) {
			f.Sort = sort
			whole := time.Duration(1<<63 - 1)
			for range 3 {
				start := time.Now()
				page, err := st.Search(t.Context(), f)
				if err != nil || len(page.Hits) != 2 {
					t.Fatalf("the whole search found %d, %v; want the first and last messages", len(page.Hits), err)
				}
				whole = min(whole, time.Since(start))
			}
			deadline := whole / 10
			stopped := time.Duration(1<<63 - 1)
			for range 3 {
				ctx, cancel := context.WithTimeout(t.Context(), deadline)
				start := time.Now()
				_, err := st.Search(ctx, f)
				took := time.Since(start)
				cancel()
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("a search past its deadline of %v (the whole search takes %v) answered %v, want context.DeadlineExceeded", deadline, whole, err)
				}
				stopped = min(stopped, took)
			}
			t.Logf("the whole search: %v; with a deadline of %v it stopped after %v", whole, deadline, stopped)
			if stopped > whole/2 {
				t.Errorf("with a deadline at a tenth of its cost (%v of %v), the search took %v: the engine ran on", deadline, whole, stopped)
			}
		})
	}
}

// CommonWordsBoard loads a board of size messages that each hold the same
// sixteen common words, each message in an order of its own, and returns
// a search for two phrases of them that only the first and the last
// message hold: every message is a candidate the engine must check.
func CommonWordsBoard(tb testing.TB, st forum.Store, size int) forum.SearchFilter {
	tb.Helper()
	ctx := tb.Context()
	ann := MustCreateUser(tb, st, "common")
	ld, err := st.Load(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer ld.Close()
	b := &forum.Board{Slug: "common", Title: "Common words", CreatedAt: Tick(), CreatorID: ann.ID}
	if err := ld.CreateBoard(ctx, b); err != nil {
		tb.Fatal(err)
	}
	phrases := []string{"the to i a and of it is", "that you in for not this but be"}
	words := strings.Fields(strings.Join(phrases, " "))
	for i := range size {
		body := strings.Join(phrases, ". ")
		if i > 0 && i < size-1 {
			order := slices.Clone(words)
			for j := range order {
				k := (i*7 + j*13 + j*j) % len(order)
				order[j], order[k] = order[k], order[j]
			}
			body = strings.Join(order, " ") // holding neither phrase: testSearchTimeout checks
		}
		m := newMessage(b, ann, body+fmt.Sprintf(" n%d", i), 0)
		m.Number = int64(i + 1)
		if err := ld.AddMessage(ctx, m); err != nil {
			tb.Fatal(err)
		}
	}
	if err := ld.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
	q, err := search.Parse(`"` + phrases[0] + `" OR "` + phrases[1] + `"`)
	if err != nil {
		tb.Fatal(err)
	}
	return forum.SearchFilter{Query: q, Board: mustBoard(tb, st, "common"), Sort: forum.SortNewest, Limit: 21, Candidates: forum.RankCandidates}
}

// loadBoard creates board slug, opened by creator, and loads msgs into it
// (their BoardID set here) in one unit; the Loader is closed, letting go
// of SQLite's writer.
func loadBoard(tb testing.TB, st forum.Store, creator *forum.User, slug string, msgs ...*forum.Message) *forum.Board {
	tb.Helper()
	ctx := tb.Context()
	ld, err := st.Load(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer ld.Close()
	b := &forum.Board{Slug: slug, Title: "Board " + slug, CreatedAt: Tick(), CreatorID: creator.ID}
	if err := ld.CreateBoard(ctx, b); err != nil {
		tb.Fatal(err)
	}
	for _, m := range msgs {
		m.BoardID, m.Board = b.ID, slug
		if err := ld.AddMessage(ctx, m); err != nil {
			tb.Fatal(err)
		}
	}
	if err := ld.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := ld.Close(); err != nil {
		tb.Fatal(err)
	}
	return b
}

// hitsOf is what a search for q finds, as board/number, in order.
func hitsOf(tb testing.TB, svc *forum.Service, q string) []string {
	tb.Helper()
	res, err := svc.Search(tb.Context(), nil, forum.SearchRequest{Query: q})
	if err != nil {
		tb.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, fmt.Sprintf("%s/%d", h.Board, h.Number))
	}
	return got
}
