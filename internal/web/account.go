package web

import (
	"context"
	"net/http"
	"strings"
	"unicode"

	"parley/internal/forum"
	"parley/internal/httperr"
	"parley/internal/web/view"
)

// sessionCookie holds a browser's session secret. The server keeps only
// its hash; the cookie is HttpOnly so that no script can read it, and
// SameSite=Lax so that other sites' forms do not carry it.
const sessionCookie = "parley_session"

// deviceCookie holds the device token of the member who last signed in on
// this browser (forum.Service.DeviceToken): the failed sign-ins of others
// do not keep this browser out. Only the sign-in form reads it, so only
// its address is sent it; signing out keeps it.
const deviceCookie, deviceCookiePath = "parley_device", "/signin"

// withReader returns r with the signed-in reader in its context, when its
// session cookie names a live session. A stale cookie is cleared.
func (s *server) withReader(w http.ResponseWriter, r *http.Request) *http.Request {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return r
	}
	u, err := s.svc.SessionUser(r.Context(), c.Value)
	switch forum.ErrorCode(err) {
	case "":
		return r.WithContext(context.WithValue(r.Context(), readerKey{}, u))
	case forum.CodeUnauthorized:
		s.clearSession(w)
	default:
		// The reader is shown the page signed out rather than an error;
		// the cause is logged.
		s.log.WarnContext(r.Context(), "web: read session", "err", err)
	}
	return r
}

// startSession signs u in on this browser. Any session the browser had is
// ended first: a new sign-in always gets a new secret, so a secret planted
// before sign-in (session fixation) is worth nothing after it.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, u *forum.User) error {
	if err := s.endSession(r); err != nil {
		return err
	}
	secret, _, err := s.svc.StartSession(r.Context(), u)
	if err != nil {
		return err
	}
	// MaxAge rather than Expires: the server's clock and the browser's
	// need not agree.
	s.setSessionCookie(w, secret, int(forum.SessionLifetime.Seconds()))
	device, err := s.svc.DeviceToken(r.Context(), u)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: deviceCookie, Value: device, Path: deviceCookiePath, MaxAge: int(forum.DeviceLifetime.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// endSession ends, in the database, the session the browser names, if any.
func (s *server) endSession(r *http.Request) error {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil // no cookie, no session
	}
	return s.svc.EndSession(r.Context(), c.Value)
}

func (s *server) clearSession(w http.ResponseWriter) { s.setSessionCookie(w, "", -1) }

func (s *server) setSessionCookie(w http.ResponseWriter, secret string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// localPath returns next when it is a path on this site, else "/": a
// sign-in must never send its reader to another site.
func localPath(next string) string {
	// Browsers drop tabs and newlines from addresses and read '\' as '/',
	// so "/\t/evil.example" would go to another site: refuse them all.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsRune(next, '\\') || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	return next
}

// signInForm is GET /signin.
func (s *server) signInForm(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	return s.render(w, r, http.StatusOK, view.SignIn(s.page(r, "Sign in", nil), view.Field{}, next, ""))
}

// signIn is POST /signin: check the password, start a session, return to
// the page the reader came from.
func (s *server) signIn(w http.ResponseWriter, r *http.Request) error {
	name, pw, next := r.PostForm.Get("name"), r.PostForm.Get("password"), localPath(r.PostForm.Get("next"))
	c := forum.Credentials{Name: name, Password: pw, From: r.RemoteAddr}
	if device, err := r.Cookie(deviceCookie); err == nil {
		c.Device = device.Value
	}
	u, err := s.svc.SignIn(r.Context(), c)
	switch forum.ErrorCode(err) {
	case "":
	case forum.CodeUnauthorized, forum.CodeRateLimited:
		_, status := httperr.Status(err)
		httperr.SetRetryAfter(w, err)
		return s.render(w, r, status, view.SignIn(s.page(r, "Sign in", nil), view.Field{Value: name}, next, capitalize(forum.ErrorMessage(err))))
	default:
		return err
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	return redirect(w, r, next)
}

// signOut is POST /signout: end the session here and in the database.
func (s *server) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(r); err != nil {
		return err
	}
	s.clearSession(w)
	return redirect(w, r, "/")
}

// registerForm is GET /register.
func (s *server) registerForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, view.Register(s.page(r, "Register", nil), view.Field{}, view.Field{}, "", !s.svc.RegistrationOpen()))
}

// register is POST /register: create the account and sign it in.
func (s *server) register(w http.ResponseWriter, r *http.Request) error {
	name, pw := r.PostForm.Get("name"), r.PostForm.Get("password")
	u, err := s.svc.Register(r.Context(), name, pw)
	if err == nil {
		if err := s.startSession(w, r, u); err != nil {
			return err
		}
		return redirect(w, r, "/")
	}
	nameField, pwField := view.Field{Value: name}, view.Field{}
	_, status := httperr.Status(err)
	formError, err := placeError(err, map[string]*view.Field{"name": &nameField, "password": &pwField})
	if err != nil {
		return err
	}
	return s.render(w, r, status, view.Register(s.page(r, "Register", nil), nameField, pwField, formError, !s.svc.RegistrationOpen()))
}
