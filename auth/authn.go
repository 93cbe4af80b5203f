package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"duban/clock"
	"duban/models"
	"duban/store"
)

// Cookie names. With Secure cookies the session cookie takes the __Host-
// prefix, which browsers only accept over HTTPS, for path /, without a
// domain: no sibling subdomain can plant or read it.
const (
	sessionCookie       = "duban_session"
	secureSessionCookie = "__Host-duban_session"
	loginCSRFCookie     = "duban_login"
)

// Authenticator finds the principal of a request and signs people in and out.
type Authenticator struct {
	Store  *store.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// SecureCookies marks cookies Secure even when the request did not come
	// over TLS here (behind a TLS-terminating proxy).
	SecureCookies bool
	// Proxies are the trusted reverse proxies: their X-Forwarded-For names
	// the client failures are counted for, and their X-Forwarded-Proto:
	// https makes cookies Secure.
	Proxies Proxies
	// Idle ends a session unused this long; MaxAge ends any session.
	Idle, MaxAge time.Duration

	// Now is the wall clock the throttles count by — real time even when
	// the business clock is fixed (duban web --now); tests replace it.
	Now func() time.Time

	names *limiter // failed sign-ins per username
	addrs *limiter // failed credentials per client address

	unitsMu   sync.Mutex
	units     []models.Unit
	unitsRead time.Time

	sweepMu   sync.Mutex
	lastSweep time.Time
}

// NewAuthenticator returns an authenticator with the default timeouts: 2
// hours idle, 12 hours at most (a working day).
func NewAuthenticator(s *store.Store, clk clock.Clock, logger *slog.Logger, secureCookies bool) *Authenticator {
	if clk == nil {
		clk = clock.Real{}
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Authenticator{Store: s, Clock: clk, Logger: logger, SecureCookies: secureCookies,
		Idle: 2 * time.Hour, MaxAge: 12 * time.Hour, Now: time.Now,
		names: newLimiter(nameFailures, nameWindow, addrEntries), addrs: newLimiter(AddrFailures, AddrWindow, addrEntries)}
}

type ctxKey struct{}

// FromContext returns the request's principal, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// ErrBadCredentials is a bearer token or session that matches nobody.
var ErrBadCredentials = errors.New("the credentials match no active user")

// ErrEnded is a bearer token or session that existed and has ended
// (expired, signed out, revoked, its user disabled or given a new
// password). It is ErrBadCredentials too, but does not count against the
// client's address: an office behind one address whose staff come back to
// sessions that ended overnight is not guessing.
var ErrEnded = errors.New("the credentials have ended")

// ended is ErrBadCredentials and ErrEnded, reading as the former.
type ended struct{ why string }

func (e ended) Error() string        { return ErrBadCredentials.Error() + ": " + e.why }
func (e ended) Is(target error) bool { return target == ErrBadCredentials || target == ErrEnded }

// EndedKept is how long an ended session stays known as such before the
// sweep deletes it; its cookie then counts as a guess.
const EndedKept = 7 * 24 * time.Hour

// Authenticate finds the principal of r: a bearer token in the
// Authorization header, else the session cookie. It returns nil and no
// error for a request with neither, ErrBadCredentials for a token or cookie
// that is unknown, and one that is also ErrEnded for one that existed and
// ended (expired, revoked, signed out, its user disabled).
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, fmt.Errorf("%w: the Authorization header must be \"Bearer <token>\"", ErrBadCredentials)
		}
		_, u, err := a.Store.TokenUser(ctx, HashSecret(strings.TrimSpace(token)))
		if errors.Is(err, store.ErrTokenEnded) {
			return nil, ended{"the token was revoked or has expired, or its user is disabled"}
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%w: the token is unknown", ErrBadCredentials)
		}
		if err != nil {
			return nil, err
		}
		return a.principal(ctx, u, "token", "")
	}
	c, err := a.sessionCookie(r)
	if err != nil {
		return nil, nil
	}
	sess, u, err := a.Store.SessionUser(ctx, HashSecret(c.Value), a.Idle, a.MaxAge)
	if errors.Is(err, store.ErrSessionEnded) {
		return nil, ended{"the session has ended; sign in again"}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: no such session; sign in again", ErrBadCredentials)
	}
	if err != nil {
		return nil, err
	}
	return a.principal(ctx, u, "session", sess.CSRF)
}

// Check is Authenticate for a guarded route, with the per-address limit on
// failed credentials: a request with credentials from an address over the
// limit gets a *Throttled error without its credentials being checked, and
// a token or session that matches nothing counts against its address (one
// that ended does not). The cookie of a bad or ended session is cleared, so
// that a browser sends it once and not with every later request.
func (a *Authenticator) Check(w http.ResponseWriter, r *http.Request) (*Principal, error) {
	_, cookieErr := a.sessionCookie(r)
	if r.Header.Get("Authorization") == "" && cookieErr != nil {
		return nil, nil
	}
	addr := ClientAddr(r, a.Proxies)
	if wait := a.addrs.blocked(addr, a.Now()); wait > 0 {
		return nil, &Throttled{Wait: wait, Who: "address " + addr}
	}
	p, err := a.Authenticate(r)
	if errors.Is(err, ErrBadCredentials) {
		via := "session"
		if r.Header.Get("Authorization") != "" {
			via = "token"
		} else {
			a.clearSessionCookies(w, r)
		}
		if errors.Is(err, ErrEnded) {
			a.Logger.Info("ended credentials refused (not counted against the address)", "via", via, "path", r.URL.Path,
				"peer", r.RemoteAddr, "client", addr)
		} else {
			a.failed(r, addr, "credentials refused", "via", via, "path", r.URL.Path)
		}
	}
	return p, err
}

// failed counts a failure against addr and logs it (never the credential).
func (a *Authenticator) failed(r *http.Request, addr, msg string, args ...any) {
	args = append(args, "peer", r.RemoteAddr, "client", addr)
	if a.addrs.fail(addr, a.Now()) {
		args = append(args, "throttled", fmt.Sprintf("%d failures within %s from %s: refused until they age out", AddrFailures, AddrWindow, addr))
	}
	a.Logger.Warn(msg, args...)
}

func (a *Authenticator) sessionCookie(r *http.Request) (*http.Cookie, error) {
	if c, err := r.Cookie(secureSessionCookie); err == nil && c.Value != "" {
		return c, nil
	}
	return r.Cookie(sessionCookie)
}

// principal builds the principal of a user, with a unit user's scope.
func (a *Authenticator) principal(ctx context.Context, u *models.User, via, csrf string) (*Principal, error) {
	p := &Principal{UserID: u.ID, Username: u.Username, Name: u.DisplayName, Role: u.Role, Unit: u.UnitCode, Via: via, CSRF: csrf}
	if u.Role == models.RoleUnit {
		units, err := a.allUnits(ctx)
		if err != nil {
			return nil, err
		}
		if u.UnitCode != "" {
			p.Units = store.UnitAndBelow(units, u.UnitCode)
		}
		p.Units = append(p.Units, splitList(u.AlsoFor)...)
	}
	return p, nil
}

// allUnits caches the unit hierarchy for a little while: it is read on
// every unit user's request and changes only with an import.
func (a *Authenticator) allUnits(ctx context.Context) ([]models.Unit, error) {
	a.unitsMu.Lock()
	defer a.unitsMu.Unlock()
	if a.units != nil && time.Since(a.unitsRead) < 30*time.Second {
		return a.units, nil
	}
	units, err := a.Store.ListUnits(ctx)
	if err != nil {
		return nil, err
	}
	a.units, a.unitsRead = units, time.Now()
	return units, nil
}

// ForgetUnits drops the cached unit hierarchy (after an import of units).
func (a *Authenticator) ForgetUnits() {
	a.unitsMu.Lock()
	a.units = nil
	a.unitsMu.Unlock()
}

// secure reports whether cookies for r must be Secure.
// Believing a trusted proxy's X-Forwarded-Proto is safe: a wrong "https"
// only keeps that one browser's cookie off plain HTTP.
func (a *Authenticator) secure(r *http.Request) bool {
	return a.SecureCookies || r.TLS != nil || a.Proxies.HTTPS(r)
}

// Five failed sign-ins for a username within 15 minutes lock it for the
// rest of those 15 minutes; bcrypt's cost already slows guessing.
const (
	nameFailures = 5
	nameWindow   = 15 * time.Minute
)

// SignIn checks a username and password and starts a session, setting its
// cookie on w. A wrong username or password is ErrBadCredentials, without
// saying which.
func (a *Authenticator) SignIn(w http.ResponseWriter, r *http.Request, username, password string) (*Principal, error) {
	ctx := r.Context()
	username = strings.TrimSpace(username)
	key, addr := strings.ToLower(username), ClientAddr(r, a.Proxies)
	if wait := a.addrs.blocked(addr, a.Now()); wait > 0 {
		return nil, &Throttled{Wait: wait, Who: "address " + addr}
	}
	if wait := a.names.blocked(key, a.Now()); wait > 0 {
		return nil, &Throttled{Wait: wait, Who: "username " + key}
	}
	failed := func(why string) {
		a.names.fail(key, a.Now())
		a.failed(r, addr, "sign-in refused", "user", username, "why", why)
	}
	u, err := a.Store.UserByName(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if u == nil || u.Disabled {
		CheckPassword("", password)
		failed("unknown or disabled user")
		return nil, ErrBadCredentials
	}
	if !CheckPassword(u.PasswordHash, password) {
		failed("wrong password")
		return nil, ErrBadCredentials
	}
	a.names.reset(key)
	a.sweep(ctx)
	secret := NewSecret()
	sess := &models.Session{Hash: HashSecret(secret), UserID: u.ID, CSRF: NewSecret(), ExpiresAt: a.Clock.Now().Add(a.Idle)}
	if err := a.Store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	name := sessionCookie
	if a.secure(r) {
		name = secureSessionCookie
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: secret, Path: "/", HttpOnly: true, Secure: a.secure(r),
		SameSite: http.SameSiteLaxMode})
	a.Logger.Info("signed in", "user", u.Username, "role", u.Role, "peer", r.RemoteAddr, "client", addr)
	return a.principal(ctx, u, "session", sess.CSRF)
}

// sweep deletes sessions that ended more than EndedKept ago, at most once
// an hour, on sign-in: the table stays small without a job of its own.
func (a *Authenticator) sweep(ctx context.Context) {
	a.sweepMu.Lock()
	due := time.Since(a.lastSweep) > time.Hour
	if due {
		a.lastSweep = time.Now()
	}
	a.sweepMu.Unlock()
	if !due {
		return
	}
	if n, err := a.Store.DeleteEndedSessions(ctx, EndedKept); err != nil {
		a.Logger.Warn("deleting ended sessions", "error", err)
	} else if n > 0 {
		a.Logger.Info("deleted ended sessions", "count", n, "ended before", EndedKept.String()+" ago")
	}
}

// SignOut ends the request's session and clears its cookie.
func (a *Authenticator) SignOut(w http.ResponseWriter, r *http.Request) error {
	c, err := a.sessionCookie(r)
	if err == nil {
		if err := a.Store.EndSession(r.Context(), HashSecret(c.Value)); err != nil {
			return err
		}
	}
	a.clearSessionCookies(w, r)
	return nil
}

func (a *Authenticator) clearSessionCookies(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{sessionCookie, secureSessionCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			Secure: name == secureSessionCookie || a.secure(r), SameSite: http.SameSiteLaxMode})
	}
}

// CSRFField is the form field (and X-CSRF-Token the header) that carries a
// session's CSRF token.
const CSRFField = "csrf"

// CheckCSRF verifies the CSRF token of an unsafe request signed in with a
// session cookie. Token-authenticated requests carry no ambient authority
// and need none.
func CheckCSRF(r *http.Request, p *Principal) bool {
	if p == nil || p.Via != "session" {
		return true
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) == 1
}

// LoginCSRF returns the token the sign-in form carries: before a session
// exists, it is a random value in a cookie that the form must repeat
// (double submit).
func (a *Authenticator) LoginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	v := NewSecret()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: v, Path: "/login", HttpOnly: true,
		Secure: a.secure(r), SameSite: http.SameSiteStrictMode})
	return v
}

// CheckLoginCSRF verifies the sign-in form's double-submitted token.
func CheckLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(loginCSRFCookie)
	got := r.PostFormValue(CSRFField)
	return err == nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}
