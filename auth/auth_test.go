package auth

import (
	"fmt"
	"net/http"
	"net/netip"
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

// The client address failures count for: X-Forwarded-For is ignored
// unless the connection comes from a trusted proxy, and then read from the
// right, past the trusted hops, so that what a client prepends is never
// believed.
func TestClientAddr(t *testing.T) {
	proxies, err := ParseProxies([]string{"10.0.0.0/8", " 192.0.2.1", "fd00::/8", ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what, peer string
		xff        []string // X-Forwarded-For header lines
		want       string
	}{
		{"a direct client", "203.0.113.7:51234", nil, "203.0.113.7"},
		{"a direct client spoofing X-Forwarded-For", "203.0.113.7:51234", []string{"198.51.100.1"}, "203.0.113.7"},
		{"IPv4 in IPv6", "[::ffff:203.0.113.7]:51234", []string{"198.51.100.1"}, "203.0.113.7"},
		{"IPv6 per /64", "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64"},
		{"IPv6 per /64, another host", "[2001:db8:1:2:ffff::1]:443", nil, "2001:db8:1:2::/64"},
		{"not an address", "not an address", []string{"198.51.100.1"}, "not an address"},
		{"a trusted proxy", "10.1.2.3:8000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a trusted single address", "192.0.2.1:8000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a trusted proxy without the header", "10.1.2.3:8000", nil, "10.1.2.3"},
		{"a client prepending to a trusted proxy", "10.1.2.3:8000", []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies", "10.1.2.3:8000", []string{"1.1.1.1, 198.51.100.1, 10.9.9.9, 192.0.2.1"}, "198.51.100.1"},
		{"a chain over several header lines", "10.1.2.3:8000", []string{"1.1.1.1", "198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"a client inside the trusted network", "10.1.2.3:8000", []string{"10.4.4.4, 10.9.9.9"}, "10.4.4.4"},
		{"an untrusted hop between proxies", "10.1.2.3:8000", []string{"198.51.100.1, 203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"a hop with a port", "10.1.2.3:8000", []string{"198.51.100.1:4711"}, "198.51.100.1"},
		{"an IPv6 hop in brackets", "10.1.2.3:8000", []string{"[2001:db8:9::1]:4711"}, "2001:db8:9::/64"},
		{"an IPv6 proxy", "[fd00::5]:8000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a malformed hop: the last trusted one", "10.1.2.3:8000", []string{"198.51.100.1, garbage, 10.9.9.9"}, "10.9.9.9"},
		{"a malformed header: the proxy", "10.1.2.3:8000", []string{"garbage"}, "10.1.2.3"},
		{"an empty header: the proxy", "10.1.2.3:8000", []string{""}, "10.1.2.3"},
		{"an empty hop: the proxy", "10.1.2.3:8000", []string{"198.51.100.1, "}, "10.1.2.3"},
		{"a zoned hop is malformed", "10.1.2.3:8000", []string{"fe80::1%eth0"}, "10.1.2.3"},
	} {
		r := &http.Request{RemoteAddr: tc.peer, Header: http.Header{"X-Forwarded-For": tc.xff}}
		if got := ClientAddr(r, proxies); got != tc.want {
			t.Errorf("%s: ClientAddr(peer %s, X-Forwarded-For %q) = %q, want %q", tc.what, tc.peer, tc.xff, got, tc.want)
		}
		// Without trusted proxies the header never counts.
		if got, want := ClientAddr(r, nil), ClientAddr(&http.Request{RemoteAddr: tc.peer}, nil); got != want {
			t.Errorf("%s, no trusted proxies: %q, want the peer %q", tc.what, got, want)
		}
	}
}

func TestParseProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "10.0.0", "example.org", "fe80::1%eth0", "10.0.0.0/8/8"} {
		if _, err := ParseProxies([]string{"127.0.0.1", bad}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("ParseProxies(%q): %v, want an error quoting it", bad, err)
		}
	}
	ps, err := ParseProxies([]string{"10.1.2.3/8", "::1"})
	if err != nil || len(ps) != 2 || ps[0].String() != "10.0.0.0/8" || ps[1].String() != "::1/128" {
		t.Errorf("ParseProxies: %v %v", ps, err)
	}
}

// Cookies are Secure when a trusted proxy says the request came over
// HTTPS, never on an untrusted peer's word.
func TestForwardedProto(t *testing.T) {
	a := &Authenticator{Proxies: Proxies{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, tc := range []struct {
		peer   string
		protos []string
		want   bool
	}{
		{"10.1.2.3:80", []string{"https"}, true},
		{"10.1.2.3:80", []string{"HTTPS"}, true},
		{"10.1.2.3:80", []string{"http"}, false},
		{"10.1.2.3:80", nil, false},
		{"10.1.2.3:80", []string{"http, https"}, true}, // the nearest proxy's word
		{"10.1.2.3:80", []string{"https, http"}, false},
		{"203.0.113.7:80", []string{"https"}, false},
	} {
		r := &http.Request{RemoteAddr: tc.peer, Header: http.Header{"X-Forwarded-Proto": tc.protos}}
		if got := a.secure(r); got != tc.want {
			t.Errorf("peer %s, X-Forwarded-Proto %q: Secure %v, want %v", tc.peer, tc.protos, got, tc.want)
		}
	}
}
