package people_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"duban/auth"
	"duban/clock"
	"duban/internal/faultkit"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// Who may use each endpoint, written out here on its own — not derived from
// the route table or the grants — so that the test can disagree with them.
// Every served route must be listed, and every listed route served: a new
// endpoint without a line here fails the test.
const (
	anon = "anonymous"
)

var public = []string{anon, models.RoleAdmin, models.RoleSupervisor, models.RoleUnit, models.RoleInspector}
var everyone = []string{models.RoleAdmin, models.RoleSupervisor, models.RoleUnit, models.RoleInspector}

func only(roles ...string) []string { return roles }

var allowed = map[string][]string{
	"GET /api/v1/openapi.json":                  public,
	"GET /api/v1/me":                            everyone,
	"GET /api/v1/units":                         everyone,
	"GET /api/v1/notices":                       everyone,
	"GET /api/v1/notices/counts":                everyone,
	"GET /api/v1/notices/export":                everyone,
	"GET /api/v1/notices/{id}":                  everyone,
	"POST /api/v1/notices/{id}/ack":             only(models.RoleSupervisor, models.RoleUnit),
	"GET /api/v1/cases":                         everyone,
	"POST /api/v1/cases":                        only(models.RoleSupervisor),
	"GET /api/v1/cases/{case_no}":               everyone,
	"PATCH /api/v1/cases/{case_no}":             only(models.RoleSupervisor),
	"POST /api/v1/cases/{case_no}/events":       only(models.RoleSupervisor, models.RoleUnit),
	"GET /api/v1/flags":                         everyone,
	"GET /api/v1/accountability":                everyone,
	"GET /api/v1/accountability/export":         everyone,
	"GET /api/v1/accountability/verify":         everyone,
	"GET /api/v1/accountability/{seq}":          everyone,
	"POST /api/v1/accountability/{seq}/reviews": only(models.RoleInspector),
	"GET /api/v1/rules":                         only(models.RoleAdmin),
	"GET /api/v1/scorecards":                    everyone,
	"GET /static/{file...}":                     public,
	"GET /login":                                public,
	"POST /login":                               public,
	"POST /logout":                              everyone,
	"GET /{$}":                                  everyone,
	"GET /notices/{id}":                         everyone,
	"POST /notices/{id}/ack":                    only(models.RoleSupervisor, models.RoleUnit),
	"GET /cases":                                everyone,
	"GET /cases/{case_no}":                      everyone,
	"POST /cases/{case_no}/events":              only(models.RoleSupervisor, models.RoleUnit),
	"GET /accountability":                       everyone,
	"POST /accountability/{seq}/review":         only(models.RoleInspector),
	"GET /scorecard":                            everyone,
	"GET /rules":                                only(models.RoleAdmin),
}

// unitFiltered are the lists a unit= filter narrows: a unit user naming a
// unit outside its scope is refused.
var unitFiltered = []string{
	"GET /api/v1/notices", "GET /api/v1/notices/counts", "GET /api/v1/notices/export", "GET /api/v1/cases",
	"GET /api/v1/accountability", "GET /api/v1/accountability/export", "GET /api/v1/scorecards",
	"GET /{$}", "GET /cases", "GET /accountability", "GET /scorecard",
}

// TestEveryRouteAgainstEveryRole sends every route, as every role and
// anonymously, with the own unit's objects, another unit's, and guessed ids,
// and checks who gets through, who is refused and how, and that a refused
// write changed nothing.
func TestEveryRouteAgainstEveryRole(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 1000)
		routes := e.h.Routes()
		served := map[string]bool{}
		for _, rt := range routes {
			served[rt.Pattern()] = true
			if _, ok := allowed[rt.Pattern()]; !ok {
				t.Errorf("route %s is served but the access test does not say who may use it; add it to allowed", rt.Pattern())
			}
		}
		for p := range allowed {
			if !served[p] {
				t.Errorf("the access test lists %s, which is not served", p)
			}
		}

		sessions := map[string]*browser{}
		for _, r := range roles {
			sessions[r] = e.signIn(r)
		}
		newCase := 0
		markers := e.leakMarkers()
		controls := map[string][]marker{models.RoleUnit: {}, models.RoleSupervisor: {}}
		for _, m := range markers[anon] {
			if strings.HasPrefix(m.what, "the own") {
				controls[models.RoleUnit] = append(controls[models.RoleUnit], m)
			} else if strings.Contains(m.what, "case number") {
				controls[models.RoleSupervisor] = append(controls[models.RoleSupervisor], m)
			}
		}
		shown := map[string]bool{}
		fig := matrixFigures{Backend: path.Base(t.Name()), Objects: map[string]int{}, Outcomes: map[string]int{}}
		for _, rt := range routes {
			rt := rt
			who := allowed[rt.Pattern()]
			isAPI := strings.HasPrefix(rt.Path, "/api/")
			for _, v := range variants(rt, e) {
				for _, role := range append([]string{anon}, roles...) {
					name := fmt.Sprintf("%s/%s/%s", rt.Pattern(), v.name, role)
					path := v.path
					body, form := writeRequest(rt.Pattern(), role, &newCase)
					before := fingerprint(t, s)
					var status int
					var loc, answer string
					switch {
					case isAPI:
						r := role
						if role == anon {
							r = ""
						}
						var b []byte
						status, b = e.api(r, rt.Method, path, body)
						answer = string(b)
					case role == anon:
						status, answer, loc = anonRequest(t, e, rt.Method, path, form)
					case rt.Pattern() == "POST /logout":
						b := e.signIn(role) // its own session: signing out must not end the matrix's
						form = url.Values{}
						form.Set("csrf", b.csrf)
						status, answer, loc = b.post(path, form)
					case rt.Method == "GET":
						status, answer = sessions[role].get(path)
					default:
						if form == nil {
							form = url.Values{}
						}
						form.Set("csrf", sessions[role].csrf)
						status, answer, loc = sessions[role].post(path, form)
					}
					fig.Requests++
					for _, m := range controls[role] {
						if strings.Contains(answer, m.value) {
							shown[role+" "+m.what] = true
						}
					}
					for _, m := range markers[role] {
						// A number the request itself names may be echoed in
						// its refusal; anything else is another unit's data.
						if strings.Contains(answer, m.value) && !strings.Contains(path, m.value) {
							fig.Leaks++
							t.Errorf("%s: %s %s: the answer (%d) to %s holds %s", name, rt.Method, path, status, role, m.what)
						}
					}
					permitted := slices.Contains(who, role)
					want := expectation(rt.Pattern(), isAPI, role, permitted, v)
					got := outcome(status, loc)
					if got != want {
						t.Errorf("%s: %s %s: got %s (%d %s), want %s", name, rt.Method, path, got, status, loc, want)
					}
					fig.Outcomes[got]++
					fig.Objects[v.kind]++
					if got != "ok" && rt.Method != "GET" && rt.Pattern() != "POST /login" {
						fig.RefusedWritesChecked++
						if after := fingerprint(t, s); after != before {
							fig.RefusedWritesChanged++
							t.Errorf("%s: a refused %s changed the data:\nbefore %s\nafter  %s", name, rt.Method, before, after)
						}
					}
				}
			}
		}
		// The search finds what is there: the unit sees its own case
		// and its petitioner's whole numbers, the supervisor the foreign case.
		for role, ms := range controls {
			for _, m := range ms {
				if !shown[role+" "+m.what] {
					t.Errorf("no answer to %s shows %s: the leak search would not see it either", role, m.what)
				}
			}
		}
		fig.Routes, fig.Roles = len(routes), len(roles)+1
		for _, ms := range markers {
			fig.Markers += len(ms)
		}
		faultkit.Record(t, "security-matrix-"+path.Base(t.Name()), fig)
	})
}

// matrixFigures are the role × endpoint matrix's figures for RELIABILITY.md.
type matrixFigures struct {
	Backend  string         `json:"backend"`
	Routes   int            `json:"routes"`
	Roles    int            `json:"roles"` // with anonymous
	Requests int            `json:"requests"`
	Objects  map[string]int `json:"objects"`  // requests by the object tried: own, foreign, guessed, foreign-filter, all
	Outcomes map[string]int `json:"outcomes"` // ok, login, unauthenticated, forbidden, notfound
	// Markers is how many pieces of data (case numbers, petitioners'
	// names and whole numbers) every answer was searched for, by role.
	Markers              int `json:"markers"`
	Leaks                int `json:"leaks"`
	RefusedWritesChecked int `json:"refused_writes_checked"`
	RefusedWritesChanged int `json:"refused_writes_changed"`
}

// writeRequest is the body (API) or form (pages) a state-changing route is
// sent with: a valid request, so that only the guard can refuse it. n
// numbers the cases registered, which must differ.
func writeRequest(pattern, role string, n *int) (body any, form url.Values) {
	switch pattern {
	case "POST /api/v1/notices/{id}/ack":
		body = map[string]string{"comment": "已阅，正在办理"}
	case "POST /api/v1/cases":
		*n++
		body = map[string]any{"case_no": fmt.Sprintf("T-MATRIX-%s-%d", role, *n), "channel": "visit",
			"status": "received", "received_at": "2026-03-09T09:00:00+08:00"}
	case "PATCH /api/v1/cases/{case_no}":
		body = map[string]any{"category": "物业管理"}
	case "POST /api/v1/cases/{case_no}/events":
		body = map[string]any{"kind": "note", "comment": "已约谈信访人"}
	case "POST /api/v1/accountability/{seq}/reviews":
		body = map[string]any{"decision": "confirm", "reason": "情况属实"}
	case "POST /notices/{id}/ack":
		form = url.Values{"comment": {"已阅"}}
	case "POST /cases/{case_no}/events":
		form = url.Values{"kind": {"note"}, "comment": {"已约谈信访人"}}
	case "POST /accountability/{seq}/review":
		form = url.Values{"decision": {"confirm"}, "reason": {"情况属实"}}
	case "POST /login":
		form = url.Values{"username": {"nobody"}, "password": {"wrong password"}}
	}
	return body, form
}

// marker is a piece of data some role must never be shown.
type marker struct{ what, value string }

// leakMarkers says, per role, what no answer to it may hold: anonymous
// callers nothing of either unit; the unit user nothing of the foreign
// unit's case (its number, its petitioner's name — unless that petitioner
// also has a case in the unit's scope — and numbers); every role but the
// handling unit no whole ID or phone number.
func (e *env) leakMarkers() map[string][]marker {
	ctx := context.Background()
	units, _ := e.s.ListUnits(ctx)
	scope := store.UnitAndBelow(units, e.own.Unit)
	of := func(d unitData, whose string) (caseNo, name, numbers []marker) {
		c, err := e.s.CaseByNo(ctx, d.CaseNo)
		if err != nil {
			e.t.Fatal(err)
		}
		pet, err := e.s.PetitionerByKey(ctx, c.PetitionerKey)
		if err != nil || pet.IDNumber == "" || pet.Phone == "" || c.PetitionerName == "" {
			e.t.Fatalf("the %s case %s has no petitioner with name and numbers (%v)", whose, d.CaseNo, err)
		}
		caseNo = []marker{{whose + " case number " + d.CaseNo, d.CaseNo}}
		name = []marker{{whose + " petitioner's name", c.PetitionerName}}
		numbers = []marker{{whose + " petitioner's whole ID number", pet.IDNumber}, {whose + " petitioner's whole phone number", pet.Phone}}
		return
	}
	ownNo, ownName, ownNums := of(e.own, "the own unit's")
	forNo, forName, forNums := of(e.foreign, "the foreign unit's")
	var shared int64
	e.s.DB.Model(&models.Case{}).Where("petitioner_name = ? AND assigned_unit IN ?", forName[0].value, scope).Count(&shared)
	unit := append(append([]marker{}, forNo...), forNums...)
	if shared == 0 {
		unit = append(unit, forName...)
	}
	all := append(append([]marker{}, ownNums...), forNums...)
	return map[string][]marker{
		anon:                  slices.Concat(ownNo, ownName, ownNums, forNo, forName, forNums),
		models.RoleUnit:       unit,
		models.RoleAdmin:      all,
		models.RoleSupervisor: all,
		models.RoleInspector:  all,
	}
}

type variant struct {
	name string
	path string
	kind string // own | foreign | guessed | all | foreign-filter
}

// variants are the requests a route is tried with: for a route naming an
// object, the own unit's, another unit's and a guessed one; for a list a
// unit may filter, unfiltered and filtered by another unit.
func variants(rt auth.Route, e *env) []variant {
	p := strings.TrimSuffix(rt.Path, "{$}")
	switch {
	case strings.Contains(p, "{file...}"):
		return []variant{{"asset", strings.Replace(p, "{file...}", "app.css", 1), "all"}}
	case strings.Contains(p, "{"):
		mk := func(kind string, d unitData) variant {
			return variant{kind, fill(p, map[string]string{"id": strconv.FormatUint(d.NoticeID, 10), "case_no": d.CaseNo,
				"seq": strconv.FormatInt(d.RecordSeq, 10)}), kind}
		}
		return []variant{mk("own", e.own), mk("foreign", e.foreign),
			{"guessed", fill(p, map[string]string{"id": "987654321", "case_no": "XF-GUESSED-1", "seq": "987654321"}), "guessed"}}
	}
	path := p
	out := []variant{{"plain", path, "all"}}
	if slices.Contains(unitFiltered, rt.Pattern()) {
		out = append(out, variant{"foreign-filter", path + "?unit=" + e.foreign.Unit, "foreign-filter"})
	}
	return out
}

// expectation is what a request should meet: ok, login (sent to sign in),
// unauthenticated (401), forbidden (403) or notfound (404).
func expectation(pattern string, isAPI bool, role string, permitted bool, v variant) string {
	switch {
	case !permitted && role == anon && isAPI:
		return "unauthenticated"
	case !permitted && role == anon:
		return "login"
	case !permitted:
		return "forbidden"
	case pattern == "POST /login":
		return "forbidden" // the form sent without its sign-in CSRF token
	case v.kind == "guessed":
		return "notfound"
	case role == models.RoleUnit && v.kind == "foreign":
		return "notfound"
	case role == models.RoleUnit && v.kind == "foreign-filter":
		return "forbidden"
	}
	return "ok"
}

func outcome(status int, loc string) string {
	switch {
	case status == http.StatusSeeOther && strings.HasPrefix(loc, "/login?next="):
		return "login"
	case status == http.StatusUnauthorized:
		return "unauthenticated"
	case status == http.StatusForbidden:
		return "forbidden"
	case status == http.StatusNotFound:
		return "notfound"
	case status >= 500:
		return fmt.Sprintf("error %d", status)
	}
	// 2xx, a redirect after a form, or a state conflict (acknowledging an
	// acknowledged notice): the request was let through.
	return "ok"
}

func anonRequest(t *testing.T, e *env, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var resp *http.Response
	var err error
	if method == "GET" {
		resp, err = c.Get(e.srv.URL + path)
	} else {
		resp, err = c.PostForm(e.srv.URL+path, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// fingerprint summarises everything a write could change.
func fingerprint(t *testing.T, s *store.Store) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT COUNT(*) FROM notices WHERE status = 'acknowledged'",
		"SELECT COUNT(*) FROM case_events",
		"SELECT COUNT(*) FROM cases",
		"SELECT COUNT(*) FROM accountability_records",
		"SELECT COUNT(*) FROM cases WHERE category = '物业管理'",
	} {
		var n int64
		if err := s.SQL.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, strconv.FormatInt(n, 10))
	}
	return strings.Join(out, " ")
}

// TestUnitUserSeesOnlyItsUnits reads every list and export as the unit user
// and checks that nothing of another unit is in it, and that the
// petitioner's numbers are shown only to the unit handling the case.
func TestUnitUserSeesOnlyItsUnits(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 1000)
		ctx := context.Background()
		units, _ := s.ListUnits(ctx)
		scope := store.UnitAndBelow(units, e.own.Unit)

		var notices struct {
			Items []struct {
				ID     uint64
				Unit   string
				CaseNo string `json:"case_no"`
			}
		}
		status, b := e.api(models.RoleUnit, "GET", "/api/v1/notices?limit=500", nil)
		mustJSON(t, b, &notices)
		if status != 200 || len(notices.Items) == 0 {
			t.Fatalf("unit notices: %d, %d items", status, len(notices.Items))
		}
		for _, n := range notices.Items {
			if !slices.Contains(scope, n.Unit) {
				t.Errorf("the unit user sees notice %d of unit %s", n.ID, n.Unit)
			}
		}
		var cases struct {
			Items []struct {
				CaseNo string `json:"case_no"`
				Unit   string `json:"assigned_unit"`
			}
		}
		_, b = e.api(models.RoleUnit, "GET", "/api/v1/cases?limit=500", nil)
		mustJSON(t, b, &cases)
		if len(cases.Items) == 0 {
			t.Fatal("the unit user sees no case")
		}
		for _, c := range cases.Items {
			if !slices.Contains(scope, c.Unit) {
				t.Errorf("the unit user sees case %s of unit %q", c.CaseNo, c.Unit)
			}
		}
		var flags struct {
			Items []struct {
				CaseNo string `json:"case_no"`
			}
		}
		_, b = e.api(models.RoleUnit, "GET", "/api/v1/flags?limit=500", nil)
		mustJSON(t, b, &flags)
		for _, f := range flags.Items {
			c, err := s.CaseByNo(ctx, f.CaseNo)
			if err != nil || !slices.Contains(scope, c.AssignedUnit) {
				t.Errorf("the unit user sees the flag on case %s of another unit", f.CaseNo)
			}
		}
		var recs struct{ Items []struct{ Unit string } }
		_, b = e.api(models.RoleUnit, "GET", "/api/v1/accountability?limit=500", nil)
		mustJSON(t, b, &recs)
		if len(recs.Items) == 0 {
			t.Fatal("the unit user sees no accountability record against its unit")
		}
		for _, r := range recs.Items {
			if !slices.Contains(scope, r.Unit) {
				t.Errorf("the unit user sees an accountability entry against %s", r.Unit)
			}
		}
		for _, path := range []string{"/api/v1/notices/export?format=csv&status=", "/api/v1/accountability/export?format=csv"} {
			status, b := e.api(models.RoleUnit, "GET", path, nil)
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, b)
			}
			if strings.Contains(string(b), e.foreign.CaseNo) || strings.Contains(string(b), ","+e.foreign.Unit+",") {
				t.Errorf("%s as the unit user holds the foreign unit's %s or %s", path, e.foreign.Unit, e.foreign.CaseNo)
			}
			if !strings.Contains(string(b), e.own.CaseNo) {
				t.Errorf("%s as the unit user lacks its own case %s", path, e.own.CaseNo)
			}
		}

		// Identity and phone numbers: whole for the unit handling the case,
		// masked for everyone else.
		c, _ := s.CaseByNo(ctx, e.own.CaseNo)
		pet, err := s.PetitionerByKey(ctx, c.PetitionerKey)
		if err != nil || pet.IDNumber == "" || pet.Phone == "" {
			t.Fatalf("the demo case %s has no petitioner numbers (%v)", c.CaseNo, err)
		}
		for _, role := range roles {
			var d struct {
				Case struct {
					IDNumber string `json:"petitioner_id_number"`
					Phone    string `json:"petitioner_phone"`
				}
			}
			_, b := e.api(role, "GET", "/api/v1/cases/"+c.CaseNo, nil)
			mustJSON(t, b, &d)
			whole := role == models.RoleUnit
			if (d.Case.IDNumber == pet.IDNumber) != whole || (d.Case.Phone == pet.Phone) != whole {
				t.Errorf("%s sees ID number %q and phone %q (stored %s, %s); whole only for the handling unit",
					role, d.Case.IDNumber, d.Case.Phone, pet.IDNumber, pet.Phone)
			}
			if !whole && (!strings.Contains(d.Case.IDNumber, "****") || !strings.Contains(d.Case.Phone, "****")) {
				t.Errorf("%s: numbers not masked: %q %q", role, d.Case.IDNumber, d.Case.Phone)
			}
		}
	})
}
