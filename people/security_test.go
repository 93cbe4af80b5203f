package people_test

// The HTTP side of the reliability suite's security part: SQL injection in
// every filter, sort and pagination parameter, CSRF on every state-changing
// route, session fixation and sign-out, and the limit on failed
// credentials. Each test records its figures (internal/faultkit.Record) for
// RELIABILITY.md; the role × endpoint matrix is TestEveryRouteAgainstEveryRole.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"duban/auth"
	"duban/clock"
	"duban/internal/faultkit"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// injections are classic SQL injection payloads, sent alone and after a
// valid value of each parameter. The timed ones (SLEEP, BENCHMARK) would
// take a minute or more if they ran, far past slowInjection, which no honest
// answer nears however busy the machine.
var injections = []string{
	`'`, `"`, `\`, `%`, `_`,
	`' OR '1'='1`, `' OR 1=1 --`, `" OR ""="`, `') OR ('1'='1`, `1 OR 1=1`, `admin'#`, `' OR 1=1/*`,
	`' UNION SELECT username, password_hash, 1, 1 FROM users --`,
	`'; DROP TABLE notices; --`, `1; DELETE FROM cases`,
	`' AND SLEEP(60) --`, `' OR BENCHMARK(3000000000,MD5(1)) --`, `' AND 1=(SELECT COUNT(*) FROM sqlite_master, sqlite_master, sqlite_master) --`,
	`'/**/OR/**/1=1/**/--`, "\x00", "x\x00' OR 1=1 --", strings.Repeat("' OR 1=1 -- ", 2000),
}

// listPages are the pages that list, with the API list whose parameters
// they read.
var listPages = map[string]string{
	"GET /{$}":            "GET /api/v1/notices",
	"GET /cases":          "GET /api/v1/cases",
	"GET /accountability": "GET /api/v1/accountability",
	"GET /scorecard":      "GET /api/v1/scorecards",
}

// validValue is a value each parameter accepts, that payloads are appended to.
func validValue(e *env, param string) string {
	switch param {
	case "unit":
		return e.own.Unit
	case "case":
		return e.own.CaseNo
	case "level":
		return "督办"
	case "status":
		return "open"
	case "rule":
		return "deadline.breach"
	case "since", "until":
		return "2026-03-01"
	case "before":
		return "100"
	case "limit":
		return "50"
	case "format":
		return "csv"
	case "kind":
		return "record"
	case "label":
		return "重复访"
	case "month":
		return "2026-03"
	case "metric":
		return "overdue"
	case "months":
		return "3"
	case "open":
		return "true"
	case "sort":
		return "id"
	case "order":
		return "desc"
	}
	return "x"
}

var caseNoShape = regexp.MustCompile(`[A-Z][A-Z0-9-]{4,}`)

// rows is how much of the data an answer shows: the distinct case numbers
// in it that exist (but for one the request itself names) or, for answers
// without case numbers, a JSON list's items, the scorecards' unit rows (API)
// or their drill-down links (page) — whichever is most.
func rows(body, sent string, caseNos map[string]bool) int {
	seen := map[string]bool{}
	for _, m := range caseNoShape.FindAllString(body, -1) {
		if caseNos[m] && !strings.Contains(sent, m) {
			seen[m] = true
		}
	}
	n := max(len(seen), strings.Count(body, "metric=assigned"))
	var list struct {
		Items  []json.RawMessage
		Scores [][]json.RawMessage
	}
	if json.Unmarshal([]byte(body), &list) == nil {
		n = max(n, len(list.Items))
		for _, month := range list.Scores {
			n = max(n, len(month))
		}
	}
	return n
}

// tableCounts counts the rows of every table.
func tableCounts(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	tables, err := s.DB.Migrator().GetTables()
	if err != nil || len(tables) < 5 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	out := map[string]int64{}
	for _, tb := range tables {
		var n int64
		if err := s.SQL.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

type injectionFigures struct {
	Backend      string         `json:"backend"`
	Endpoints    int            `json:"endpoints"`
	Parameters   int            `json:"parameters"` // endpoint × parameter pairs
	Payloads     int            `json:"payloads"`
	Requests     int            `json:"requests"`
	Statuses     map[string]int `json:"statuses"`
	ServerErrors int            `json:"server_errors"`
	MoreRows     int            `json:"more_rows_than_honest"`
	// RowsUnfiltered sums the rows the lists show unfiltered.
	RowsUnfiltered int   `json:"rows_unfiltered"`
	SlowestMS      int64 `json:"slowest_ms"`
	Tables         int   `json:"tables"`
	TableRows      int64 `json:"table_rows"`
	TablesAfter    int64 `json:"table_rows_after"`
}

// TestSQLInjectionInEveryParameter sends every payload in every filter,
// sort and pagination parameter of every list and export, API and pages, as
// the supervisor and as the unit user. Each answer must be a 4xx (a JSON
// error from the API) or a normal answer — never a 500, never slower than
// a payload's SLEEP would make it, never more rows than the same parameter
// with an honest value that matches nothing — and every table keeps its
// rows.
// slowInjection is how long an answer may take before a timed payload is
// taken to have run.
const slowInjection = 30 * time.Second

func TestSQLInjectionInEveryParameter(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		caseNos := map[string]bool{}
		var all []string
		s.DB.Model(&models.Case{}).Pluck("case_no", &all)
		for _, c := range all {
			caseNos[c] = true
		}
		sessions := map[string]*browser{models.RoleSupervisor: e.signIn(models.RoleSupervisor), models.RoleUnit: e.signIn(models.RoleUnit)}
		before := tableCounts(t, s)
		fig := injectionFigures{Backend: path.Base(t.Name()), Payloads: len(injections), Statuses: map[string]int{}, Tables: len(before)}
		for _, n := range before {
			fig.TableRows += n
		}
		byPattern := map[string]auth.Route{}
		for _, rt := range e.h.Routes() {
			byPattern[rt.Pattern()] = rt
		}
		for _, rt := range e.h.Routes() {
			params := rt.Query
			if api, ok := listPages[rt.Pattern()]; ok {
				params = byPattern[api].Query
			}
			if rt.Method != "GET" || len(params) == 0 {
				continue
			}
			fig.Endpoints++
			isAPI := strings.HasPrefix(rt.Path, "/api/")
			// The count sees data where there is some: unfiltered, every
			// list shows the supervisor rows.
			unfiltered := strings.TrimSuffix(rt.Path, "{$}")
			var body string
			if isAPI {
				if strings.HasSuffix(unfiltered, "/export") {
					unfiltered += "?format=csv"
				}
				_, b := e.api(models.RoleSupervisor, "GET", unfiltered, nil)
				body = string(b)
			} else {
				_, body = sessions[models.RoleSupervisor].get(unfiltered)
			}
			if n := rows(body, "", caseNos); n == 0 {
				t.Errorf("%s unfiltered shows the supervisor no rows: the injections' row counts would prove nothing", rt.Pattern())
			} else {
				fig.RowsUnfiltered += n
			}
			names := []string{"sort", "order"} // no list sorts by a parameter: these must be ignored
			for _, p := range params {
				names = append(names, p.Name)
			}
			for _, param := range names {
				fig.Parameters++
				for _, role := range []string{models.RoleSupervisor, models.RoleUnit} {
					get := func(value string) (int, string, string, time.Duration) {
						q := url.Values{param: {value}}
						if param != "format" && strings.HasSuffix(rt.Path, "/export") {
							q.Set("format", "csv")
						}
						p := strings.TrimSuffix(rt.Path, "{$}") + "?" + q.Encode()
						start := time.Now()
						var status int
						var body string
						if isAPI {
							var b []byte
							status, b = e.api(role, "GET", p, nil)
							body = string(b)
						} else {
							status, body = sessions[role].get(p)
						}
						return status, body, p, time.Since(start)
					}
					_, honestBody, _, _ := get("无此值zz")
					honest := rows(honestBody, "无此值zz", caseNos)
					for _, payload := range injections {
						for _, value := range []string{payload, validValue(e, param) + payload} {
							if role == models.RoleUnit && value != payload {
								continue // the unit user: the payload alone, against its scope
							}
							status, body, p, took := get(value)
							fig.Requests++
							fig.Statuses[strconv.Itoa(status)]++
							fig.SlowestMS = max(fig.SlowestMS, took.Milliseconds())
							where := fmt.Sprintf("%s as %s, %s=%.60q", rt.Pattern(), role, param, value)
							switch {
							case status >= 500:
								fig.ServerErrors++
								t.Errorf("%s: %d %.300s", where, status, body)
							case !slices.Contains([]int{200, 400, 403, 404, 422}, status):
								t.Errorf("%s: status %d", where, status)
							case status >= 400 && isAPI:
								var ae apiError
								if json.Unmarshal([]byte(body), &ae) != nil || ae.Error.Status != status || ae.Error.Message == "" {
									t.Errorf("%s: %d without a JSON error: %.200s", where, status, body)
								}
							}
							if took > slowInjection {
								t.Errorf("%s took %s: did a payload's SLEEP run?", where, took)
							}
							if n := rows(body, value, caseNos); n > honest {
								fig.MoreRows++
								t.Errorf("%s (%s): %d rows; a value matching nothing gives %d", where, p[:min(len(p), 120)], n, honest)
							}
						}
					}
				}
			}
		}
		after := tableCounts(t, s)
		for tb, n := range before {
			fig.TablesAfter += after[tb]
			if after[tb] != n {
				t.Errorf("table %s held %d rows before the injections and %d after", tb, n, after[tb])
			}
		}
		faultkit.Record(t, "security-injection-"+fig.Backend, fig)
	})
}

// sendAs sends a request with a browser's cookies (and so its session).
func (b *browser) send(method, path, contentType, body string, header http.Header) (int, string) {
	b.e.t.Helper()
	req, err := http.NewRequest(method, b.e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		b.e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

type csrfFigures struct {
	Backend  string         `json:"backend"`
	Routes   int            `json:"routes"`
	Cases    map[string]int `json:"cases"` // requests by how the token or origin was wrong
	Requests int            `json:"requests"`
	Refused  int            `json:"refused"`
	Changed  int            `json:"changed"`
	// Controls are the same requests with the right token, same-origin:
	// they must go through, or the refusals would prove nothing.
	Controls int `json:"controls_accepted"`
}

// TestCSRFOnEveryStateChangingRoute sends every unsafe route with a valid
// session cookie of a user allowed to use it, but with no CSRF token, a
// wrong one, another session's (the same user's and another user's), or
// from another origin (Sec-Fetch-Site, Origin) with the right token: each is
// refused and changes nothing. The right token from the same origin then
// goes through.
func TestCSRFOnEveryStateChangingRoute(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		fig := csrfFigures{Backend: path.Base(t.Name()), Cases: map[string]int{}}
		n := 0
		for _, rt := range e.h.Routes() {
			if rt.Method == "GET" {
				continue
			}
			fig.Routes++
			var role string
			for _, r := range allowed[rt.Pattern()] {
				if r != anon {
					role = r
					break
				}
			}
			other := models.RoleSupervisor
			if role == other {
				other = models.RoleInspector
			}
			victim, twin, stranger := e.signIn(role), e.signIn(role), e.signIn(other)
			login := rt.Pattern() == "POST /login"
			body, form := writeRequest(rt.Pattern(), role, &n)
			if login {
				form = url.Values{"username": {role}, "password": {testPassword}, "next": {"/"}}
				victim = e.newBrowser()
			}
			p := variants(rt, e)[0].path // the own unit's object
			if rt.Pattern() == "POST /notices/{id}/ack" {
				// The API's ack took the own notice: another open one.
				ns, err := s.ListNotices(context.Background(), store.NoticeFilter{Status: models.NoticeOpen})
				if err != nil || len(ns) < 2 {
					t.Fatalf("open notices: %v", err)
				}
				id := ns[0].ID
				if id == e.own.NoticeID {
					id = ns[1].ID
				}
				p = "/notices/" + strconv.FormatUint(id, 10) + "/ack"
			}
			// request sends the route with a CSRF token (or none).
			request := func(token string, header http.Header) int {
				if header == nil {
					header = http.Header{}
				}
				if body != nil {
					b, _ := json.Marshal(body)
					if token != "" {
						header.Set("X-CSRF-Token", token)
					}
					status, _ := victim.send(rt.Method, p, "application/json", string(b), header)
					return status
				}
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				if token != "" {
					f.Set("csrf", token)
				}
				status, _ := victim.send(rt.Method, p, "application/x-www-form-urlencoded", f.Encode(), header)
				return status
			}
			right := victim.csrf
			if login {
				// The sign-in form's token is double-submitted: a cookie on
				// /login and the same value in the form.
				_, page := victim.get("/login")
				right = csrfInput.FindStringSubmatch(page)[1]
			}
			type attempt struct {
				name, token string
				header      http.Header
			}
			attempts := []attempt{
				{"no token", "", nil},
				{"a wrong token", "forged-" + right[:8], nil},
				{"another session's token (same user)", twin.csrf, nil},
				{"another user's session's token", stranger.csrf, nil},
				{"the right token cross-site (Sec-Fetch-Site)", right, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
				{"the right token from another origin (Origin)", right, http.Header{"Origin": {"https://evil.example"}}},
			}
			for _, a := range attempts {
				if login && strings.Contains(a.name, "session's") {
					continue // no session yet to take a token from
				}
				before := fingerprint(t, s) + " " + sessionCount(t, s)
				status := request(a.token, a.header)
				fig.Requests++
				fig.Cases[a.name]++
				if status == http.StatusForbidden {
					fig.Refused++
				} else {
					t.Errorf("%s with %s: %d, want 403", rt.Pattern(), a.name, status)
				}
				if after := fingerprint(t, s) + " " + sessionCount(t, s); after != before {
					fig.Changed++
					t.Errorf("%s with %s changed the data: %s → %s", rt.Pattern(), a.name, before, after)
				}
			}
			before := fingerprint(t, s) + " " + sessionCount(t, s)
			if status := request(right, nil); status == http.StatusForbidden || status >= 400 && status != http.StatusConflict {
				t.Errorf("%s with the right token, same origin: %d", rt.Pattern(), status)
			} else if after := fingerprint(t, s) + " " + sessionCount(t, s); after == before {
				t.Errorf("%s with the right token changed nothing: the refusals above prove nothing", rt.Pattern())
			} else {
				fig.Controls++
			}
		}
		faultkit.Record(t, "security-csrf-"+fig.Backend, fig)
	})
}

// sessionCount counts the sessions not ended (an ended one's row stays a while).
func sessionCount(t *testing.T, s *store.Store) string {
	var n int64
	if err := s.DB.Model(&models.Session{}).Where("ended_at IS NULL").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return "live sessions=" + strconv.FormatInt(n, 10)
}

// me asks the API who a session cookie belongs to ("" when it is refused).
func (e *env) me(cookie *http.Cookie) string {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Username string }
	json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 200 {
		return ""
	}
	return m.Username
}

func (b *browser) session() *http.Cookie {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "duban_session" {
			return &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	return nil
}

// TestSessionFixationAndSignOut plants session cookies before sign-in — a
// value the attacker chose, and the attacker's own valid session — and
// checks that sign-in always starts a new session that the planted value is
// not; that signing out ends the session on the server (the old cookie no
// longer works); and that disabling a user or changing its password ends its
// sessions for good (re-enabling does not bring them back).
func TestSessionFixationAndSignOut(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		ctx := context.Background()
		u, _ := url.Parse(e.srv.URL)
		var checks []string
		check := func(what string, ok bool) {
			t.Helper()
			if !ok {
				t.Error(what)
				return
			}
			checks = append(checks, what)
		}

		attacker := e.signIn(models.RoleInspector)
		for _, planted := range []*http.Cookie{
			{Name: "duban_session", Value: "attacker-chosen-" + strings.Repeat("a", 27)},
			attacker.session(),
		} {
			// The victim opens the sign-in page, the attacker's cookie is
			// planted, then the victim signs in.
			victim := e.newBrowser()
			_, page := victim.get("/login?next=/")
			victim.c.Jar.SetCookies(u, []*http.Cookie{planted})
			status, _, _ := victim.post("/login", url.Values{"csrf": {csrfInput.FindStringSubmatch(page)[1]},
				"username": {models.RoleSupervisor}, "password": {testPassword}})
			if status != http.StatusSeeOther {
				t.Fatalf("sign-in over a planted cookie: %d", status)
			}
			got := victim.session()
			kind := "a chosen value"
			if planted.Value == attacker.session().Value {
				kind = "the attacker's own session"
			}
			check("after sign-in over "+kind+", the session cookie is a new one", got != nil && got.Value != planted.Value)
			check("after sign-in over "+kind+", the new session is the victim's", e.me(got) == models.RoleSupervisor)
			want := ""
			if planted.Value == attacker.session().Value {
				want = models.RoleInspector
			}
			check("after sign-in over "+kind+", the planted cookie is not the victim's session", e.me(planted) == want)
		}

		b := e.signIn(models.RoleUnit)
		old := b.session()
		check("a fresh session works", e.me(old) == models.RoleUnit)
		status, _, _ := b.post("/logout", url.Values{"csrf": {b.csrf}})
		var left int64 // live sessions of that cookie; the ended row stays a week, to tell it from a guess
		s.DB.Model(&models.Session{}).Where("hash = ? AND ended_at IS NULL", auth.HashSecret(old.Value)).Count(&left)
		check("sign-out ends the session on the server", status == http.StatusSeeOther && left == 0)
		check("after sign-out, the old cookie sent again is refused", e.me(old) == "")

		b = e.signIn(models.RoleSupervisor)
		old = b.session()
		if err := s.SetUserDisabled(ctx, models.RoleSupervisor, true); err != nil {
			t.Fatal(err)
		}
		check("disabling a user ends its session", e.me(old) == "")
		if err := s.SetUserDisabled(ctx, models.RoleSupervisor, false); err != nil {
			t.Fatal(err)
		}
		check("re-enabling the user does not revive the old session", e.me(old) == "")

		b = e.signIn(models.RoleInspector)
		old = b.session()
		hash, err := auth.HashPassword("another password 2026")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPasswordHash(ctx, models.RoleInspector, hash); err != nil {
			t.Fatal(err)
		}
		check("changing a user's password ends its session", e.me(old) == "")
		faultkit.Record(t, "security-sessions-"+path.Base(t.Name()), map[string]any{"backend": path.Base(t.Name()), "checks": checks})
	})
}

type bruteFigures struct {
	Backend   string `json:"backend"`
	Limit     int    `json:"limit"`
	WindowMin int    `json:"window_minutes"`
	// Per kind of guess: how many were sent from one address, how many
	// were checked (401 or a failed sign-in) before the first 429, and
	// how many got 429.
	Guesses []bruteRun `json:"guesses"`
	// OtherAddressValid is the status of a valid token from another
	// address while the first is refused; SameAddressValid of a valid
	// token from the refused address; AfterWindow of a valid token from
	// it once the window passed.
	OtherAddressValid int `json:"other_address_valid"`
	SameAddressValid  int `json:"same_address_valid"`
	AfterWindow       int `json:"after_window"`
	RetryAfterSeconds int `json:"retry_after_seconds"`
}

type bruteRun struct {
	Kind    string `json:"kind"`
	Sent    int    `json:"sent"`
	Checked int    `json:"checked_before_429"`
	Refused int    `json:"refused_429"`
}

// TestCredentialGuessingIsLimited guesses bearer tokens, session cookies
// and passwords (one password across many usernames, as password spraying
// does) from single addresses — each with a new X-Forwarded-For, which must
// not help — and checks that after the limit every further try gets 429
// with Retry-After without being checked, that a valid token from another
// address still works, and that the refusal ends with the window.
func TestCredentialGuessingIsLimited(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		wall := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		e.h.Authenticator.Now = func() time.Time { return wall }
		fig := bruteFigures{Backend: path.Base(t.Name()), Limit: auth.AddrFailures, WindowMin: int(auth.AddrWindow.Minutes())}
		// Each guess claims a new X-Forwarded-For, which must not help.
		newClaim := func(i int) string { return fmt.Sprintf("198.51.100.%d", i%250+1) }
		serve := func(addr string, req *http.Request, i int) *httptest.ResponseRecorder {
			req.RemoteAddr = addr + ":40000"
			req.Header.Set("X-Forwarded-For", newClaim(i))
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			return rec
		}
		loginToken := strings.Repeat("t", 43)
		guesses := []struct {
			kind, addr string
			req        func(i int) *http.Request
			checked    func(*httptest.ResponseRecorder) bool // the answer to a guess that was checked
		}{
			{"bearer tokens on the API", "203.0.113.7", guessedToken, unauthorized},
			{"session cookies on the pages", "203.0.113.8", guessedCookie, toSignIn},
			{"one password across usernames (spraying)", "203.0.113.9", func(i int) *http.Request {
				user := roles[i%len(roles)]
				if i >= len(roles) {
					user = fmt.Sprintf("user%03d", i) // unknown names count too
				}
				f := url.Values{"csrf": {loginToken}, "username": {user}, "password": {"Spring2026!"}}
				r := httptest.NewRequest("POST", "/login", strings.NewReader(f.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.AddCookie(&http.Cookie{Name: "duban_login", Value: loginToken})
				return r
			}, unauthorized},
		}
		for _, g := range guesses {
			run := bruteRun{Kind: g.kind, Sent: 3 * auth.AddrFailures}
			got := send(t, e.h, g.addr+":40000", run.Sent, withForwardedFor(newClaim, g.req), g.checked)
			run.Checked, run.Refused, fig.RetryAfterSeconds = got.checked, got.refused, got.retryAfter
			if run.Checked != auth.AddrFailures || run.Refused != run.Sent-auth.AddrFailures {
				t.Errorf("%s: %d checked before the first 429, %d refused; want %d checked", g.kind, run.Checked, run.Refused, auth.AddrFailures)
			}
			fig.Guesses = append(fig.Guesses, run)
		}
		// The spraying stayed under the per-username lock: the address limit is what stopped it.
		valid := func(addr string) int {
			r := httptest.NewRequest("GET", "/api/v1/me", nil)
			r.Header.Set("Authorization", "Bearer "+e.tokens[models.RoleSupervisor])
			return serve(addr, r, 0).Code
		}
		fig.SameAddressValid = valid("203.0.113.7")
		fig.OtherAddressValid = valid("192.0.2.50")
		if fig.SameAddressValid != http.StatusTooManyRequests || fig.OtherAddressValid != http.StatusOK {
			t.Errorf("a valid token: %d from the refused address (want 429: not checked), %d from another (want 200)",
				fig.SameAddressValid, fig.OtherAddressValid)
		}
		// A success from another address resets nothing.
		if got := serve("203.0.113.7", guesses[0].req(999), 0).Code; got != http.StatusTooManyRequests {
			t.Errorf("a guess after another address's success: %d, want 429", got)
		}
		wall = wall.Add(auth.AddrWindow)
		fig.AfterWindow = valid("203.0.113.7")
		if fig.AfterWindow != http.StatusOK {
			t.Errorf("a valid token from the address once the window passed: %d", fig.AfterWindow)
		}
		sort.Slice(fig.Guesses, func(i, j int) bool { return fig.Guesses[i].Kind < fig.Guesses[j].Kind })
		faultkit.Record(t, "security-bruteforce-"+fig.Backend, fig)
	})
}
