package forum

// Action is something a member may be allowed to do. Every action the
// Service performs on a member's behalf is one of these, and rules says
// who may: one table, read by Can, so that a new action is denied until
// it is given a rule.
type Action int

// The actions.
const (
	OpenBoard Action = iota + 1
	PostMessage
	// ReplyMessage is showing a member the form that answers a message;
	// the answer itself is a PostMessage.
	ReplyMessage
	PreviewMessage
	RemoveMessage
	StartSession
	ListTokens
	RevokeToken
)

// Target is what an action is done to, as far as a rule needs to know.
type Target struct {
	// Message is the message acted on, for RemoveMessage.
	Message *Message
}

// rule says who may do an action: signIn completes "sign in to …", what a
// caller signed in as nobody is told, and allow, when set, decides among
// members.
type rule struct {
	signIn string
	allow  func(actor *User, t Target) error
}

var rules = map[Action]rule{
	OpenBoard:      {signIn: "open a board"},
	PostMessage:    {signIn: "post"},
	ReplyMessage:   {signIn: "reply"},
	PreviewMessage: {signIn: "preview"},
	RemoveMessage:  {signIn: "remove messages", allow: authorOrModerator},
	StartSession:   {signIn: "start a session"},
	ListTokens:     {signIn: "list tokens"},
	RevokeToken:    {signIn: "revoke tokens"},
}

// Can decides whether actor (nil for nobody signed in) may do a to t: nil
// when allowed, else CodeUnauthorized for nobody signed in and
// CodeForbidden for a member who may not. An action without a rule is
// denied to everyone.
func Can(actor *User, a Action, t Target) error {
	r, ok := rules[a]
	switch {
	case !ok:
		return Errorf(CodeForbidden, "nobody may do that")
	case actor == nil:
		return Errorf(CodeUnauthorized, "sign in to %s", r.signIn)
	case r.allow == nil:
		return nil
	}
	return r.allow(actor, t)
}

// moderates reports whether role r may act on other members' messages.
func moderates(r Role) bool { return r == RoleModerator || r == RoleAdmin }

func authorOrModerator(actor *User, t Target) error {
	if t.Message == nil || t.Message.AuthorID != actor.ID && !moderates(actor.Role) {
		return Errorf(CodeForbidden, "only its author or a moderator may remove a message")
	}
	return nil
}

// seenBy applies to m what viewer (nil for nobody signed in) may see of
// it: the one step every read of messages takes before answering. A
// removed message loses its text — the store keeps it, for moderators'
// records and lossless export, but readers see a tombstone. Who reads
// decides nothing yet; messages hidden for review or ignored will.
func seenBy(viewer *User, m *Message) {
	if m.Removed != NotRemoved {
		m.Body, m.HTML = "", ""
	}
}
