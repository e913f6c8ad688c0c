package bulk_test

import (
	"fmt"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/store/bulk"
)

// TestBuffer: messages are written in order with their reply counts,
// replies to messages written before are counted for the store to apply,
// and the counters of members and boards are summed.
func TestBuffer(t *testing.T) {
	var written []*forum.Message
	b := bulk.New(func(msgs []*forum.Message) error {
		written = append(written, msgs...)
		return nil
	})
	at := time.Date(2007, 8, 10, 13, 42, 12, 0, time.UTC)
	const n = 10_000 // more than a Buffer holds
	for i := int64(1); i <= n; i++ {
		m := &forum.Message{BoardID: 7, Number: i, AuthorID: 1 + i%3, CreatedAt: at.Add(time.Duration(i) * time.Second)}
		switch {
		case i == 2, i == 3:
			m.ReplyTo = 1
		case i == n:
			m.ReplyTo = 1 // long written by now
		case i > 3:
			m.ReplyTo = i - 1
		}
		if err := b.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	c, err := b.Take()
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != n {
		t.Fatalf("%d messages written, want %d", len(written), n)
	}
	for i, m := range written {
		want := int64(1) // each answered by the next
		switch m.Number {
		case 1:
			want = 2 // and once more, counted apart
		case 2, n - 1, n:
			want = 0
		}
		if m.Number != int64(i+1) || m.ReplyCount != want {
			t.Fatalf("written[%d]: message %d with %d replies; want %d with %d", i, m.Number, m.ReplyCount, i+1, want)
		}
	}
	if got := fmt.Sprint(c.Replies); got != "map[{7 1}:1]" {
		t.Errorf("replies to messages written before: %s; want one to 1", got)
	}
	if got := fmt.Sprint(c.Authors); got != "map[1:3333 2:3334 3:3333]" {
		t.Errorf("authors' counts: %s", got)
	}
	if tail := c.Boards[7]; tail.Last != n || !tail.Posted.Equal(at.Add(n*time.Second)) {
		t.Errorf("board's tail: %+v", tail)
	}
}

// TestDeferIndexes: indexes are built after the rows only for a unit past
// both the table's size and 50,000 rows, all of them on boards it created.
func TestDeferIndexes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		created  bool
		existing int64
		rows     int
		want     bool
	}{
		{"Small", true, 0, 50_000, false},
		{"Large", true, 0, 50_001, true},
		{"SmallerThanTheTable", true, 100_000, 60_000, false},
		{"LargerThanTheTable", true, 100_000, 100_001, true},
		{"StoredBoard", false, 0, 100_000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bulk.New(func([]*forum.Message) error { return nil })
			if tc.created {
				b.Created(7)
			}
			if err := b.Add(&forum.Message{BoardID: 7, Number: 1}); err != nil {
				t.Fatal(err)
			}
			if got := b.DeferIndexes(tc.existing, tc.rows); got != tc.want {
				t.Errorf("DeferIndexes(%d, %d) = %v, want %v", tc.existing, tc.rows, got, tc.want)
			}
		})
	}
}
