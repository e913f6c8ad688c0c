package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/forum"
)

type searchAnswer struct {
	Results []struct {
		Board     string    `json:"board"`
		Number    int64     `json:"number"`
		Author    string    `json:"author"`
		CreatedAt time.Time `json:"created_at"`
		Snippet   string    `json:"snippet"`
	} `json:"results"`
	Next *string `json:"next"`
}

func TestSearch(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, ann := mustMember(t, s, "ann", forum.RoleModerator)
		mustBoard(t, s, ann, "intc")
		mustPost(t, s, ann, "intc", "The troops marched on the Café", 0)
		mustPost(t, s, ann, "intc", "A troop answered", 1)
		mustPost(t, s, ann, "intc", "troops to be removed", 0)
		for n := 4; n <= 8; n++ {
			mustPost(t, s, ann, "intc", fmt.Sprintf("filler %d", n), 0)
		}
		mustCall(t, s, http.StatusNoContent, "DELETE", "/api/v1/boards/intc/messages/3", ann, nil, nil)

		a := mustCall(t, s, http.StatusOK, "GET", "/api/v1/search?q=troops", "", nil, nil)
		top := mustObject(t, a.body, "results", "next")
		if top["next"] != nil {
			t.Errorf("next = %v on the only page", top["next"])
		}
		var res searchAnswer
		mustCall(t, s, http.StatusOK, "GET", "/api/v1/search?q=troops", "", nil, &res)
		var got []int64
		for _, r := range res.Results {
			got = append(got, r.Number)
		}
		if !slices.Equal(got, []int64{2, 1}) {
			t.Fatalf("troops found %v, want [2 1] (3 is removed)", got)
		}
		r := res.Results[1]
		if r.Board != "intc" || r.Author != "ann" || !r.CreatedAt.Equal(now) ||
			r.Snippet != "The <mark>troops</mark> marched on the Café" {
			t.Errorf("result = %+v", r)
		}
		mustObject(t, mustJSON(t, res.Results[0]), "board", "number", "author", "created_at", "snippet")

		// Paging by next, newest first and by relevance.
		for _, sort := range []string{"newest", "relevance"} {
			var numbers []int64
			path := "/api/v1/search?q=filler&limit=2&sort=" + sort
			for page := 0; page < 5; page++ {
				var res searchAnswer
				mustCall(t, s, http.StatusOK, "GET", path, "", nil, &res)
				for _, r := range res.Results {
					numbers = append(numbers, r.Number)
				}
				if res.Next == nil {
					break
				}
				path = "/api/v1/search?q=filler&limit=2&sort=" + sort + "&cursor=" + url.QueryEscape(*res.Next)
			}
			if !slices.Equal(numbers, []int64{8, 7, 6, 5, 4}) {
				t.Errorf("sort=%s: pages held %v, want [8 7 6 5 4]", sort, numbers)
			}
		}
	})
}

// TestSearchRefuses: a query that cannot run is a 400 with a JSON error
// saying why; hostile text is words or a 400, never a 5xx.
func TestSearchRefuses(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, ann := mustMember(t, s, "ann", forum.RoleMember)
		mustBoard(t, s, ann, "intc")
		mustPost(t, s, ann, "intc", "near col x", 0)
		for _, tc := range []struct{ query, want string }{
			{"", "q is required"},
			{"q=", "q is required"},
			{"q=x&q=y", "q is given more than once"},
			{"q=x&limit=0", "limit must be an integer from 1 to 100"},
			{"q=x&limit=101", "limit must be an integer from 1 to 100"},
			{"q=x&sort=best", "sort must be newest or relevance"},
			{"q=x&cursor=zzz", "cursor is not one this search gave"},
			{"q=" + url.QueryEscape("before:2024-02-30 x"), "give a day as YYYY-MM-DD"},
			{"q=replyto:5", "need board:"},
			{"q=" + url.QueryEscape(strings.Repeat("x", 4000)), "at most 1000 characters"},
			{"q=%ff", "UTF-8"},
			{"q=%", "malformed query string"},
			// What read a whole board to reject most of it.
			{"q=" + url.QueryEscape("-the -a -to after:2015-01-01"), "give a word"},
			{"q=" + url.QueryEscape("board:intc before:2030-01-01"), "after: and before: narrow what words find"},
			{"q=" + url.QueryEscape("author:ann -x"), "give a word"},
			{"q=" + url.QueryEscape("near "+strings.Repeat("-x ", 31)), "at most 8 words or phrases"},
			{"q=" + url.QueryEscape("near"+strings.Repeat(" OR x", 9)), "at most 8 alternatives"},
		} {
			msg := mustError(t, call(t, s, "GET", "/api/v1/search?"+tc.query, "", nil), http.StatusBadRequest, "invalid")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s: error %q, want it to say %q", tc.query, msg, tc.want)
			}
		}
		for _, q := range []string{
			`NEAR(near col)`, `near*`, `^near`, `col:x`, `"near`, `near"`, `""`, `near AND OR NOT col`,
			"near\x00col", `'near' & !col`, `near <-> col`, `{near}`, `near:*`, `-near col`, `-"" near`,
			strings.Repeat("near ", 30), `author:"x`, `board:`, `number:1..2`,
		} {
			a := call(t, s, "GET", "/api/v1/search?q="+url.QueryEscape(q), "", nil)
			if a.status != http.StatusOK && a.status != http.StatusBadRequest {
				t.Errorf("q=%q: status %d: %s", q, a.status, a.body)
			}
		}
		var res searchAnswer
		mustCall(t, s, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape(`NEAR(near col`), "", nil, &res)
		if len(res.Results) != 1 {
			t.Errorf("NEAR(near col found %d messages, want the one with the words near and col", len(res.Results))
		}
	})
}
