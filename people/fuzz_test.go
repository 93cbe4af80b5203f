package people_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// bodyRoute is an API endpoint that takes a JSON body, and who sends it.
type bodyRoute struct {
	method, path, role string
}

func bodyRoutes(e *env) []bodyRoute {
	id, seq := strconv.FormatUint(e.own.NoticeID, 10), strconv.FormatInt(e.own.RecordSeq, 10)
	return []bodyRoute{
		{"POST", "/api/v1/notices/" + id + "/ack", models.RoleUnit},
		{"POST", "/api/v1/cases", models.RoleSupervisor},
		{"PATCH", "/api/v1/cases/" + e.own.CaseNo, models.RoleSupervisor},
		{"POST", "/api/v1/cases/" + e.own.CaseNo + "/events", models.RoleSupervisor},
		{"POST", "/api/v1/cases/" + e.own.CaseNo + "/events", models.RoleUnit},
		{"POST", "/api/v1/accountability/" + seq + "/reviews", models.RoleInspector},
	}
}

// FuzzAPIBodies posts any bytes as the body of every API endpoint that
// takes one, as a user allowed to call it. No answer may be a 500 or a
// panic; every answer is JSON; a refusal is a 4xx JSON error naming its own
// status, and changes nothing — neither the counts a write could change nor
// the case the endpoint names.
func FuzzAPIBodies(f *testing.F) {
	seeds := map[int][]string{
		0: {`{"comment":"已部署整改"}`, `{"comment":""}`, `{"coment":"typo"}`, `{"comment":1}`},
		1: {`{"case_no":"F-1","channel":"visit","status":"received","received_at":"2026-03-09T09:00:00+08:00"}`,
			`{"case_no":"F-2","channel":"fax","status":"closed","received_at":"2026-03-09","assigned_unit":"nowhere"}`,
			`{"case_no":"F-3","channel":"visit","status":"assigned","received_at":"2026-03-02T09:00:00+08:00","accepted_at":"2026-03-02T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-03-02T11:00:00+08:00","due_at":"2026-04-30T23:59:59+08:00","petitioner_id_number":"410102199001011234","petitioner_phone":"13812345678"}`,
			`[]`, `{"case_no":null}`},
		2: {`{"category":"物业管理"}`, `{"closed_at":null}`, `{"summary":"反映小区电梯长期停运"}`, `{"status":"teleported"}`, `{"received_at":"9999-99-99"}`},
		3: {`{"kind":"note","comment":"已约谈信访人"}`, `{"kind":"assign","unit":"zjj","due_at":"2026-05-08","comment":"请按期办结"}`,
			`{"kind":"extend","extended_due_at":"2026-06-01"}`, `{"kind":"reject","comment":"不予受理"}`, `{"kind":"accept","at":"2026-03-09T10:00:00+08:00"}`},
		4: {`{"kind":"close","comment":"已答复"}`, `{"kind":"return_visit","comment":"满意"}`, `{"kind":"teleport"}`},
		5: {`{"decision":"dismiss","reason":"已批准延期"}`, `{"decision":"confirm"}`, `{"decision":"maybe","reason":"x"}`},
	}
	for route, bodies := range seeds {
		for _, b := range bodies {
			f.Add(uint8(route), []byte(b))
		}
	}
	f.Add(uint8(0), []byte(""))
	f.Add(uint8(1), []byte(`{"case_no":"F-4","channel":"visit"`))
	f.Add(uint8(2), []byte(strings.Repeat(`{"a":`, 1000)))
	f.Add(uint8(3), []byte("\x00\xff"))

	// One county per fuzzing process, on SQLite: building it takes a second.
	clk := clock.NewFixed(demoNow)
	s, err := store.Open(context.Background(), storetest.SQLite.NewDSN(f), store.Options{Clock: clk})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	e := newEnv(f, s, clk, 300)
	routes := bodyRoutes(e)

	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		caseBefore := caseRow(t, s, e.own.CaseNo)
		before := fingerprint(t, s)
		req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+e.tokens[rt.role])
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("%s %s as %s: %d %s\nbody %q", rt.method, rt.path, rt.role, rec.Code, rec.Body, body)
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %v: %.200s", rt.method, rt.path, rec.Code, err, rec.Body)
		}
		if rec.Code < 400 {
			return
		}
		var ae apiError
		json.Unmarshal(rec.Body.Bytes(), &ae)
		if ae.Error.Status != rec.Code || ae.Error.Code == "" || ae.Error.Message == "" {
			t.Fatalf("%s %s: %d without a JSON error that says so: %.300s", rt.method, rt.path, rec.Code, rec.Body)
		}
		if after := fingerprint(t, s); after != before {
			t.Fatalf("%s %s refused (%d) but changed the data: %s → %s\nbody %q", rt.method, rt.path, rec.Code, before, after, body)
		}
		if after := caseRow(t, s, e.own.CaseNo); after != caseBefore {
			t.Fatalf("%s %s refused (%d) but changed case %s:\n%s\n→ %s", rt.method, rt.path, rec.Code, e.own.CaseNo, caseBefore, after)
		}
	})
}

// caseRow is a case's stored row, to compare.
func caseRow(t *testing.T, s *store.Store, caseNo string) string {
	c, err := s.CaseByNo(context.Background(), caseNo)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", *c)
}

// The valid seeds go through: the fuzz target's refusals are not all it sees.
func TestAPIBodySeedsAreAccepted(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		rts := bodyRoutes(e)
		for i, body := range []string{`{"comment":"已部署整改"}`,
			`{"case_no":"F-1","channel":"visit","status":"received","received_at":"2026-03-09T09:00:00+08:00"}`,
			`{"category":"物业管理"}`, `{"kind":"note","comment":"已约谈信访人"}`, `{"kind":"note","comment":"已联系"}`,
			`{"decision":"dismiss","reason":"已批准延期"}`} {
			var v any
			json.Unmarshal([]byte(body), &v)
			if status, b := e.api(rts[i].role, rts[i].method, rts[i].path, v); status != http.StatusOK && status != http.StatusCreated {
				t.Errorf("%s %s as %s: %d %s", rts[i].method, rts[i].path, rts[i].role, status, b)
			}
		}
	})
}
