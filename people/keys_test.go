package people_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// Keys through the API: a hostile key is refused naming its field or
// parameter, a look-alike is the plain key, and a path that percent-encodes
// an ASCII character (/cases/%41) does not open another case.
func TestHostileKeysThroughTheAPI(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		sup := models.RoleSupervisor
		newCase := func(fields map[string]any) map[string]any {
			c := map[string]any{"channel": "visit", "status": "received", "received_at": "2026-03-09T09:00:00+08:00"}
			for k, v := range fields {
				c[k] = v
			}
			return c
		}
		if status, b := e.api(sup, "POST", "/api/v1/cases", newCase(map[string]any{"case_no": "A", "petitioner_id": "PK1"})); status != 201 {
			t.Fatalf("register A: %d %s", status, b)
		}

		// Bodies: the field is named, nothing is stored.
		for _, tc := range []struct{ field, value string }{
			{"case_no", "A/B"}, {"case_no", "A?x=1"}, {"case_no", "A#x"}, {"case_no", "%41"}, {"case_no", "."},
			{"case_no", ".."}, {"case_no", "A\u200bB"}, {"case_no", "\ufeffA\ufeffB"}, {"case_no", "\u202eA"},
			{"case_no", "A\x00"}, {"case_no", "A\nB"}, {"case_no", "ХF1"},
			{"petitioner_id", "PK\u200b1"}, {"petitioner_id", "PK/1"}, {"petitioner_id", "PK1\u202e"},
		} {
			fields := map[string]any{"case_no": "N1", tc.field: tc.value}
			status, b := e.api(sup, "POST", "/api/v1/cases", newCase(fields))
			var ae apiError
			mustJSON(t, b, &ae)
			named := false
			for _, f := range ae.Error.Fields {
				named = named || f.Field == tc.field
			}
			if status != 422 || !named {
				t.Errorf("%s %q: %d %s; want 422 naming %s", tc.field, tc.value, status, b, tc.field)
			}
		}
		var n int64
		s.DB.Model(&models.Case{}).Where("case_no <> ? AND case_no LIKE ?", "A", "%A%").Count(&n)
		if n != 0 {
			t.Errorf("%d hostile cases stored", n)
		}

		// A full-width look-alike is the same case: registering it again is refused.
		status, b := e.api(sup, "POST", "/api/v1/cases", newCase(map[string]any{"case_no": "Ａ"}))
		if status != 422 || !strings.Contains(string(b), "already exists") {
			t.Errorf("registering Ａ beside A: %d %s", status, b)
		}
		// The location of a new case is escaped (a Han case number).
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/cases", strings.NewReader(`{"case_no":"豫信１","channel":"visit","status":"received","received_at":"2026-03-09T09:00:00+08:00"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens[sup])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != 201 || loc != "/api/v1/cases/%E8%B1%AB%E4%BF%A11" {
			t.Errorf("register 豫信１: %d, Location %q", resp.StatusCode, loc)
		}

		// Paths.
		for _, tc := range []struct {
			path string
			want int
		}{
			{"/api/v1/cases/A", 200},
			{"/api/v1/cases/%EF%BC%A1", 200},           // Ａ, full-width: normalised to A
			{"/api/v1/cases/A%E2%80%8B", 200},          // a zero-width space at the end: trimmed
			{"/api/v1/cases/%E8%B1%AB%E4%BF%A11", 200}, // 豫信1
			{"/api/v1/cases/%41", 400},                 // not case A
			{"/api/v1/cases/%61", 400},
			{"/api/v1/cases/A%2FB", 400},
			{"/api/v1/cases/%2E%2E", 400},
			{"/api/v1/cases/A%3Fx", 400},
			{"/api/v1/cases/A%23x", 400},
			{"/api/v1/cases/A%00", 400},
			{"/api/v1/cases/A%E2%80%AE", 400}, // RTL override
			{"/api/v1/cases/A%E2%80%8BB", 400},
		} {
			status, b := e.api(sup, "GET", tc.path, nil)
			if status != tc.want {
				t.Errorf("GET %s: %d, want %d: %.200s", tc.path, status, tc.want, b)
				continue
			}
			if tc.want == 200 && !strings.Contains(string(b), `"case_no":"A"`) && !strings.Contains(string(b), `"case_no":"豫信1"`) {
				t.Errorf("GET %s: another case: %.200s", tc.path, b)
			}
			if tc.want == 400 && !strings.Contains(string(b), "case_no") {
				t.Errorf("GET %s: the error does not name case_no: %s", tc.path, b)
			}
		}
		for _, p := range []string{"/api/v1/cases/%41/events"} {
			if status, b := e.api(sup, "POST", p, map[string]any{"kind": "accept"}); status != 400 {
				t.Errorf("POST %s: %d %s", p, status, b)
			}
		}
		if status, b := e.api(sup, "PATCH", "/api/v1/cases/%41", map[string]any{"summary": "x"}); status != 400 {
			t.Errorf("PATCH /cases/%%41: %d %s", status, b)
		}
		// A PATCH naming the case by a look-alike keeps the number.
		if status, b := e.api(sup, "PATCH", "/api/v1/cases/A", map[string]any{"case_no": "Ａ", "summary": "更正"}); status != 200 {
			t.Errorf("PATCH A with case_no Ａ: %d %s", status, b)
		}

		// Query filters.
		for _, tc := range []struct {
			query, param string
			want         int
		}{
			{"/api/v1/cases?case=" + url.QueryEscape("Ａ"), "", 200},
			{"/api/v1/cases?case=" + url.QueryEscape("A/B"), "case", 400},
			{"/api/v1/cases?unit=" + url.QueryEscape("zjj\u202e"), "unit", 400},
			{"/api/v1/notices?case=" + url.QueryEscape("A\x00"), "case", 400},
			{"/api/v1/notices?unit=" + url.QueryEscape("../x"), "unit", 400},
			{"/api/v1/flags?case=" + url.QueryEscape("A\u200bB"), "case", 400},
			{"/api/v1/accountability?case=" + url.QueryEscape("A#B"), "case", 400},
			{"/api/v1/scorecards?unit=" + url.QueryEscape("a.b"), "unit", 400},
		} {
			status, b := e.api(sup, "GET", tc.query, nil)
			if status != tc.want || tc.param != "" && !strings.Contains(string(b), tc.param+": ") {
				t.Errorf("GET %s: %d %s; want %d naming %q", tc.query, status, b, tc.want, tc.param)
			}
			if tc.want == 200 && !strings.Contains(string(b), `"case_no":"A"`) {
				t.Errorf("GET %s does not find case A: %.300s", tc.query, b)
			}
		}
	})
}

// Pages escape every case number they link to, whatever it holds (a row
// stored before keys were normalised), and /cases/%41 does not open case A.
func TestPagesEscapeCaseLinks(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		ctx := context.Background()
		legacy := `A/B?x#y%41 "<`
		for _, no := range []string{"A", legacy} {
			c := &models.Case{CaseNo: no, Channel: "visit", Status: models.StatusReceived, ReceivedAt: demoNow.Add(-3600e9)}
			if err := s.CreateCase(ctx, c, nil, "test"); err != nil {
				t.Fatal(err)
			}
		}
		b := e.signIn(models.RoleSupervisor)
		status, page := b.get("/cases")
		if status != 200 {
			t.Fatalf("/cases: %d", status)
		}
		if want := `href="/cases/A%2FB%3Fx%23y%2541%20%22%3C"`; !strings.Contains(page, want) {
			i := strings.Index(page, "A/B")
			t.Errorf("the case list does not link the legacy case as %s; near it:\n%.300s", want, page[max(i-200, 0):])
		}
		if status, page := b.get("/cases/%41"); status != 400 || strings.Contains(page, "信访件 A<") {
			t.Errorf("/cases/%%41: %d", status)
		}
		if status, _ := b.get("/cases/A"); status != 200 {
			t.Errorf("/cases/A: %d", status)
		}
	})
}
