package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"parley/internal/forum"
	"parley/internal/transfer"
)

// config is what the command line chooses; zero authors or boards mean
// "scaled to the number of messages".
type config struct {
	messages   int
	seed       uint64
	authors    int
	boards     int
	start, end time.Time
}

const (
	maxAuthors = 1_000_000
	maxBoards  = 1000

	// The giant board's share of the messages: on SI-like forums one
	// general board is where nearly everything happens.
	giantShare = 0.9
	giantSlug  = "general"
)

// authorCount is about one member per 20 messages, as on a talkative
// board where most members post now and then, up to the 20,000 of a
// forum of a million and a half messages.
func (c config) authorCount() int {
	if c.authors > 0 {
		return c.authors
	}
	return min(20000, max(10, c.messages/20))
}

// boardCount grows slowly with the size of the forum (50 boards at 1.5 M
// messages, 5 at 10,000) and never exceeds the messages, since no board
// is empty.
func (c config) boardCount() int {
	if c.boards > 0 {
		return c.boards
	}
	small := min(60, max(1, int(math.Ceil(math.Sqrt(float64(c.messages))/25))))
	return min(c.messages, 1+small)
}

// makeUsers returns n members sorted by name, their creation times
// rising in the same order and all before start. Sorting by name, by
// creation time and by file position then agree, so an export reproduces
// the file whichever of them it orders members by. Names hold only a–z
// and 0–9 so that byte order, case-insensitive order and locale collation
// agree as well. The first member is the admin.
func makeUsers(r *rand.Rand, n int, start time.Time) []transfer.User {
	names := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(names) < n {
		name := userName(r)
		// Common names run out on big forums: a number makes them unique,
		// as sign-up forms suggest.
		for seen[name] {
			name = userName(r) + strconv.Itoa(r.IntN(10000))
		}
		seen[name] = true
		names = append(names, name)
	}
	slices.Sort(names)

	// Members sign up over the three months before the first message, in
	// name order.
	step := max(time.Second, 90*24*time.Hour/time.Duration(n))
	first := start.Add(-time.Hour - time.Duration(n)*step)
	users := make([]transfer.User, n)
	for i, name := range names {
		jitter := time.Duration(r.Int64N(int64(step / 2)))
		users[i] = transfer.User{
			Name:      name,
			Role:      string(forum.RoleMember),
			CreatedAt: first.Add(time.Duration(i)*step + jitter).Truncate(time.Second),
		}
	}
	users[0].Role = string(forum.RoleAdmin)
	return users
}

// userName draws a name in one of the shapes members pick.
func userName(r *rand.Rand) string {
	first := firstNames[r.IntN(len(firstNames))]
	switch p := r.IntN(100); {
	case p < 25:
		return first + surnames[r.IntN(len(surnames))]
	case p < 40:
		return first + strconv.Itoa(10+r.IntN(90))
	case p < 50:
		return first + strconv.Itoa(1950+r.IntN(60))
	case p < 60:
		return first[:1] + surnames[r.IntN(len(surnames))]
	case p < 80:
		return adjectives[r.IntN(len(adjectives))] + nouns[r.IntN(len(nouns))]
	case p < 90:
		return nouns[r.IntN(len(nouns))] + strconv.Itoa(r.IntN(1000))
	default:
		return first
	}
}

// authors picks the author of each message: a Zipf law over activity
// ranks, so that a few members write a large share of everything, with
// ranks dealt to members at random so that activity does not follow the
// alphabet.
type authors struct {
	users  []transfer.User
	byRank []int // user index of each activity rank
	zipf   *rand.Zipf
}

// Zipf parameters: with 20,000 members the busiest 1 % write about 60 %
// of the messages and the quietest still a few; with 250, about 15 %.
const (
	zipfS = 1.1
	zipfV = 3
)

// newAuthors ranks users and makes a handful of the most active members
// moderators, as forums recruit them.
func newAuthors(r *rand.Rand, users []transfer.User) *authors {
	a := &authors{
		users:  users,
		byRank: r.Perm(len(users)),
		zipf:   rand.NewZipf(r, zipfS, zipfV, uint64(len(users)-1)),
	}
	mods := min(len(users)-1, max(1, min(8, len(users)/4000)))
	for _, rank := range r.Perm(min(len(users), 40)) {
		if mods == 0 {
			break
		}
		if i := a.byRank[rank]; i != 0 {
			users[i].Role = string(forum.RoleModerator)
			mods--
		}
	}
	return a
}

func (a *authors) pick() string { return a.users[a.byRank[a.zipf.Uint64()]].Name }

// staff returns the names of the admin and the moderators, the members
// who create boards, admin first.
func (a *authors) staff() []string {
	var names []string
	for _, u := range a.users {
		if u.Role != string(forum.RoleMember) {
			names = append(names, u.Name)
		}
	}
	return names
}

// boardPlan is a board and what its messages will be: how many and over
// which period.
type boardPlan struct {
	slug, title, description string
	createdBy                string
	messages                 int64
	from, to                 time.Time
}

// planBoards sizes and dates every board, sorted by slug as the file wants
// them. The giant board runs from start to end; small boards open at a
// random time and some die out early, as side boards do.
func planBoards(r *rand.Rand, c config, staff []string) []boardPlan {
	n := c.boardCount()
	small := n - 1
	rest := 0
	if small > 0 {
		rest = max(small, int(math.Round((1-giantShare)*float64(c.messages))))
	}
	plans := []boardPlan{{
		slug:        giantSlug,
		title:       "General discussion",
		description: "Anything and everything: the main board, where most of the talk happens.",
		createdBy:   staff[0],
		messages:    int64(c.messages - rest),
		from:        c.start,
		to:          c.end,
	}}

	topics := slices.Clone(boardTopics)
	r.Shuffle(len(topics), func(i, j int) { topics[i], topics[j] = topics[j], topics[i] })
	sizes := split(r, rest, small)
	span := c.end.Sub(c.start)
	for i := range small {
		t := topics[i%len(topics)]
		// Past the list, topics come back as numbered sequels ("music-2").
		if round := i / len(topics); round > 0 {
			t.slug += "-" + strconv.Itoa(round+1)
			t.title += " " + strconv.Itoa(round+1)
		}
		from := c.start.Add(time.Duration(r.Float64() * 0.85 * float64(span))).Truncate(time.Second)
		life := time.Duration((0.1 + 0.9*r.Float64()) * float64(c.end.Sub(from)))
		plans = append(plans, boardPlan{
			slug:        t.slug,
			title:       t.title,
			description: t.description,
			createdBy:   staff[r.IntN(len(staff))],
			messages:    int64(sizes[i]),
			from:        from,
			to:          from.Add(life).Truncate(time.Second),
		})
	}
	slices.SortFunc(plans, func(a, b boardPlan) int { return strings.Compare(a.slug, b.slug) })
	return plans
}

// split deals total messages to n boards, each at least one, in uneven
// (log-normal) shares: a few side boards are busy, most are quiet.
func split(r *rand.Rand, total, n int) []int {
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = math.Exp(r.NormFloat64())
		sum += weights[i]
	}
	sizes := make([]int, n)
	left := total
	for i, w := range weights {
		sizes[i] = 1 + int(w/sum*float64(total-n))
		left -= sizes[i]
	}
	for i := 0; left > 0; i = (i + 1) % n {
		sizes[i]++
		left--
	}
	return sizes
}
