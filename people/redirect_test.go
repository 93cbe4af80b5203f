package people_test

import (
	"bufio"
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// readValues reads a testdata file of Go-quoted strings, one a line.
func readValues(t *testing.T, name string) []string {
	t.Helper()
	path := filepath.Join("testdata", "redirect", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		v, err := strconv.Unquote(s)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// browserTarget is where a browser goes for a Location header, read the
// way browsers read it (the WHATWG URL parser): C0 controls and spaces
// trimmed at the ends, tab, CR and LF dropped anywhere, a backslash read as
// a slash, dot segments resolved.
func browserTarget(t *testing.T, base *url.URL, loc string) *url.URL {
	t.Helper()
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.NewReplacer("\t", "", "\r", "", "\n", "", "\\", "/").Replace(loc)
	u, err := base.Parse(loc)
	if err != nil {
		return &url.URL{Scheme: "invalid", Host: "(" + err.Error() + ")"}
	}
	return u
}

// sqliteEnv is the demo county on SQLite: what is tested here does not
// depend on the database.
func sqliteEnv(t *testing.T) *env {
	t.Helper()
	clk := clock.NewFixed(demoNow)
	s, err := store.Open(context.Background(), storetest.SQLite.NewDSN(t), store.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return newEnv(t, s, clk, 300)
}

var nextInput = regexp.MustCompile(`name="next" value="([^"]*)"`)

// TestSignInRedirectsStayOnThisSite sends every hostile value of the class
// behind issue 11's open redirect as the sign-in's next (GET for a signed-in
// browser, the form it renders for a signed-out one, and the POST) and as
// a form's back: the browser must land on this site, at "/". The good values
// are kept as they are.
func TestSignInRedirectsStayOnThisSite(t *testing.T) {
	e := sqliteEnv(t)
	base, _ := url.Parse(e.srv.URL)
	signedIn := e.signIn(models.RoleSupervisor)
	id := strconv.FormatUint(e.own.NoticeID, 10)
	unit := e.signIn(models.RoleUnit)

	check := func(t *testing.T, how, sent, loc, want string) {
		t.Helper()
		if loc != want {
			t.Errorf("%s %q: Location %q, want %q", how, sent, loc, want)
		}
		if u := browserTarget(t, base, loc); u.Scheme != base.Scheme || u.Host != base.Host {
			t.Errorf("%s %q: Location %q takes the browser to %s://%s", how, sent, loc, u.Scheme, u.Host)
		}
	}
	run := func(t *testing.T, v, want string) {
		// GET for a signed-in browser: straight to next.
		resp, err := signedIn.c.Get(e.srv.URL + "/login?next=" + url.QueryEscape(v))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("GET /login signed in, next %q: %d", v, resp.StatusCode)
		}
		check(t, "GET /login signed in, next", v, resp.Header.Get("Location"), want)

		// GET for a signed-out browser: the form carries next on.
		_, page := e.newBrowser().get("/login?next=" + url.QueryEscape(v))
		m := nextInput.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("the sign-in form has no next field:\n%s", page)
		}
		if got := html.UnescapeString(m[1]); got != want {
			t.Errorf("GET /login signed out, next %q: the form's next is %q, want %q", v, got, want)
		}

		// POST: signs in and goes to next.
		resp = rawSignIn(t, e, models.RoleSupervisor, testPassword, v)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("POST /login, next %q: %d", v, resp.StatusCode)
		}
		check(t, "POST /login, next", v, resp.Header.Get("Location"), want)

		// A form's back (the first acknowledges, the rest are refused as
		// already done; both go back).
		_, _, loc := unit.post("/notices/"+id+"/ack", url.Values{"csrf": {unit.csrf}, "comment": {"已阅"}, "back": {v}})
		check(t, "POST ack, back", v, loc, want)
	}
	for _, v := range readValues(t, "hostile.txt") {
		t.Run("hostile", func(t *testing.T) { run(t, v, "/") })
	}
	for _, v := range readValues(t, "good.txt") {
		t.Run("good", func(t *testing.T) { run(t, v, v) })
	}
}
