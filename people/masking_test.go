package people_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"duban/auth"
	"duban/clock"
	"duban/engine"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// leakNumbers reads testdata/leak-numbers.txt: every form, and the digits
// of each number.
func leakNumbers(t *testing.T) (forms []string, digits []string) {
	t.Helper()
	f, err := os.Open("testdata/leak-numbers.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		d, form, ok := strings.Cut(line, "\t")
		if !ok || !strings.Contains(onlyDigits(form), d) {
			t.Fatalf("testdata/leak-numbers.txt:%d: want the digits, a tab and a form that holds them", n)
		}
		forms = append(forms, form)
		if !slices.Contains(digits, d) {
			digits = append(digits, d)
		}
	}
	return forms, digits
}

// onlyDigits reads an answer as someone hunting for the number would: HTML
// entities and percent-escapes decoded, full-width digits as ASCII, and
// the separators people put between groups of digits dropped.
func onlyDigits(s string) string {
	s = html.UnescapeString(percentDecode(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune('0' + r - '０')
		case strings.ContainsRune(" \t\r\n\u00a0\u3000-－‐–—.．()（）+＋/", r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// readable is the text of an answer: an XLSX export's XML parts, else the body.
func readable(t *testing.T, body []byte) string {
	if !bytes.HasPrefix(body, []byte("PK")) {
		return string(body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("an answer starting PK is not a zip: %v", err)
	}
	var out strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out.Write(b)
	}
	return out.String()
}

// TestNoWholeNumberLeavesForThoseWhoDoNotHandleTheCase writes a
// petitioner's identity number (18 and 15 digits), mobile number (in every
// form people type it) and landline into every free-text and key field of
// the database — the petitioner key, the name, the summary, a timeline note,
// an ack comment, a review reason, and through the rules a notice's and a
// flag's subject and title — then asks every GET route of the API and the
// pages (exports as CSV and XLSX, unzipped) as every role that does not
// handle the case, and a unit user of an unrelated unit, and searches each
// answer for the numbers' digits in any form. The answers to the writes and
// the errors that quote the numbers are searched too. The handling unit's
// user must see the whole number somewhere: the search would find it.
func TestNoWholeNumberLeavesForThoseWhoDoNotHandleTheCase(t *testing.T) {
	storetest.Each(t, demoNow, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		e := newEnv(t, s, clk, 1000)
		ctx := context.Background()
		forms, digits := leakNumbers(t)
		text := "信访人反映：" + strings.Join(forms, "；")
		const id18, name = "410102198003071234", "张三(0371)65123456"

		// A petitioner the repeat-visit rule raised a notice about, re-keyed
		// by the identity number; the next tick raises it again under it.
		var rep models.Notice
		if err := s.DB.Where("rule_id = ? AND subject_kind = ?", "abnormal.repeat", models.SubjectPetitioner).Order("id").Take(&rep).Error; err != nil {
			t.Fatalf("the demo county has no repeat-visit notice: %v", err)
		}
		var caseUnits []string
		s.DB.Model(&models.Case{}).Where("petitioner_key = ?", rep.SubjectKey).Distinct().Pluck("assigned_unit", &caseUnits)
		for _, q := range []string{
			"UPDATE petitioners SET petitioner_key = ?, id_number = ?, phone = ?, name = ? WHERE petitioner_key = ?",
			"UPDATE cases SET petitioner_key = ?, summary = ?, petitioner_name = ? WHERE petitioner_key = ?",
		} {
			args := []any{id18, id18, forms[4], name, rep.SubjectKey}
			if strings.HasPrefix(q, "UPDATE cases") {
				args = []any{id18, text, name, rep.SubjectKey}
			}
			if err := s.DB.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		clk.Set(demoNow.Add(time.Hour))
		if _, err := engine.New(s, nil).Tick(ctx, e.rs, clk.Now(), engine.TickOptions{}); err != nil {
			t.Fatal(err)
		}
		var notice models.Notice
		if err := s.DB.Where("subject_key = ?", id18).Order("id").Take(&notice).Error; err != nil {
			t.Fatalf("no notice was raised about the re-keyed petitioner: %v", err)
		}
		// A flag once set stays on its case: have it name the key as if the
		// petitioner had been imported so.
		if err := s.DB.Exec("UPDATE flags SET subject = ? WHERE subject = ?", id18, rep.SubjectKey).Error; err != nil {
			t.Fatal(err)
		}
		var flag models.Flag
		if err := s.DB.Where("subject = ?", id18).Take(&flag).Error; err != nil {
			t.Fatalf("no flag names the re-keyed petitioner: %v", err)
		}
		caseNo := flag.CaseNo
		var c models.Case
		if err := s.DB.Where("case_no = ?", caseNo).Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		var rec models.AccountabilityRecord
		if err := s.DB.Where("kind = ? AND unit_code = ?", models.AccountRecord, c.AssignedUnit).Order("seq").Take(&rec).Error; err != nil {
			rec.Seq, rec.UnitCode = e.own.RecordSeq, e.own.Unit
		}

		// Users: the unit handling the case, and one unrelated to every unit
		// the petitioner's data went to.
		units, _ := s.ListUnits(ctx)
		touched := append(append([]string{}, caseUnits...), notice.UnitCode, rec.UnitCode, c.AssignedUnit)
		other := ""
		for _, u := range units {
			related := false
			for _, tu := range touched {
				if slices.Contains(store.UnitAndBelow(units, u.Code), tu) || slices.Contains(store.UnitAndBelow(units, tu), u.Code) {
					related = true
				}
			}
			if !related {
				other = u.Code
				break
			}
		}
		if other == "" {
			t.Fatal("no unit is unrelated to the petitioner's cases")
		}
		for username, unit := range map[string]string{"handler": c.AssignedUnit, "otherunit": other} {
			if _, _, err := auth.AddUser(ctx, s, auth.UserSpec{Username: username, DisplayName: username, Role: models.RoleUnit,
				Unit: unit, Password: testPassword}); err != nil {
				t.Fatal(err)
			}
			tok, _, err := auth.CreateToken(ctx, s, username, "test", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			e.tokens[username] = tok
		}

		found := func(answer string) []string {
			flat := onlyDigits(answer)
			var out []string
			for _, d := range digits {
				if strings.Contains(flat, d) {
					out = append(out, d)
				}
			}
			return out
		}
		var leaks int
		check := func(who, what string, status int, answer string) {
			t.Helper()
			if got := found(answer); len(got) > 0 {
				leaks++
				i := strings.Index(onlyDigits(answer), got[0])
				flat := []rune(onlyDigits(answer))
				from := max(0, len([]rune(onlyDigits(answer)[:i]))-60)
				to := min(len(flat), from+160)
				t.Errorf("%s: %s (%d) shows %v: …%s…", who, what, status, got, string(flat[from:to]))
			}
		}

		// The writes, as those who do not handle the case, with the numbers in
		// every free-text field; their answers are searched too.
		writes := []struct {
			role, method, path string
			body               any
		}{
			{models.RoleSupervisor, "POST", "/api/v1/cases/" + caseNo + "/events", map[string]any{"kind": "note", "comment": text}},
			{models.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/notices/%d/ack", notice.ID), map[string]any{"comment": text}},
			{models.RoleInspector, "POST", fmt.Sprintf("/api/v1/accountability/%d/reviews", rec.Seq), map[string]any{"decision": "confirm", "reason": text}},
			{models.RoleSupervisor, "POST", "/api/v1/cases", map[string]any{"case_no": "T-LEAK-1", "channel": "visit", "status": "received",
				"petitioner_id": id18, "petitioner_name": name, "summary": text, "received_at": "2026-03-09T09:00:00+08:00"}},
			{models.RoleSupervisor, "POST", "/api/v1/cases", map[string]any{"case_no": "T-LEAK-2", "channel": "visit", "status": "received",
				"petitioner_id": id18, "received_at": forms[5]}},
			{models.RoleSupervisor, "PATCH", "/api/v1/cases/" + caseNo, map[string]any{"group_size": forms[6]}},
		}
		for _, w := range writes {
			status, b := e.api(w.role, w.method, w.path, w.body)
			if w.path == "/api/v1/cases" && w.body.(map[string]any)["case_no"] == "T-LEAK-1" && status != 200 && status != 201 {
				t.Fatalf("%s %s: %d %s", w.method, w.path, status, b)
			}
			check(w.role, w.method+" "+w.path, status, string(b))
		}

		// Every GET route, as each role, for the objects that carry the numbers
		// and a guessed case number that is the identity number itself.
		lookers := []string{models.RoleAdmin, models.RoleSupervisor, models.RoleInspector, "otherunit", "handler"}
		sessions := map[string]*browser{}
		for _, who := range lookers {
			sessions[who] = e.signIn(who)
		}
		shownToHandler := false
		requests := 0
		for _, rt := range e.h.Routes() {
			if rt.Method != "GET" {
				continue
			}
			p := strings.TrimSuffix(rt.Path, "{$}")
			paths := []string{fill(p, map[string]string{"id": strconv.FormatUint(notice.ID, 10), "case_no": caseNo,
				"seq": strconv.FormatInt(rec.Seq, 10), "file...": "app.css"})}
			if strings.Contains(p, "{case_no}") {
				paths = append(paths, fill(p, map[string]string{"case_no": forms[2]}))
			}
			if strings.HasSuffix(p, "/export") {
				paths = []string{p + "?format=csv", p + "?format=xlsx"}
			}
			if p == "/api/v1/cases" || p == "/cases" {
				paths = append(paths, p+"?case="+caseNo, p+"?limit=500")
			}
			for _, path := range paths {
				for _, who := range lookers {
					var status int
					var body []byte
					if strings.HasPrefix(p, "/api/") {
						status, body = e.api(who, "GET", path, nil)
					} else {
						var page string
						status, page = sessions[who].get(path)
						body = []byte(page)
					}
					requests++
					answer := readable(t, body)
					if who == "handler" {
						if slices.Contains(found(answer), id18) {
							shownToHandler = true
						}
						continue
					}
					check(who, "GET "+path, status, answer)
				}
			}
		}
		if !shownToHandler {
			t.Errorf("no answer to the handling unit's user shows the whole identity number: the search would not find a leak either")
		}
		t.Logf("%d GET requests and %d writes searched for %d numbers in %d forms; %d leaks", requests, len(writes), len(digits), len(forms), leaks)
	})
}
