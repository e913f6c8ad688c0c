package api

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"parley/internal/forum"
	"parley/internal/params"
)

type postRequest struct {
	Body string `json:"body"`
	// ReplyTo is absent or null for a message that answers none.
	ReplyTo *int64 `json:"reply_to"`
}

type messageJSON struct {
	Board      string        `json:"board"`
	Number     int64         `json:"number"`
	Author     string        `json:"author"`
	CreatedAt  time.Time     `json:"created_at"`
	Body       string        `json:"body"`
	HTML       string        `json:"html"`
	ReplyTo    *replyToJSON  `json:"reply_to"`
	ReplyCount int64         `json:"reply_count"`
	Removed    bool          `json:"removed"`
	RemovedBy  forum.Removal `json:"removed_by,omitempty"` // "author" or "moderator"
}

type replyToJSON struct {
	Number int64  `json:"number"`
	Author string `json:"author"`
}

// windowJSON is a window of a board. Next is the from of the following
// window, Prev the before of the preceding one; null when there is none.
type windowJSON struct {
	Messages []messageJSON `json:"messages"`
	Next     *int64        `json:"next"`
	Prev     *int64        `json:"prev"`
}

// repliesJSON is a window of the replies to a message.
type repliesJSON struct {
	Messages []messageJSON `json:"messages"`
	Next     *int64        `json:"next"`
}

func toMessageJSON(m *forum.Message) messageJSON {
	out := messageJSON{
		Board:      m.Board,
		Number:     m.Number,
		Author:     m.Author,
		CreatedAt:  m.CreatedAt.UTC(),
		Body:       m.Body,
		HTML:       m.HTML,
		ReplyCount: m.ReplyCount,
		Removed:    m.Removed != forum.NotRemoved,
		RemovedBy:  m.Removed,
	}
	if m.ReplyTo != 0 {
		out.ReplyTo = &replyToJSON{Number: m.ReplyTo, Author: m.ReplyToAuthor}
	}
	return out
}

func toMessagesJSON(msgs []forum.Message) []messageJSON {
	out := make([]messageJSON, len(msgs))
	for i := range msgs {
		out[i] = toMessageJSON(&msgs[i])
	}
	return out
}

// listMessages is GET /api/v1/boards/{slug}/messages: the window from=N
// (ascending), before=N (descending, nearest first), or the newest
// (ascending), of limit messages.
func (s *server) listMessages(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	before, err := params.Number(q, "before")
	if err != nil {
		return err
	}
	from, limit, err := queryWindow(q)
	if err != nil {
		return err
	}
	p, err := s.svc.Messages(r.Context(), s.viewer(r), r.PathValue("slug"), forum.Window{From: from, Before: before, Limit: limit})
	if err != nil {
		return err
	}
	out := windowJSON{Messages: toMessagesJSON(p.Messages), Next: nullable(p.Next), Prev: nullable(p.Prev)}
	if before > 0 {
		// A reader paging back through a board reads from where they are.
		slices.Reverse(out.Messages)
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// getMessage is GET /api/v1/boards/{slug}/messages/{n}.
func (s *server) getMessage(w http.ResponseWriter, r *http.Request) error {
	n, err := pathNumber(r, "n")
	if err != nil {
		return err
	}
	m, err := s.svc.Message(r.Context(), s.viewer(r), r.PathValue("slug"), n)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, toMessageJSON(m))
	return nil
}

// listReplies is GET /api/v1/boards/{slug}/messages/{n}/replies: the
// direct replies to n, numbered from and up.
func (s *server) listReplies(w http.ResponseWriter, r *http.Request) error {
	n, err := pathNumber(r, "n")
	if err != nil {
		return err
	}
	q, err := query(r)
	if err != nil {
		return err
	}
	from, limit, err := queryWindow(q)
	if err != nil {
		return err
	}
	msgs, next, err := s.svc.Replies(r.Context(), s.viewer(r), r.PathValue("slug"), n, from, limit)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, repliesJSON{Messages: toMessagesJSON(msgs), Next: nullable(next)})
	return nil
}

// postMessage is POST /api/v1/boards/{slug}/messages. It answers 201 only
// once the message is durable.
func (s *server) postMessage(w http.ResponseWriter, r *http.Request, actor *forum.User) error {
	var in postRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var replyTo int64
	if in.ReplyTo != nil {
		if *in.ReplyTo < 1 {
			return forum.Errorf(forum.CodeInvalid, "reply_to must be a positive message number or null")
		}
		replyTo = *in.ReplyTo
	}
	m, err := s.svc.Post(r.Context(), actor, r.PathValue("slug"), forum.NewMessage{Body: in.Body, ReplyTo: replyTo})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/boards/%s/messages/%d", m.Board, m.Number))
	s.writeJSON(w, r, http.StatusCreated, toMessageJSON(m))
	return nil
}

// removeMessage is DELETE /api/v1/boards/{slug}/messages/{n}: its author
// deletes it, a moderator removes it; either way it keeps its number.
func (s *server) removeMessage(w http.ResponseWriter, r *http.Request, actor *forum.User) error {
	n, err := pathNumber(r, "n")
	if err != nil {
		return err
	}
	if err := s.svc.Remove(r.Context(), actor, r.PathValue("slug"), n); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
