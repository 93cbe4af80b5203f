package auth

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"duban/models"
)

func TestPasswords(t *testing.T) {
	BcryptCost = bcrypt.MinCost
	if _, err := HashPassword("short"); err == nil || !strings.Contains(err.Error(), "at least 10") {
		t.Errorf("a 5-character password: %v", err)
	}
	if _, err := HashPassword(strings.Repeat("密", 25)); err == nil || !strings.Contains(err.Error(), "72 bytes") {
		t.Errorf("a password bcrypt would cut short: %v", err)
	}
	h, err := HashPassword("督办系统口令2026")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "督办系统口令2026") || CheckPassword(h, "督办系统口令2025") || CheckPassword("", "") {
		t.Error("CheckPassword accepts the wrong password or rejects the right one")
	}
	if a, b := NewToken(), NewToken(); a == b || !strings.HasPrefix(a, TokenPrefix) || len(a) != len(TokenPrefix)+43 {
		t.Errorf("tokens %q %q", a, b)
	}
	if HashSecret("x") == "x" || len(HashSecret("x")) != 64 {
		t.Error("HashSecret is not a SHA-256 hex digest")
	}
}

func TestScopes(t *testing.T) {
	sup := &Principal{Role: models.RoleSupervisor}
	unit := &Principal{Role: models.RoleUnit, Units: []string{"cgz", "cgz-dj", "信访局"}}
	lost := &Principal{Role: models.RoleUnit}
	for _, tc := range []struct {
		p    *Principal
		unit string
		want bool
	}{{sup, "zjj", true}, {sup, "", true}, {unit, "cgz-dj", true}, {unit, "信访局", true}, {unit, "zjj", false},
		{unit, "", false}, {lost, "cgz", false}} {
		if got := tc.p.InScope(tc.unit); got != tc.want {
			t.Errorf("%s %v in scope of %q: %v", tc.p.Role, tc.p.Units, tc.unit, got)
		}
	}
	if sup.Scope() != nil || lost.Scope() == nil || len(lost.Scope()) != 0 {
		t.Error("a supervisor's scope is all (nil); a unit user without units sees nothing (empty, not nil)")
	}
	if (&Principal{Username: "li", Name: "李明"}).Actor() != "李明 (li)" {
		t.Error("Actor names the person and the username")
	}
}

func TestThrottle(t *testing.T) {
	th := newLimiter(nameFailures, nameWindow, 100)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for i := 0; i < nameFailures; i++ {
		if th.blocked("li", now) > 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		th.fail("li", now.Add(time.Duration(i)*time.Minute))
	}
	if w := th.blocked("li", now.Add(5*time.Minute)); w != nameWindow-5*time.Minute {
		t.Errorf("after %d failures, the last at +4m: wait %s at +5m, want until the first leaves the window", nameFailures, w)
	}
	if th.blocked("zhang", now) > 0 {
		t.Error("another username is blocked")
	}
	if w := th.blocked("li", now.Add(nameWindow+time.Minute)); w > 0 {
		t.Errorf("still blocked after the window: %s", w)
	}
}

// The address limiter keeps at most its size of addresses, forgetting
// first those whose failures left the window, then the stalest.
func TestLimiterIsBounded(t *testing.T) {
	l := newLimiter(3, time.Minute, 100)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		l.fail("attacker", now)
	}
	for i := 0; i < 10000; i++ {
		l.fail(fmt.Sprintf("10.0.%d.%d", i/256, i%256), now.Add(time.Duration(i)*time.Millisecond))
		if l.len() > 100 {
			t.Fatalf("%d addresses kept after %d; at most 100", l.len(), i+1)
		}
	}
	if l.blocked("10.0.39.15", now.Add(10*time.Second)) != 0 {
		t.Error("one failure blocks an address")
	}
	// A full table of recent failures does not stop a new address from being counted.
	for i := 0; i < 3; i++ {
		l.fail("203.0.113.9", now.Add(11*time.Second))
	}
	if l.blocked("203.0.113.9", now.Add(11*time.Second)) == 0 {
		t.Error("an address with 3 failures is not blocked with the table full")
	}
	// Each key keeps at most max failures, whatever it sends.
	for i := 0; i < 1000; i++ {
		l.fail("203.0.113.9", now.Add(11*time.Second))
	}
	if n := len(l.fails["203.0.113.9"]); n != 3 {
		t.Errorf("one address keeps %d failure times; at most 3", n)
	}
}

func TestClientAddr(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7:51234":          "203.0.113.7",
		"[::ffff:203.0.113.7]:51234": "203.0.113.7",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"not an address":             "not an address",
	} {
		r := &http.Request{RemoteAddr: in, Header: http.Header{"X-Forwarded-For": {"198.51.100.1"}}}
		if got := ClientAddr(r); got != want {
			t.Errorf("ClientAddr(%q) = %q, want %q (X-Forwarded-For is not trusted)", in, got, want)
		}
	}
}
