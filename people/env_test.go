package people_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"duban/auth"
	"duban/clock"
	"duban/demo"
	"duban/engine"
	"duban/models"
	"duban/people"
	"duban/rules"
	"duban/store"
)

func TestMain(m *testing.M) {
	auth.BcryptCost = bcrypt.MinCost // sign-ins in tests need not be slow
	os.Exit(m.Run())
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// demoNow is the instant the test county is built for (a Tuesday).
var demoNow = time.Date(2026, 3, 10, 9, 0, 0, 0, shanghai)

const testPassword = "correct horse battery"

// unitData is one unit's objects: an open notice, a case handed to it and
// an accountability record against it.
type unitData struct {
	Unit      string
	NoticeID  uint64
	CaseNo    string
	RecordSeq int64
}

// env is a demo county behind the people's handler, with one user per role.
type env struct {
	t       testing.TB
	s       *store.Store
	clk     *clock.Fixed
	rs      *rules.RuleSet
	h       *people.Handler
	srv     *httptest.Server
	own     unitData // the unit user's unit
	foreign unitData // another unit, outside its scope
	tokens  map[string]string
}

// roles are the test users: username → role. "unit" is the own unit's user.
var roles = []string{models.RoleAdmin, models.RoleSupervisor, models.RoleUnit, models.RoleInspector}

func newEnv(t testing.TB, s *store.Store, clk *clock.Fixed, cases int) *env {
	t.Helper()
	ctx := context.Background()
	rs, err := rules.Load(rules.Defaults(), rules.Options{Now: demoNow})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(demoNow)
	county := demo.Generate(rs.Calendar, demo.Options{Seed: 7, Now: demoNow, Cases: cases})
	if err := demo.Load(ctx, s, county, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.New(s, nil).Tick(ctx, rs, demoNow, engine.TickOptions{}); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, s: s, clk: clk, rs: rs, tokens: map[string]string{}}
	e.pickUnits()
	h, err := people.New(people.Deps{Store: s, Rules: rules.Static{Set: rs}, Clock: clk, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	for _, role := range roles {
		spec := auth.UserSpec{Username: role, DisplayName: "测试" + auth.RoleName(role), Role: role, Password: testPassword}
		if role == models.RoleUnit {
			spec.Unit = e.own.Unit
		}
		if _, _, err := auth.AddUser(ctx, s, spec); err != nil {
			t.Fatal(err)
		}
		tok, _, err := auth.CreateToken(ctx, s, role, "test", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[role] = tok
	}
	return e
}

// pickUnits finds two unrelated units that each have an open notice about a
// case handed to them and an accountability record.
func (e *env) pickUnits() {
	ctx := context.Background()
	units, err := e.s.ListUnits(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	recs, err := e.s.ListAccountability(ctx, store.AccountFilter{Kind: models.AccountRecord, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	var found []unitData
	for _, r := range recs {
		if r.CaseNo == "" {
			continue
		}
		c, err := e.s.CaseByNo(ctx, r.CaseNo)
		if err != nil || c.AssignedUnit != r.UnitCode {
			continue
		}
		ns, err := e.s.ListNotices(ctx, store.NoticeFilter{CaseNo: r.CaseNo, Status: models.NoticeOpen, Units: []string{r.UnitCode}})
		if err != nil || len(ns) == 0 {
			continue
		}
		related := false
		for _, f := range found {
			for _, below := range store.UnitAndBelow(units, f.Unit) {
				if below == r.UnitCode {
					related = true
				}
			}
			for _, below := range store.UnitAndBelow(units, r.UnitCode) {
				if below == f.Unit {
					related = true
				}
			}
		}
		if related {
			continue
		}
		found = append(found, unitData{Unit: r.UnitCode, NoticeID: ns[0].ID, CaseNo: r.CaseNo, RecordSeq: r.Seq})
		if len(found) == 2 {
			e.own, e.foreign = found[0], found[1]
			return
		}
	}
	e.t.Fatalf("the demo county has no two unrelated units with a notice, a case and a record each (found %v)", found)
}

// api calls the JSON API with a role's token ("" for none).
func (e *env) api(role, method, path string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// browser is a signed-in page session: cookies and the session's CSRF token.
type browser struct {
	e    *env
	c    *http.Client
	csrf string
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// newBrowser is a browser with no cookies yet, that does not follow redirects.
func (e *env) newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs a user in through the sign-in form, as a browser would.
func (e *env) signIn(username string) *browser {
	e.t.Helper()
	b := e.newBrowser()
	_, page := b.get("/login")
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		e.t.Fatalf("the sign-in page has no CSRF field:\n%s", page)
	}
	status, _, loc := b.post("/login", url.Values{"csrf": {m[1]}, "username": {username}, "password": {testPassword}, "next": {"/cases"}})
	if status != http.StatusSeeOther || loc != "/cases" {
		e.t.Fatalf("sign in as %s: status %d, location %q", username, status, loc)
	}
	_, page = b.get("/cases")
	m = csrfInput.FindStringSubmatch(page)
	if m == nil {
		e.t.Fatalf("a signed-in page has no CSRF field (the sign-out form):\n%s", page)
	}
	b.csrf = m[1]
	return b
}

func (b *browser) get(path string) (int, string) {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.srv.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
}

func fill(path string, vals map[string]string) string {
	for k, v := range vals {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	return path
}

var _ = fmt.Sprint
