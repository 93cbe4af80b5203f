package people_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"duban/auth"
	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

type apiError struct {
	Error struct {
		Status  int
		Code    string
		Message string
		Fields  []struct{ Field, Message string }
	}
}

// TestCaseLifecycleThroughTheAPI registers a case and takes it through
// every step, as the petition office and the responsible unit would, and
// checks the case row, the timeline and the refusals along the way.
func TestCaseLifecycleThroughTheAPI(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		ctx := context.Background()
		sup, unit := models.RoleSupervisor, models.RoleUnit

		// A row the importer would refuse is refused the same way, naming each field.
		status, b := e.api(sup, "POST", "/api/v1/cases", map[string]any{"case_no": "T-1", "channel": "fax", "status": "closed",
			"received_at": "2026-03-09T09:00:00+08:00", "assigned_unit": "nowhere"})
		var ae apiError
		mustJSON(t, b, &ae)
		fields := map[string]bool{}
		for _, f := range ae.Error.Fields {
			fields[f.Field] = true
		}
		if status != 422 || !fields["channel"] || !fields["assigned_unit"] || !fields["closed_at"] {
			t.Fatalf("a bad case: %d %s", status, b)
		}

		status, b = e.api(sup, "POST", "/api/v1/cases", map[string]any{"case_no": "T-1", "channel": "visit", "status": "received",
			"received_at": "2026-03-09T09:00:00+08:00", "petitioner_id": "PT1", "petitioner_name": "张三",
			"petitioner_id_number": "410102199001011234", "petitioner_phone": "13812345678", "category": "物业管理"})
		if status != 201 {
			t.Fatalf("register: %d %s", status, b)
		}
		if status, b = e.api(sup, "POST", "/api/v1/cases", map[string]any{"case_no": "T-1", "channel": "visit", "status": "received",
			"received_at": "2026-03-09T09:00:00+08:00"}); status != 422 || !strings.Contains(string(b), "already exists") {
			t.Errorf("registering a case number again: %d %s", status, b)
		}

		step := func(role string, body map[string]any, want int) []byte {
			t.Helper()
			status, b := e.api(role, "POST", "/api/v1/cases/T-1/events", body)
			if status != want {
				t.Fatalf("%s %v: %d, want %d: %s", role, body, status, want, b)
			}
			return b
		}
		// The unit cannot see the case before it is handed to it.
		step(unit, map[string]any{"kind": "note", "comment": "x"}, 404)
		step(sup, map[string]any{"kind": "close"}, 422) // not accepted yet
		step(sup, map[string]any{"kind": "accept", "at": "2026-03-09T10:00:00+08:00"}, 200)
		step(sup, map[string]any{"kind": "accept"}, 422)                                             // twice
		step(sup, map[string]any{"kind": "assign", "unit": e.own.Unit}, 422)                         // no deadline
		step(sup, map[string]any{"kind": "assign", "unit": e.own.Unit, "due_at": "2026-03-01"}, 422) // before the handover
		step(sup, map[string]any{"kind": "assign", "unit": e.own.Unit, "due_at": "2026-05-08", "comment": "请于期限内办结"}, 200)
		c, _ := s.CaseByNo(ctx, "T-1")
		wantDue := time.Date(2026, 5, 8, 23, 59, 59, 0, shanghai)
		if c.Status != models.StatusAssigned || c.AssignedUnit != e.own.Unit || c.DueAt == nil || !c.DueAt.Equal(wantDue) {
			t.Fatalf("after assign: %+v", c)
		}
		// Now the unit sees it, and sees the petitioner's numbers whole.
		b = step(unit, map[string]any{"kind": "note", "comment": "已电话联系信访人"}, 200)
		if !strings.Contains(string(b), "410102199001011234") {
			t.Errorf("the handling unit does not see the ID number: %s", b)
		}
		step(unit, map[string]any{"kind": "extend", "extended_due_at": "2026-06-01"}, 403) // the office approves extensions
		step(sup, map[string]any{"kind": "extend", "extended_due_at": "2026-05-01"}, 422)  // before the deadline
		step(sup, map[string]any{"kind": "extend", "extended_due_at": "2026-06-01"}, 200)
		step(unit, map[string]any{"kind": "return_visit"}, 422) // not closed yet
		step(unit, map[string]any{"kind": "close", "comment": "已答复"}, 200)
		step(unit, map[string]any{"kind": "return_visit", "comment": "信访人表示满意"}, 200)
		step(unit, map[string]any{"kind": "teleport"}, 400)

		// A correction by the office, checked as an import would check it.
		if status, b := e.api(sup, "PATCH", "/api/v1/cases/T-1", map[string]any{"closed_at": nil}); status != 422 || !strings.Contains(string(b), "closed_at") {
			t.Errorf("clearing closed_at of a closed case: %d %s", status, b)
		}
		if status, b := e.api(sup, "PATCH", "/api/v1/cases/T-1", map[string]any{"summary": "反映小区电梯长期停运"}); status != 200 {
			t.Errorf("correcting the summary: %d %s", status, b)
		}

		c, _ = s.CaseByNo(ctx, "T-1")
		if c.Status != models.StatusClosed || c.ClosedAt == nil || c.ReturnVisitAt == nil || c.ExtendedDueAt == nil || c.Summary != "反映小区电梯长期停运" {
			t.Errorf("the case row at the end: %+v", c)
		}
		events, _ := s.CaseEvents(ctx, "T-1")
		var got []string
		for _, ev := range events {
			who := "?"
			switch {
			case strings.Contains(ev.Actor, "(supervisor)"):
				who = "sup"
			case strings.Contains(ev.Actor, "(unit)"):
				who = "unit"
			}
			got = append(got, ev.Kind+"/"+who)
		}
		want := "received/sup accepted/sup assigned/sup note/unit extended/sup closed/unit return_visit/unit updated/sup"
		if strings.Join(got, " ") != want {
			t.Errorf("timeline:\n got %s\nwant %s", strings.Join(got, " "), want)
		}
		for _, ev := range events {
			if ev.Kind == "assigned" && !strings.Contains(ev.Detail, "请于期限内办结") {
				t.Errorf("the handover's comment is not on its event: %q", ev.Detail)
			}
		}
	})
}

// TestAcknowledgeReviewAndVerify acknowledges a notice twice, reviews a
// record, and verifies the chain, through the API.
func TestAcknowledgeReviewAndVerify(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		ctx := context.Background()
		id := strconv.FormatUint(e.own.NoticeID, 10)
		status, b := e.api(models.RoleUnit, "POST", "/api/v1/notices/"+id+"/ack", map[string]string{"comment": "已部署整改"})
		if status != 200 || !strings.Contains(string(b), `"status":"acknowledged"`) {
			t.Fatalf("ack: %d %s", status, b)
		}
		n, _ := s.NoticeByID(ctx, e.own.NoticeID)
		if n.AckComment != "已部署整改" || n.AckedAt == nil || !strings.Contains(n.AckedBy, "unit") {
			t.Errorf("stored acknowledgement: %+v", n)
		}
		status, b = e.api(models.RoleSupervisor, "POST", "/api/v1/notices/"+id+"/ack", map[string]string{"comment": "again"})
		if status != 409 || !strings.Contains(string(b), "already acknowledged by") {
			t.Errorf("a second ack: %d %s", status, b)
		}
		if status, b := e.api(models.RoleUnit, "POST", "/api/v1/notices/"+id+"/ack", map[string]any{"coment": "typo"}); status != 400 {
			t.Errorf("an unknown field: %d %s", status, b)
		}

		seq := strconv.FormatInt(e.own.RecordSeq, 10)
		if status, b := e.api(models.RoleInspector, "POST", "/api/v1/accountability/"+seq+"/reviews", map[string]string{"decision": "confirm"}); status != 400 {
			t.Errorf("a review without a reason: %d %s", status, b)
		}
		status, b = e.api(models.RoleInspector, "POST", "/api/v1/accountability/"+seq+"/reviews", map[string]string{"decision": "confirm", "reason": "超期属实"})
		if status != 201 {
			t.Fatalf("review: %d %s", status, b)
		}
		var rec struct {
			Reviews []struct{ Decision, Reason, Reviewer string }
		}
		mustJSON(t, b, &rec)
		if len(rec.Reviews) != 1 || rec.Reviews[0].Decision != "confirm" || rec.Reviews[0].Reason != "超期属实" {
			t.Errorf("the record after review: %s", b)
		}
		var rep store.ChainReport
		_, b = e.api(models.RoleInspector, "GET", "/api/v1/accountability/verify", nil)
		mustJSON(t, b, &rep)
		if !rep.OK || rep.Records == 0 {
			t.Errorf("verify: %s", b)
		}
		// Tampering is reported through the API too.
		if _, err := s.SQL.ExecContext(ctx, "UPDATE accountability_records SET reason = 'edited' WHERE seq = ?", e.own.RecordSeq); err != nil {
			t.Fatal(err)
		}
		_, b = e.api(models.RoleInspector, "GET", "/api/v1/accountability/verify", nil)
		mustJSON(t, b, &rep)
		if rep.OK || rep.First == nil || rep.First.Seq != e.own.RecordSeq {
			t.Errorf("verify after tampering: %s", b)
		}
	})
}

// TestKeysetPagination walks the notice list page by page and gets every
// notice exactly once, newest first.
func TestKeysetPagination(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 600)
		var total int64
		s.DB.Model(&models.Notice{}).Count(&total)
		seen := map[uint64]bool{}
		last := uint64(1 << 62)
		next, pages := "", 0
		for {
			path := "/api/v1/notices?limit=7"
			if next != "" {
				path += "&before=" + next
			}
			status, b := e.api(models.RoleSupervisor, "GET", path, nil)
			var page struct {
				Items []struct{ ID uint64 }
				Next  string
			}
			mustJSON(t, b, &page)
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, b)
			}
			pages++
			for _, n := range page.Items {
				if seen[n.ID] || n.ID >= last {
					t.Fatalf("notice %d repeated or out of order (after %d)", n.ID, last)
				}
				seen[n.ID], last = true, n.ID
			}
			if page.Next == "" {
				break
			}
			next = page.Next
		}
		if int64(len(seen)) != total || pages != int(total+6)/7 {
			t.Errorf("walked %d notices in %d pages; the table holds %d", len(seen), pages, total)
		}
		if status, b := e.api(models.RoleSupervisor, "GET", "/api/v1/notices?before=abc", nil); status != 400 || !strings.Contains(string(b), "cursor") {
			t.Errorf("a bad cursor: %d %s", status, b)
		}
	})
}

// TestLedgerExports opens the XLSX ledgers as a person would and checks
// their Chinese headers and that they hold what the list shows.
func TestLedgerExports(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		q := "status=open&level=" + url.QueryEscape("督办")
		_, b := e.api(models.RoleSupervisor, "GET", "/api/v1/notices?limit=500&"+q, nil)
		var list struct{ Items []struct{ ID uint64 } }
		mustJSON(t, b, &list)
		if len(list.Items) == 0 {
			t.Fatal("no open 督办 notice to export")
		}
		status, b := e.api(models.RoleSupervisor, "GET", "/api/v1/notices/export?format=xlsx&"+q, nil)
		if status != 200 {
			t.Fatalf("export: %d %s", status, b)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("the XLSX does not open: %v", err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "督办台账" {
			t.Errorf("title row: %v", rows[0])
		}
		header := strings.Join(rows[1], ",")
		for _, col := range []string{"编号", "下发时间", "督办级别", "规则名称", "标题", "信访件编号", "责任单位", "状态", "签收人", "签收时间", "签收意见"} {
			if !strings.Contains(header, col) {
				t.Errorf("the notice ledger lacks the column %s: %s", col, header)
			}
		}
		if len(rows)-2 != len(list.Items) {
			t.Errorf("the ledger has %d rows; the list shows %d", len(rows)-2, len(list.Items))
		}
		for _, r := range rows[2:] {
			if r[2] != "督办" || r[12] != "待签收" {
				t.Errorf("a row outside the filter: %v", r)
				break
			}
		}
		if id, _ := strconv.ParseUint(rows[2][0], 10, 64); id != list.Items[0].ID {
			t.Errorf("the first row is notice %s, the list starts with %d", rows[2][0], list.Items[0].ID)
		}

		status, b = e.api(models.RoleInspector, "GET", "/api/v1/accountability/export?format=csv", nil)
		if status != 200 || !bytes.HasPrefix(b, []byte("\ufeff序号,记录时间,类型,规则")) {
			t.Errorf("accountability CSV: %d %.80q", status, b)
		}
		status, b = e.api(models.RoleInspector, "GET", "/api/v1/accountability/export", nil)
		f, err = excelize.OpenReader(bytes.NewReader(b))
		if status != 200 || err != nil {
			t.Fatalf("accountability XLSX: %d %v", status, err)
		}
		rows, _ = f.GetRows(f.GetSheetName(0))
		if rows[0][0] != "问责台账" || !strings.Contains(strings.Join(rows[1], ","), "审查结论") {
			t.Errorf("accountability ledger head: %v %v", rows[0], rows[1])
		}
		if status, b := e.api(models.RoleSupervisor, "GET", "/api/v1/notices/export?format=pdf", nil); status != 400 {
			t.Errorf("an unknown format: %d %s", status, b)
		}
	})
}

// TestSignInSessionsAndCSRF covers the sign-in form, the session cookie,
// CSRF tokens, cross-origin requests, throttling and disabled users.
func TestSignInSessionsAndCSRF(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		ctx := context.Background()
		b := e.signIn(models.RoleSupervisor)
		u, _ := url.Parse(e.srv.URL)
		var session *http.Cookie
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "duban_session" {
				session = c
			}
		}
		if session == nil {
			t.Fatal("no session cookie")
		}
		// The cookie's attributes are not visible through the jar: sign in
		// once more and read the Set-Cookie header.
		resp := rawSignIn(t, e, models.RoleSupervisor, testPassword, "")
		sc := resp.Header.Get("Set-Cookie")
		for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(sc, attr) {
				t.Errorf("the session cookie lacks %s: %s", attr, sc)
			}
		}
		var stored int64
		s.DB.Model(&models.Session{}).Where("hash = ?", session.Value).Count(&stored)
		if stored != 0 {
			t.Error("the session secret is stored in clear")
		}

		id := strconv.FormatUint(e.own.NoticeID, 10)
		for _, tc := range []struct {
			name string
			form url.Values
		}{{"no token", url.Values{"comment": {"x"}}}, {"a wrong token", url.Values{"comment": {"x"}, "csrf": {"forged"}}}} {
			status, body, _ := b.post("/notices/"+id+"/ack", tc.form)
			if status != 403 || !strings.Contains(body, "表单已过期") {
				t.Errorf("a form with %s: %d", tc.name, status)
			}
		}
		if n, _ := s.NoticeByID(ctx, e.own.NoticeID); n.Status != models.NoticeOpen {
			t.Fatal("a form without its CSRF token acknowledged a notice")
		}
		// A cross-site request is refused even with the token.
		req, _ := http.NewRequest("POST", e.srv.URL+"/notices/"+id+"/ack", strings.NewReader(url.Values{"csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if resp, err := b.c.Do(req); err != nil || resp.StatusCode != 403 {
			t.Errorf("a cross-site form: %v %v", resp.StatusCode, err)
		}
		status, _, loc := b.post("/notices/"+id+"/ack", url.Values{"csrf": {b.csrf}, "comment": {"已阅"}, "back": {"//evil.example/"}})
		if status != 303 || loc != "/" {
			t.Errorf("a form with its token: %d, back to %q (never another site)", status, loc)
		}

		// Sign-in: a wrong password, then throttling after five failures.
		if r := rawSignIn(t, e, models.RoleInspector, "wrong password", ""); r.StatusCode != 401 {
			t.Errorf("a wrong password: %d", r.StatusCode)
		}
		for i := 0; i < 4; i++ {
			rawSignIn(t, e, models.RoleInspector, "wrong password", "")
		}
		if r := rawSignIn(t, e, models.RoleInspector, testPassword, ""); r.StatusCode != 429 {
			t.Errorf("the right password after five failures: %d, want 429 until the lock ends", r.StatusCode)
		}

		// Disabling a user ends its session and its tokens.
		if err := s.SetUserDisabled(ctx, models.RoleSupervisor, true); err != nil {
			t.Fatal(err)
		}
		if status, _ := b.get("/"); status != 303 {
			t.Errorf("a disabled user's session still works: %d", status)
		}
		if status, _ := e.api(models.RoleSupervisor, "GET", "/api/v1/me", nil); status != 401 {
			t.Errorf("a disabled user's token still works: %d", status)
		}
		// An expired session is refused.
		c := e.signIn(models.RoleUnit)
		clk.Advance(13 * time.Hour)
		if status, _ := c.get("/"); status != 303 {
			t.Errorf("a session 13 hours old still works: %d", status)
		}
	})
}

// rawSignIn posts the sign-in form with a fresh login CSRF cookie.
func rawSignIn(t *testing.T, e *env, username, password, next string) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(e.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindStringSubmatch(buf.String())
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(url.Values{"csrf": {m[1]}, "username": {username},
		"password": {password}, "next": {next}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range resp.Cookies() {
		req.AddCookie(ck)
	}
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestSubUnitScope checks that a unit sees its sub-units' cases and a
// sub-unit does not see its parent's.
func TestSubUnitScope(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		ctx := context.Background()
		for _, u := range []auth.UserSpec{{Username: "town", Role: models.RoleUnit, Unit: "cgz", Password: testPassword},
			{Username: "street", Role: models.RoleUnit, Unit: "cgz-dj", Password: testPassword}} {
			if _, _, err := auth.AddUser(ctx, s, u); err != nil {
				t.Fatal(err)
			}
			tok, _, _ := auth.CreateToken(ctx, s, u.Username, "", time.Time{})
			e.tokens[u.Username] = tok
		}
		mk := func(no, unit string) {
			status, b := e.api(models.RoleSupervisor, "POST", "/api/v1/cases", map[string]any{"case_no": no, "channel": "visit",
				"status": "assigned", "received_at": "2026-03-02T09:00:00+08:00", "accepted_at": "2026-03-02T10:00:00+08:00",
				"assigned_unit": unit, "assigned_at": "2026-03-02T11:00:00+08:00", "due_at": "2026-04-30T23:59:59+08:00"})
			if status != 201 {
				t.Fatalf("register %s: %d %s", no, status, b)
			}
		}
		mk("T-TOWN", "cgz")
		mk("T-STREET", "cgz-dj")
		for _, tc := range []struct {
			user, caseNo string
			want         int
		}{{"town", "T-TOWN", 200}, {"town", "T-STREET", 200}, {"street", "T-STREET", 200}, {"street", "T-TOWN", 404}} {
			if status, _ := e.api(tc.user, "GET", "/api/v1/cases/"+tc.caseNo, nil); status != tc.want {
				t.Errorf("%s reads %s: %d, want %d", tc.user, tc.caseNo, status, tc.want)
			}
		}
		var me struct{ Units []string }
		_, b := e.api("town", "GET", "/api/v1/me", nil)
		mustJSON(t, b, &me)
		if fmt.Sprint(me.Units) != "[cgz cgz-dj cgz-xj]" {
			t.Errorf("the town's scope: %v", me.Units)
		}
	})
}

// TestOpenAPIDescribesEveryRoute checks the served description lists every
// API route with its method, and that every schema it refers to exists.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 300)
		status, b := e.api("", "GET", "/api/v1/openapi.json", nil)
		if status != 200 {
			t.Fatalf("openapi.json: %d", status)
		}
		var doc struct {
			OpenAPI    string                                `json:"openapi"`
			Paths      map[string]map[string]json.RawMessage `json:"paths"`
			Components struct {
				Schemas map[string]json.RawMessage `json:"schemas"`
			} `json:"components"`
		}
		mustJSON(t, b, &doc)
		for _, rt := range e.h.Routes() {
			if !strings.HasPrefix(rt.Path, "/api/v1/") {
				continue
			}
			ops := doc.Paths[strings.TrimPrefix(rt.Path, "/api/v1")]
			if _, ok := ops[strings.ToLower(rt.Method)]; !ok {
				t.Errorf("the OpenAPI description lacks %s", rt.Pattern())
			}
		}
		for _, ref := range refs.FindAllStringSubmatch(string(b), -1) {
			if _, ok := doc.Components.Schemas[ref[1]]; !ok {
				t.Errorf("the description refers to a missing schema %s", ref[1])
			}
		}
		if status, b := e.api(models.RoleAdmin, "GET", "/api/v1/nothing", nil); status != 404 || !strings.Contains(string(b), "openapi.json") {
			t.Errorf("an unknown endpoint: %d %s", status, b)
		}
	})
}

var refs = regexp.MustCompile(`"#/components/schemas/([^"]+)"`)
