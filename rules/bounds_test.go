package rules

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"duban/clock"
)

// readsAdvance is a clock that moves on by step each time it is read: the
// time bound then trips after a number of looks at the clock that does not
// depend on how fast the machine is.
type readsAdvance struct {
	t    time.Time
	step time.Duration
}

func (c *readsAdvance) Now() time.Time {
	c.t = c.t.Add(c.step)
	return c.t
}

// Pathological rule files are refused at load with file:line:col, or
// bounded when they run, and never with a panic. For the condition that
// only time stops, the trial run's clock moves 300ms per look, so it is
// refused after a few thousand steps however busy the machine; for the
// others it stands still, so the limit each expects is the one that trips.
func TestPathologicalRulesAreRefused(t *testing.T) {
	laughs := "params:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		laughs += fmt.Sprintf("  a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	rule := func(when, title string) string {
		return "rules:\n  - id: p.rule\n    subject: case\n    when: " + strconv.Quote(when) +
			"\n    notice: {level: 督办, to: [督查组], title: " + strconv.Quote(title) + "}\n"
	}
	bigList := "[" + strings.TrimSuffix(strings.Repeat("1, ", 1001), ", ") + "]"
	for _, tc := range []struct {
		name, file, want string
	}{
		{"YAML nested 100000 deep", "rules: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
			"r.yaml:1:72: [...] and {...} nested more than 64 deep"},
		{"a billion laughs", laughs + rule("true", "x"), "r.yaml:8:12: aliases expand the file to more than 1000000 values"},
		{"a 20 KB condition", rule(strings.Repeat("Case.Open || ", 1600)+"true", "x"),
			"r.yaml:4:12: rule p.rule: the expression is 20804 bytes; at most 16384"},
		{"loops nested over ranges", rule("all(1..1000, all(1..1000, all(1..1000, # > 0)))", "x"),
			"r.yaml:4:5: rule p.rule: the condition builds lists or texts too large for one subject"},
		{"a loop that builds a long text", rule(`reduce(1..200000, #acc + "xx", "") != ""`, "x"),
			"r.yaml:4:5: rule p.rule: the condition took longer than 1s for one subject; simplify it"},
		{"loops nested deep in a template", rule("true", "{{range .Params.l}}{{range .Params.l}}{{range .Params.l}}x{{end}}{{end}}{{end}}"),
			"rule p.rule: title: {{range}} nested more than 2 deep"},
		{"a template calling itself", rule("true", `{{define "t"}}{{template "t" .}}{{end}}{{template "t" .}}`),
			"rule p.rule: title: {{define}} and {{block}} are not allowed in rule templates"},
		{"an enormous list param", "params: {units: " + bigList + "}\n" + rule("true", "x"),
			"rule p.rule: param units: a list of 1001 values; at most 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var trialClock clock.Clock = clock.NewFixed(fuzzNow)
			if strings.Contains(tc.want, "took longer than") {
				trialClock = &readsAdvance{t: fuzzNow, step: 300 * time.Millisecond}
			}
			start := time.Now()
			rs, err := Load(fstest.MapFS{"r.yaml": {Data: []byte(tc.file)}}, Options{Now: fuzzNow, Calendar: fuzzCal,
				Bounds: Bounds{Clock: trialClock}})
			if rs != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
			t.Logf("refused in %s", time.Since(start).Round(time.Millisecond))
		})
	}
}

// Conditions whose cost depends on the data load, and are stopped on the
// subject that makes them too costly, with an error naming the limit. The
// clock stands still, so the time bound is out of the way and the limit each
// case expects is the one that stops it, on a fast machine or a busy one
// (TestTheTimeBoundStopsASlowCondition tests time).
func TestCostlyConditionsAreStoppedPerSubject(t *testing.T) {
	big := &Petitioner{ID: "P", Cases: make([]CaseBrief, 2000)}
	big.Summarise()
	long := &Case{CaseNo: "C", Category: strings.Repeat("征", 300000), GroupSize: 100000}
	long.Fill()
	for _, tc := range []struct {
		subject, when string
		env           any
		want          string
	}{
		{SubjectPetitioner, "count(Petitioner.Cases, any(Petitioner.Cases, all(Petitioner.Cases, .Open))) > 0",
			&PetitionerEnv{Now: fuzzNow, Petitioner: big}, "loops more than 1000000 times"},
		{SubjectCase, `repeat("xxxxxxxxxx", Case.GroupSize * 10) != ""`, &CaseEnv{Now: fuzzNow, Case: long},
			"repeat: the result would be longer than 1048576 bytes"},
		{SubjectCase, `replace(Case.Category, "", "xx") != ""`, &CaseEnv{Now: fuzzNow, Case: long},
			"replace: the result would be longer than 1048576 bytes"},
		{SubjectCase, `join(map(1..100, Case.Category), ",") != ""`, &CaseEnv{Now: fuzzNow, Case: long},
			"join: the result would be longer than 1048576 bytes"},
	} {
		window, cases := "", ""
		if tc.subject == SubjectPetitioner {
			window, cases = "    window: 90d\n", ", cases: 'map(Petitioner.Cases, .CaseNo)'"
		}
		file := "rules:\n  - id: p.rule\n    subject: " + tc.subject + "\n" + window + "    when: " + strconv.Quote(tc.when) + "\n    flag: {label: x" + cases + "}\n"
		rs, err := Load(fstest.MapFS{"r.yaml": {Data: []byte(file)}}, Options{Now: fuzzNow, Calendar: fuzzCal})
		if err != nil {
			t.Fatalf("%s: %v", tc.when, err)
		}
		ev := Evaluator{Bounds: Bounds{Clock: clock.NewFixed(fuzzNow)}}
		start := time.Now()
		_, err = ev.Holds(rs.Rules[0], tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.when, err, tc.want)
		}
		t.Logf("%s: stopped in %s", tc.when, time.Since(start).Round(time.Millisecond))
		// The same env evaluates again from a fresh budget.
		small := map[string]any{SubjectPetitioner: &PetitionerEnv{Now: fuzzNow, Petitioner: &Petitioner{Cases: make([]CaseBrief, 3)}},
			SubjectCase: &CaseEnv{Now: fuzzNow, Case: &Case{Category: "征地"}}}[tc.subject]
		if _, err := ev.Holds(rs.Rules[0], small); err != nil {
			t.Errorf("%s on a small subject: %v", tc.when, err)
		}
	}
}

// The time bound stops a condition that loops within the step bound once
// the evaluation's clock has passed the budget: the default budget (1s) or
// the one given, each named in the error. The clock moves 300ms per look
// (one look every 1024 steps), so the verdict is the same on any machine.
func TestTheTimeBoundStopsASlowCondition(t *testing.T) {
	for _, tc := range []struct {
		name, when string
		budget     time.Duration
		want       string // "" for a condition that finishes
	}{
		{"past the default budget", "all(1..500000, # > 0)", 0, "the condition took longer than 1s for one subject; simplify it"},
		{"past a given budget", "all(1..500000, # > 0)", 2 * time.Second, "the condition took longer than 2s for one subject; simplify it"},
		// Looks at 1024 and 2048 steps: 300ms apart, within 1s.
		{"within the default budget", "all(1..2500, # > 0)", 0, ""},
		// Looks at 1024, 2048, ... 9216 steps: 2.4s after the first, within 3s.
		{"within a given budget", "all(1..9500, # > 0)", 3 * time.Second, ""},
		{"a short loop never looks at the clock", "all(1..1000, # > 0)", time.Nanosecond, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := "rules:\n  - id: p.rule\n    subject: case\n    when: " + strconv.Quote(tc.when) + "\n    flag: {label: x}\n"
			rs, err := Load(fstest.MapFS{"r.yaml": {Data: []byte(file)}}, Options{Now: fuzzNow, Calendar: fuzzCal,
				Bounds: Bounds{Clock: clock.NewFixed(fuzzNow)}})
			if err != nil {
				t.Fatal(err)
			}
			ev := Evaluator{Bounds: Bounds{Time: tc.budget, Clock: &readsAdvance{t: fuzzNow, step: 300 * time.Millisecond}}}
			holds, err := ev.Holds(rs.Rules[0], &CaseEnv{Now: fuzzNow, Case: &Case{CaseNo: "C"}})
			switch {
			case tc.want == "" && (err != nil || !holds):
				t.Errorf("got %v, %v; want it to hold", holds, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
			// The next evaluation starts from a fresh budget.
			if tc.want != "" {
				small := mustLoadWhen(t, "all(1..100, # > 0)")
				if _, err := ev.Holds(small, &CaseEnv{Now: fuzzNow, Case: &Case{CaseNo: "C"}}); err != nil {
					t.Errorf("a short condition after a stopped one: %v", err)
				}
			}
		})
	}
}

func mustLoadWhen(t *testing.T, when string) *Rule {
	t.Helper()
	file := "rules:\n  - id: p.short\n    subject: case\n    when: " + strconv.Quote(when) + "\n    flag: {label: x}\n"
	rs, err := Load(fstest.MapFS{"r.yaml": {Data: []byte(file)}}, Options{Now: fuzzNow, Calendar: fuzzCal})
	if err != nil {
		t.Fatal(err)
	}
	return rs.Rules[0]
}
