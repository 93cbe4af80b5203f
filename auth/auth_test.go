package auth

import (
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
	th := newThrottle()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for i := 0; i < throttleFailures; i++ {
		if th.blocked("li", now) > 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		th.fail("li", now.Add(time.Duration(i)*time.Minute))
	}
	if w := th.blocked("li", now.Add(5*time.Minute)); w <= 0 || w > throttleWindow {
		t.Errorf("after %d failures: wait %s", throttleFailures, w)
	}
	if th.blocked("zhang", now) > 0 {
		t.Error("another username is blocked")
	}
	if w := th.blocked("li", now.Add(throttleWindow+time.Minute)); w > 0 {
		t.Errorf("still blocked after the window: %s", w)
	}
}
