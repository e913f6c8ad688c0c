package forum

import (
	"context"
	"slices"
)

// ThreadNode is one message of a thread with the replies to it.
type ThreadNode struct {
	Message Message
	Depth   int           // 0 at the root
	Replies []*ThreadNode // ascending by number
}

// Thread is the tree of replies holding one message.
type Thread struct {
	Board *Board
	Root  *ThreadNode
	// Focus is the message the reader asked for.
	Focus int64
	// Top is the first message of the whole thread; Root.Message.Number
	// differs from it when the thread was too large to show whole and the
	// view starts at an ancestor of Focus nearer to it.
	Top int64
	// Complete is false when messages of the tree were left out (more than
	// MaxThread of them).
	Complete bool
}

// MaxThread is the most messages shown in one thread view.
const MaxThread = 500

// maxThreadDepth is the most reply_to steps followed upward to find the
// top of a thread: a chain longer than that is shown from the message that
// many steps above the one asked for.
const maxThreadDepth = 10000

// Thread returns the tree of replies that holds message n of a board, from
// the first message of the thread down, breadth-first, at most MaxThread
// messages. When the whole tree is larger and n falls outside the part
// shown, the view starts at n's parent instead, so that the reader sees the
// branch around n. Its messages are as viewer may see them.
func (s *Service) Thread(ctx context.Context, viewer *User, slug string, n int64) (*Thread, error) {
	return s.thread(ctx, viewer, slug, n, MaxThread)
}

// thread is Thread showing at most limit messages; tests set a small one.
func (s *Service) thread(ctx context.Context, viewer *User, slug string, n int64, limit int) (*Thread, error) {
	b, err := s.Board(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := holds(b, n); err != nil {
		return nil, err
	}
	top, err := s.store.ThreadRoot(ctx, b.ID, n, maxThreadDepth)
	if err != nil {
		return nil, err
	}
	msgs, complete, err := s.threadFrom(ctx, b.ID, top, limit)
	if err != nil {
		return nil, err
	}
	if !contains(msgs, n) {
		// The part shown from the top misses n: start at its parent, or at
		// n itself when the parent's replies before n fill the view.
		m, err := s.store.Message(ctx, b.ID, n)
		if err != nil {
			return nil, err
		}
		roots := []int64{n}
		if m.ReplyTo != 0 && m.ReplyTo != top { // from top was read above
			roots = []int64{m.ReplyTo, n}
		}
		for _, root := range roots {
			if msgs, _, err = s.threadFrom(ctx, b.ID, root, limit); err != nil {
				return nil, err
			}
			if contains(msgs, n) {
				break
			}
		}
		complete = false
	}
	if len(msgs) == 0 { // n was there a moment ago; messages are never deleted
		return nil, Errorf(CodeNotFound, "board %s has no message %d", b.Slug, n)
	}
	root := buildTree(viewer, msgs)
	// A chain longer than maxThreadDepth is shown from below its top.
	if root.Message.ReplyTo != 0 {
		complete = false
	}
	return &Thread{Board: b, Root: root, Focus: n, Top: top, Complete: complete}, nil
}

// threadFrom reads the thread below root, at most limit messages and
// MaxTextBytes of their text, and reports whether that was all of it.
func (s *Service) threadFrom(ctx context.Context, boardID, root int64, limit int) ([]Message, bool, error) {
	// One more than shown tells whether the tree is larger; so does the
	// one the store read past the bound on their text.
	msgs, err := s.store.Thread(ctx, boardID, root, limit+1, MaxTextBytes)
	if err != nil {
		return nil, false, err
	}
	n := shown(msgs, limit)
	return msgs[:n], n == len(msgs), nil
}

func contains(msgs []Message, n int64) bool {
	return slices.ContainsFunc(msgs, func(m Message) bool { return m.Number == n })
}

// buildTree links msgs, breadth-first from the root as Store.Thread returns
// them, into a tree, each as viewer may see it; removed messages keep
// their place as tombstones, so that their replies still hang from them.
func buildTree(viewer *User, msgs []Message) *ThreadNode {
	nodes := make(map[int64]*ThreadNode, len(msgs))
	var root *ThreadNode
	for _, m := range msgs {
		seenBy(viewer, &m)
		node := &ThreadNode{Message: m}
		if root == nil {
			root = node
		} else {
			// Breadth-first, a parent comes before its replies, and
			// replies at one depth come in ascending number.
			parent, ok := nodes[m.ReplyTo]
			if !ok { // not from Store.Thread's walk: hang it nowhere
				continue
			}
			node.Depth = parent.Depth + 1
			parent.Replies = append(parent.Replies, node)
		}
		nodes[m.Number] = node
	}
	return root
}
