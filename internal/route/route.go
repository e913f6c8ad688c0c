// Package route is the shape of Parley's route table. Each transport (the
// pages, the JSON API) lists its routes; the site registers every one on
// one ServeMux and can enumerate them, so that the table is the one
// answer to "what does the server serve, to whom, and how".
package route

import "net/http"

// Kind is how a route answers.
type Kind string

// The kinds.
const (
	Page   Kind = "page"   // HTML for a browser
	API    Kind = "api"    // JSON for a client
	Stream Kind = "stream" // server-sent events
	Asset  Kind = "asset"  // a static file, the same for every reader
	Health Kind = "health" // for load balancers and monitors
)

// Access is who may call a route.
type Access string

// The accesses.
const (
	// Anyone may call it, signed in or not.
	Anyone Access = "anyone"
	// Member routes answer 401 (or, for a page, send the reader to sign
	// in) to nobody signed in. The handler decides by the forum's policy;
	// the table says what it decides, and a test holds it to that.
	Member Access = "member"
	// Credentials routes take a member's name and password, and answer
	// 401 to wrong ones: signing in.
	Credentials Access = "credentials"
)

// Route is one method and pattern, who may call it, how it answers, and
// its handler.
type Route struct {
	Method, Path string
	Access       Access
	Kind         Kind
	Handler      http.Handler
}

// Pattern is the route's ServeMux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Transport is what the site mounts: its routes, and how it answers a
// request no route takes (404, or 405 with Allow set) and a panic.
type Transport interface {
	Routes() []Route
	Unrouted(w http.ResponseWriter, r *http.Request, status int)
	Fail(w http.ResponseWriter, r *http.Request, err error)
}
