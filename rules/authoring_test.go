package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestFiveMistakesGiveFivePreciseMessages(t *testing.T) {
	_, err := LoadPaths([]string{"testdata/five/five.yaml"}, Options{})
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("error %T: %v", err, err)
	}
	want := []string{
		"testdata/five/five.yaml:8:35: rule deadline.breach: Case.DueDate: no such field; did you mean Case.DueAt?",
		`testdata/five/five.yaml:17:5: rule deadline.warning: schedule "0 8 * * 8": end of range (8) above maximum (6)`,
		"testdata/five/five.yaml:18:46: rule deadline.warning: invalid operation: <= (mismatched types int and string)",
		"testdata/five/five.yaml:22:23: rule deadline.warning: title template: Case.CaseNumber: no such field; did you mean Case.CaseNo?",
		"testdata/five/five.yaml:27:5: rule acceptance.overdue: notice has no recipient",
	}
	if len(probs) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(probs), len(want), probs)
	}
	for i, w := range want {
		if i < len(probs) && !strings.HasPrefix(probs[i].String(), w) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i, probs[i], w)
		}
	}
}

func TestEveryBadKeyOfARuleIsReportedAndNothingTwice(t *testing.T) {
	src := `rules:
  - id: many.keys
    subject: case
    disabled: maybe
    schedul: "0 8 * * *"
    when: Case.Open
    notice: {level: 督办, to: 督查组, titel: x, repeat: 24}
  - id: bad.subject
    subject: [case]
    when: Case.Open
    flag: {label: x}
`
	_, err := Load(fstest.MapFS{"r.yaml": {Data: []byte(src)}}, Options{})
	want := []string{
		"r.yaml:4:15: rule many.keys: disabled: want true or false, not a string",
		"r.yaml:5:5: rule many.keys: unknown field \"schedul\" in a rule; did you mean schedule?",
		"r.yaml:7:34: rule many.keys: unknown field \"titel\" in notice; did you mean title?",
		"r.yaml:7:44: rule many.keys: notice repeat: \"24\" is not a duration like 24h, 90m, 15d or 2w",
		"r.yaml:9:14: rule bad.subject: subject: want a string, not a list",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func TestAOneRecipientNoticeMayOmitTheList(t *testing.T) {
	rs := mustLoad(t, map[string]string{"r.yaml": "rules:\n  - id: r\n    subject: case\n    when: Case.Open\n    notice: {level: 提醒, to: 督查组, title: x}\n"})
	if to := rs.Rule("r").Notice.To; len(to) != 1 || to[0].Literal != "督查组" {
		t.Errorf("to = %+v", to)
	}
}

func TestWarningsLoadButAreReported(t *testing.T) {
	rs, err := LoadPaths([]string{"testdata/warn"}, Options{})
	if err != nil {
		t.Fatalf("rules with only warnings must load: %v", err)
	}
	want := []string{
		"testdata/warn/warn.yaml:2:1: warning: param spare_days is never used by the file's rules",
		"testdata/warn/warn.yaml:7:5: warning: rule repeat.petitioner: petitioner rule without a window",
		"testdata/warn/warn.yaml:9:5: warning: rule repeat.petitioner: param min_case is never used by the rule",
		"testdata/warn/warn.yaml:11:69: warning: rule repeat.petitioner: notice repeat 1h is shorter than the schedule's interval (24h)",
		"testdata/warn/warn.yaml:15:5: warning: rule always: condition reads neither the subject nor Now",
		`testdata/warn/warn.yaml:16:30: warning: rule always: to: "AssignedUnit" is taken literally as a unit or group name; did you mean Case.AssignedUnit?`,
		`testdata/warn/warn.yaml:21: warning: test "names a rule that does not exist": expect: no rule "repeat.petitoner"; did you mean repeat.petitioner?`,
	}
	if len(rs.Warnings) != len(want) {
		t.Errorf("%d warnings, want %d:\n%v", len(rs.Warnings), len(want), rs.Warnings)
	}
	for i, w := range want {
		if i < len(rs.Warnings) && !strings.HasPrefix(rs.Warnings[i].String(), w) {
			t.Errorf("warning %d:\n got %s\nwant %s…", i, rs.Warnings[i], w)
		}
	}
	if len(rs.Rules) != 2 {
		t.Errorf("%d rules loaded", len(rs.Rules))
	}
}

func TestTheDefaultPackHasNoWarnings(t *testing.T) {
	rs, err := Load(Defaults(), Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Warnings) > 0 {
		t.Errorf("the built-in pack has warnings:\n%v", rs.Warnings)
	}
}

func TestCalendarWarningWhenWorkingDaysRunPastTheKnownYears(t *testing.T) {
	_, last := mustLoad(t, map[string]string{"r.yaml": "rules:\n  - id: r\n    subject: case\n    when: Case.Open\n    flag: {label: x}\n"}).Calendar.KnownYears()
	inLastYear := time.Date(last, 3, 1, 0, 0, 0, 0, time.UTC)
	files := fstest.MapFS{
		"work.yaml": {Data: []byte(`rules:
  - id: handoff.late
    subject: case
    when: Case.Open && workdaysSince(Case.ReceivedAt) > 3
    flag: {label: x}
  - id: breach.late
    subject: case
    when: Case.Open && Now > Case.DueAt
    notice: {level: 督办, to: [督查组], title: '超期 {{ workdaysSince .Case.DueAt }} 个工作日'}
  - id: calendar.days
    subject: case
    when: Case.Open && daysSince(Case.ReceivedAt) > 3
    flag: {label: y}
`)},
	}
	rs, err := Load(files, Options{Now: inLastYear})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"work.yaml:2: warning: rule handoff.late: reasons in working days, but the holiday calendar ends with %d; add a calendar file (*.calendar.yaml) for %d",
		"work.yaml:6: warning: rule breach.late: reasons in working days, but the holiday calendar ends with %d; add a calendar file (*.calendar.yaml) for %d",
	}
	var got []string
	for _, w := range rs.Warnings {
		got = append(got, w.String())
	}
	for i := range want {
		want[i] = strings.Replace(strings.Replace(want[i], "%d", itoa(last), 1), "%d", itoa(last+1), 1)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A year earlier the calendar still covers next year: no warning.
	if rs, _ := Load(files, Options{Now: inLastYear.AddDate(-1, 0, 0)}); len(rs.Warnings) != 0 {
		t.Errorf("warned a year early: %v", rs.Warnings)
	}
	// A calendar file for the next year silences it, in the directory or given apart.
	cal := []byte("years: [" + itoa(last+1) + "]\nholidays:\n  - {date: " + itoa(last+1) + "-01-01, name: 元旦}\n")
	files["local.calendar.yaml"] = &fstest.MapFile{Data: cal}
	if rs, err := Load(files, Options{Now: inLastYear}); err != nil || len(rs.Warnings) != 0 {
		t.Errorf("with a calendar file in the directory: %v %v", err, rs.Warnings)
	}
	delete(files, "local.calendar.yaml")
	path := filepath.Join(t.TempDir(), "next.calendar.yaml")
	os.WriteFile(path, cal, 0o644)
	if rs, err := Load(files, Options{Now: inLastYear, CalendarFiles: []string{path}}); err != nil || len(rs.Warnings) != 0 {
		t.Errorf("with --calendar: %v %v", err, rs.Warnings)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestTestFilesHoldOnlyTests(t *testing.T) {
	rule := "rules:\n  - id: r\n    subject: case\n    when: Case.Open\n    flag: {label: x}\n"
	test := "tests:\n  - name: t\n    now: 2026-03-10T08:00:00+08:00\n    expect: []\n"
	rs := mustLoad(t, map[string]string{"r.yaml": rule, "r_test.yaml": test})
	if len(rs.Tests) != 1 || rs.Tests[0].File != "r_test.yaml" || rs.Tests[0].Line != 2 {
		t.Errorf("tests = %+v", rs.Tests)
	}
	for name, files := range map[string]map[string]string{
		"r_test.yaml:1:1: a test file (*_test.yaml) holds only `tests:`; put rules in a rule file": {"r.yaml": rule, "r_test.yaml": rule + test},
		"t.yaml:1: no `rules:` list (a file of tests only is named *_test.yaml)":                   {"r.yaml": rule, "t.yaml": test},
		"(rules): no rule files": {"r_test.yaml": test},
	} {
		fs := fstest.MapFS{}
		for n, src := range files {
			fs[n] = &fstest.MapFile{Data: []byte(src)}
		}
		if _, err := Load(fs, Options{}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v, want %q", err, name)
		}
	}
}
