package forum

import "parley/internal/search"

// Derive fills in what is stored beside a message's source, from its
// Body: the HTML every reader is shown, made by render, and the words
// search finds it by (Terms) — none for a removed message, which no
// search finds. It is the one derivation: posting, import and reindex all
// go through it, so that a message is shown and found alike however it
// came to be stored.
func Derive(render func(markdown string) string, m *Message) {
	m.HTML = render(m.Body)
	m.Terms = ""
	if m.Removed == NotRemoved {
		m.Terms = Terms(m.Body)
	}
}

// Terms is a body's words as search indexes them; a store's Reindex is
// given it.
func Terms(body string) string { return search.Text(body) }
