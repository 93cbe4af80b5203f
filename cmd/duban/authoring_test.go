package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"duban/store"
)

func TestRulesCheckGivesFiveMessagesForFiveMistakes(t *testing.T) {
	code, out, errOut := duban(t, "rules", "check", "../../rules/testdata/five")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	located := regexp.MustCompile(`^\.\./\.\./rules/testdata/five/five\.yaml:\d+:\d+: rule [a-z.]+: \S`)
	if code != 1 || out != "" || len(lines) != 5 {
		t.Fatalf("exit %d, stdout %q, %d lines:\n%s", code, out, len(lines), errOut)
	}
	for _, l := range lines {
		if !located.MatchString(l) {
			t.Errorf("not file:line:col: rule id: message: %s", l)
		}
	}
}

func TestRulesCheckWarnsWithoutFailingUnlessStrict(t *testing.T) {
	code, out, errOut := duban(t, "rules", "check", "../../rules/testdata/warn")
	if code != 0 || strings.Count(errOut, ": warning: ") != 7 || !strings.HasPrefix(out, "ok: 2 rules, 1 tests, 7 warnings") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := duban(t, "rules", "check", "--strict", "../../rules/testdata/warn"); code != 1 || !strings.Contains(errOut, "7 warnings (--strict)") {
		t.Errorf("--strict: exit %d\n%s", code, errOut)
	}
}

func TestRulesCheckWarnsWhenTheCalendarEndsBeforeNextYear(t *testing.T) {
	// The official data runs to 2027: checked in 2027, rules counting working
	// days in 2028 would only skip weekends.
	code, _, errOut := duban(t, "rules", "check", "--now", "2027-06-01T09:00:00+08:00")
	if code != 0 || !strings.Contains(errOut, "deadline.yaml:") || !strings.Contains(errOut, "the holiday calendar ends with 2027; add a calendar file (*.calendar.yaml) for 2028") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "abnormal.group") {
		t.Errorf("a rule that counts no working days is warned about:\n%s", errOut)
	}
	cal := filepath.Join(t.TempDir(), "2028.calendar.yaml")
	os.WriteFile(cal, []byte("years: [2028]\nholidays:\n  - {from: 2028-01-01, to: 2028-01-03, name: 元旦}\n"), 0o644)
	code, out, errOut := duban(t, "rules", "check", "--now", "2027-06-01T09:00:00+08:00", "--calendar", cal)
	if code != 0 || errOut != "" || !strings.Contains(out, "0 warnings") {
		t.Errorf("with a 2028 calendar: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = duban(t, "calendar", "show", "--year", "2028", "--calendar", cal)
	if code != 0 || !strings.Contains(out, "holidays known for 2001–2028") || !strings.Contains(out, "2028-01-03  Mon  rest  元旦") {
		t.Errorf("calendar show: exit %d\n%s", code, out)
	}
}

func TestRulesTestRunsTestFilesAgainstTheBuiltInPack(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "local_test.yaml")
	os.WriteFile(good, []byte(`tests:
  - name: a group of six is a group petition
    only: [abnormal.group]
    now: 2026-03-31T08:00:00+08:00
    cases:
      - {case_no: G6, channel: visit, status: received, received_at: 2026-03-30T10:00:00+08:00, group_size: 6}
    expect:
      - {rule: abnormal.group, case_no: G6, flag: 集体访}
`), 0o644)
	if code, out, errOut := duban(t, "rules", "test", good); code != 0 || !strings.Contains(out, "ok    "+good+":2: a group of six") || !strings.Contains(out, "1 tests, 0 failed") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(dir, "wrong_test.yaml")
	os.WriteFile(bad, []byte(`tests:
  - name: expects the wrong level
    only: [deadline.breach]
    now: 2026-03-10T08:00:00+08:00
    cases:
      - {case_no: D1, channel: visit, status: assigned, received_at: 2026-02-02T09:00:00+08:00, accepted_at: 2026-02-03T09:00:00+08:00, assigned_unit: zjj, assigned_at: 2026-02-03T10:00:00+08:00, due_at: 2026-03-09T23:59:59+08:00}
    expect:
      - {rule: deadline.breach, case_no: D1, notice: true, level: 催办}
`), 0o644)
	code, out, _ := duban(t, "rules", "test", bad)
	want := "FAIL  " + bad + `:2: expects the wrong level
      ~ differs:    notice deadline.breach case=D1 level=催办  (line 8)
            got:    notice raised deadline.breach case=D1 level=督办 unit=zjj title="D1 已超期 1 天"
                    level is 督办, not 催办
1 tests, 1 failed
`
	if code != 1 || out != want {
		t.Errorf("exit %d\n%s\nwant\n%s", code, out, want)
	}
}

func TestExplainShowsWhatTheStoredEvidenceShows(t *testing.T) {
	db := "--db=sqlite:" + filepath.Join(t.TempDir(), "d.db")
	now := "2026-03-10T08:00:00+08:00"
	mustRun(t, "import", db, "--kind", "units", "testdata/units.jsonl")
	mustRun(t, "import", db, "testdata/cases.jsonl")
	mustRun(t, "run", db, "--once", "--now", now)
	var notice struct{ ID uint64 }
	json.Unmarshal([]byte(mustRun(t, "notices", "list", db, "--rule", "deadline.breach", "--case", "C-OVERDUE", "--format", "json")), &notice)
	if notice.ID == 0 {
		t.Fatal("no deadline.breach notice for C-OVERDUE")
	}
	shown := mustRun(t, "notices", "show", db, itoa(notice.ID))
	_, stored, ok := strings.Cut(shown, "evidence (why it was raised):\n")
	if !ok {
		t.Fatalf("notices show prints no evidence:\n%s", shown)
	}
	explained := mustRun(t, "rules", "explain", "deadline.breach", "C-OVERDUE", db, "--now", now)
	evidence, would, _ := strings.Cut(explained, "would raise:\n")
	if evidence != stored {
		t.Errorf("rules explain:\n%s\nnotices show:\n%s", evidence, stored)
	}
	flat := strings.Join(strings.Fields(evidence), " ")
	for _, w := range []string{"holds", "due = 2026-03-06T23:59:59+08:00", "Now = 2026-03-10T08:00:00+08:00", "✓ Now > due = true", "✓ Case.Open = true"} {
		if !strings.Contains(flat, w) {
			t.Errorf("evidence lacks %q:\n%s", w, evidence)
		}
	}
	if !strings.Contains(would, "notice 督办 to zjj, 督查组: C-OVERDUE 已超期 4 天") {
		t.Errorf("would raise: %s", would)
	}
	// Why not: the case due in three days.
	out := mustRun(t, "rules", "explain", "deadline.breach", "C-NEARDUE", db, "--now", now)
	if !strings.Contains(out, "does not hold: Now > due false") || !strings.Contains(out, "✗ Now > due") || strings.Contains(out, "would raise") {
		t.Errorf("explain C-NEARDUE:\n%s", out)
	}
	if code, _, errOut := duban(t, "rules", "explain", "deadline.breach", "C-NONE", db, "--now", now); code != 1 || !strings.Contains(errOut, "case C-NONE: not found") {
		t.Errorf("unknown case: exit %d %s", code, errOut)
	}
	if code, _, errOut := duban(t, "rules", "explain", "deadline.breach", "C-ONTIME", "--db=sqlite:"+filepath.Join(t.TempDir(), "none.db")); code != 1 || !strings.Contains(errOut, "no database at") {
		t.Errorf("missing database: exit %d %s", code, errOut)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// TestRulesDiffOnTheDemoListsExactlyTheNewRepeatPetitioners is the issue's
// done-when: lowering abnormal.repeat from 3 cases to 2 and backtesting on
// the demo county lists exactly the petitioners who would newly be flagged,
// as counted straight from the cases table, and writes nothing.
func TestRulesDiffOnTheDemoListsExactlyTheNewRepeatPetitioners(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	db := "--db=sqlite:" + path
	const now = "2026-11-25T09:00:00+08:00"
	mustRun(t, "demo", db, "--now", now)
	dir := filepath.Join(t.TempDir(), "rules")
	mustRun(t, "rules", "init", dir)
	file := filepath.Join(dir, "abnormal.yaml")
	src, _ := os.ReadFile(file)
	edited := strings.Replace(string(src), "params: {min_cases: 3}", "params: {min_cases: 2}", 1)
	if edited == string(src) {
		t.Fatal("abnormal.yaml has no `params: {min_cases: 3}` to edit")
	}
	os.WriteFile(file, []byte(edited), 0o644)

	wantPetitioners, wantFlags, before := repeatPetitionersFromTheData(t, path, now)
	if len(wantPetitioners) == 0 {
		t.Fatal("the demo has no petitioner with exactly two cases on one matter: the test proves nothing")
	}

	code, out, errOut := duban(t, "rules", "diff", "builtin", dir, db, "--now", now, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var gotPetitioners, gotFlags []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var c struct {
			Change, Kind, Rule, Subject string
			CaseNo                      string `json:"CaseNo"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if c.Change != "appears" || c.Rule != "abnormal.repeat" {
			t.Errorf("unexpected change: %s", line)
			continue
		}
		switch c.Kind {
		case "notice":
			gotPetitioners = append(gotPetitioners, c.Subject)
		case "flag":
			gotFlags = append(gotFlags, c.CaseNo)
		}
	}
	sort.Strings(gotPetitioners)
	sort.Strings(gotFlags)
	if !slices.Equal(gotPetitioners, wantPetitioners) {
		t.Errorf("newly flagged petitioners:\n got %v\nwant %v", gotPetitioners, wantPetitioners)
	}
	if !slices.Equal(gotFlags, wantFlags) {
		t.Errorf("newly flagged cases:\n got %v\nwant %v", gotFlags, wantFlags)
	}
	if !strings.Contains(errOut, "evaluated: abnormal.repeat\n") || !strings.Contains(errOut, "unchanged, not evaluated (--all to evaluate): 10 rules") {
		t.Errorf("summary:\n%s", errOut)
	}
	if _, _, after := repeatPetitionersFromTheData(t, path, now); after != before {
		t.Errorf("rules diff wrote to the database: %v, was %v", after, before)
	}
}

// repeatPetitionersFromTheData counts, straight from the cases table, the
// petitioners whose most frequent matter has exactly two cases in the 90
// days before now, and the later case of each pair; and the row counts of
// the tables a tick writes.
func repeatPetitionersFromTheData(t *testing.T, path, now string) (petitioners, flagged []string, counts string) {
	t.Helper()
	at, _ := time.Parse(time.RFC3339, now)
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{SkipMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rows []struct {
		PetitionerKey, Category, CaseNo string
		ReceivedAt                      time.Time
	}
	err = s.DB.Raw(`SELECT petitioner_key, category, case_no, received_at FROM cases
		WHERE petitioner_key IS NOT NULL AND received_at >= ? ORDER BY received_at, id`, at.Add(-90*24*time.Hour).UTC()).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	byMatter := map[[2]string][]string{}
	for _, r := range rows {
		k := [2]string{r.PetitionerKey, r.Category}
		byMatter[k] = append(byMatter[k], r.CaseNo)
	}
	most := map[string]int{}
	for k, cs := range byMatter {
		most[k[0]] = max(most[k[0]], len(cs))
	}
	for k, cs := range byMatter {
		if most[k[0]] == 2 && len(cs) == 2 {
			petitioners = append(petitioners, k[0])
			flagged = append(flagged, cs[1])
		}
	}
	sort.Strings(petitioners)
	sort.Strings(flagged)
	var n [5]int64
	for i, table := range []string{"notices", "flags", "accountability_records", "episodes", "rule_runs"} {
		s.DB.Raw("SELECT COUNT(*) FROM " + table).Scan(&n[i])
	}
	b, _ := json.Marshal(n)
	return petitioners, flagged, string(b)
}
