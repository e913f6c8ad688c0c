package forum_test

import (
	"testing"

	"parley/internal/forum"
)

func TestCan(t *testing.T) {
	alice := &forum.User{ID: 1, Name: "alice", Role: forum.RoleMember}
	bob := &forum.User{ID: 2, Name: "bob", Role: forum.RoleMember}
	mod := &forum.User{ID: 3, Name: "mod", Role: forum.RoleModerator}
	admin := &forum.User{ID: 4, Name: "admin", Role: forum.RoleAdmin}
	hers := forum.Target{Message: &forum.Message{AuthorID: alice.ID}}
	for _, tc := range []struct {
		name   string
		actor  *forum.User
		action forum.Action
		target forum.Target
		want   forum.Code // "" when allowed
	}{
		{"nobody opens a board", nil, forum.OpenBoard, forum.Target{}, forum.CodeUnauthorized},
		{"a member opens a board", bob, forum.OpenBoard, forum.Target{}, ""},
		{"nobody posts", nil, forum.PostMessage, forum.Target{}, forum.CodeUnauthorized},
		{"a member posts", bob, forum.PostMessage, forum.Target{}, ""},
		{"nobody removes", nil, forum.RemoveMessage, hers, forum.CodeUnauthorized},
		{"the author removes", alice, forum.RemoveMessage, hers, ""},
		{"another member does not", bob, forum.RemoveMessage, hers, forum.CodeForbidden},
		{"a moderator removes", mod, forum.RemoveMessage, hers, ""},
		{"an admin removes", admin, forum.RemoveMessage, hers, ""},
		{"removing nothing named is no one's", admin, forum.RemoveMessage, forum.Target{}, forum.CodeForbidden},
		{"nobody lists tokens", nil, forum.ListTokens, forum.Target{}, forum.CodeUnauthorized},
		{"an action without a rule is denied", admin, forum.Action(1 << 20), forum.Target{}, forum.CodeForbidden},
		{"to nobody too", nil, forum.Action(0), forum.Target{}, forum.CodeForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := forum.Can(tc.actor, tc.action, tc.target)
			if got := forum.ErrorCode(err); err == nil && tc.want != "" || err != nil && got != tc.want {
				t.Errorf("Can = %v, want code %q", err, tc.want)
			}
		})
	}
}
