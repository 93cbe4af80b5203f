package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// A session or token that existed and ended is ErrSessionEnded or
// ErrTokenEnded, whatever ended it, and never ErrNotFound (which the limit
// on failed credentials counts as a guess) — sessions until the sweep
// deletes them, kept after their end; a hash that was never stored is
// ErrNotFound.
func TestEndedCredentialsAreToldFromUnknownOnes(t *testing.T) {
	const idle, maxAge, kept = 2 * time.Hour, 12 * time.Hour, 7 * 24 * time.Hour
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		for _, name := range []string{"li", "wang", "zhao"} {
			if err := s.CreateUser(ctx, &models.User{Username: name, Role: models.RoleSupervisor, PasswordHash: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		user := func(name string) uint64 {
			u, err := s.UserByName(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		n := 0
		session := func(name string) string {
			n++
			h := fmt.Sprintf("%064d", n)
			if err := s.CreateSession(ctx, &models.Session{Hash: h, UserID: user(name), CSRF: "c", ExpiresAt: clk.Now().Add(idle)}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.SessionUser(ctx, h, idle, maxAge); err != nil {
				t.Fatalf("a new session: %v", err)
			}
			return h
		}

		idleOut, signedOut, disabled, newPassword := session("li"), session("li"), session("wang"), session("zhao")
		live := session("li")
		if err := s.EndSession(ctx, signedOut); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserDisabled(ctx, "wang", true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPasswordHash(ctx, "zhao", "y"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(idle - time.Minute)
		if _, _, err := s.SessionUser(ctx, live, idle, maxAge); err != nil { // slides live's expiry
			t.Fatal(err)
		}
		// Re-enabling wang brings no session back; the sign-out is not undone by a slide.
		if err := s.SetUserDisabled(ctx, "wang", false); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Minute) // idleOut is past its 2 hours idle
		for _, tc := range []struct {
			what, hash string
			want       error
		}{
			{"idle too long", idleOut, store.ErrSessionEnded},
			{"signed out", signedOut, store.ErrSessionEnded},
			{"user disabled, then enabled", disabled, store.ErrSessionEnded},
			{"password changed", newPassword, store.ErrSessionEnded},
			{"never stored", fmt.Sprintf("%064x", 7), store.ErrNotFound},
		} {
			_, _, err := s.SessionUser(ctx, tc.hash, idle, maxAge)
			if !errors.Is(err, tc.want) || errors.Is(tc.want, store.ErrSessionEnded) && errors.Is(err, store.ErrNotFound) {
				t.Errorf("session %s: %v, want %v", tc.what, err, tc.want)
			}
		}
		if _, _, err := s.SessionUser(ctx, live, idle, maxAge); err != nil {
			t.Errorf("a session in use: %v", err)
		}

		// The sweep keeps ended sessions for kept after their end.
		if got, err := s.DeleteEndedSessions(ctx, kept); err != nil || got != 0 {
			t.Errorf("a sweep right after the sessions ended deleted %d (%v), want 0", got, err)
		}
		clk.Advance(kept)
		if got, err := s.DeleteEndedSessions(ctx, kept); err != nil || got != 4 {
			t.Errorf("a sweep %s after they ended deleted %d (%v), want the 4 ended ones", kept, got, err)
		}
		if _, _, err := s.SessionUser(ctx, signedOut, idle, maxAge); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a swept session: %v, want not found", err)
		}
		var left int64
		s.DB.Model(&models.Session{}).Count(&left)
		if left != 1 {
			t.Errorf("%d sessions left after the sweep, want 1 (expired, not yet kept long enough)", left)
		}

		// Tokens are never deleted: one that ended stays ended.
		tok := func(name, h string, expires *time.Time) *models.APIToken {
			tk := &models.APIToken{UserID: user(name), Hash: h, Prefix: h[:8], ExpiresAt: expires}
			if err := s.CreateToken(ctx, tk); err != nil {
				t.Fatal(err)
			}
			return tk
		}
		soon := clk.Now().Add(time.Hour)
		revoked, expired := tok("li", fmt.Sprintf("r%063d", 1), nil), tok("li", fmt.Sprintf("e%063d", 1), &soon)
		ofDisabled, live2 := tok("wang", fmt.Sprintf("d%063d", 1), nil), tok("li", fmt.Sprintf("l%063d", 1), nil)
		if err := s.RevokeToken(ctx, revoked.UserID, revoked.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserDisabled(ctx, "wang", true); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Hour)
		for _, tc := range []struct {
			what, hash string
			want       error
		}{
			{"revoked", revoked.Hash, store.ErrTokenEnded},
			{"expired", expired.Hash, store.ErrTokenEnded},
			{"of a disabled user", ofDisabled.Hash, store.ErrTokenEnded},
			{"never stored", fmt.Sprintf("n%063d", 1), store.ErrNotFound},
			{"in use", live2.Hash, nil},
		} {
			_, _, err := s.TokenUser(ctx, tc.hash)
			if !errors.Is(err, tc.want) || errors.Is(tc.want, store.ErrTokenEnded) && errors.Is(err, store.ErrNotFound) {
				t.Errorf("token %s: %v, want %v", tc.what, err, tc.want)
			}
		}
	})
}
