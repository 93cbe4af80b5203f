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
	// Idle ends a session unused this long; MaxAge ends any session.
	Idle, MaxAge time.Duration

	throttle *throttle

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
		Idle: 2 * time.Hour, MaxAge: 12 * time.Hour, throttle: newThrottle()}
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

// Authenticate finds the principal of r: a bearer token in the
// Authorization header, else the session cookie. It returns nil and no
// error for a request with neither, and ErrBadCredentials for a token or
// cookie that is unknown, expired, revoked or whose user is disabled.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, fmt.Errorf("%w: the Authorization header must be \"Bearer <token>\"", ErrBadCredentials)
		}
		_, u, err := a.Store.TokenUser(ctx, HashSecret(strings.TrimSpace(token)))
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%w: the token is unknown, revoked or expired, or its user is disabled", ErrBadCredentials)
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
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: the session has ended; sign in again", ErrBadCredentials)
	}
	if err != nil {
		return nil, err
	}
	return a.principal(ctx, u, "session", sess.CSRF)
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
func (a *Authenticator) secure(r *http.Request) bool { return a.SecureCookies || r.TLS != nil }

// ErrThrottled is a sign-in refused because of too many recent failures.
var ErrThrottled = errors.New("too many failed sign-ins")

// SignIn checks a username and password and starts a session, setting its
// cookie on w. A wrong username or password is ErrBadCredentials, without
// saying which.
func (a *Authenticator) SignIn(w http.ResponseWriter, r *http.Request, username, password string) (*Principal, error) {
	ctx := r.Context()
	username = strings.TrimSpace(username)
	key := strings.ToLower(username)
	if wait := a.throttle.blocked(key, time.Now()); wait > 0 {
		return nil, fmt.Errorf("%w: try again in %d minutes", ErrThrottled, int(wait.Minutes())+1)
	}
	u, err := a.Store.UserByName(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if u == nil || u.Disabled {
		CheckPassword("", password)
		a.throttle.fail(key, time.Now())
		a.Logger.Warn("sign-in refused", "user", username, "why", "unknown or disabled user", "remote", r.RemoteAddr)
		return nil, ErrBadCredentials
	}
	if !CheckPassword(u.PasswordHash, password) {
		a.throttle.fail(key, time.Now())
		a.Logger.Warn("sign-in refused", "user", username, "why", "wrong password", "remote", r.RemoteAddr)
		return nil, ErrBadCredentials
	}
	a.throttle.reset(key)
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
	a.Logger.Info("signed in", "user", u.Username, "role", u.Role, "remote", r.RemoteAddr)
	return a.principal(ctx, u, "session", sess.CSRF)
}

// sweep deletes expired sessions, at most once an hour, on sign-in: the
// table stays small without a job of its own.
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
	if n, err := a.Store.DeleteExpiredSessions(ctx); err != nil {
		a.Logger.Warn("deleting expired sessions", "error", err)
	} else if n > 0 {
		a.Logger.Info("deleted expired sessions", "count", n)
	}
}

// SignOut ends the request's session and clears its cookie.
func (a *Authenticator) SignOut(w http.ResponseWriter, r *http.Request) error {
	c, err := a.sessionCookie(r)
	if err == nil {
		if err := a.Store.DeleteSession(r.Context(), HashSecret(c.Value)); err != nil {
			return err
		}
	}
	for _, name := range []string{sessionCookie, secureSessionCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			Secure: name == secureSessionCookie || a.secure(r), SameSite: http.SameSiteLaxMode})
	}
	return nil
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

// throttle refuses sign-ins for a name after repeated failures: 5 within
// 15 minutes lock it for the rest of those 15 minutes. It is per process;
// bcrypt's cost already slows guessing on every replica.
type throttle struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

const (
	throttleFailures = 5
	throttleWindow   = 15 * time.Minute
)

func newThrottle() *throttle { return &throttle{fails: map[string][]time.Time{}} }

func (t *throttle) recent(key string, now time.Time) []time.Time {
	var keep []time.Time
	for _, f := range t.fails[key] {
		if now.Sub(f) < throttleWindow {
			keep = append(keep, f)
		}
	}
	if keep == nil {
		delete(t.fails, key)
	} else {
		t.fails[key] = keep
	}
	return keep
}

func (t *throttle) blocked(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.recent(key, now)
	if len(r) < throttleFailures {
		return 0
	}
	return throttleWindow - now.Sub(r[len(r)-throttleFailures])
}

func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fails[key] = append(t.recent(key, now), now)
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.fails, key)
	t.mu.Unlock()
}
