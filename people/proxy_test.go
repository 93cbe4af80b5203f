package people_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"duban/auth"
	"duban/clock"
	"duban/models"
	"duban/people"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

// sent is what one address saw of a run of requests: how many were
// answered as checked credentials before the first 429, how many 429s, and
// the last 429's Retry-After in seconds.
type sent struct{ checked, refused, retryAfter int }

// send serves n requests from peer and counts their answers; ok tells a
// checked request's answer apart from anything unexpected. Every 429 must
// carry a Retry-After within the window and say why, as JSON from the API
// and as a page in the browser.
func send(t *testing.T, h http.Handler, peer string, n int, req func(i int) *http.Request, ok func(*httptest.ResponseRecorder) bool) sent {
	t.Helper()
	var s sent
	for i := 0; i < n; i++ {
		r := req(i)
		r.RemoteAddr = peer
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		switch {
		case rec.Code == http.StatusTooManyRequests:
			s.refused++
			s.retryAfter, _ = strconv.Atoi(rec.Header().Get("Retry-After"))
			if s.retryAfter <= 0 || s.retryAfter > int(auth.AddrWindow.Seconds()) {
				t.Errorf("request %d from %s: 429 with Retry-After %q", i+1, peer, rec.Header().Get("Retry-After"))
			}
			isAPI := strings.HasPrefix(r.URL.Path, "/api/")
			if isAPI && !strings.Contains(rec.Body.String(), `"status":429`) || !isAPI && !strings.Contains(rec.Body.String(), "失败次数过多") {
				t.Errorf("request %d from %s: the 429 answer does not say why: %.200s", i+1, peer, rec.Body.String())
			}
		case s.refused > 0:
			t.Errorf("request %d from %s answered %d after a 429", i+1, peer, rec.Code)
		case ok(rec):
			s.checked++
		default:
			t.Errorf("request %d from %s: %d %v %.200s", i+1, peer, rec.Code, rec.Header(), rec.Body.String())
		}
	}
	return s
}

// withForwardedFor adds X-Forwarded-For: xff(i) to the requests of req.
func withForwardedFor(xff func(i int) string, req func(i int) *http.Request) func(i int) *http.Request {
	return func(i int) *http.Request {
		r := req(i)
		r.Header.Set("X-Forwarded-For", xff(i))
		return r
	}
}

func guessedCookie(i int) *http.Request {
	r := httptest.NewRequest("GET", "/cases", nil)
	r.AddCookie(&http.Cookie{Name: "duban_session", Value: fmt.Sprintf("guess%040d", i)})
	return r
}

func guessedToken(i int) *http.Request {
	r := httptest.NewRequest("GET", "/api/v1/notices", nil)
	r.Header.Set("Authorization", fmt.Sprintf("Bearer dbn_guess%040d", i))
	return r
}

func toSignIn(rec *httptest.ResponseRecorder) bool {
	return rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login?")
}

func unauthorized(rec *httptest.ResponseRecorder) bool { return rec.Code == http.StatusUnauthorized }

// TestEndedCredentialsAreNotCounted is an office behind one NAT address in
// the morning: fifty staff whose sessions ended overnight (idle, or signed
// out) open the board with their old cookie, and a script retries a revoked
// and an expired token fifty times. None of it counts against the address
// — each browser is sent to sign in, told its session ended, its cookie
// cleared; the script is told its token was revoked or expired — while
// guessed cookies and tokens from the same address are still stopped after
// the limit.
func TestEndedCredentialsAreNotCounted(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		ctx := context.Background()
		wall := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		e.h.Authenticator.Now = func() time.Time { return wall }
		u, err := s.UserByName(ctx, models.RoleUnit)
		if err != nil {
			t.Fatal(err)
		}
		const staff = 50
		var cookies []string
		for i := 0; i < staff; i++ {
			secret := auth.NewSecret()
			if err := s.CreateSession(ctx, &models.Session{Hash: auth.HashSecret(secret), UserID: u.ID, CSRF: auth.NewSecret(),
				ExpiresAt: clk.Now().Add(e.h.Authenticator.Idle)}); err != nil {
				t.Fatal(err)
			}
			if i%3 == 0 {
				if err := s.EndSession(ctx, auth.HashSecret(secret)); err != nil {
					t.Fatal(err)
				}
			}
			cookies = append(cookies, secret)
		}
		revoked, tok, err := auth.CreateToken(ctx, s, models.RoleSupervisor, "revoked", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, tok.UserID, tok.ID); err != nil {
			t.Fatal(err)
		}
		expired, _, err := auth.CreateToken(ctx, s, models.RoleSupervisor, "expiring", clk.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(14 * time.Hour) // overnight: every session is past its idle time

		endedSession := func(rec *httptest.ResponseRecorder) bool {
			cleared := strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "duban_session=; Path=/; Max-Age=0")
			return toSignIn(rec) && strings.Contains(rec.Header().Get("Location"), "ended=1") && cleared
		}
		endedToken := func(rec *httptest.ResponseRecorder) bool {
			return rec.Code == http.StatusUnauthorized && strings.Contains(rec.Body.String(), "revoked or has expired")
		}
		for _, tc := range []struct {
			kind, peer string
			ended      func(i int) *http.Request
			answer     func(*httptest.ResponseRecorder) bool
			guess      func(i int) *http.Request
			guessed    func(*httptest.ResponseRecorder) bool
		}{
			{"sessions that ended overnight", "203.0.113.20:5000", func(i int) *http.Request {
				r := httptest.NewRequest("GET", "/", nil)
				r.AddCookie(&http.Cookie{Name: "duban_session", Value: cookies[i%staff]})
				return r
			}, endedSession, guessedCookie, toSignIn},
			{"a revoked and an expired token", "203.0.113.21:5000", func(i int) *http.Request {
				r := httptest.NewRequest("GET", "/api/v1/notices", nil)
				r.Header.Set("Authorization", "Bearer "+[]string{revoked, expired}[i%2])
				return r
			}, endedToken, guessedToken, unauthorized},
		} {
			got := send(t, e.h, tc.peer, staff, tc.ended, tc.answer)
			if got.checked != staff || got.refused != 0 {
				t.Errorf("%s, %d from one address: %d answered as ended, %d refused with 429; want all answered, none refused",
					tc.kind, staff, got.checked, got.refused)
			}
			// The address's count is untouched: guesses are stopped after the full limit.
			got = send(t, e.h, tc.peer, 2*auth.AddrFailures, tc.guess, tc.guessed)
			if got.checked != auth.AddrFailures || got.refused != auth.AddrFailures {
				t.Errorf("%s, then %d guesses from the same address: %d checked before the first 429, %d refused; want %d and %d",
					tc.kind, 2*auth.AddrFailures, got.checked, got.refused, auth.AddrFailures, auth.AddrFailures)
			}
		}

		// The browser sent to sign in is told why.
		b := e.newBrowser()
		_, page := b.get("/login?next=%2F&ended=1")
		if !strings.Contains(page, "登录已过期或已退出，请重新登录。") {
			t.Errorf("the sign-in page after an ended session does not say it ended:\n%.600s", page)
		}
		if _, page = b.get("/login?next=%2F"); strings.Contains(page, "登录已过期") {
			t.Error("the sign-in page says a session ended when none did")
		}

		// A week later the sweep has deleted those sessions: their cookies count as guesses again.
		clk.Advance(auth.EndedKept)
		if n, err := s.DeleteEndedSessions(ctx, auth.EndedKept); err != nil || n < staff {
			t.Fatalf("the sweep a week later deleted %d sessions (%v), want at least %d", n, err, staff)
		}
		got := send(t, e.h, "203.0.113.22:5000", 2*auth.AddrFailures, func(i int) *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: "duban_session", Value: cookies[i%staff]})
			return r
		}, toSignIn)
		if got.checked != auth.AddrFailures {
			t.Errorf("swept sessions' cookies: %d checked before the first 429, want %d", got.checked, auth.AddrFailures)
		}
	})
}

// syncBuffer is a log destination the handler's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTrustedProxy is duban behind a reverse proxy at 10.0.0.5 (trusted as
// 10.0.0.0/8): clients guessing through it are limited each by its own
// address from X-Forwarded-For, so one guesser does not lock out the others
// behind the same proxy; a guesser prepending made-up addresses is still
// one client; a peer that is not a trusted proxy gains nothing by sending
// the header. The log names the peer and the client.
func TestTrustedProxy(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		trusted, err := auth.ParseProxies([]string{"10.0.0.0/8"})
		if err != nil {
			t.Fatal(err)
		}
		var log syncBuffer
		h, err := people.New(people.Deps{Store: s, Rules: rules.Static{Set: e.rs}, Clock: clk, Location: shanghai,
			Logger: slog.New(slog.NewTextHandler(&log, nil)), TrustedProxies: trusted})
		if err != nil {
			t.Fatal(err)
		}
		wall := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		h.Authenticator.Now = func() time.Time { return wall }
		valid := func(i int) *http.Request {
			r := httptest.NewRequest("GET", "/api/v1/me", nil)
			r.Header.Set("Authorization", "Bearer "+e.tokens[models.RoleSupervisor])
			return r
		}
		ok := func(rec *httptest.ResponseRecorder) bool { return rec.Code == http.StatusOK }
		const proxy = "10.0.0.5:41000"
		for _, tc := range []struct {
			what, peer  string
			xff         func(i int) string
			wantChecked int
		}{
			{"a client through the proxy", proxy, func(int) string { return "198.51.100.1" }, auth.AddrFailures},
			{"a client through the proxy prepending a new address each time", proxy,
				func(i int) string { return fmt.Sprintf("192.0.2.%d, 198.51.100.2", i%250+1) }, auth.AddrFailures},
			{"a client through two proxies", proxy, func(int) string { return "198.51.100.3, 10.20.0.1" }, auth.AddrFailures},
			{"a direct peer sending a new X-Forwarded-For each time", "203.0.113.30:41000",
				func(i int) string { return fmt.Sprintf("198.51.100.%d", i%250+10) }, auth.AddrFailures},
		} {
			got := send(t, h, tc.peer, 2*auth.AddrFailures, withForwardedFor(tc.xff, guessedToken), unauthorized)
			if got.checked != tc.wantChecked {
				t.Errorf("%s: %d guesses checked before the first 429, want %d", tc.what, got.checked, tc.wantChecked)
			}
		}
		// Every guesser above is refused; another client behind the same proxy is not.
		for _, tc := range []struct {
			what, peer, xff string
			want            int
		}{
			{"the first guesser, valid token", proxy, "198.51.100.1", http.StatusTooManyRequests},
			{"the prepending guesser with another made-up address", proxy, "203.0.113.99, 198.51.100.2", http.StatusTooManyRequests},
			{"another client behind the proxy", proxy, "198.51.100.50", http.StatusOK},
			{"the proxy itself", proxy, "", http.StatusOK},
			{"the direct guesser claiming another address", "203.0.113.30:41000", "198.51.100.50", http.StatusTooManyRequests},
		} {
			r := valid(0)
			r.RemoteAddr = tc.peer
			r.Header.Set("X-Forwarded-For", tc.xff)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.want {
				t.Errorf("%s: %d, want %d", tc.what, rec.Code, tc.want)
			}
		}
		if got := send(t, h, proxy, 1, withForwardedFor(func(int) string { return "198.51.100.50" }, valid), ok); got.checked != 1 {
			t.Error("a valid token through the proxy from a client that never failed is refused")
		}
		logged := log.String()
		for _, want := range []string{`msg="credentials refused" via=token path=/api/v1/notices peer=10.0.0.5:41000 client=198.51.100.1`,
			`peer=203.0.113.30:41000 client=203.0.113.30`} {
			if !strings.Contains(logged, want) {
				t.Errorf("the log lacks %q:\n%.1000s", want, logged)
			}
		}
	})
}
